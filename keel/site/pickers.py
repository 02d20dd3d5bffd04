"""Pickers, not keys: one search endpoint per kind of reference a form takes — requirements,
controls, people, AI systems, datasets — answering a bare id, a key or words, within what the
person may see. ``GET /pick/<kind>/?q=…`` answers JSON (``{"results": [{"value", "label",
"hint"}]}``), or with ``format=html`` a list of options. The picker of ``keel.js`` calls it as
the person types (fields marked with :func:`keel.platform.forms.picker_attrs`); without
JavaScript the field is a plain text field that takes the key, as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from keel.aisystems import queries as aisystems_queries
from keel.controls import queries as controls_queries
from keel.organisation import queries as organisation_queries
from keel.platform.models import User
from keel.platform.pages import page
from keel.platform.permissions import Perm
from keel.platform.views.common import current_user
from keel.standards import queries as standards_queries

LIMIT = 20
MAX_Q = 100

# Each search below is the owning app's own list query (the one its list page, API and CLI use),
# so a picker offers exactly what the person could find there: same perimeter, same words.


@dataclass(frozen=True)
class Option:
    value: str  # what the field takes
    label: str
    hint: str = ""


def requirements(user: User, q: str, standard: str = "") -> list[Option]:
    """By full key, bare id (``A.5.19``, ``6.1.2``; the start of one: ``A.5.1`` also finds
    ``A.5.10``…) or words; the library is the same for everyone."""
    found = standards_queries.requirement_matches(q, standard=standard or None, limit=LIMIT)
    return [
        Option(r.key, f"{r.standard.name}:{r.standard.edition} {r.ref_id} {r.title}", r.key) for r in found
    ]


def controls(user: User, q: str, standard: str = "") -> list[Option]:
    """Controls the person may see, by reference or words (the control list's search)."""
    found = controls_queries.controls(user, controls_queries.ControlFilters(q=q.strip()))
    return [Option(c.ref_id, f"{c.ref_id} {c.title}", c.get_status_display()) for c in found[:LIMIT]]


def people(user: User, q: str, standard: str = "") -> list[Option]:
    """Active people of the directory, with or without a login, by name, email, job title or
    department (the directory's search)."""
    found = organisation_queries.people(organisation_queries.PeopleFilters(q=q.strip(), active=True))
    return [Option(u.email, u.display_name, u.job_title or u.shown_email) for u in found[:LIMIT]]


def ai_systems(user: User, q: str, standard: str = "") -> list[Option]:
    """AI systems of the management systems the person may see, by short name, name or purpose."""
    found = aisystems_queries.systems(user, aisystems_queries.SystemFilters(q=q.strip()))
    return [Option(s.short_name, s.name, s.get_lifecycle_stage_display()) for s in found[:LIMIT]]


def datasets(user: User, q: str, standard: str = "") -> list[Option]:
    """Datasets of the management systems the person may see, by short name, name or source."""
    found = aisystems_queries.datasets(user, aisystems_queries.DatasetFilters(q=q.strip()))
    return [Option(d.short_name, d.name, d.short_name) for d in found[:LIMIT]]


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
