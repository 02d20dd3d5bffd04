"""Pages of the EU AI Act app: the organisation's side-by-side view (42001 readiness beside Act
readiness, with XLSX and PDF), one AI system's obligations beside its AIMS, the classification
questionnaire, an obligation's status, and the operating-model advisor. Thin views: the services
check the permission again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.aisystems.services import get_system
from keel.organisation.choices import ManagementSystemStatus
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import current_user

from . import advisor, exports, fria, services, sidebyside
from .choices import ActRole, ObligationState
from .models import FundamentalRightsAssessment
from .questionnaire import current


def _system_ms(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return get_system(ref).management_system


@page(Perm.VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    view = sidebyside.organisation(user)
    return render(
        request,
        "aiact/overview.html",
        {
            "view": view,
            "systems": [{"s": s, "tier": exports.tier_text(s)} for s in view.systems],
            "advice": advisor.current_advice(),
        },
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page(Perm.VIEW)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    view = sidebyside.organisation(current_user(request))
    return _attachment(
        exports.to_xlsx(view),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ai-act-side-by-side.xlsx",
    )


@page(Perm.VIEW)
def export_pdf(request: HttpRequest) -> HttpResponse:
    view = sidebyside.organisation(current_user(request))
    return _attachment(
        exports.to_pdf(view, "ISO/IEC 42001 and the EU AI Act, side by side"),
        "application/pdf",
        "ai-act-side-by-side.pdf",
    )


@page(Perm.VIEW, perimeter=_system_ms)
def system_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    s = sidebyside.system_side_by_side(user, ref)
    system = s.obligations.system
    return render(
        request,
        "aiact/system.html",
        {
            "s": s,
            "system": system,
            "c": s.obligations.classification,
            "tier": exports.tier_text(s),
            "states": ObligationState.choices,
            "can_edit": has_perm(user, Perm.EDIT_AI_SYSTEMS, system.management_system),
            "history": list(system.act_classifications.order_by("-version")),
            "fria": FundamentalRightsAssessment.objects.filter(ai_system=system)
            .select_related("impact_assessment")
            .first(),
            "fria_needed": fria.needed(s.obligations.classification),
            "fria_applies": fria.applies_to_use(s.obligations.classification),
        },
    )


@page(Perm.VIEW, perimeter=_system_ms)
def system_pdf(request: HttpRequest, ref: str) -> HttpResponse:
    s = sidebyside.system_side_by_side(current_user(request), ref)
    view = sidebyside.OrganisationSideBySide([s], [s.aims])
    name = s.obligations.system.name
    return _attachment(
        exports.to_pdf(view, f"{name}: ISO/IEC 42001 and the EU AI Act"),
        "application/pdf",
        f"ai-act-{s.obligations.system.short_name}.pdf",
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def classify(request: HttpRequest, ref: str) -> HttpResponse:
    system = get_system(ref)
    q = current()
    latest = services.current_classification(system)
    answers: dict[str, bool] = dict(latest.answers) if latest else {}
    role = latest.role if latest else ""
    note = ""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        role = request.POST.get("role", "")
        note = request.POST.get("note", "")
        answers = {x.key: request.POST.get(x.key) == "yes" for x in q.questions if request.POST.get(x.key)}
        try:
            c = services.classify_system(
                Actor.from_request(request), system, role=role, answers=answers, note=note
            )
        except KeelError as exc:
            messages.error(request, exc.message)
            errors = exc.fields or {}
        else:
            messages.success(request, f"Classified as {c.get_tier_display().lower()} (version {c.version}).")
            return redirect("aiact-system", ref=system.short_name)
    return render(
        request,
        "aiact/classify.html",
        {
            "system": system,
            "q": q,
            "answers": answers,
            "role": role,
            "roles": ActRole.choices,
            "note": note,
            "errors": errors,
            "latest": latest,
        },
    )


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def obligation_status(request: HttpRequest, ref: str, key: str) -> HttpResponse:
    evidence = [e for e in request.POST.get("evidence", "").replace(",", " ").split() if e]
    try:
        services.set_obligation_status(
            Actor.from_request(request),
            ref,
            key,
            status=request.POST.get("status") or None,
            note=request.POST.get("note"),
            evidence=evidence if "evidence" in request.POST else None,
            expected_version=request.POST.get("version") or None,
        )
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Obligation status saved.")
    return redirect("aiact-system", ref=ref)


@page(Perm.VIEW)
def operating_model(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    current_advice = advisor.current_advice()
    return render(
        request,
        "aiact/operating_model.html",
        {
            "questions": advisor.QUESTIONS,
            "answers": dict(current_advice.answers) if current_advice else advisor.derived_answers(),
            "advice": current_advice,
            "history": advisor.history(),
            "derived": advisor.derived_answers(),
            "can_edit": has_perm(user, Perm.MANAGE_SYSTEMS),
            "can_restructure": has_perm(user, Perm.MANAGE_USERS),
            "systems": list(
                ManagementSystem.objects.filter(status=ManagementSystemStatus.ACTIVE)
                .prefetch_related("standards")
                .order_by("name")
            ),
        },
    )


@require_POST
@page(Perm.MANAGE_SYSTEMS)
def operating_model_advise(request: HttpRequest) -> HttpResponse:
    answers = {x.key: request.POST.get(x.key, "") for x in advisor.QUESTIONS}
    try:
        a = services.advise_operating_model(
            Actor.from_request(request), answers, note=request.POST.get("note", "")
        )
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Recommendation recorded (version {a.version}): {a.get_recommendation_display().lower()}.",
        )
    return redirect("aiact-operating-model")
