"""The "Suggestions" page: pick a source (the organisation's controls or a catalogue), a
target standard and a method; review the ranked suggestions and accept or reject each one
(htmx replaces the row with the decision)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keel.controls.queries import perimeter_of
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, ValidationFailed
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import current_user, is_partial
from keel.standards.models import Standard

from ..choices import Relation
from . import engine, semantic
from .services import ACCEPT_RELATIONS, _control, decide

DEFAULT_TARGET = "iso42001:2023"
# The relations a person may accept a suggestion with, as the page's select offers them.
ACCEPT_CHOICES = [
    (Relation.EQUAL, "Equal: the same requirement"),
    (Relation.SUBSET, "Subset: the source asks less than the target"),
    (Relation.SUPERSET, "Superset: the source asks all the target asks, and more"),
    (Relation.INTERSECTS, "Intersects: they overlap"),
]
assert [v for v, _ in ACCEPT_CHOICES] == list(ACCEPT_RELATIONS)


def _params(request: HttpRequest) -> dict[str, Any]:
    q = request.GET
    top = q.get("top", "")
    return {
        "source": q.get("source", engine.ORG) or engine.ORG,
        "target": q.get("target", DEFAULT_TARGET) or DEFAULT_TARGET,
        "method": q.get("method", "") or engine.default_method(),
        # a number the engine checks (1 to 50); anything else is said, not replaced
        "top": int(top) if top.strip().lstrip("-").isdigit() else (top if top.strip() else 3),
        "no_crosswalk": q.get("no_crosswalk") in ("1", "on", "true"),
    }


@page(Perm.VIEW)
def suggestions(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    p = _params(request)
    error = ""
    groups: list[dict[str, Any]] = []
    try:
        if not isinstance(p["top"], int):
            raise ValidationFailed(
                f"top is a whole number between 1 and {engine.MAX_TOP}, not {p['top']!r}.",
                {"top": ["Not a number."]},
            )
        rows = engine.suggest(
            user, p["source"], p["target"], top=p["top"], method=p["method"], no_crosswalk=p["no_crosswalk"]
        )
    except semantic.SemanticUnavailable as exc:
        rows, error = [], exc.message
    except KeelError as exc:
        rows, error = [], exc.message
    for r in rows:
        if not groups or groups[-1]["source"] != r.source:
            groups.append({"source": r.source, "label": r.source_label, "rows": []})
        groups[-1]["rows"].append(r)
    # Buttons for whoever may decide somewhere; each decision is checked again on the control.
    if p["source"] == engine.ORG:
        can_decide = system_ids_with(user, Perm.EDIT_CONTROLS) != set()
    else:
        can_decide = has_perm(user, Perm.EDIT_MAPPINGS)
    standards = list(Standard.objects.order_by("key").values_list("key", "name", "edition"))
    return render(
        request,
        "mapping/suggestions.html",
        {
            "p": p,
            "groups": groups,
            "error": error,
            "standards": standards,
            "semantic_available": semantic.available(),
            "can_decide": can_decide,
            "relations": ACCEPT_CHOICES,
            "query": urlencode({k: v for k, v in request.GET.items() if k in p}),
        },
    )


def _decision_perimeter(request: HttpRequest, **kwargs: Any) -> Any:
    control = _control(request.POST.get("source", ""))
    if control is None:
        return None
    return perimeter_of(control, current_user(request), Perm.EDIT_CONTROLS, every=True)


@require_POST
@page(Perm.EDIT_CONTROLS, perimeter=_decision_perimeter)
def suggestion_decide(request: HttpRequest) -> HttpResponse:
    data = request.POST
    decision = "accepted" if data.get("decision") in ("accept", "accepted") else "rejected"
    try:
        score = float(data.get("score") or 0)
    except ValueError:
        score = 0.0
    ok, message = True, ""
    try:
        decide(
            Actor.from_request(request),
            data.get("source", ""),
            data.get("target", ""),
            decision,
            method=data.get("method", "lexical"),
            score=score,
            explanation=data.get("explanation", ""),
            relation=data.get("relation", "") if decision == "accepted" else "",
        )
    except KeelError as exc:
        ok, message = False, exc.message
    if is_partial(request):
        return render(
            request,
            "mapping/_decision.html",
            {
                "ok": ok,
                "message": message,
                "decision": decision,
                "target": data.get("target", ""),
                "relation": data.get("relation", ""),
            },
        )
    if ok:
        messages.success(request, f"{data.get('source')} → {data.get('target')}: {decision}.")
    else:
        messages.error(request, message)
    back = data.get("back", "")
    return redirect(reverse("mapping-suggestions") + (f"?{back}" if back and "//" not in back else ""))
