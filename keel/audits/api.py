"""API of the internal audit programme: ``audit-programmes``, ``audits``, ``audit-items``,
``samples``, ``findings`` (docs/audits.md#api). Lists are paged and filtered like the others;
writes go through the same services as the pages."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation.resolvers import as_uuid
from keel.platform.api import (
    Page,
    actor,
    expected_version,
    paginate,
    payload_data,
    permission,
    reject_nulls,
    responses,
    with_etag,
)
from keel.platform.errors import NotFound
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check
from keel.platform.schemas import Filters

from . import queries, results, services
from .schemas import (
    AuditFindingFilters,
    AuditFindingIn,
    AuditFindingOut,
    AuditFindingPatch,
    AuditFindingRaiseIn,
    AuditIn,
    AuditItemFilters,
    AuditItemOut,
    AuditItemPatch,
    AuditListFilters,
    AuditMoveIn,
    AuditOut,
    AuditPatch,
    AuditProgrammeIn,
    AuditProgrammeOut,
    AuditProgrammePatch,
    AuditSampleDrawIn,
    AuditSampleFilters,
    AuditSampleOut,
    AuditSamplePatch,
)

router = Router()
programmes = Router(tags=["audits"])
audits = Router(tags=["audits"])
items = Router(tags=["audits"])
samples = Router(tags=["audits"])
findings = Router(tags=["audits"])


def _filters(params: Any) -> Any:
    return filters_of(type(params).keel_filters, params)


def _audit(user: Any, ref: str) -> Any:
    return queries.audit_for(user, ref)


def _one(qs: Any, pk: Any, what: str) -> Any:
    from_id = as_uuid(pk)
    found = qs.filter(pk=from_id).first() if from_id else None
    if found is None:
        raise NotFound(f"No {what} {str(pk)[:60]!r}: give its id.")
    return found


# ---------------------------------------------------------------- programmes


@programmes.get(
    "",
    response=responses(Page[AuditProgrammeOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List audit programmes",
    operation_id="list_audit_programmes",
)
def list_programmes(request: HttpRequest, f: Query[Filters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return paginate(queries.programmes(who.user), f.limit, f.offset)


@programmes.get(
    "/{ref}",
    response=responses(AuditProgrammeOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One audit programme",
    operation_id="get_audit_programme",
)
def get_programme(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    check(actor(request), Perm.VIEW)
    return with_etag(response, queries.programme_for(ref))


@programmes.post(
    "",
    response=responses(AuditProgrammeOut, 201),
    openapi_extra=permission(Perm.EDIT_AUDITS),
    summary="Plan an audit programme",
    operation_id="create_audit_programme",
)
def create_programme(request: HttpRequest, payload: AuditProgrammeIn) -> Status[Any]:
    obj = services.create_programme(actor(request), **payload_data(payload))
    return Status(201, queries.programme_for(obj.ref_id))


@programmes.patch(
    "/{ref}",
    response=responses(AuditProgrammeOut),
    openapi_extra=permission(Perm.EDIT_AUDITS),
    summary="Change an audit programme (only the fields sent)",
    operation_id="update_audit_programme",
)
def update_programme(
    request: HttpRequest, ref: str, payload: AuditProgrammePatch, response: HttpResponse
) -> Any:
    who = actor(request)
    check(who, Perm.EDIT_AUDITS)
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("title", "first_year", "last_year", "standards", "management_systems"))
    obj = services.update_programme(who, queries.programme_for(ref).pk, version=version, **data)
    return with_etag(response, queries.programme_for(obj.ref_id))


# ---------------------------------------------------------------- audits


@audits.get(
    "",
    response=responses(Page[AuditOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List internal audits",
    operation_id="list_audits",
)
def list_audits(request: HttpRequest, f: Query[AuditListFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    qs = queries.audits(who.user, _filters(f)).prefetch_related("requirements", "controls", "ai_systems")
    return paginate(qs, f.limit, f.offset)


@audits.get(
    "/{ref}",
    response=responses(AuditOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One internal audit",
    operation_id="get_audit",
)
def get_audit(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, _audit(who.user, ref))


@audits.post(
    "",
    response=responses(AuditOut, 201),
    openapi_extra=permission(Perm.EDIT_AUDITS),
    summary="Plan an audit (its checklist is generated from the scope)",
    operation_id="create_audit",
)
def create_audit(request: HttpRequest, payload: AuditIn) -> Status[Any]:
    who = actor(request)
    data = payload_data(payload)
    obj = services.plan_audit(who, programme_ref=data.pop("programme"), **data)
    return Status(201, _audit(None, obj.ref_id))


@audits.patch(
    "/{ref}",
    response=responses(AuditOut),
    openapi_extra=permission(Perm.EDIT_AUDITS),
    summary="Change an audit's details, scope or auditors (only the fields sent)",
    operation_id="update_audit",
)
def update_audit(request: HttpRequest, ref: str, payload: AuditPatch, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.EDIT_AUDITS)
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("title", "planned_start", "planned_end", "requirements", "controls", "team"))
    obj = services.update_audit(who, _audit(who.user, ref).pk, version=version, **data)
    return with_etag(response, _audit(None, obj.ref_id))


@audits.post(
    "/{ref}/status",
    response=responses(AuditOut),
    openapi_extra=permission(Perm.EDIT_AUDITS),
    summary="Move an audit: planned → in progress → reported → closed",
    operation_id="move_audit",
)
def move_audit(request: HttpRequest, ref: str, payload: AuditMoveIn, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.EDIT_AUDITS)
    data = payload_data(payload)
    obj = services.move_audit(
        who,
        _audit(who.user, ref).pk,
        data["status"],
        version=expected_version(request, data["version"]),
        on=data["on"],
    )
    return with_etag(response, _audit(None, obj.ref_id))


# ---------------------------------------------------------------- checklist items


@items.get(
    "",
    response=responses(Page[AuditItemOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List audit checklist items",
    operation_id="list_audit_items",
)
def list_items(request: HttpRequest, f: Query[AuditItemFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return paginate(queries.items(who.user, _filters(f)), f.limit, f.offset)


@items.get(
    "/{item_id}",
    response=responses(AuditItemOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One audit checklist item",
    operation_id="get_audit_item",
)
def get_item(request: HttpRequest, item_id: str, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, _one(queries.items(who.user), item_id, "audit item"))


@items.patch(
    "/{item_id}",
    response=responses(AuditItemOut),
    openapi_extra=permission(Perm.RECORD_AUDIT_RESULTS),
    summary="Record the result of a checklist item",
    operation_id="record_audit_item",
)
def record_item(request: HttpRequest, item_id: str, payload: AuditItemPatch, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.RECORD_AUDIT_RESULTS)
    data = payload_data(payload)
    it = _one(queries.items(who.user), item_id, "audit item")
    results.record_item(
        who,
        it.pk,
        result=data["result"],
        notes=data["notes"],
        evidence=data["evidence"],
        version=expected_version(request, data["version"]),
    )
    return with_etag(response, _one(queries.items(None), it.pk, "audit item"))


@items.post(
    "/{item_id}/sample",
    response=responses(list[AuditSampleOut], 201),
    openapi_extra=permission(Perm.RECORD_AUDIT_RESULTS),
    summary="Draw the sample of a control's occurrences (same seed, same sample)",
    operation_id="draw_audit_sample",
)
def draw_sample(request: HttpRequest, item_id: str, payload: AuditSampleDrawIn) -> Status[Any]:
    who = actor(request)
    check(who, Perm.RECORD_AUDIT_RESULTS)
    it = _one(queries.items(who.user), item_id, "audit item")
    drawn = results.draw_sample(who, it.pk, **payload_data(payload))
    return Status(201, list(queries.samples(None).filter(pk__in=[s.pk for s in drawn])))


# ---------------------------------------------------------------- samples


@samples.get(
    "",
    response=responses(Page[AuditSampleOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List sampled occurrences",
    operation_id="list_audit_samples",
)
def list_samples(request: HttpRequest, f: Query[AuditSampleFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return paginate(queries.samples(who.user, _filters(f)), f.limit, f.offset)


@samples.get(
    "/{sample_id}",
    response=responses(AuditSampleOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One sampled occurrence",
    operation_id="get_audit_sample",
)
def get_sample(request: HttpRequest, sample_id: str, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, _one(queries.samples(who.user), sample_id, "sample"))


@samples.patch(
    "/{sample_id}",
    response=responses(AuditSampleOut),
    openapi_extra=permission(Perm.RECORD_AUDIT_RESULTS),
    summary="Record the test of a sampled occurrence",
    operation_id="record_audit_sample",
)
def record_sample(
    request: HttpRequest, sample_id: str, payload: AuditSamplePatch, response: HttpResponse
) -> Any:
    who = actor(request)
    check(who, Perm.RECORD_AUDIT_RESULTS)
    data = payload_data(payload)
    s = _one(queries.samples(who.user), sample_id, "sample")
    results.record_sample(
        who,
        s.pk,
        result=data["result"],
        note=data["note"],
        evidence=data["evidence"],
        version=expected_version(request, data["version"]),
    )
    return with_etag(response, _one(queries.samples(None), s.pk, "sample"))


# ---------------------------------------------------------------- findings


@findings.get(
    "",
    response=responses(Page[AuditFindingOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List audit findings",
    operation_id="list_audit_findings",
)
def list_findings(request: HttpRequest, f: Query[AuditFindingFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return paginate(queries.findings(who.user, _filters(f)), f.limit, f.offset)


@findings.get(
    "/{finding_id}",
    response=responses(AuditFindingOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One audit finding",
    operation_id="get_audit_finding",
)
def get_finding(request: HttpRequest, finding_id: str, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, _one(queries.findings(who.user), finding_id, "finding"))


@findings.post(
    "",
    response=responses(AuditFindingOut, 201),
    openapi_extra=permission(Perm.RECORD_AUDIT_RESULTS),
    summary="Record a finding on an audit in progress",
    operation_id="create_audit_finding",
)
def create_finding(request: HttpRequest, payload: AuditFindingIn) -> Status[Any]:
    who = actor(request)
    data = payload_data(payload)
    a = _audit(who.user, data.pop("audit"))
    item = data.pop("item")
    obj = results.add_finding(who, a.pk, item_id=item, **data)
    return Status(201, _one(queries.findings(None), obj.pk, "finding"))


@findings.patch(
    "/{finding_id}",
    response=responses(AuditFindingOut),
    openapi_extra=permission(Perm.RECORD_AUDIT_RESULTS),
    summary="Change a finding (only the fields sent)",
    operation_id="update_audit_finding",
)
def update_finding(
    request: HttpRequest, finding_id: str, payload: AuditFindingPatch, response: HttpResponse
) -> Any:
    who = actor(request)
    check(who, Perm.RECORD_AUDIT_RESULTS)
    f = _one(queries.findings(who.user), finding_id, "finding")
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("grade", "title", "description", "requirements", "controls"))
    results.update_finding(who, f.audit_id, f.ref, version=version, **data)
    return with_etag(response, _one(queries.findings(None), f.pk, "finding"))


@findings.post(
    "/{finding_id}/nonconformity",
    response=responses(AuditFindingOut, 201),
    openapi_extra=permission(Perm.RECORD_AUDIT_RESULTS),
    summary="Raise a nonconformity finding in the improvement queue",
    operation_id="raise_audit_finding",
)
def raise_finding(request: HttpRequest, finding_id: str, payload: AuditFindingRaiseIn) -> Status[Any]:
    who = actor(request)
    check(who, Perm.RECORD_AUDIT_RESULTS)
    f = _one(queries.findings(who.user), finding_id, "finding")
    results.raise_finding(who, f.audit_id, f.ref, owner=payload.owner)
    return Status(201, _one(queries.findings(None), f.pk, "finding"))


router.add_router("/audit-programmes", programmes)
router.add_router("/audits", audits)
router.add_router("/audit-items", items)
router.add_router("/samples", samples)
router.add_router("/findings", findings)
