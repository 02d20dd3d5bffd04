"""Pages of the fundamental rights impact assessment (Art. 27): start it from the AI system's
AI Act page (pre-filled from the AI system impact assessment), write its elements, complete it
and record the notification to the authority. Thin: the services check again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.aisystems.services import get_system
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.concurrency import version_of
from keel.platform.errors import KeelError
from keel.platform.pages import page
from keel.platform.permissions import Perm

from . import fria
from .choices import FriaStatus
from .models import FRIA_ELEMENTS


def _system_ms(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return get_system(ref).management_system


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def start(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        fria.start(Actor.from_request(request), ref)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("aiact-system", ref=ref)
    messages.success(
        request, "Started from the AI system impact assessment: write each element for this use."
    )
    return redirect("aiact-fria", ref=ref)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def edit(request: HttpRequest, ref: str) -> HttpResponse:
    system = get_system(ref)
    try:
        record = fria.get(system)
    except KeelError:
        return redirect("aiact-system", ref=ref)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {name: getattr(record, name) for name in fria.TEXT_FIELDS}
    values |= {
        "status": record.status,
        "notified_on": record.notified_on.isoformat() if record.notified_on else "",
    }
    problem = ""
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in fria.FIELDS}
        try:
            fria.update(
                Actor.from_request(request),
                record.pk,
                expected_version=request.POST.get("version") or None,
                **values,
            )
        except KeelError as exc:
            problem, errors = exc.message, exc.fields or {}
        else:
            messages.success(request, "The fundamental rights impact assessment is saved.")
            return redirect("aiact-system", ref=ref)
    return render(
        request,
        "aiact/fria.html",
        {
            "system": system,
            "record": record,
            "elements": [
                (name, ref_, text, values.get(name, ""), errors.get(name))
                for name, ref_, text in FRIA_ELEMENTS
            ],
            "values": values,
            "errors": errors,
            "problem": problem,
            "statuses": FriaStatus.choices,
            "version": version_of(record),
        },
        status=422 if problem else 200,
    )
