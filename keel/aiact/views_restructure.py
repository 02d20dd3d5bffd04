"""Pages that split one management system into an ISMS and an AIMS, or merge two into one
(:mod:`keel.aiact.restructure`): a form, a preview of what will move (counts per kind of
record, computed by running the change and rolling it back), a confirmation with the reason,
and a result page listing what moved. Only an administrator of the organisation may do it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from keel.organisation.choices import ManagementSystemStatus
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, ValidationFailed
from keel.platform.pages import page
from keel.platform.permissions import Perm

from . import restructure

RESULT_KEY = "aiact_restructure_result"


def _active() -> list[ManagementSystem]:
    return list(
        ManagementSystem.objects.filter(status=ManagementSystemStatus.ACTIVE)
        .prefetch_related("standards")
        .order_by("name")
    )


def _splittable(systems: list[ManagementSystem]) -> list[ManagementSystem]:
    both = {restructure.ISO27001, restructure.ISO42001}
    return [m for m in systems if both <= {s.key for s in m.standards.all()}]


def _reason(request: HttpRequest) -> str:
    note = request.POST.get("note", "").strip()
    if not note:
        raise ValidationFailed(
            "Give the reason for the change (a planned change to the management system, clause 6.3).",
            {"note": ["Required."]},
        )
    return note


def _done(request: HttpRequest, result: restructure.Result, note: str) -> HttpResponse:
    request.session[RESULT_KEY] = {
        "kind": result.kind,
        "source": result.source.name,
        "target": result.target.name,
        "target_short_name": result.target.short_name,
        "moved": list(result.moved.items()),
        "total": result.total,
        "note": note,
    }
    return redirect("aiact-restructure-result")


@require_http_methods(["GET", "POST"])
@page(Perm.MANAGE_USERS)
def split(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    systems = _splittable(_active())
    form = {
        "management_system": data.get(
            "management_system", systems[0].short_name if len(systems) == 1 else ""
        ),
        "name": data.get("name", "AI management system"),
        "short_name": data.get("short_name", "aims"),
        "note": data.get("note", ""),
    }
    preview: restructure.Result | None = None
    problem = ""
    if request.method == "POST" or "preview" in data:
        actor = Actor.from_request(request)
        try:
            if request.method == "POST":
                note = _reason(request)
                result = restructure.split_result(
                    actor,
                    form["management_system"],
                    name=form["name"],
                    short_name=form["short_name"],
                    note=note,
                )
                messages.success(request, f"{result.source.name} is split: {result.target.name} is the AIMS.")
                return _done(request, result, note)
            preview = restructure.preview_split(
                actor, form["management_system"], name=form["name"], short_name=form["short_name"]
            )
        except KeelError as exc:
            problem = exc.message
    return render(
        request,
        "aiact/restructure.html",
        {"kind": "split", "systems": systems, "form": form, "preview": preview, "problem": problem},
        status=422 if problem and request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.MANAGE_USERS)
def merge(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    systems = _active()
    form = {"target": data.get("target", ""), "source": data.get("source", ""), "note": data.get("note", "")}
    preview: restructure.Result | None = None
    problem = ""
    if request.method == "POST" or "preview" in data:
        actor = Actor.from_request(request)
        try:
            if not form["target"] or not form["source"]:
                raise ValidationFailed("Choose the system to keep and the one merged into it.")
            if request.method == "POST":
                note = _reason(request)
                result = restructure.merge_result(actor, form["target"], form["source"], note)
                messages.success(request, f"{result.source.name} is merged into {result.target.name}.")
                return _done(request, result, note)
            preview = restructure.preview_merge(actor, form["target"], form["source"])
        except KeelError as exc:
            problem = exc.message
    return render(
        request,
        "aiact/restructure.html",
        {"kind": "merge", "systems": systems, "form": form, "preview": preview, "problem": problem},
        status=422 if problem and request.method == "POST" else 200,
    )


@page(Perm.MANAGE_USERS)
def result(request: HttpRequest) -> HttpResponse:
    done: dict[str, Any] | None = request.session.get(RESULT_KEY)
    if done is None:
        return redirect("aiact-operating-model")
    return render(request, "aiact/restructure_result.html", {"done": done})
