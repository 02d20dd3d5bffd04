"""Pickers, not keys: one search endpoint per kind of reference a form takes — requirements,
controls, people, AI systems, datasets — answering a bare id, a key or words, within what the
person may see. ``GET /pick/<kind>/?q=…`` answers JSON (``{"results": [{"value", "label",
"hint"}]}``), or with ``format=html`` a list of options. The picker of ``keel.js`` calls it as
the person types (fields marked with :func:`keel.platform.forms.picker_attrs`); without
JavaScript the field is a plain text field that takes the key, as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from keel.aisystems.models import AISystem, Dataset
from keel.controls import queries as controls_queries
from keel.controls.models import Control
from keel.platform.models import User
from keel.platform.pages import page
from keel.platform.permissions import Perm, restrict
from keel.platform.views.common import current_user
from keel.standards.models import Requirement

LIMIT = 20
MAX_Q = 100


@dataclass(frozen=True)
class Option:
    value: str  # what the field takes
    label: str
    hint: str = ""


def _words(q: str) -> list[str]:
    return q.split()[:6]


def _all_words(qs: QuerySet[Any], words: list[str], fields: list[str]) -> QuerySet[Any]:
    for word in words:
        match = Q()
        for f in fields:
            match |= Q(**{f"{f}__icontains": word})
        qs = qs.filter(match)
    return qs


def requirements(user: User, q: str, standard: str = "") -> list[Option]:
    """By full key, bare id (``A.5.19``, ``6.1.2``; the start of one: ``A.5.1`` also finds
    ``A.5.10``…) or words of the title; the library is the same for everyone."""
    qs = Requirement.objects.filter(withdrawn_at__isnull=True).select_related("standard")
    if standard:
        qs = qs.filter(standard__key=standard)
    q = q.strip()
    if not q:
        found = list(qs.order_by("standard__key", "sort_order")[:LIMIT])
    else:
        exact = list(qs.filter(Q(key__iexact=q) | Q(ref_id__iexact=q)).order_by("standard__key")[:LIMIT])
        seen = {r.pk for r in exact}
        prefix = qs.filter(Q(key__istartswith=q) | Q(ref_id__istartswith=q)).exclude(pk__in=seen)
        rest = list(prefix.order_by("standard__key", "sort_order")[: LIMIT - len(exact)])
        seen |= {r.pk for r in rest}
        words = _all_words(qs.exclude(pk__in=seen), _words(q), ["title", "ref_id"])
        found = (
            exact + rest + list(words.order_by("standard__key", "sort_order")[: max(0, LIMIT - len(seen))])
        )
    return [
        Option(r.key, f"{r.standard.name}:{r.standard.edition} {r.ref_id} {r.title}", r.key) for r in found
    ]


def controls(user: User, q: str, standard: str = "") -> list[Option]:
    """Controls the person may see, by reference or words of the title."""
    qs = controls_queries.visible(Control.objects.all(), user)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(ref_id__iexact=q) | Q(pk__in=_all_words(qs, _words(q), ["ref_id", "title"]).values("pk"))
        )
    return [
        Option(c.ref_id, f"{c.ref_id} {c.title}", c.get_status_display())
        for c in qs.order_by("ref_id")[:LIMIT]
    ]


def people(user: User, q: str, standard: str = "") -> list[Option]:
    """Active people of the directory, by name or email."""
    qs = _all_words(User.objects.filter(is_active=True), _words(q), ["email", "full_name"])
    return [
        Option(u.email, u.full_name or u.email, u.email) for u in qs.order_by("full_name", "email")[:LIMIT]
    ]


def ai_systems(user: User, q: str, standard: str = "") -> list[Option]:
    """AI systems of the management systems the person may see, by short name or name."""
    qs = _all_words(restrict(AISystem.objects.all(), user, Perm.VIEW), _words(q), ["short_name", "name"])
    return [
        Option(s.short_name, s.name, s.get_lifecycle_stage_display()) for s in qs.order_by("name")[:LIMIT]
    ]


def datasets(user: User, q: str, standard: str = "") -> list[Option]:
    """Datasets of the management systems the person may see, by short name or name."""
    qs = _all_words(restrict(Dataset.objects.all(), user, Perm.VIEW), _words(q), ["short_name", "name"])
    return [Option(d.short_name, d.name, d.short_name) for d in qs.order_by("name")[:LIMIT]]


KINDS: dict[str, Callable[[User, str, str], list[Option]]] = {
    "requirements": requirements,
    "controls": controls,
    "people": people,
    "ai-systems": ai_systems,
    "datasets": datasets,
}


@page(Perm.VIEW)
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    search = KINDS.get(kind)
    if search is None:
        raise Http404(f"Nothing to pick called {kind!r}: choose one of {', '.join(KINDS)}.")
    q = request.GET.get("q", "")[:MAX_Q]
    options = search(current_user(request), q, request.GET.get("standard", "")[:40])
    if request.GET.get("format") == "html":
        return render(request, "site/_pick_options.html", {"options": options, "kind": kind, "q": q})
    return JsonResponse({"results": [asdict(o) for o in options]})
