"""API router of the gap analysis: ``/gap-analyses`` (the report, its exports), people's
decisions (``/gap-analyses/decisions``), scope confirmations
(``/gap-analyses/scope-confirmations``) and the draft SoA. Thin: permission, then a query or
service. The report runs a fixed number of queries whatever the number of controls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.platform.api import actor, permission, responses
from keel.platform.permissions import Perm, check

from . import exports, queries, services
from .models import CoverageDecision, ScopeConfirmation
from .schemas import (
    DecisionDeleteQuery,
    DecisionIn,
    DecisionOut,
    DraftIn,
    DraftOut,
    ExportQuery,
    GapAnalysisOut,
    GapQuery,
    ScopeDeleteQuery,
    ScopeIn,
    ScopeOut,
)

router = Router(tags=["gap analysis"])

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _report(request: HttpRequest, q: GapQuery) -> queries.GapReport:
    who = actor(request)
    check(who, Perm.VIEW)
    standard, ms = queries.resolve(q.target, q.management_system, who)
    check(who, Perm.VIEW, ms)
    return queries.report(standard, ms)


@router.get(
    "/gap-analyses",
    response=responses(GapAnalysisOut),
    openapi_extra=permission(Perm.VIEW),
    summary="Gap analysis of a management system against a target standard",
)
def gap_analysis(request: HttpRequest, q: Query[GapQuery]) -> dict[str, Any]:
    return _report(request, q).contract()


@router.get(
    "/gap-analyses/export",
    response=responses(None),
    openapi_extra=permission(Perm.VIEW),
    summary="The gap analysis as an XLSX, PDF or JSON file",
)
def export(request: HttpRequest, q: Query[ExportQuery]) -> HttpResponse:
    rep = _report(request, q)
    response = HttpResponse(exports.export(rep, q.format), content_type=CONTENT_TYPES[q.format])
    name = f"gap-{rep.management_system.short_name}-{rep.target.key.replace(':', '-')}.{q.format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.put(
    "/gap-analyses/decisions",
    response=responses(DecisionOut),
    openapi_extra=permission(Perm.EDIT_SOA),
    summary="Confirm or correct the status of a requirement (a reason is required)",
)
def put_decision(request: HttpRequest, payload: DecisionIn) -> CoverageDecision:
    decision = services.decide(
        actor(request), payload.management_system, payload.requirement, payload.status, payload.reason
    )
    return CoverageDecision.objects.select_related("requirement", "decided_by").get(pk=decision.pk)


@router.delete(
    "/gap-analyses/decisions",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_SOA),
    summary="Remove a person's decision: the inferred status applies again",
)
def delete_decision(request: HttpRequest, q: Query[DecisionDeleteQuery]) -> Status[None]:
    services.clear_decision(actor(request), q.management_system, q.requirement)
    return Status(204, None)


@router.post(
    "/gap-analyses/draft-soa",
    response=responses(DraftOut),
    openapi_extra=permission(Perm.EDIT_SOA),
    summary="Turn the accepted result into a draft SoA of the target standard (machine-written, to review)",
)
def draft_soa(request: HttpRequest, payload: DraftIn) -> dict[str, Any]:
    return services.draft_soa(actor(request), payload.management_system, payload.target)


@router.put(
    "/gap-analyses/scope-confirmations",
    response=responses(list[ScopeOut]),
    openapi_extra=permission(Perm.EDIT_SOA),
    summary="Confirm that a control's scope includes the target's management system for harmonised clauses",
)
def put_scope(request: HttpRequest, payload: ScopeIn) -> list[ScopeConfirmation]:
    rows = services.confirm_scope(
        actor(request),
        payload.management_system,
        payload.control,
        payload.requirement,
        payload.note,
        payload.target,
    )
    return list(
        ScopeConfirmation.objects.filter(pk__in=[r.pk for r in rows])
        .select_related("control", "requirement", "confirmed_by")
        .order_by("requirement__sort_order")
    )


@router.delete(
    "/gap-analyses/scope-confirmations",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_SOA),
    summary="Remove a scope confirmation: the chain is partial again",
)
def delete_scope(request: HttpRequest, q: Query[ScopeDeleteQuery]) -> Status[None]:
    services.withdraw_scope(actor(request), q.management_system, q.control, q.requirement)
    return Status(204, None)
