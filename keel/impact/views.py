"""Pages of the impact assessment: start a version from the AI system page, the assessment with
its sections and impacts table, edit a draft, add and edit impacts, approve, and raise a harm
into the AI risk register. Thin views: the services check the permission again."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.aisystems.services import get_system
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user

from . import exports, queries, services
from .forms import ApproveForm, AssessmentForm, ImpactForm
from .models import ImpactAssessment


def _system_ms(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:

    return get_system(ref).management_system


def _assessment_ms(request: HttpRequest, assessment_id: uuid.UUID, **kwargs: Any) -> ManagementSystem:
    return services.get_assessment(assessment_id).ai_system.management_system


def _back(a: ImpactAssessment | uuid.UUID) -> HttpResponse:
    return redirect("impact-assessment-detail", assessment_id=getattr(a, "pk", a))


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def assessment_start(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        a = services.start_assessment(Actor.from_request(request), ref)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("ai-system-detail", ref=ref)
    messages.success(request, f"Version {a.version} of the impact assessment is started as a draft.")
    return redirect("impact-assessment-edit", assessment_id=a.pk)


@page(Perm.VIEW, perimeter=_assessment_ms)
def assessment_detail(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    a = queries.assessment_for(user, assessment_id)
    ms = a.ai_system.management_system
    return render(
        request,
        "impact/detail.html",
        {
            "a": a,
            "system": a.ai_system,
            "due": services.due_state(a),
            "impacts": list(a.impacts.all()),
            "can_edit": a.is_draft and has_perm(user, Perm.EDIT_AI_SYSTEMS, ms),
            "can_approve": a.is_draft and has_perm(user, Perm.APPROVE_IMPACT_ASSESSMENTS, ms),
            "is_author": user is not None and a.author_id == user.pk,
            "can_raise": has_perm(user, Perm.EDIT_RISKS, ms),
            "can_start": has_perm(user, Perm.EDIT_AI_SYSTEMS, ms),
            "gate_problem": services.gate_problem(a.ai_system),
        },
    )


@page(Perm.VIEW, perimeter=_assessment_ms)
def assessment_pdf(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    """The version as a PDF (watermarked unless it is the approved version in force)."""
    a = queries.assessment_for(current_user(request), assessment_id)
    try:
        data = exports.to_pdf(a)
    except KeelError as exc:
        messages.error(request, exc.message)
        return _back(a)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(a)}"'
    return response


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_assessment_ms)
def assessment_edit(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    a = queries.assessment_for(current_user(request), assessment_id)
    if request.method == "POST":
        form = AssessmentForm(request.POST, assessment=a)
        if form.is_valid():
            try:
                services.update_assessment(
                    Actor.from_request(request),
                    a.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "The impact assessment is saved.")
                return _back(a)
    else:
        form = AssessmentForm(assessment=a, initial=AssessmentForm.initial_for(a))
        form.bind_version(a)
    return render(
        request,
        "impact/form.html",
        {"form": form, "a": a, "system": a.ai_system},
        status=INVALID if form.errors else 200,
    )


@require_POST
@page(Perm.APPROVE_IMPACT_ASSESSMENTS, perimeter=_assessment_ms)
def assessment_approve(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    form = ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        a = services.approve_assessment(Actor.from_request(request), assessment_id, note)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Version {a.version} of the impact assessment is approved.")
    return _back(assessment_id)


def _impact_page(request: HttpRequest, assessment_id: uuid.UUID, impact_id: uuid.UUID | None) -> HttpResponse:
    a = queries.assessment_for(current_user(request), assessment_id)
    impact = None
    if impact_id is not None:
        impact = services.get_impact(impact_id)
        if impact.assessment_id != a.pk:
            raise NotFound(f"Impact {impact_id} is not part of this impact assessment.")
    if request.method == "POST":
        form = ImpactForm(request.POST, assessment=a)
        if form.is_valid():
            actor = Actor.from_request(request)
            try:
                if impact is None:
                    services.add_impact(actor, a.pk, **form.service_data())
                else:
                    services.update_impact(
                        actor, impact.pk, expected_version=form.expected_version, **form.service_data()
                    )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "The impact is saved.")
                return _back(a)
    else:
        form = ImpactForm(assessment=a, initial=ImpactForm.initial_for(impact) if impact else None)
        if impact is not None:
            form.bind_version(impact)
    return render(
        request,
        "impact/impact_form.html",
        {"form": form, "a": a, "system": a.ai_system, "impact": impact},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_assessment_ms)
def impact_create(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    return _impact_page(request, assessment_id, None)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_assessment_ms)
def impact_edit(request: HttpRequest, assessment_id: uuid.UUID, impact_id: uuid.UUID) -> HttpResponse:
    return _impact_page(request, assessment_id, impact_id)


@require_POST
@page(Perm.EDIT_RISKS, perimeter=_assessment_ms)
def impact_raise(request: HttpRequest, assessment_id: uuid.UUID, impact_id: uuid.UUID) -> HttpResponse:
    try:
        impact = services.get_impact(impact_id)
        if impact.assessment_id != assessment_id:
            raise NotFound(f"Impact {impact_id} is not part of this impact assessment.")
        risk = services.raise_risk(Actor.from_request(request), impact_id)
    except KeelError as exc:
        messages.error(request, exc.message)
        return _back(assessment_id)
    messages.success(request, f"{risk.ref_id} is in the AI risk register: assess its treatment.")
    return redirect("risk-detail", ref=risk.ref_id)
