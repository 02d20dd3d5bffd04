"""API router of the organisation: management systems, scope statements and context (interested
parties, issues) here; people and access and the audit trail in :mod:`keel.organisation.api_access`,
mounted below.

Handlers are thin: check the permission (``check``/``restrict``, the one rule pages and the CLI
use too), filter a queryset or call a service with ``apicore.actor(request)`` (so the trail
records channel ``api`` for tokens and ``web`` for the browser session), and shape the answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation import list_filters
from keel.organisation import queries as organisation_queries
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation import services as organisation
from keel.organisation.api_access import people_router, roles, tokens, trail_entries, users
from keel.organisation.api_helpers import _get, _order, _set, _standard_filter
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    ScopeStatement,
)
from keel.organisation.schemas import (
    ContextIssueFilters,
    ContextIssueIn,
    ContextIssueOut,
    ContextIssuePatch,
    InterestedPartyFilters,
    InterestedPartyIn,
    InterestedPartyOut,
    InterestedPartyPatch,
    ManagementSystemFilters,
    ManagementSystemIn,
    ManagementSystemOut,
    ManagementSystemPatch,
    ScopeDraftIn,
    ScopeStatementFilters,
    ScopeStatementOut,
)
from keel.platform.api import (
    Page,
    actor,
    expected_version,
    paginate,
    permission,
    responses,
    set_etag,
)
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check, restrict
from keel.standards.models import Standard

router = Router()
systems = Router(tags=["management systems"])
scopes = Router(tags=["scope statements"])
parties = Router(tags=["context"])
issues = Router(tags=["context"])


# ---------------------------------------------------------------- management systems


def _systems() -> QuerySet[ManagementSystem]:
    return ManagementSystem.objects.prefetch_related(Prefetch("standards", Standard.objects.order_by("key")))


@systems.get(
    "",
    response=responses(Page[ManagementSystemOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List management systems (a role over one system sees only that one)",
)
def list_management_systems(request: HttpRequest, filters: Query[ManagementSystemFilters]) -> dict[str, Any]:
    f = filters_of(list_filters.ManagementSystemFilters, filters)
    who = actor(request)
    check(who, Perm.VIEW)
    qs = organisation_queries.management_systems(who.user)
    if _standard_filter(f.standard):
        qs = qs.filter(standards__key=f.standard)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.operating_model:
        qs = qs.filter(operating_model=f.operating_model)
    return paginate(_order(qs, f.order, "pk"), filters.limit, filters.offset)


@systems.get(
    "/{ref}",
    response=responses(ManagementSystemOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One management system by id or short name",
)
def get_management_system(request: HttpRequest, ref: str, response: HttpResponse) -> ManagementSystem:
    ms = organisation.get_management_system(ref)
    check(actor(request), Perm.VIEW, ms)
    found = _get(_systems(), ms.pk, "management system")
    set_etag(response, found)
    return found


@systems.post(
    "",
    response=responses(ManagementSystemOut, 201),
    openapi_extra=permission(Perm.MANAGE_SYSTEMS),
    summary="Create a management system",
)
def create_management_system(request: HttpRequest, payload: ManagementSystemIn) -> Status[ManagementSystem]:
    who = actor(request)
    check(who, Perm.MANAGE_SYSTEMS)
    data = _set(payload.model_dump())
    ms = organisation.create_management_system(who, **data)
    return Status(201, _get(_systems(), ms.pk, "management system"))


@systems.patch(
    "/{ref}",
    response=responses(ManagementSystemOut),
    openapi_extra=permission(Perm.MANAGE_SYSTEMS),
    summary="Change a management system (only the fields sent)",
)
def update_management_system(
    request: HttpRequest, ref: str, payload: ManagementSystemPatch, response: HttpResponse
) -> ManagementSystem:
    who = actor(request)
    check(who, Perm.MANAGE_SYSTEMS)
    data = _set(payload.model_dump(exclude_unset=True))
    version = expected_version(request, data.pop("version", None))
    ms = organisation.update_management_system(
        who, organisation.get_management_system(ref).pk, expected_version=version, **data
    )
    found = _get(_systems(), ms.pk, "management system")
    set_etag(response, found)
    return found


# ---------------------------------------------------------------- scope statements


def _scopes() -> QuerySet[ScopeStatement]:
    return ScopeStatement.objects.select_related("management_system", "standard", "created_by", "approved_by")


@scopes.get(
    "",
    response=responses(Page[ScopeStatementOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List scope statement versions (a role over one system sees only its statements)",
)
def list_scope_statements(request: HttpRequest, filters: Query[ScopeStatementFilters]) -> dict[str, Any]:
    f = filters_of(list_filters.ScopeStatementFilters, filters)
    who = actor(request)
    check(who, Perm.VIEW)
    qs = restrict(_scopes(), who.user, Perm.VIEW)
    if f.management_system:
        qs = qs.filter(management_system=organisation_resolvers.management_system(f.management_system, who))
    if _standard_filter(f.standard):
        qs = qs.filter(standard__key=f.standard)
    if f.status:
        qs = qs.filter(status=f.status)
    qs = qs.order_by("management_system__name", "standard__key", f.order, "pk")
    return paginate(qs, filters.limit, filters.offset)


@scopes.get(
    "/{scope_id}",
    response=responses(ScopeStatementOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One scope statement version",
)
def get_scope_statement(request: HttpRequest, scope_id: uuid.UUID) -> ScopeStatement:
    scope: ScopeStatement = _get(_scopes(), scope_id, "scope statement")
    check(actor(request), Perm.VIEW, scope.management_system_id)
    return scope


@scopes.post(
    "",
    response=responses(ScopeStatementOut),
    openapi_extra=permission(Perm.EDIT_SCOPE),
    summary="Create or update the draft scope of a management system for one standard",
)
def draft_scope_statement(request: HttpRequest, payload: ScopeDraftIn) -> ScopeStatement:
    who = actor(request)
    ms = organisation_resolvers.management_system(payload.management_system, organisation_resolvers.TRUSTED)
    check(who, Perm.EDIT_SCOPE, ms)
    data = _set(payload.model_dump(exclude_unset=True, exclude={"management_system", "standard"}))
    for name in ("lifecycle_stages", "ai_roles"):
        if name in data and data[name] is None:
            data[name] = []
    draft = organisation.draft_scope(who, ms.pk, payload.standard, **data)
    return _get(_scopes(), draft.pk, "scope statement")


@scopes.post(
    "/{scope_id}/approve",
    response=responses(ScopeStatementOut),
    openapi_extra=permission(Perm.APPROVE_SCOPE),
    summary="Approve a draft; the previously approved version becomes superseded",
)
def approve_scope_statement(request: HttpRequest, scope_id: uuid.UUID) -> ScopeStatement:
    who = actor(request)
    scope: ScopeStatement = _get(ScopeStatement.objects.all(), scope_id, "scope statement")
    check(who, Perm.APPROVE_SCOPE, scope.management_system_id)
    organisation.approve_scope(who, scope.pk)
    return _get(_scopes(), scope.pk, "scope statement")


# ---------------------------------------------------------------- interested parties


def _parties() -> QuerySet[InterestedParty]:
    return organisation_queries.interested_parties()


@parties.get(
    "",
    response=responses(Page[InterestedPartyOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List interested parties and their needs and expectations",
)
def list_interested_parties(request: HttpRequest, filters: Query[InterestedPartyFilters]) -> dict[str, Any]:
    f = filters_of(list_filters.InterestedPartyFilters, filters)
    check(actor(request), Perm.VIEW)
    qs = _parties()
    if _standard_filter(f.standard):
        qs = qs.filter(standards__key=f.standard)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.climate_related is not None:
        qs = qs.filter(climate_related=f.climate_related)
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q) | Q(needs_expectations__icontains=f.q) | Q(requirements__icontains=f.q)
        )
    return paginate(_order(qs, f.order, "pk"), filters.limit, filters.offset)


@parties.get(
    "/{party_id}",
    response=responses(InterestedPartyOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One interested party",
)
def get_interested_party(
    request: HttpRequest, party_id: uuid.UUID, response: HttpResponse
) -> InterestedParty:
    check(actor(request), Perm.VIEW)
    party = _get(_parties(), party_id, "interested party")
    set_etag(response, party)
    return party


@parties.post(
    "",
    response=responses(InterestedPartyOut, 201),
    openapi_extra=permission(Perm.EDIT_CONTEXT),
    summary="Record an interested party",
)
def create_interested_party(request: HttpRequest, payload: InterestedPartyIn) -> Status[InterestedParty]:
    who = actor(request)
    check(who, Perm.EDIT_CONTEXT)
    party = organisation.save_interested_party(who, **_set(payload.model_dump()))
    return Status(201, _get(_parties(), party.pk, "interested party"))


@parties.patch(
    "/{party_id}",
    response=responses(InterestedPartyOut),
    openapi_extra=permission(Perm.EDIT_CONTEXT),
    summary="Change an interested party (only the fields sent)",
)
def update_interested_party(
    request: HttpRequest, party_id: uuid.UUID, payload: InterestedPartyPatch, response: HttpResponse
) -> InterestedParty:
    who = actor(request)
    check(who, Perm.EDIT_CONTEXT)
    data = _set(payload.model_dump(exclude_unset=True))
    version = expected_version(request, data.pop("version", None))
    party = organisation.save_interested_party(who, party_id, expected_version=version, **data)
    party = _get(_parties(), party.pk, "interested party")
    set_etag(response, party)
    return party


@parties.delete(
    "/{party_id}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_CONTEXT),
    summary="Delete an interested party (the trail keeps the full record)",
)
def delete_interested_party(request: HttpRequest, party_id: uuid.UUID) -> Status[None]:
    who = actor(request)
    check(who, Perm.EDIT_CONTEXT)
    organisation.delete_interested_party(who, party_id)
    return Status(204, None)


# ---------------------------------------------------------------- context issues


def _issues() -> QuerySet[ContextIssue]:
    return organisation_queries.context_issues()


@issues.get(
    "",
    response=responses(Page[ContextIssueOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List internal and external issues (including the climate-change determination)",
)
def list_context_issues(request: HttpRequest, filters: Query[ContextIssueFilters]) -> dict[str, Any]:
    f = filters_of(list_filters.ContextIssueFilters, filters)
    check(actor(request), Perm.VIEW)
    qs = _issues()
    if _standard_filter(f.standard):
        qs = qs.filter(standards__key=f.standard)
    for name in ("kind", "category", "effect"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    if f.climate_related is not None:
        qs = qs.filter(climate_related=f.climate_related)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q))
    return paginate(_order(qs, f.order, "title", "pk"), filters.limit, filters.offset)


@issues.get(
    "/{issue_id}",
    response=responses(ContextIssueOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One context issue",
)
def get_context_issue(request: HttpRequest, issue_id: uuid.UUID, response: HttpResponse) -> ContextIssue:
    check(actor(request), Perm.VIEW)
    issue = _get(_issues(), issue_id, "context issue")
    set_etag(response, issue)
    return issue


@issues.post(
    "",
    response=responses(ContextIssueOut, 201),
    openapi_extra=permission(Perm.EDIT_CONTEXT),
    summary="Record a context issue",
)
def create_context_issue(request: HttpRequest, payload: ContextIssueIn) -> Status[ContextIssue]:
    who = actor(request)
    check(who, Perm.EDIT_CONTEXT)
    issue = organisation.save_context_issue(who, **_set(payload.model_dump()))
    return Status(201, _get(_issues(), issue.pk, "context issue"))


@issues.patch(
    "/{issue_id}",
    response=responses(ContextIssueOut),
    openapi_extra=permission(Perm.EDIT_CONTEXT),
    summary="Change a context issue (only the fields sent)",
)
def update_context_issue(
    request: HttpRequest, issue_id: uuid.UUID, payload: ContextIssuePatch, response: HttpResponse
) -> ContextIssue:
    who = actor(request)
    check(who, Perm.EDIT_CONTEXT)
    data = _set(payload.model_dump(exclude_unset=True))
    version = expected_version(request, data.pop("version", None))
    issue = organisation.save_context_issue(who, issue_id, expected_version=version, **data)
    issue = _get(_issues(), issue.pk, "context issue")
    set_etag(response, issue)
    return issue


@issues.delete(
    "/{issue_id}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_CONTEXT),
    summary="Delete a context issue (the trail keeps the full record)",
)
def delete_context_issue(request: HttpRequest, issue_id: uuid.UUID) -> Status[None]:
    who = actor(request)
    check(who, Perm.EDIT_CONTEXT)
    organisation.delete_context_issue(who, issue_id)
    return Status(204, None)


router.add_router("/management-systems", systems)
router.add_router("/scope-statements", scopes)
router.add_router("/interested-parties", parties)
router.add_router("/context-issues", issues)
router.add_router("/users", users)
router.add_router("/role-assignments", roles)
router.add_router("/api-tokens", tokens)
router.add_router("/trail-entries", trail_entries)
router.add_router("/people", people_router)
