"""API router of risk management: ``risk-methodologies``, ``risks`` (both registers, filtered by
``register``) and ``risk-snapshots``.

Methodology versions are never changed: POST creates the next version. Risks are closed, not
deleted. Approval (``/approve``), exception request (``/exception``) and second approval
(``/exception/approve``) follow the rules in docs/risks.md; the services check them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.resolvers import user_by_email
from keel.platform.api import (
    Page,
    actor,
    expected_version,
    paginate,
    permission,
    reject_nulls,
    responses,
    with_etag,
)
from keel.platform.api import enum_value as _value
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import queries, services
from .models import Methodology, Risk, RiskSnapshot, TreatmentAction
from .schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    AssessmentDueItemOut,
    ExceptionIn,
    MethodologyIn,
    MethodologyOut,
    RiskDetailOut,
    RiskFilters,
    RiskIn,
    RiskOut,
    RiskPatch,
    SnapshotDetailOut,
    SnapshotIn,
    SnapshotOut,
    StatusIn,
)

router = Router()
methodologies = Router(tags=["risks"])
risks = Router(tags=["risks"])
snapshots = Router(tags=["risks"])
due = Router(tags=["risks"])


# ---------------------------------------------------------------- methodology


@methodologies.get(
    "",
    response=responses(list[MethodologyOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="Every version of the risk methodology, newest first",
)
def list_methodologies(request: HttpRequest) -> QuerySet[Methodology]:
    check(actor(request), Perm.VIEW)
    return queries.methodologies()


@methodologies.get(
    "/{version}",
    response=responses(MethodologyOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One version of the methodology (by number, or 'current')",
)
def get_methodology(request: HttpRequest, version: str) -> Methodology:
    check(actor(request), Perm.VIEW)
    qs = queries.methodologies()
    found = (
        qs.first()
        if version == "current"
        else (qs.filter(version=int(version)).first() if version.isdigit() else None)
    )
    if found is None:
        raise NotFound(f"No methodology version {version!r}.")
    return found


@methodologies.post(
    "",
    response=responses(MethodologyOut, 201),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="Create the next version of the methodology (edit_risks over the organisation)",
)
def create_methodology(request: HttpRequest, payload: MethodologyIn) -> Status[Methodology]:
    m = services.create_methodology(actor(request), **payload.model_dump())
    return Status(201, queries.methodologies().get(pk=m.pk))


# ---------------------------------------------------------------- risks


def _data(payload: Any, exclude_unset: bool) -> tuple[dict[str, Any], list[str] | None]:
    data = {k: _value(v) for k, v in payload.model_dump(exclude_unset=exclude_unset).items()}
    controls = data.pop("controls", None)
    if not exclude_unset:
        data = {k: v for k, v in data.items() if v is not None}
    for name in ("owner", "delegate"):
        if name in data:
            data[name] = user_by_email(data[name], name)
    for name in (
        "description",
        "process",
        "threat",
        "vulnerability",
        "affected_people",
        "treatment_plan",
        "treatment_option",
    ):
        if name in data and data[name] is None:
            data[name] = ""
    for name in ("asset", "ai_system", "risk_source", "objective"):
        if name in data and data[name] in (None, ""):
            data[name] = None
    return data, controls


@risks.get(
    "",
    response=responses(Page[RiskOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List risks of both registers (filter with register=is|ai)",
)
def list_risks(request: HttpRequest, filters: Query[RiskFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.RiskFilters, filters)
    return paginate(queries.risks(who.user, f), filters.limit, filters.offset)


@risks.get(
    "/{ref}",
    response=responses(RiskDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One risk with its treatment actions and approvals",
)
def get_risk(request: HttpRequest, ref: str, response: HttpResponse) -> Risk:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, queries.risk_for(who.user, ref))


@risks.post(
    "",
    response=responses(RiskDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="Create a risk in either register (edit_risks over its management system)",
)
def create_risk(request: HttpRequest, payload: RiskIn) -> Status[Risk]:
    who = actor(request)
    data, controls = _data(payload, exclude_unset=False)
    register, ms = data.pop("register"), data.pop("management_system")
    risk = services.create_risk(
        who,
        register=register,
        management_system=ms,
        controls=controls or [],
        ref_id=data.pop("ref_id", "") or "",
        **data,
    )
    return Status(201, queries.risk_for(None, risk.pk))


@risks.patch(
    "/{ref}",
    response=responses(RiskDetailOut),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="Change a risk (only the fields sent); voids an approval whose basis changes",
)
def update_risk(request: HttpRequest, ref: str, payload: RiskPatch, response: HttpResponse) -> Risk:
    who = actor(request)
    data, controls = _data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reassess = bool(data.pop("reassess", False))
    reject_nulls(data, ("title", "owner", "inherent_likelihood", "inherent_impact"))
    risk = services.update_risk(
        who, services.get_risk(ref).pk, controls=controls, reassess=reassess, expected_version=version, **data
    )
    return with_etag(response, queries.risk_for(None, risk.pk))


@risks.post(
    "/{ref}/status",
    response=responses(RiskDetailOut),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="Close (with a reason) or reopen a risk (risks are closed, not deleted)",
)
def set_status(request: HttpRequest, ref: str, payload: StatusIn) -> Risk:
    risk = services.set_status(actor(request), ref, _value(payload.status), payload.reason)
    return queries.risk_for(None, risk.pk)


@risks.post(
    "/{ref}/approve",
    response=responses(RiskDetailOut),
    openapi_extra=permission(Perm.ACCEPT_RISKS),
    summary="The owner or delegate approves the plan and accepts the residual risk",
)
def approve(request: HttpRequest, ref: str) -> Risk:
    approval = services.approve_risk(actor(request), ref)
    return queries.risk_for(None, approval.risk_id)


@risks.post(
    "/{ref}/exception",
    response=responses(RiskDetailOut),
    openapi_extra=permission(Perm.ACCEPT_RISKS),
    summary="The owner or delegate requests acceptance above the criteria (reason, expiry)",
)
def request_exception(request: HttpRequest, ref: str, payload: ExceptionIn) -> Risk:
    approval = services.request_exception(actor(request), ref, reason=payload.reason, expires=payload.expires)
    return queries.risk_for(None, approval.risk_id)


@risks.post(
    "/{ref}/exception/approve",
    response=responses(RiskDetailOut),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="A second, different person approves the exception",
)
def approve_exception(request: HttpRequest, ref: str) -> Risk:
    approval = services.approve_exception(actor(request), ref)
    return queries.risk_for(None, approval.risk_id)


@risks.post(
    "/{ref}/actions",
    response=responses(ActionOut, 201),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="Add an action to the treatment plan (a new plan version)",
)
def add_action(request: HttpRequest, ref: str, payload: ActionIn) -> Status[TreatmentAction]:
    data = {k: _value(v) for k, v in payload.model_dump().items()}
    data["owner"] = user_by_email(data["owner"])
    action = services.add_action(actor(request), ref, **data)
    return Status(201, TreatmentAction.objects.select_related("owner").get(pk=action.pk))


@risks.patch(
    "/{ref}/actions/{action_id}",
    response=responses(ActionOut),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="Change a treatment action (a status change alone keeps the plan version)",
)
def update_action(
    request: HttpRequest, ref: str, action_id: uuid.UUID, payload: ActionPatch, response: HttpResponse
) -> TreatmentAction:
    risk = services.get_risk(ref)
    if not TreatmentAction.objects.filter(pk=action_id, risk=risk).exists():
        raise NotFound(f"{risk.ref_id} has no action {action_id}.")
    data = {k: _value(v) for k, v in payload.model_dump(exclude_unset=True).items()}
    version = expected_version(request, data.pop("version", None))
    if "owner" in data:
        data["owner"] = user_by_email(data["owner"])
    if "title" in data and data["title"] is None:
        raise ValidationFailed("title cannot be empty.", {"title": ["Required."]})
    if "status" in data and data["status"] is None:
        raise ValidationFailed("status cannot be empty.", {"status": ["Required."]})
    action = services.update_action(actor(request), action_id, expected_version=version, **data)
    return with_etag(response, TreatmentAction.objects.select_related("owner").get(pk=action.pk))


# ---------------------------------------------------------------- snapshots


@snapshots.get(
    "",
    response=responses(list[SnapshotOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="Register snapshots, newest first",
)
def list_snapshots(request: HttpRequest) -> QuerySet[RiskSnapshot]:
    check(actor(request), Perm.VIEW)
    return queries.snapshots()


@snapshots.get(
    "/{snapshot_id}",
    response=responses(SnapshotDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One snapshot with its frozen rows",
)
def get_snapshot(request: HttpRequest, snapshot_id: uuid.UUID) -> RiskSnapshot:
    who = actor(request)
    check(who, Perm.VIEW)
    snap = queries.get_snapshot(snapshot_id)
    snap.rows = queries.visible_rows(who.user, snap.rows)  # shown, never saved
    return snap


@snapshots.post(
    "",
    response=responses(SnapshotDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_RISKS),
    summary="Freeze a register for an assessment cycle (it never changes afterwards)",
)
def take_snapshot(request: HttpRequest, payload: SnapshotIn) -> Status[RiskSnapshot]:
    snap = services.take_snapshot(actor(request), _value(payload.register), payload.cycle)
    return Status(201, queries.get_snapshot(snap.pk))


# ---------------------------------------------------------------- assessments due


@due.get(
    "",
    response=responses(list[AssessmentDueItemOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="The risk assessments due now (methodology criteria: interval, review date, events, new AI systems)",
)
def list_assessments_due(
    request: HttpRequest, management_system: str | None = None
) -> list[queries.AssessmentDue]:
    who = actor(request)
    check(who, Perm.VIEW)
    ms = organisation_resolvers.management_system(management_system, who) if management_system else None
    return queries.assessments_due(who.user, management_system=ms)


router.add_router("/risk-methodologies", methodologies)
router.add_router("/risk-assessments-due", due)
router.add_router("/risks", risks)
router.add_router("/risk-snapshots", snapshots)
