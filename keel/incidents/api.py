"""The JSON API of incidents: ``/incidents`` (report, read with their clocks — name, due_at,
hours_left, overdue, met_at — change the facts, move along the runbook, the timeline, the
checklist, notifications made, the review), ``/incident-types`` and ``/incident-clocks`` (the
catalogue). Thin: check, call a service or query, shape the answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

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
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import catalogue, followups, queries, services
from .models import Incident
from .schemas import (
    IncidentAdvanceIn,
    IncidentClockMetIn,
    IncidentClockOut,
    IncidentDetailOut,
    IncidentFilters,
    IncidentIn,
    IncidentOut,
    IncidentPatch,
    IncidentPlaybookStepIn,
    IncidentPlaybookStepOut,
    IncidentReviewIn,
    IncidentStepIn,
    IncidentStepOut,
    IncidentTimelineIn,
    IncidentTimelineOut,
    IncidentTypeIn,
    IncidentTypeOut,
    IncidentTypePatch,
    RegulatoryClockIn,
    RegulatoryClockOut,
    RegulatoryClockVariantIn,
    RegulatoryClockVariantOut,
)
from .schemas import _clocks as clock_rows

router = Router(tags=["incidents"])
incident_router = Router(tags=["incidents"])
type_router = Router(tags=["incidents"])
clock_router = Router(tags=["incidents"])


def _detail(request: HttpRequest, ref: Any) -> Incident:
    who = actor(request)
    return queries.incident_for(who.user, ref, trusted=who.user is None)


@incident_router.get(
    "", response=responses(Page[IncidentOut]), openapi_extra=permission(Perm.VIEW), summary="List incidents"
)
def list_incidents(request: HttpRequest, f: Query[IncidentFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return paginate(
        queries.incident_list(who.user, filters_of(queries.IncidentFilters, f)), f.limit, f.offset
    )


@incident_router.post(
    "",
    response=responses(IncidentDetailOut, 201),
    openapi_extra=permission(Perm.REPORT_INCIDENTS),
    summary="Report an incident (the clocks its type and facts call for start at aware_at)",
)
def report_incident(request: HttpRequest, payload: IncidentIn) -> Status[Incident]:
    data = payload_data(payload)
    incident = services.report_incident(actor(request), **data)
    return Status(201, _detail(request, incident.pk))


@incident_router.get(
    "/{ref}",
    response=responses(IncidentDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One incident",
)
def get_incident(request: HttpRequest, ref: str, response: HttpResponse) -> Incident:
    check(actor(request), Perm.VIEW)
    return with_etag(response, _detail(request, ref))


@incident_router.patch(
    "/{ref}",
    response=responses(IncidentDetailOut),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Change an incident's facts, type, handler or links (the clocks follow the facts)",
)
def update_incident(
    request: HttpRequest, ref: str, payload: IncidentPatch, response: HttpResponse
) -> Incident:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(
        data,
        (
            "incident_type",
            "title",
            "severity",
            "aware_at",
            "serious_ai_incident",
            "widespread_or_critical",
            "death",
            "personal_data_breach",
            "nis2_significant",
        ),
    )
    if "description" in data and data["description"] is None:
        data["description"] = ""
    incident = services.update_incident(
        actor(request), services.get(ref).pk, expected_version=version, **data
    )
    return with_etag(response, _detail(request, incident.pk))


@incident_router.post(
    "/{ref}/advance",
    response=responses(IncidentDetailOut),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Move the incident to a later stage of the runbook (closing needs the post-incident review)",
)
def advance_incident(request: HttpRequest, ref: str, payload: IncidentAdvanceIn) -> Incident:
    incident = services.advance(actor(request), ref, to=payload.to.value, note=payload.note)
    return _detail(request, incident.pk)


@incident_router.post(
    "/{ref}/timeline",
    response=responses(IncidentTimelineOut, 201),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Add an entry to the incident's timeline",
)
def add_timeline(request: HttpRequest, ref: str, payload: IncidentTimelineIn) -> Status[Any]:
    entry = services.add_timeline_entry(
        actor(request), ref, text=payload.text, kind=payload.kind.value, at=payload.at
    )
    return Status(201, entry)


@incident_router.post(
    "/{ref}/steps/{step_id}",
    response=responses(IncidentStepOut),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Tick (or untick, done=false) a step of the incident's playbook checklist",
)
def tick_step(request: HttpRequest, ref: str, step_id: str, payload: IncidentStepIn) -> Any:
    return services.tick_step(actor(request), ref, step_id, done=payload.done)


@incident_router.post(
    "/{ref}/clocks/{clock}/met",
    response=responses(IncidentClockOut),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Record that the notification a clock asks for was made (the clock by id or slug)",
)
def meet_clock(request: HttpRequest, ref: str, clock: str, payload: IncidentClockMetIn) -> dict[str, Any]:
    row = services.meet_clock(actor(request), ref, clock, met_at=payload.met_at, note=payload.note)
    return next(c for c in clock_rows(_detail(request, ref)) if c["id"] == str(row.pk))


@incident_router.put(
    "/{ref}/review",
    response=responses(IncidentDetailOut),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Record or revise the post-incident review",
)
def record_review(request: HttpRequest, ref: str, payload: IncidentReviewIn) -> Incident:
    incident = services.record_review(
        actor(request),
        ref,
        review_what_happened=payload.what_happened,
        review_root_cause=payload.root_cause,
        review_lessons=payload.lessons,
        review_actions=payload.actions,
    )
    return _detail(request, incident.pk)


@incident_router.post(
    "/{ref}/nonconformity",
    response=responses(IncidentDetailOut),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Raise a nonconformity from the post-incident review (once)",
)
def raise_nonconformity(request: HttpRequest, ref: str) -> Incident:
    incident = followups.raise_nonconformity_from_review(actor(request), ref)
    return _detail(request, incident.pk)


# ---------------------------------------------------------------- catalogue


def _seeded() -> None:
    if not queries.types().exists():
        catalogue.ensure_incident_catalogue()


@type_router.get(
    "",
    response=responses(Page[IncidentTypeOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List incident types with their clocks and playbooks",
)
def list_types(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    _seeded()
    return paginate(queries.types(), limit, offset)


@type_router.post(
    "",
    response=responses(IncidentTypeOut, 201),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Add an incident type",
)
def create_type(request: HttpRequest, payload: IncidentTypeIn) -> Status[Any]:
    itype = catalogue.create_type(actor(request), **payload_data(payload))
    return Status(201, queries.types().get(pk=itype.pk))


@type_router.get(
    "/{slug}",
    response=responses(IncidentTypeOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One incident type",
)
def get_type(request: HttpRequest, slug: str) -> Any:
    check(actor(request), Perm.VIEW)
    return queries.types().get(pk=catalogue.get_type(slug).pk)


@type_router.patch(
    "/{slug}",
    response=responses(IncidentTypeOut),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Change an incident type",
)
def update_type(request: HttpRequest, slug: str, payload: IncidentTypePatch) -> Any:
    data = payload_data(payload, exclude_unset=True)
    reject_nulls(data, ("name", "family", "order"))
    if "description" in data and data["description"] is None:
        data["description"] = ""
    itype = catalogue.update_type(actor(request), slug, **data)
    return queries.types().get(pk=itype.pk)


@type_router.post(
    "/{slug}/steps",
    response=responses(IncidentPlaybookStepOut, 201),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Add a step to an incident type's playbook",
)
def add_step(request: HttpRequest, slug: str, payload: IncidentPlaybookStepIn) -> Status[Any]:
    return Status(201, catalogue.add_step(actor(request), slug, **payload_data(payload)))


@clock_router.get(
    "",
    response=responses(Page[RegulatoryClockOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List the regulatory clocks with their variants",
)
def list_clocks(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    _seeded()
    return paginate(queries.clocks(), limit, offset)


@clock_router.post(
    "",
    response=responses(RegulatoryClockOut, 201),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Add a regulatory clock",
)
def create_clock(request: HttpRequest, payload: RegulatoryClockIn) -> Status[Any]:
    data = payload_data(payload)
    data["applies_when"] = data.get("applies_when") or ""
    data["variants"] = [
        {k: getattr(v, "value", v) for k, v in item.items()} for item in data.get("variants", [])
    ]
    clock = catalogue.create_clock(actor(request), **data)
    return Status(201, queries.clocks().get(pk=clock.pk))


@clock_router.get(
    "/{slug}",
    response=responses(RegulatoryClockOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One regulatory clock",
)
def get_clock(request: HttpRequest, slug: str) -> Any:
    check(actor(request), Perm.VIEW)
    return queries.clocks().get(pk=catalogue.get_clock(slug).pk)


@clock_router.post(
    "/{slug}/variants",
    response=responses(RegulatoryClockVariantOut, 201),
    openapi_extra=permission(Perm.HANDLE_INCIDENTS),
    summary="Add a period of a clock that applies when a fact of the incident holds",
)
def add_variant(request: HttpRequest, slug: str, payload: RegulatoryClockVariantIn) -> Status[Any]:
    return Status(201, catalogue.add_variant(actor(request), slug, **payload_data(payload)))


router.add_router("/incidents", incident_router)
router.add_router("/incident-types", type_router)
router.add_router("/incident-clocks", clock_router)
