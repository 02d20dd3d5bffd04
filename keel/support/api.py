"""API router of the support records: ``ms-roles``, ``commitments``, ``objectives``, ``objective-readings``,
``competences``, ``competence-records``, ``awareness-campaigns``, ``communications``,
``concerns``, ``legal-requirements`` (docs/api.md). Lists are narrowed to the caller's perimeter and paged; writes go
through the same services as the pages and the CLI."""

# no "from __future__ import annotations": the generic handlers below take their schemas from
# local variables, which ninja must see as types when the function is defined
from collections.abc import Callable
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

from . import concerns, legal, objectives, queries, services
from .schemas import (
    CampaignIn,
    CampaignOut,
    CommitmentIn,
    CommitmentOut,
    CommitmentPatch,
    CommunicationIn,
    CommunicationOut,
    CompetenceIn,
    CompetenceOut,
    CompetencePatch,
    CompletionIn,
    ConcernFilters,
    ConcernIn,
    ConcernOut,
    ConcernPatch,
    LegalRequirementFilters,
    LegalRequirementIn,
    LegalRequirementOut,
    LegalRequirementPatch,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    ObjectiveReadingFilters,
    ObjectiveReadingIn,
    ObjectiveReadingOut,
    RecordFilters,
    RecordIn,
    RecordOut,
    RecordPatch,
    RoleIn,
    RoleOut,
    RolePatch,
    SupportFilters,
)

router = Router()
Listing = Callable[..., Any]


def _filters(params: Any) -> queries.Filters:
    """The query object of a list from its parsed parameters (the schema knows its declaration)."""
    return filters_of(type(params).keel_filters, params)


