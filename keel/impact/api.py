"""API router of the AI system impact assessment: ``impact-assessments`` (list, detail, start a
version, edit a draft, approve) with its impacts under ``impact-assessments/{id}/impacts`` and
``.../impacts/{impact_id}/raise-risk`` (raise a harm into the AI risk register).

Thin handlers: lists come from :mod:`keel.impact.queries`; changes go through
:mod:`keel.impact.services`, which check the permission over the AI system's management system.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation.resolvers import user_by_email
from keel.platform.api import (
    ERRORS,
    Page,
    actor,
    expected_version,
    paginate,
    permission,
    responses,
    with_etag,
)
from keel.platform.api import enum_value as _value
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check
from keel.risks.models import Risk

from . import exports, queries, services
from .models import Impact, ImpactAssessment
from .schemas import (
    ApproveIn,
    AssessmentDetailOut,
    AssessmentFiltersIn,
    AssessmentIn,
    AssessmentOut,
    AssessmentPatch,
    ImpactIn,
    ImpactOut,
    ImpactPatch,
    RaisedRiskOut,
    RaiseIn,
)

router = Router()
assessments = Router(tags=["impact assessments"])

LINKS = ("datasets", "ai_models", "interested_parties")


def _split(payload: Any, exclude_unset: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    data = {k: _value(v) for k, v in payload.model_dump(exclude_unset=exclude_unset).items()}
    if not exclude_unset:
        data = {k: v for k, v in data.items() if v is not None}
    links = {k: data.pop(k) for k in LINKS if k in data}
    for name, value in list(data.items()):
        if value is None and name not in ("review_interval_months",):
            raise ValidationFailed(f"{name} cannot be empty.", {name: ["Required."]})
    return data, links


def _detail(request: HttpRequest, ref: Any) -> ImpactAssessment:
    return queries.assessment_for(actor(request).user, ref)


@assessments.get(
    "",
    response=responses(Page[AssessmentOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List impact assessment versions (filter by ai_system, status, due)",
)
def list_assessments(request: HttpRequest, filters: Query[AssessmentFiltersIn]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.AssessmentFilters, filters)
    return paginate(queries.assessments(who.user, f), filters.limit, filters.offset)


@assessments.get(
    "/{assessment_id}",
    response=responses(AssessmentDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One version with its sections, links and impacts",
)
def get_assessment(
    request: HttpRequest, assessment_id: uuid.UUID, response: HttpResponse
) -> ImpactAssessment:
    check(actor(request), Perm.VIEW)
    return with_etag(response, _detail(request, assessment_id))


@assessments.get(
    "/{assessment_id}/pdf",
    response=dict(ERRORS),
    openapi_extra={
        **permission(Perm.VIEW),
        "responses": {
            "200": {
                "description": "The version as a PDF attachment (DRAFT or SUPERSEDED watermark unless it is "
                "the approved version in force).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    },
    summary="One version as a PDF (draft and superseded versions watermarked)",
)
def assessment_pdf(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    check(actor(request), Perm.VIEW)
    a = _detail(request, assessment_id)
    response = HttpResponse(exports.to_pdf(a), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(a)}"'
    return response


@assessments.post(
    "",
    response=responses(AssessmentDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Start the next version of an AI system's impact assessment (a draft)",
)
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[ImpactAssessment]:
    data, links = _split(payload, exclude_unset=False)
    system = data.pop("ai_system")
    a = services.start_assessment(actor(request), system, **links, **data)
    return Status(201, _detail(request, a.pk))


@assessments.patch(
    "/{assessment_id}",
    response=responses(AssessmentDetailOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change a draft's sections, links and re-assessment triggers",
)
def update_assessment(
    request: HttpRequest, assessment_id: uuid.UUID, payload: AssessmentPatch, response: HttpResponse
) -> ImpactAssessment:
    data, links = _split(payload, exclude_unset=True)
    # an assessment's body field "version" is its version number: the record version is If-Match only
    services.update_assessment(
        actor(request), assessment_id, expected_version=expected_version(request), **links, **data
    )
    return with_etag(response, _detail(request, assessment_id))


@assessments.post(
    "/{assessment_id}/approve",
    response=responses(AssessmentDetailOut),
    openapi_extra=permission(Perm.APPROVE_IMPACT_ASSESSMENTS),
    summary="Approve a draft: it becomes the version in force, the previous one is superseded",
)
def approve_assessment(
    request: HttpRequest, assessment_id: uuid.UUID, payload: ApproveIn
) -> ImpactAssessment:
    services.approve_assessment(actor(request), assessment_id, payload.note)
    return _detail(request, assessment_id)


@assessments.get(
    "/{assessment_id}/impacts",
    response=responses(list[ImpactOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="The impacts of one version, with the AI risks raised from them",
)
def list_impacts(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    check(actor(request), Perm.VIEW)
    return queries.impacts(actor(request).user, assessment_id)


def _impact(assessment_id: uuid.UUID, impact_id: uuid.UUID) -> Impact:
    impact = services.get_impact(impact_id)
    if impact.assessment_id != assessment_id:
        raise NotFound(f"Impact {impact_id} is not part of impact assessment {assessment_id}.")
    return impact


def _impact_out(impact_id: Any) -> Impact:
    return queries.impacts_qs().get(pk=impact_id)


@assessments.post(
    "/{assessment_id}/impacts",
    response=responses(ImpactOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Add an impact to a draft",
)
def create_impact(request: HttpRequest, assessment_id: uuid.UUID, payload: ImpactIn) -> Status[Impact]:
    data = {k: _value(v) for k, v in payload.model_dump().items()}
    impact = services.add_impact(actor(request), assessment_id, **data)
    return Status(201, _impact_out(impact.pk))


@assessments.patch(
    "/{assessment_id}/impacts/{impact_id}",
    response=responses(ImpactOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change an impact of a draft",
)
def update_impact(
    request: HttpRequest,
    assessment_id: uuid.UUID,
    impact_id: uuid.UUID,
    payload: ImpactPatch,
    response: HttpResponse,
) -> Impact:
    _impact(assessment_id, impact_id)
    data = {k: _value(v) for k, v in payload.model_dump(exclude_unset=True).items()}
    version = expected_version(request, data.pop("version", None))
    services.update_impact(actor(request), impact_id, expected_version=version, **data)
    return with_etag(response, _impact_out(impact_id))


@assessments.post(
    "/{assessment_id}/impacts/{impact_id}/raise-risk",
    response=responses(RaisedRiskOut, 201),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="Raise a harm into the AI risk register (the risk keeps a link to the impact)",
)
def raise_risk(
    request: HttpRequest, assessment_id: uuid.UUID, impact_id: uuid.UUID, payload: RaiseIn
) -> Status[Risk]:
    _impact(assessment_id, impact_id)
    owner = user_by_email(payload.owner)
    risk = services.raise_risk(
        actor(request), impact_id, owner=owner, title=payload.title, risk_source=payload.risk_source
    )
    return Status(201, risk)


router.add_router("/impact-assessments", assessments)
