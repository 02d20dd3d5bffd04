"""The JSON API of keel.certification: ``certification-cycles`` (list), ``certification-audits``
(list, get, create, update, findings) and ``auditor-requests`` (list, get, create, links,
status) — docs/certification.md. Writes go through the same services as the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from keel.platform.api import Page, actor, paginate, payload_data, permission, responses
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import queries, services
from .schemas import (
    AuditorRequestFilters,
    AuditorRequestIn,
    AuditorRequestLinkIn,
    AuditorRequestOut,
    AuditorRequestStatusIn,
    CertificationAuditFilters,
    CertificationAuditIn,
    CertificationAuditOut,
    CertificationAuditPatch,
    CertificationCycleOut,
    CertificationFindingIn,
    CertificationFindingOut,
)

router = Router(tags=["certification"])


def _viewer(request: HttpRequest) -> Any:
    who = actor(request)
    check(who, Perm.VIEW)
    return who


@router.get(
    "/certification-cycles",
    response=responses(Page[CertificationCycleOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List certification cycles",
    operation_id="list_certification_cycles",
)
def list_cycles(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    _viewer(request)
    return paginate(queries.cycles(), limit, offset)


@router.get(
    "/certification-audits",
    response=responses(Page[CertificationAuditOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List certification audits (stage 1, stage 2, surveillance, recertification)",
    operation_id="list_certification_audits",
)
def list_audits(request: HttpRequest, f: Query[CertificationAuditFilters]) -> dict[str, Any]:
    _viewer(request)
    return paginate(queries.audits(filters_of(queries.CertificationAuditFilters, f)), f.limit, f.offset)


@router.get(
    "/certification-audits/{ref}",
    response=responses(CertificationAuditOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One certification audit with its findings",
    operation_id="get_certification_audit",
)
def get_audit(request: HttpRequest, ref: str) -> Any:
    _viewer(request)
    return queries.audits().get(pk=services.audit(ref).pk)


@router.post(
    "/certification-audits",
    response=responses(CertificationAuditOut, 201),
    openapi_extra=permission(Perm.EDIT_CERTIFICATION),
    summary="Plan a certification audit of a cycle",
    operation_id="create_certification_audit",
)
def create_audit(request: HttpRequest, payload: CertificationAuditIn) -> Any:
    data = payload_data(payload)
    obj = services.add_audit(actor(request), data.pop("cycle"), **data)
    return Status(201, queries.audits().get(pk=obj.pk))


@router.patch(
    "/certification-audits/{ref}",
    response=responses(CertificationAuditOut),
    openapi_extra=permission(Perm.EDIT_CERTIFICATION),
    summary="Record a certification audit's dates, status and outcome",
    operation_id="update_certification_audit",
)
def update_audit(request: HttpRequest, ref: str, payload: CertificationAuditPatch) -> Any:
    obj = services.record_audit(actor(request), ref, **payload_data(payload, exclude_unset=True))
    return queries.audits().get(pk=obj.pk)


@router.post(
    "/certification-audits/{ref}/findings",
    response=responses(CertificationFindingOut, 201),
    openapi_extra=permission(Perm.EDIT_CERTIFICATION),
    summary="Record a certification body finding (a major or minor nonconformity enters the queue)",
    operation_id="create_certification_finding",
)
def add_finding(request: HttpRequest, ref: str, payload: CertificationFindingIn) -> Any:
    return Status(201, services.add_finding(actor(request), ref, **payload_data(payload)))


@router.get(
    "/auditor-requests",
    response=responses(Page[AuditorRequestOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List the certification auditor's requests and what answers them",
    operation_id="list_auditor_requests",
)
def list_requests(request: HttpRequest, f: Query[AuditorRequestFilters]) -> dict[str, Any]:
    _viewer(request)
    return paginate(queries.requests(filters_of(queries.AuditorRequestFilters, f)), f.limit, f.offset)


@router.get(
    "/auditor-requests/{ref}",
    response=responses(AuditorRequestOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One auditor request",
    operation_id="get_auditor_request",
)
def get_request(request: HttpRequest, ref: str) -> Any:
    _viewer(request)
    return queries.requests().get(pk=services.request(ref).pk)


@router.post(
    "/auditor-requests",
    response=responses(AuditorRequestOut, 201),
    openapi_extra=permission(Perm.EDIT_CERTIFICATION),
    summary="Record an auditor's request",
    operation_id="create_auditor_request",
)
def create_request(request: HttpRequest, payload: AuditorRequestIn) -> Any:
    data = payload_data(payload)
    obj = services.add_request(actor(request), data.pop("cycle"), audit_ref=data.pop("audit"), **data)
    return Status(201, queries.requests().get(pk=obj.pk))


@router.post(
    "/auditor-requests/{ref}/links",
    response=responses(AuditorRequestOut, 201),
    openapi_extra=permission(Perm.EDIT_CERTIFICATION),
    summary="Answer a request with a document, evidence, control or other record",
    operation_id="link_auditor_request",
)
def link_request(request: HttpRequest, ref: str, payload: AuditorRequestLinkIn) -> Any:
    link = services.link_request(actor(request), ref, **payload_data(payload))
    return Status(201, queries.requests().get(pk=link.request_id))


@router.post(
    "/auditor-requests/{ref}/status",
    response=responses(AuditorRequestOut),
    openapi_extra=permission(Perm.EDIT_CERTIFICATION),
    summary="Set a request's status (answered, accepted, or open again)",
    operation_id="set_auditor_request_status",
)
def request_status(request: HttpRequest, ref: str, payload: AuditorRequestStatusIn) -> Any:
    obj = services.set_request_status(actor(request), ref, **payload_data(payload))
    return queries.requests().get(pk=obj.pk)
