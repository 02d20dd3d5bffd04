"""Pages of incidents: the list with its filters and clocks, the report form, one incident (runbook
stage, clock countdowns, playbook checklist, timeline, links, post-incident review), its edit page
and the actions on it; the catalogue pages (types with their playbooks, regulatory clocks with
their variants). Thin: a form parses, ``@page`` checks, a service or query does the work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.organisation.views.trail import describe
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import KeelForm, add_service_error
from keel.platform.models import TrailEntry
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import catalogue, followups, queries, services
from .choices import RUNBOOK, IncidentFlag, IncidentStatus
from .forms import (
    AdvanceForm,
    ClockForm,
    IncidentEditForm,
    IncidentFilterForm,
    IncidentForm,
    MeetClockForm,
    ReviewForm,
    StepForm,
    TimelineForm,
    TypeForm,
    VariantForm,
)
from .models import Incident

PAGE_SIZE = 50


def _system(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return services.get(ref).management_system


# ---------------------------------------------------------------- list and report


@page(Perm.VIEW)
def incident_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = IncidentFilterForm(params or None, user=user)
    problem = form.problem()
    try:
        qs = queries.incident_list(user, form.filters())
    except KeelError as exc:
        problem = f"{exc.message} Showing every incident."
        qs = queries.incident_list(user)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    rows = [(i, queries.clock_views(i)) for i in page_obj.object_list]
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "rows": rows,
        "can_report": system_ids_with(user, Perm.REPORT_INCIDENTS) != set(),
        "can_catalogue": has_perm(user, Perm.VIEW),
    }
    template = "incidents/_table.html" if is_partial(request) else "incidents/list.html"
    return render(request, template, ctx)


@require_http_methods(["GET", "POST"])
@page(Perm.REPORT_INCIDENTS, anywhere=True)
def incident_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    catalogue.ensure_incident_catalogue()
    if request.method == "POST":
        form = IncidentForm(request.POST, user=user)
        if form.is_valid():
            data = form.service_data()
            try:
                incident = services.report_incident(Actor.from_request(request), **data)
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{incident.ref_id} is reported.")
                return redirect("incident-detail", ref=incident.ref_id)
    else:
        form = IncidentForm(user=user, initial={"severity": "medium", "aware_at": queries.now()})
    return render(request, "incidents/form.html", {"form": form}, status=INVALID if form.errors else 200)


# ---------------------------------------------------------------- one incident


def _history(incident: Incident) -> list[TrailEntry]:
    return list(
        TrailEntry.objects.filter(object_type="incidents.incident", object_id=str(incident.pk)).order_by(
            "-seq"
        )[:200]
    )


def _detail_context(request: HttpRequest, incident: Incident, **forms: KeelForm) -> dict[str, Any]:
    user = current_user(request)
    can_trail = has_perm(user, Perm.VIEW_TRAIL, incident.management_system)
    at = RUNBOOK.index(incident.status)
    later = [(s, IncidentStatus(s).label) for s in RUNBOOK[at + 1 :]]
    advance = forms.get("advance_form") or AdvanceForm(
        auto_id="advance-%s", initial={"to": later[0][0] if later else ""}
    )
    advance.fields["to"].choices = later  # type: ignore[attr-defined]
    return {
        "incident": incident,
        "stages": [(s, IncidentStatus(s).label, i < at, i == at) for i, s in enumerate(RUNBOOK)],
        "clocks": queries.clock_views(incident),
        "steps": list(incident.steps.all()),
        "timeline": list(incident.timeline.all()),
        "flags": [label for name, label in _flag_labels() if getattr(incident, name)],
        "can_handle": incident.status != IncidentStatus.CLOSED
        and has_perm(user, Perm.HANDLE_INCIDENTS, incident.management_system),
        "advance_form": advance,
        "timeline_form": forms.get("timeline_form") or TimelineForm(auto_id="timeline-%s"),
        "meet_form": MeetClockForm(auto_id=False),
        "review_form": forms.get("review_form")
        or ReviewForm(
            auto_id="review-%s",
            initial={
                "review_what_happened": incident.review_what_happened,
                "review_root_cause": incident.review_root_cause,
                "review_lessons": incident.review_lessons,
                "review_actions": incident.review_actions,
            },
        ),
        "can_trail": can_trail,
        "history": describe(_history(incident), user) if can_trail else [],
    }


def _flag_labels() -> list[tuple[str, str]]:
    return list(IncidentFlag.choices)


@page(Perm.VIEW, perimeter=_system)
def incident_detail(request: HttpRequest, ref: str) -> HttpResponse:
    incident = queries.incident_for(current_user(request), ref)
    return render(request, "incidents/detail.html", _detail_context(request, incident))


@require_http_methods(["GET", "POST"])
@page(Perm.HANDLE_INCIDENTS, perimeter=_system)
def incident_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    incident = queries.incident_for(user, ref)
    if request.method == "POST":
        form = IncidentEditForm(request.POST, user=user)
        if form.is_valid():
            try:
                incident = services.update_incident(
                    Actor.from_request(request),
                    incident.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{incident.ref_id} is saved.")
                return redirect("incident-detail", ref=incident.ref_id)
    else:
        form = IncidentEditForm(user=user, initial=IncidentEditForm.initial_for(incident))
        form.bind_version(incident)
    return render(
        request,
        "incidents/edit.html",
        {"form": form, "incident": incident},
        status=INVALID if form.errors else 200,
    )


def _act(
    request: HttpRequest, ref: str, form: KeelForm, name: str, do: Callable[[Actor, dict[str, Any]], str]
) -> HttpResponse:
    """A POST action on the incident page: on success back to the page with a message, on a
    refusal the page again with the form showing why."""
    if form.is_valid():
        try:
            message = do(Actor.from_request(request), form.cleaned_data)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("incident-detail", ref=ref)
    incident = queries.incident_for(current_user(request), ref)
    return render(
        request, "incidents/detail.html", _detail_context(request, incident, **{name: form}), status=INVALID
    )


@require_POST
@page(Perm.HANDLE_INCIDENTS, perimeter=_system)
def incident_advance(request: HttpRequest, ref: str) -> HttpResponse:
    form = AdvanceForm(request.POST, auto_id="advance-%s")

    def do(actor: Actor, data: dict[str, Any]) -> str:
        incident = services.advance(actor, ref, to=data["to"], note=data["note"])
        return f"{incident.ref_id} is at {incident.get_status_display().lower()}."

    return _act(request, ref, form, "advance_form", do)


@require_POST
@page(Perm.HANDLE_INCIDENTS, perimeter=_system)
def incident_timeline(request: HttpRequest, ref: str) -> HttpResponse:
    form = TimelineForm(request.POST, auto_id="timeline-%s")

    def do(actor: Actor, data: dict[str, Any]) -> str:
        services.add_timeline_entry(actor, ref, text=data["text"], kind=data["kind"], at=data["at"])
        return "Added to the timeline."

    return _act(request, ref, form, "timeline_form", do)


@require_POST
@page(Perm.HANDLE_INCIDENTS, perimeter=_system)
def incident_review(request: HttpRequest, ref: str) -> HttpResponse:
    form = ReviewForm(request.POST, auto_id="review-%s")

    def do(actor: Actor, data: dict[str, Any]) -> str:
        services.record_review(actor, ref, **data)
        return "The post-incident review is recorded."

    return _act(request, ref, form, "review_form", do)


@require_POST
@page(Perm.HANDLE_INCIDENTS, perimeter=_system)
def incident_nonconformity(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        incident = followups.raise_nonconformity_from_review(Actor.from_request(request), ref)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{incident.nonconformity_ref} is raised from the review.")
    return redirect("incident-detail", ref=ref)


@require_POST
@page(Perm.HANDLE_INCIDENTS, perimeter=_system)
def incident_step(request: HttpRequest, ref: str, step: str) -> HttpResponse:
    try:
        services.tick_step(Actor.from_request(request), ref, step, done=request.POST.get("done", "1") != "0")
    except KeelError as exc:
        messages.error(request, exc.message)
    return redirect("incident-detail", ref=ref)


@require_POST
@page(Perm.HANDLE_INCIDENTS, perimeter=_system)
def incident_clock_met(request: HttpRequest, ref: str, clock: str) -> HttpResponse:
    form = MeetClockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the moment as YYYY-MM-DD HH:MM, or leave it empty for now.")
        return redirect("incident-detail", ref=ref)
    try:
        row = services.meet_clock(
            Actor.from_request(request),
            ref,
            clock,
            met_at=form.cleaned_data["met_at"],
            note=form.cleaned_data["note"],
        )
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The {row.clock.name} is recorded as made.")
    return redirect("incident-detail", ref=ref)


# ---------------------------------------------------------------- catalogue
# Read with ``view``; every change is a POST to its own action URL with ``handle_incidents`` over
# the organisation (the catalogue is organisation-level).


def _type_context(request: HttpRequest, slug: str, **forms: KeelForm) -> dict[str, Any]:
    itype = catalogue.get_type(slug)
    initial = {
        "name": itype.name,
        "family": itype.family,
        "description": itype.description,
        "order": itype.order,
        "clocks": [c.slug for c in itype.clocks.all()],
    }
    return {
        "itype": itype,
        "steps": list(itype.steps.all()),
        "clocks": list(itype.clocks.all()),
        "step_form": forms.get("step_form") or StepForm(auto_id="step-%s"),
        "edit_form": forms.get("edit_form") or TypeForm(auto_id="edit-%s", initial=initial),
        "can_edit": has_perm(current_user(request), Perm.HANDLE_INCIDENTS),
    }


def _clock_context(request: HttpRequest, slug: str, **forms: KeelForm) -> dict[str, Any]:
    clock = catalogue.get_clock(slug)
    fields = ("name", "regime", "applies_when", "starts_from", "duration", "unit", "description", "order")
    return {
        "clock": clock,
        "variants": list(clock.variants.all()),
        "types": list(clock.incident_types.all()),
        "variant_form": forms.get("variant_form") or VariantForm(auto_id="variant-%s"),
        "edit_form": forms.get("edit_form")
        or ClockForm(auto_id="edit-%s", initial={k: getattr(clock, k) for k in fields}),
        "can_edit": has_perm(current_user(request), Perm.HANDLE_INCIDENTS),
    }


def _catalogue_post(
    request: HttpRequest,
    form: KeelForm,
    do: Callable[[Actor, dict[str, Any]], tuple[str, str, str]],
    fail: Callable[[], HttpResponse],
) -> HttpResponse:
    if form.is_valid():
        try:
            message, url_name, slug = do(Actor.from_request(request), form.cleaned_data)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, message)
            return redirect(url_name, slug=slug)
    return fail()


@page(Perm.VIEW)
def type_list(request: HttpRequest, form: TypeForm | None = None) -> HttpResponse:
    ctx = {
        "types": list(queries.types()),
        "form": form or TypeForm(auto_id="type-%s"),
        "can_edit": has_perm(current_user(request), Perm.HANDLE_INCIDENTS),
    }
    return render(request, "incidents/types.html", ctx, status=INVALID if form is not None else 200)


@require_POST
@page(Perm.HANDLE_INCIDENTS)
def type_create(request: HttpRequest) -> HttpResponse:
    form = TypeForm(request.POST, auto_id="type-%s")

    def do(actor: Actor, data: dict[str, Any]) -> tuple[str, str, str]:
        itype = catalogue.create_type(actor, **data)
        return f"The type {itype.name} is added.", "incident-type-detail", itype.slug

    return _catalogue_post(request, form, do, lambda: type_list(request, form=form))


@page(Perm.VIEW)
def type_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "incidents/type.html", _type_context(request, slug))


@require_POST
@page(Perm.HANDLE_INCIDENTS)
def type_edit(request: HttpRequest, slug: str) -> HttpResponse:
    catalogue.get_type(slug)
    form = TypeForm(request.POST, auto_id="edit-%s")

    def do(actor: Actor, data: dict[str, Any]) -> tuple[str, str, str]:
        itype = catalogue.update_type(actor, slug, **data)
        return f"{itype.name} is saved.", "incident-type-detail", itype.slug

    def fail() -> HttpResponse:
        return render(
            request, "incidents/type.html", _type_context(request, slug, edit_form=form), status=INVALID
        )

    return _catalogue_post(request, form, do, fail)


@require_POST
@page(Perm.HANDLE_INCIDENTS)
def type_step_add(request: HttpRequest, slug: str) -> HttpResponse:
    catalogue.get_type(slug)
    form = StepForm(request.POST, auto_id="step-%s")

    def do(actor: Actor, data: dict[str, Any]) -> tuple[str, str, str]:
        catalogue.add_step(actor, slug, **data)
        return "The step is added to the playbook.", "incident-type-detail", slug

    def fail() -> HttpResponse:
        return render(
            request, "incidents/type.html", _type_context(request, slug, step_form=form), status=INVALID
        )

    return _catalogue_post(request, form, do, fail)


@page(Perm.VIEW)
def clock_list(request: HttpRequest, form: ClockForm | None = None) -> HttpResponse:
    ctx = {
        "clocks": list(queries.clocks()),
        "form": form or ClockForm(auto_id="clock-%s", initial={"starts_from": "awareness", "unit": "hours"}),
        "can_edit": has_perm(current_user(request), Perm.HANDLE_INCIDENTS),
    }
    return render(request, "incidents/clocks.html", ctx, status=INVALID if form is not None else 200)


@require_POST
@page(Perm.HANDLE_INCIDENTS)
def clock_create(request: HttpRequest) -> HttpResponse:
    form = ClockForm(request.POST, auto_id="clock-%s")

    def do(actor: Actor, data: dict[str, Any]) -> tuple[str, str, str]:
        clock = catalogue.create_clock(actor, **data)
        return f"The clock {clock.name} is added.", "incident-clock-detail", clock.slug

    return _catalogue_post(request, form, do, lambda: clock_list(request, form=form))


@page(Perm.VIEW)
def clock_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "incidents/clock.html", _clock_context(request, slug))


@require_POST
@page(Perm.HANDLE_INCIDENTS)
def clock_edit(request: HttpRequest, slug: str) -> HttpResponse:
    catalogue.get_clock(slug)
    form = ClockForm(request.POST, auto_id="edit-%s")

    def do(actor: Actor, data: dict[str, Any]) -> tuple[str, str, str]:
        clock = catalogue.update_clock(actor, slug, **data)
        return f"{clock.name} is saved.", "incident-clock-detail", clock.slug

    def fail() -> HttpResponse:
        return render(
            request, "incidents/clock.html", _clock_context(request, slug, edit_form=form), status=INVALID
        )

    return _catalogue_post(request, form, do, fail)


@require_POST
@page(Perm.HANDLE_INCIDENTS)
def clock_variant_add(request: HttpRequest, slug: str) -> HttpResponse:
    catalogue.get_clock(slug)
    form = VariantForm(request.POST, auto_id="variant-%s")

    def do(actor: Actor, data: dict[str, Any]) -> tuple[str, str, str]:
        catalogue.add_variant(actor, slug, **data)
        return "The period is added.", "incident-clock-detail", slug

    def fail() -> HttpResponse:
        return render(
            request, "incidents/clock.html", _clock_context(request, slug, variant_form=form), status=INVALID
        )

    return _catalogue_post(request, form, do, fail)
