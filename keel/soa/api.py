"""API router of the Statement of Applicability: ``/soa`` (list, create, detail with rows),
row edits, versions, approval and comparison. Thin: permission check, then a query or service."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation import resolvers as organisation_resolvers
from keel.platform.api import Page, actor, expected_version, paginate, permission, responses, set_etag
from keel.platform.errors import NotFound
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check, restrict
from keel.standards.records import standards_by_key

from . import queries, services
from .models import SoAVersion, StatementOfApplicability
from .schemas import (
    ApproveIn,
    CompareOut,
    SoACreateIn,
    SoADetailOut,
    SoAFilters,
    SoAOut,
    SoARowOut,
    SoARowPatch,
    SoAVersionOut,
)

router = Router(tags=["statement of applicability"])


def _soa(request: HttpRequest, soa_id: uuid.UUID) -> StatementOfApplicability:
    soa = queries.get_soa(soa_id)
    check(actor(request), Perm.VIEW, soa.management_system_id)
    return soa


def _detail(soa: StatementOfApplicability, ai_system: str | None = None) -> StatementOfApplicability:
    """The SoA with its rows and export header attached, for :class:`SoADetailOut`."""
    data = queries.rows(soa, ai_system=ai_system)
    soa.header = queries.export_header(soa, queries.rows(soa) if ai_system else data)  # type: ignore[attr-defined]
    soa.items = data  # type: ignore[attr-defined]
    return soa


@router.get(
    "/soa",
    response=responses(Page[SoAOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List Statements of Applicability (a role over one system sees only its SoAs)",
)
def list_soas(request: HttpRequest, filters: Query[SoAFilters]) -> dict[str, Any]:
    f = filters_of(queries.SoAFilters, filters)
    who = actor(request)
    check(who, Perm.VIEW)
    qs: QuerySet[StatementOfApplicability] = restrict(queries.soas(), who.user, Perm.VIEW)
    if f.management_system:
        qs = qs.filter(management_system=organisation_resolvers.management_system(f.management_system, who))
    if f.standard:
        standards_by_key([f.standard], field="standard")
        qs = qs.filter(standard__key=f.standard)
    return paginate(qs.order_by("management_system__name", "standard__key"), filters.limit, filters.offset)


@router.post(
    "/soa",
    response=responses(SoAOut, 201),
    openapi_extra=permission(Perm.EDIT_SOA),
    summary="Create the SoA of a management system for a standard (one row per Annex A control)",
)
def create_soa(request: HttpRequest, payload: SoACreateIn) -> Status[StatementOfApplicability]:
    who = actor(request)
    ms = organisation_resolvers.management_system(payload.management_system, organisation_resolvers.TRUSTED)
    check(who, Perm.EDIT_SOA, ms)
    soa = services.create_soa(who, ms.pk, payload.standard)
    return Status(201, queries.get_soa(soa.pk))


@router.get(
    "/soa/{soa_id}",
    response=responses(SoADetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One SoA with every row, its derived status and implementing controls",
)
def get_soa(
    request: HttpRequest, soa_id: uuid.UUID, ai_system: str | None = None
) -> StatementOfApplicability:
    return _detail(_soa(request, soa_id), ai_system)


@router.patch(
    "/soa/{soa_id}/rows/{row_id}",
    response=responses(SoARowOut),
    openapi_extra=permission(Perm.EDIT_SOA),
    summary="Edit a row: applicability, reasons, exclusion, status override, dates, owner",
)
def patch_row(
    request: HttpRequest, soa_id: uuid.UUID, row_id: uuid.UUID, payload: SoARowPatch, response: HttpResponse
) -> dict[str, Any]:
    who = actor(request)
    soa = _soa(request, soa_id)
    check(who, Perm.EDIT_SOA, soa.management_system_id)
    if not soa.rows.filter(pk=row_id).exists():
        raise NotFound(f"No row {row_id} in this SoA.")
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    for name in ("accountable", "owner"):
        if name in data:
            data[name] = organisation_resolvers.user_by_email(data[name], name)
    for name in (
        "obligations",
        "business_need",
        "justification",
        "combined_coverage",
        "override_reason",
        "status_override",
    ):
        if name in data and data[name] is None:
            data[name] = ""
    for name in ("ai_systems", "legal_requirements"):
        if name in data and data[name] is None:
            data[name] = []
    row = services.update_row(who, row_id, expected_version=version, **data)
    set_etag(response, row)
    return next(r for r in queries.rows(soa) if r["id"] == str(row_id))


@router.get(
    "/soa/{soa_id}/versions",
    response=responses(list[SoAVersionOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="The approved versions of an SoA, newest first",
)
def list_versions(request: HttpRequest, soa_id: uuid.UUID) -> QuerySet[SoAVersion]:
    return queries.versions(_soa(request, soa_id))


@router.post(
    "/soa/{soa_id}/approve",
    response=responses(SoAVersionOut, 201),
    openapi_extra=permission(Perm.APPROVE_SOA),
    summary="Approve the current rows as the next version (approver and date recorded)",
)
def approve(request: HttpRequest, soa_id: uuid.UUID, payload: ApproveIn | None = None) -> Status[SoAVersion]:
    who = actor(request)
    soa = _soa(request, soa_id)
    check(who, Perm.APPROVE_SOA, soa.management_system_id)
    version = services.approve(who, soa.pk, note=payload.note if payload else "")
    return Status(201, queries.versions(soa).get(pk=version.pk))


@router.get(
    "/soa/{soa_id}/compare",
    response=responses(CompareOut),
    openapi_extra=permission(Perm.VIEW),
    summary="Row-by-row differences between two versions (or a version and the current rows)",
)
def compare(
    request: HttpRequest, soa_id: uuid.UUID, from_version: int, to_version: int | None = None
) -> dict[str, Any]:
    soa = _soa(request, soa_id)
    old = queries.get_version(soa, from_version).rows
    if to_version is None:
        new, to_label = queries.snapshot(queries.rows(soa)), "current"
    else:
        new, to_label = queries.get_version(soa, to_version).rows, str(to_version)
    return {"from_version": from_version, "to_version": to_label, "changes": queries.compare_rows(old, new)}