def _collection(
    path: str,
    tag: str,
    what: str,
    listing: Listing,
    out: Any,
    filters: Any,
    create: Callable[..., Any] | None,
    body: Any,
    update: Callable[..., Any] | None = None,
    patch: Any = None,
    required: tuple[str, ...] = (),
    create_perm: str = Perm.EDIT_SUPPORT,
    update_perm: str = Perm.EDIT_SUPPORT,
) -> Router:
    r = Router(tags=[tag])
    name = path.strip("/").replace("-", "_")

    def one(user: Any, ref: str) -> Any:
        return queries.one(listing, user, ref, what)

    @r.get(
        "",
        response=responses(Page[out]),
        openapi_extra=permission(Perm.VIEW),
        summary=f"List {what}s (of the systems the caller may read)",
        operation_id=f"list_{name}",
    )
    def list_(request: HttpRequest, f: Query[filters]) -> dict[str, Any]:
        who = actor(request)
        check(who, Perm.VIEW)
        return paginate(listing(who.user, _filters(f)), f.limit, f.offset)

    @r.get(
        "/{ref}",
        response=responses(out),
        openapi_extra=permission(Perm.VIEW),
        summary=f"One {what}",
        operation_id=f"get_{name}",
    )
    def get(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
        who = actor(request)
        check(who, Perm.VIEW)
        return with_etag(response, one(who.user, ref))

    if create is not None:

        @r.post(
            "",
            response=responses(out, 201),
            openapi_extra=permission(create_perm),
            summary=f"Record a {what}",
            operation_id=f"create_{name}",
        )
        def post(request: HttpRequest, payload: body) -> Status[Any]:
            data = payload_data(payload)
            if data.get("ref_id") is None:
                data.pop("ref_id", None)
            obj = create(actor(request), **data)
            return Status(201, one(None, str(obj.pk)))

    if update is not None:

        @r.patch(
            "/{ref}",
            response=responses(out),
            openapi_extra=permission(update_perm),
            summary=f"Change a {what} (only the fields sent)",
            operation_id=f"update_{name}",
        )
        def patch_(request: HttpRequest, ref: str, payload: patch, response: HttpResponse) -> Any:
            data = payload_data(payload, exclude_unset=True)
            version = expected_version(request, data.pop("version", None))
            reject_nulls(data, required)
            obj = update(actor(request), one(None, ref).pk, expected_version=version, **data)
            return with_etag(response, one(None, str(obj.pk)))

    router.add_router(path, r)
    return r


def _spec(spec: services.Spec) -> tuple[Callable[..., Any], Callable[..., Any]]:
    def create(who: Any, **data: Any) -> Any:
        return services.create(who, spec, **data)

    def update(who: Any, ref: Any, expected_version: str | None = None, **data: Any) -> Any:
        return services.update(who, spec, ref, expected_version=expected_version, **data)

    return create, update


_role = _spec(services.ROLE)
_competence = _spec(services.COMPETENCE)
_record = _spec(services.COMPETENCE_RECORD)
_collection(
    "/ms-roles",
    "support",
    "management-system role",
    queries.roles,
    RoleOut,
    SupportFilters,
    _role[0],
    RoleIn,
    _role[1],
    RolePatch,
    ("management_system", "name", "responsibilities"),
)
_commitment = _spec(services.COMMITMENT)
_collection(
    "/commitments",
    "support",
    "commitment",
    queries.commitments,
    CommitmentOut,
    SupportFilters,
    _commitment[0],
    CommitmentIn,
    _commitment[1],
    CommitmentPatch,
    ("decision", "decided_on", "decided_by"),
)
_collection(
    "/legal-requirements",
    "support",
    "legal requirement",
    queries.legal_requirements,
    LegalRequirementOut,
    LegalRequirementFilters,
    legal.create_legal_requirement,
    LegalRequirementIn,
    legal.update_legal_requirement,
    LegalRequirementPatch,
    ("management_system", "title", "kind", "source", "summary", "status", "controls", "requirements"),
)
_collection(
    "/objectives",
    "support",
    "objective",
    queries.objectives,
    ObjectiveOut,
    SupportFilters,
    objectives.create_objective,
    ObjectiveIn,
    objectives.update_objective,
    ObjectivePatch,
    ("management_system", "title", "measure", "target", "direction", "frequency", "theme"),
)
_collection(
    "/competences",
    "support",
    "competence",
    queries.competences,
    CompetenceOut,
    SupportFilters,
    _competence[0],
    CompetenceIn,
    _competence[1],
    CompetencePatch,
    ("name",),
)
_collection(
    "/competence-records",
    "support",
    "competence record",
    queries.competence_records,
    RecordOut,
    RecordFilters,
    _record[0],
    RecordIn,
    _record[1],
    RecordPatch,
    ("kind", "title", "achieved_on"),
)
completions = _collection(
    "/awareness-campaigns",
    "support",
    "awareness campaign",
    queries.campaigns,
    CampaignOut,
    SupportFilters,
    _spec(services.CAMPAIGN)[0],
    CampaignIn,
)
_collection(
    "/communications",
    "support",
    "communication",
    queries.communications,
    CommunicationOut,
    SupportFilters,
    _spec(services.COMMUNICATION)[0],
    CommunicationIn,
)


@completions.post(
    "/{ref}/completions",
    response=responses(CampaignOut, 201),
    openapi_extra=permission(Perm.RECORD_READINGS),
    summary="Record that a person completed an awareness campaign (once per person)",
)
def add_completion(request: HttpRequest, ref: str, payload: CompletionIn) -> Status[Any]:
    campaign = services.record_completion(actor(request), ref, payload.person, payload.completed_on).campaign
    return Status(201, queries.one(queries.campaigns, None, str(campaign.pk), "awareness campaign"))


readings = Router(tags=["support"])


@readings.get(
    "",
    response=responses(Page[ObjectiveReadingOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List objective readings, oldest first",
)
def list_readings(request: HttpRequest, f: Query[ObjectiveReadingFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return paginate(queries.readings(who.user, _filters(f)), f.limit, f.offset)


@readings.post(
    "",
    response={200: ObjectiveReadingOut, **responses(ObjectiveReadingOut, 201)},
    openapi_extra=permission(Perm.RECORD_READINGS),
    summary="Record a reading of an objective's measure (the same value for the same day again: 200, nothing added)",
)
def add_reading(request: HttpRequest, payload: ObjectiveReadingIn, response: HttpResponse) -> Any:
    result = objectives.add_reading(
        actor(request), payload.objective, payload.value, payload.on, payload.note
    )
    if result.created:
        return Status(201, result.reading)
    return result.reading


router.add_router("/objective-readings", readings)

concern_router = Router(tags=["support"])


def _shown(request: HttpRequest, concern: Any) -> Any:
    user = actor(request).user
    concern.shown_reporter = (
        concern.reporter.email
        if concern.reporter is not None and concerns.may_see_reporter(user, concern)
        else None
    )
    return concern


@concern_router.get(
    "",
    response=responses(Page[ConcernOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List concerns about AI systems",
)
def list_concerns(request: HttpRequest, f: Query[ConcernFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return paginate(queries.concerns(who.user, _filters(f)), f.limit, f.offset, lambda c: _shown(request, c))


@concern_router.get(
    "/{ref}", response=responses(ConcernOut), openapi_extra=permission(Perm.VIEW), summary="One concern"
)
def get_concern(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, _shown(request, queries.one(queries.concerns, who.user, ref, "concern")))


@concern_router.post(
    "",
    response=responses(ConcernOut, 201),
    openapi_extra=permission(Perm.REPORT_CONCERNS),
    summary="Report a concern about an AI system (anonymous: nothing about the reporter is stored)",
)
def report_concern(request: HttpRequest, payload: ConcernIn) -> Status[Any]:
    data = payload_data(payload)
    concern = concerns.report(actor(request), **{k: v for k, v in data.items() if v is not None})
    return Status(201, _shown(request, queries.one(queries.concerns, None, str(concern.pk), "concern")))


@concern_router.patch(
    "/{ref}",
    response=responses(ConcernOut),
    openapi_extra=permission(Perm.HANDLE_CONCERNS),
    summary="Respond to a concern: status, response, handler",
)
def respond_concern(request: HttpRequest, ref: str, payload: ConcernPatch, response: HttpResponse) -> Any:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("status",))
    if data.get("response", "") is None:
        data["response"] = ""
    concern = concerns.respond(actor(request), concerns.get(ref).pk, expected_version=version, **data)
    return with_etag(
        response, _shown(request, queries.one(queries.concerns, None, str(concern.pk), "concern"))
    )


router.add_router("/concerns", concern_router)
