"""Pages of an AI system's lifecycle records: read one (its Markdown rendered without raw HTML),
write, edit, approve and withdraw. Thin: the rules live in
:mod:`keel.aisystems.services.records`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user

from . import queries, services
from .forms import NoteForm, RecordForm
from .models import AISystem, LifecycleRecord


def _system_ms(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return services.get_system(ref).management_system


def _record(request: HttpRequest, ref: str, record_id: Any) -> tuple[AISystem, LifecycleRecord]:
    user = current_user(request)
    record = queries.lifecycle_record_for(user, record_id)
    system = record.ai_system
    if str(ref) not in (system.short_name, str(system.pk)):
        raise NotFound(f"{ref} has no lifecycle record with id {record_id}.")
    return system, record


def _form(
    request: HttpRequest, form: RecordForm, system: AISystem, record: LifecycleRecord | None
) -> HttpResponse:
    return render(
        request,
        "aisystems/record_form.html",
        {"form": form, "system": system, "record": record},
        status=INVALID if form.errors else 200,
    )


@page(Perm.VIEW, perimeter=_system_ms)
def record_detail(request: HttpRequest, ref: str, record_id: Any) -> HttpResponse:
    system, record = _record(request, ref, record_id)
    can_edit = has_perm(current_user(request), Perm.EDIT_AI_SYSTEMS, system.management_system)
    return render(
        request, "aisystems/record_detail.html", {"system": system, "record": record, "can_edit": can_edit}
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def record_create(request: HttpRequest, ref: str) -> HttpResponse:
    system = queries.system_for(current_user(request), ref)
    form = RecordForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.create_record(Actor.from_request(request), system.pk, **form.service_data())
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{record.title} is written as a draft: approve it when it is right.")
            return redirect("ai-record-detail", ref=system.short_name, record_id=record.pk)
    return _form(request, form, system, None)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def record_edit(request: HttpRequest, ref: str, record_id: Any) -> HttpResponse:
    system, record = _record(request, ref, record_id)
    if request.method == "POST":
        form = RecordForm(request.POST)
        if form.is_valid():
            try:
                record = services.update_record(
                    Actor.from_request(request),
                    record.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{record.title} is saved (revision {record.revision}).")
                return redirect("ai-record-detail", ref=system.short_name, record_id=record.pk)
    else:
        form = RecordForm(initial=RecordForm.initial_for(record))
        form.bind_version(record)
    return _form(request, form, system, record)


def _status_action(request: HttpRequest, ref: str, record_id: Any, approve: bool) -> HttpResponse:
    system, record = _record(request, ref, record_id)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if approve:
            services.approve_record(Actor.from_request(request), record.pk, note)
        else:
            services.withdraw_record(Actor.from_request(request), record.pk, note)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{record.title} is {'approved' if approve else 'withdrawn'}.")
    return redirect("ai-record-detail", ref=system.short_name, record_id=record.pk)


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def record_approve(request: HttpRequest, ref: str, record_id: Any) -> HttpResponse:
    return _status_action(request, ref, record_id, approve=True)


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def record_withdraw(request: HttpRequest, ref: str, record_id: Any) -> HttpResponse:
    return _status_action(request, ref, record_id, approve=False)
