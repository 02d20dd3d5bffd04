"""Pages of the support records: for each kind (:mod:`keel.support.kinds`) a list with filters,
a detail page, create and edit; plus recording an objective reading, copying a metric's readings
and recording an awareness completion. Thin: parse, check, call a service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from keel.aisystems.services import get_system
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import concerns, legal, objectives, queries, services
from .charts import objective_chart
from .choices import ANNEX_C_THEMES, ObjectiveTheme
from .forms import CompletionForm, ReadingForm, SupportFilterForm
from .kinds import BY_SLUG, KINDS, Kind, edit_form
from .models import SystemDocument

PAGE_SIZE = 50
View = Callable[..., HttpResponse]


def _record(kind: Kind, request: HttpRequest, ref: str) -> Any:
    return queries.one(kind.listing, current_user(request), ref, kind.singular)


def _perimeter(kind: Kind) -> Callable[..., Any]:
    def find(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
        return kind.system_of(queries.one(kind.listing, None, ref, kind.singular))

    return find


def _list_view(kind: Kind) -> View:
    @page(Perm.VIEW)
    def view(request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        params = request.GET.copy()
        params.pop("page", None)
        form = SupportFilterForm(params or None, user=user)
        problem = ""
        try:
            qs = kind.listing(user, queries.Filters(**form.valid_filters()))
        except KeelError as exc:
            problem, qs = exc.message, kind.listing(user, queries.Filters())
        if form.is_bound and form.errors:
            problem = "Some filters were not understood and were not applied."
        page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
        rows = [
            {
                "url": reverse(f"{kind.slug}-detail", args=[kind.ref_of(obj)]),
                "ref": getattr(obj, "ref_id", ""),
                "name": kind.name_of(obj),
                "system": kind.system_of(obj).short_name,
                "cells": [cell(obj) for _, cell in kind.columns],
            }
            for obj in page_obj.object_list
        ]
        ctx = {
            "kind": kind,
            "kinds": KINDS,
            "form": form,
            "problem": problem,
            "page_obj": page_obj,
            "rows": rows,
            "headers": [h for h, _ in kind.columns],
            "can_create": system_ids_with(user, kind.create_perm) != set(),
            "list_url": reverse(f"{kind.slug}-list"),
        }
        return render(request, "support/_table.html" if is_partial(request) else "support/list.html", ctx)

    return view


def _detail_view(kind: Kind) -> View:
    @page(Perm.VIEW, perimeter=_perimeter(kind))
    def view(request: HttpRequest, ref: str) -> HttpResponse:
        user = current_user(request)
        obj = _record(kind, request, ref)
        ms = kind.system_of(obj)
        ctx: dict[str, Any] = {
            "kind": kind,
            "obj": obj,
            "name": kind.name_of(obj),
            "ref": kind.ref_of(obj),
            "system": ms,
            "props": [(label, cell(obj)) for label, cell in kind.props],
            "can_edit": has_perm(user, kind.edit_perm, ms),
        }
        if kind.slug == "objective":
            readings = list(queries.readings(None, queries.Filters(objective=str(obj.pk))))
            ctx |= {
                "chart": objective_chart(obj, readings),
                "readings": [(r, obj.on_target(r.value)) for r in readings],
                "can_record": has_perm(user, Perm.RECORD_READINGS, ms),
                "reading_form": ReadingForm(initial={"on": timezone.localdate()}),
            }
        elif kind.slug == "awareness-campaign":
            ctx |= {
                "completions": list(queries.completions(obj)),
                "can_record": has_perm(user, Perm.RECORD_READINGS, ms),
                "completion_form": CompletionForm(),
            }
        elif kind.slug == "ms-role":
            ctx["competences"] = list(obj.competences.order_by("name"))
        elif kind.slug == "concern":
            ctx["reporter"] = (
                ("Anonymous" if obj.anonymous else obj.reporter.display_name if obj.reporter else "—")
                if concerns.may_see_reporter(user, obj)
                else None
            )
        return render(request, "support/detail.html", ctx)

    return view


def _form_page(request: HttpRequest, kind: Kind, form: Any, obj: Any) -> HttpResponse:
    themes = (
        [(ObjectiveTheme(k).label, text) for k, text in ANNEX_C_THEMES.items()]
        if kind.slug == "objective"
        else []
    )
    return render(
        request,
        "support/form.html",
        {"kind": kind, "form": form, "obj": obj, "ref": kind.ref_of(obj) if obj else "", "themes": themes},
        status=INVALID if form.errors else 200,
    )


def _create_view(kind: Kind) -> View:
    @require_http_methods(["GET", "POST"])
    @page(kind.create_perm, anywhere=True)
    def view(request: HttpRequest) -> HttpResponse:
        form = kind.form(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.service_data() if hasattr(form, "service_data") else dict(form.cleaned_data)
            try:
                obj = kind.create(Actor.from_request(request), **data)
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"The {kind.singular} is recorded.")
                return redirect(f"{kind.slug}-detail", ref=kind.ref_of(obj))
        return _form_page(request, kind, form, None)

    return view


def _edit_view(kind: Kind) -> View:
    form_class = edit_form(kind)

    @require_http_methods(["GET", "POST"])
    @page(kind.edit_perm, perimeter=_perimeter(kind))
    def view(request: HttpRequest, ref: str) -> HttpResponse:
        obj = _record(kind, request, ref)
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    obj = kind.update(
                        Actor.from_request(request),
                        obj.pk,
                        expected_version=form.expected_version,
                        **form.service_data(),
                    )
                except KeelError as exc:
                    add_service_error(form, exc)
                else:
                    messages.success(request, f"The {kind.singular} is saved.")
                    return redirect(f"{kind.slug}-detail", ref=kind.ref_of(obj))
        else:
            form = form_class(initial=form_class.initial_for(obj))
            form.bind_version(obj)
        return _form_page(request, kind, form, obj)

    return view


VIEWS: dict[str, dict[str, View]] = {
    k.slug: {
        "list": _list_view(k),
        "create": _create_view(k),
        "detail": _detail_view(k),
        "edit": _edit_view(k),
    }
    for k in KINDS
}

_objective_perimeter = _perimeter(BY_SLUG["objective"])
_campaign_perimeter = _perimeter(BY_SLUG["awareness-campaign"])


@require_POST
@page(Perm.RECORD_READINGS, perimeter=_objective_perimeter)
def objective_reading_add(request: HttpRequest, ref: str) -> HttpResponse:
    objective = services.get(services.OBJECTIVE, ref)
    form = ReadingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The reading was not recorded: give a number and a date.")
    else:
        try:
            result = objectives.add_reading(
                Actor.from_request(request),
                objective.pk,
                form.cleaned_data["value"],
                form.cleaned_data["on"],
                form.cleaned_data["note"],
            )
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                "The reading is recorded." if result.created else "That reading was already recorded.",
            )
    return redirect("objective-detail", ref=objective.ref_id)


@require_POST
@page(Perm.RECORD_READINGS, perimeter=_objective_perimeter)
def objective_pull(request: HttpRequest, ref: str) -> HttpResponse:
    objective = services.get(services.OBJECTIVE, ref)
    try:
        count = objectives.pull_metric_readings(Actor.from_request(request), objective.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{count} reading{'s' if count != 1 else ''} copied from the operating metric."
        )
    return redirect("objective-detail", ref=objective.ref_id)


@require_POST
@page(Perm.RECORD_READINGS, perimeter=_campaign_perimeter)
def completion_add(request: HttpRequest, ref: str) -> HttpResponse:
    campaign = services.get(services.CAMPAIGN, ref)
    form = CompletionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The completion was not recorded: choose a person and a date.")
    else:
        try:
            services.record_completion(
                Actor.from_request(request),
                campaign.pk,
                form.cleaned_data["person"],
                form.cleaned_data["completed_on"],
            )
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The completion is recorded.")
    return redirect("awareness-campaign-detail", ref=str(campaign.pk))


def _system_of_short_name(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
    return get_system(ref).management_system


def _system_of_link(request: HttpRequest, link_id: str, **kwargs: Any) -> Any:
    link = SystemDocument.objects.select_related("ai_system").filter(pk=link_id).first()
    if link is None:
        raise NotFound(f"No link {str(link_id)[:60]!r} between a document and an AI system.")
    return link.ai_system.management_system_id


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_of_short_name)
def ai_system_document_link(request: HttpRequest, ref: str) -> HttpResponse:
    """Link a document to an AI system as information for interested parties (A.8.2–A.8.5)."""
    try:
        legal.link_document(
            Actor.from_request(request),
            ref,
            request.POST.get("document", ""),
            request.POST.get("purpose", ""),
            request.POST.get("note", ""),
        )
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The document is linked to the AI system.")
    return redirect(reverse("ai-system-detail", args=[ref]) + "#aisystem-information")


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_of_link)
def ai_system_document_unlink(request: HttpRequest, link_id: str) -> HttpResponse:
    link = SystemDocument.objects.select_related("ai_system").filter(pk=link_id).first()
    ref = link.ai_system.short_name if link is not None else ""
    try:
        legal.unlink_document(Actor.from_request(request), link_id)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("ai-system-list") if not ref else redirect("ai-system-detail", ref=ref)
    messages.success(request, "The document is no longer linked to the AI system.")
    return redirect(reverse("ai-system-detail", args=[ref]) + "#aisystem-information")
