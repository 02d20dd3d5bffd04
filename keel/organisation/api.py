"""API router of the core domain: management systems, scope statements, context, people and
access, and the audit trail.

Handlers are thin: check the permission (``check``/``restrict``, the one rule pages and the CLI
use too), filter a queryset or call a service with ``apicore.actor(request)`` (so the trail
records channel ``api`` for tokens and ``web`` for the browser session), and shape the answer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation import directory, list_filters
from keel.organisation import people as people
from keel.organisation import queries as organisation_queries
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation import services as organisation
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    RoleAssignment,
    ScopeStatement,
)
from keel.organisation.schemas import (
    ApiTokenCreatedOut,
    ApiTokenFilters,
    ApiTokenIn,
    ApiTokenOut,
    ContextIssueFilters,
    ContextIssueIn,
    ContextIssueOut,
    ContextIssuePatch,
    InterestedPartyFilters,
    InterestedPartyIn,
    InterestedPartyOut,
    InterestedPartyPatch,
    InvitationOut,
    InviteIn,
    ManagementSystemFilters,
    ManagementSystemIn,
    ManagementSystemOut,
    ManagementSystemPatch,
    MeOut,
    PasswordIn,
    PeopleFilters,
    PersonIn,
    PersonOut,
    PersonPatch,
    RoleAssignmentFilters,
    RoleAssignmentIn,
    RoleAssignmentOut,
    ScopeDraftIn,
    ScopeStatementFilters,
    ScopeStatementOut,
    TrailEntryDetailOut,
    TrailEntryFilters,
    TrailEntryOut,
    UserFilters,
    UserIn,
    UserOut,
    UserPatch,
)
from keel.platform import accounts as accounts
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.api import (
    Page,
    actor,
    any_user_auth,
    expected_version,
    paginate,
    permission,
    responses,
    set_etag,
    with_etag,
)
from keel.platform.errors import NotFound, PermissionDenied, ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.models import ApiToken, TrailEntry, User
from keel.platform.pages import AUTHENTICATED
from keel.platform.permissions import Perm, check, has_perm, restrict, system_ids_with
from keel.standards.models import Standard
from keel.standards.records import standards_by_key

router = Router()
systems = Router(tags=["management systems"])
scopes = Router(tags=["scope statements"])
parties = Router(tags=["context"])
issues = Router(tags=["context"])
users = Router(tags=["people and access"])
people_router = Router(tags=["people and access"])
roles = Router(tags=["people and access"])
tokens = Router(tags=["people and access"])
trail_entries = Router(tags=["audit trail"])


# ---------------------------------------------------------------- helpers


def _order(qs: QuerySet[Any], order: str, *tie: str) -> QuerySet[Any]:
    """Order by one of the values the filter schema allows (``-`` for descending)."""
    return qs.order_by(order, *tie)


def _user_ref(ref: str, field: str = "user") -> User:
    """A user named by id or email in a filter or a body; unknown is a 422 on that field."""
    try:
        user = User.objects.filter(pk=uuid.UUID(ref)).first()
    except ValueError:
        user = User.objects.filter(email__iexact=ref.strip()).first()
    if user is None:
        raise ValidationFailed(
            f"No user {ref!r}: give an existing user's id or email.", {field: ["Unknown user."]}
        )
    return user


def _standard_filter(key: str | None) -> str | None:
    """Validate a ``standard`` filter: an unknown key is a 422 naming the known ones."""
    if key:
        standards_by_key([key], field="standard")
    return key


def _get(qs: QuerySet[Any], pk: Any, what: str) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No {what} with id {pk}.")
    return obj


def _aware(value: dt.date, field: str) -> dt.datetime:
    """A time without a zone is taken as UTC (a day: its start); times outside what the
    database stores are an input error, not a server error."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    try:
        return aware.astimezone(dt.UTC)
    except OverflowError:
        raise ValidationFailed(f"{field} is out of range.", {field: ["Out of range."]}) from None


def _set(data: dict[str, Any]) -> dict[str, Any]:
    """Enum members as their plain values, for the services."""
    return {
        k: (
            v.value
            if hasattr(v, "value")
            else [getattr(i, "value", i) for i in v]
            if isinstance(v, list)
            else v
        )
        for k, v in data.items()
    }


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


# ---------------------------------------------------------------- users


def _users() -> QuerySet[User]:
    return organisation_queries.users_with_roles()


@users.get(
    "/me",
    response=responses(MeOut),
    auth=any_user_auth(),
    openapi_extra=permission(AUTHENTICATED),
    summary="The calling user with their roles (any logged-in account, even without a role)",
)
def get_me(request: HttpRequest) -> User:
    me: User = request.user  # type: ignore[assignment]
    return _get(_users(), me.pk, "user")


@users.get(
    "",
    response=responses(Page[UserOut]),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="List user accounts with their roles",
)
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> dict[str, Any]:
    f = filters_of(list_filters.UserFilters, filters)
    who = actor(request)
    check(who, Perm.MANAGE_USERS)
    qs = _users()
    if f.q:
        qs = qs.filter(Q(email__icontains=f.q) | Q(full_name__icontains=f.q))
    if f.role or f.management_system:
        held = RoleAssignment.objects.all()
        if f.role:
            held = held.filter(role=f.role)
        if f.management_system:
            held = held.filter(
                management_system=organisation_resolvers.management_system(f.management_system, who)
            )
        qs = qs.filter(pk__in=held.values("user_id"))
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    return paginate(_order(qs, f.order, "email"), filters.limit, filters.offset)


@users.get(
    "/{user_id}",
    response=responses(UserOut),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="One user account with its roles",
)
def get_user(request: HttpRequest, user_id: uuid.UUID) -> User:
    check(actor(request), Perm.MANAGE_USERS)
    return _get(_users(), user_id, "user")


@users.post(
    "",
    response=responses(UserOut, 201),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="Create a user account, optionally with a first role",
)
def create_user(request: HttpRequest, payload: UserIn) -> Status[User]:
    who = actor(request)
    check(who, Perm.MANAGE_USERS)
    data = _set(payload.model_dump(exclude={"management_system"}))
    ms = (
        organisation_resolvers.management_system(payload.management_system, organisation_resolvers.TRUSTED)
        if payload.management_system
        else None
    )
    user = people.create_user(who, data.pop("email"), management_system=ms, **data)
    return Status(201, _get(_users(), user.pk, "user"))


@users.patch(
    "/{user_id}",
    response=responses(UserOut),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="Change a user's name, job title or whether the account is active",
)
def update_user(request: HttpRequest, user_id: uuid.UUID, payload: UserPatch) -> User:
    who = actor(request)
    check(who, Perm.MANAGE_USERS)
    user = people.update_user(who, user_id, **payload.model_dump(exclude_unset=True))
    return _get(_users(), user.pk, "user")


@users.post(
    "/{user_id}/password",
    response=responses(None, 204),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="Set a user's password (the user's sessions end; the password is never returned)",
)
def set_user_password(request: HttpRequest, user_id: uuid.UUID, payload: PasswordIn) -> Status[None]:
    who = actor(request)
    check(who, Perm.MANAGE_USERS)
    user: User = _get(User.objects.all(), user_id, "user")
    accounts.set_password(who, user, payload.password)
    return Status(204, None)


# ---------------------------------------------------------------- role assignments


def _roles() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.select_related("user", "management_system", "granted_by")


@roles.get(
    "",
    response=responses(Page[RoleAssignmentOut]),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="List role assignments",
)
def list_role_assignments(request: HttpRequest, filters: Query[RoleAssignmentFilters]) -> dict[str, Any]:
    f = filters_of(list_filters.RoleAssignmentFilters, filters)
    who = actor(request)
    check(who, Perm.MANAGE_USERS)
    qs = _roles()
    if f.user:
        qs = qs.filter(user=_user_ref(f.user))
    if f.role:
        qs = qs.filter(role=f.role)
    if f.management_system:
        qs = qs.filter(management_system=organisation_resolvers.management_system(f.management_system, who))
    order = {"user": "user__email", "-user": "-user__email"}.get(f.order, f.order)
    return paginate(_order(qs, order, "user__email", "role", "pk"), filters.limit, filters.offset)


@roles.post(
    "",
    response=responses(RoleAssignmentOut, 201),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="Grant a role over the organisation or one management system",
)
def grant_role(request: HttpRequest, payload: RoleAssignmentIn) -> Status[RoleAssignment]:
    who = actor(request)
    check(who, Perm.MANAGE_USERS)
    user = _user_ref(payload.user)
    ms = (
        organisation_resolvers.management_system(payload.management_system, organisation_resolvers.TRUSTED)
        if payload.management_system
        else None
    )
    ra = people.grant_role(who, user, payload.role.value, ms)
    return Status(201, _get(_roles(), ra.pk, "role assignment"))


@roles.delete(
    "/{assignment_id}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="Revoke a role assignment",
)
def revoke_role(request: HttpRequest, assignment_id: uuid.UUID) -> Status[None]:
    who = actor(request)
    check(who, Perm.MANAGE_USERS)
    people.revoke_role(who, assignment_id)
    return Status(204, None)


# ---------------------------------------------------------------- API tokens


def _token_access(who: Actor) -> bool:
    """True when the caller may see everyone's tokens; raises unless they may see their own."""
    if has_perm(who.user, Perm.MANAGE_USERS):
        return True
    check(who, Perm.OWN_TOKENS)
    return False


@tokens.get(
    "",
    response=responses(Page[ApiTokenOut]),
    openapi_extra=permission(Perm.OWN_TOKENS),
    summary="List your API tokens (administrators: everyone's, filter by user)",
)
def list_api_tokens(request: HttpRequest, filters: Query[ApiTokenFilters]) -> dict[str, Any]:
    f = filters_of(list_filters.ApiTokenFilters, filters)
    who = actor(request)
    everyone = _token_access(who)
    qs = ApiToken.objects.select_related("user")
    if f.user:
        owner = _user_ref(f.user)
        if not everyone and owner.pk != who.user.pk:  # type: ignore[union-attr]
            raise PermissionDenied("Only administrators can list other people's tokens.")
        qs = qs.filter(user=owner)
    elif not everyone:
        qs = qs.filter(user=who.user)
    if f.active is not None:
        from django.utils import timezone

        live = Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        qs = qs.filter(live) if f.active else qs.exclude(live)
    return paginate(_order(qs, f.order, "pk"), filters.limit, filters.offset)


@tokens.post(
    "",
    response=responses(ApiTokenCreatedOut, 201),
    openapi_extra=permission(Perm.OWN_TOKENS),
    summary="Create an API token for yourself; the secret is in this answer only",
)
def create_api_token(request: HttpRequest, payload: ApiTokenIn) -> Status[ApiToken]:
    who = actor(request)
    check(who, Perm.OWN_TOKENS)
    token, secret = accounts.create_token(who, who.user, payload.name, payload.expires_in_days)  # type: ignore[arg-type]
    token.token = secret  # type: ignore[attr-defined]  # shown in this answer only
    return Status(201, token)


@tokens.delete(
    "/{token_id}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.OWN_TOKENS),
    summary="Revoke a token (your own; administrators: anyone's)",
)
def revoke_api_token(request: HttpRequest, token_id: uuid.UUID) -> Status[None]:
    who = actor(request)
    everyone = _token_access(who)
    token = _get(ApiToken.objects.all(), token_id, "API token")
    if not everyone and token.user_id != who.user.pk:  # type: ignore[union-attr]
        raise NotFound(f"No API token with id {token_id}.")
    accounts.revoke_token(who, token_id)
    return Status(204, None)


# ---------------------------------------------------------------- audit trail


@trail_entries.get(
    "",
    response=responses(Page[TrailEntryOut]),
    openapi_extra=permission(Perm.VIEW_TRAIL),
    summary="List audit-trail entries, newest first (a role over one system sees its entries)",
)
def list_trail_entries(request: HttpRequest, filters: Query[TrailEntryFilters]) -> dict[str, Any]:
    f = filters_of(list_filters.TrailFilters, filters)
    who = actor(request)
    if system_ids_with(who.user, Perm.VIEW_TRAIL) == set():
        check(who, Perm.VIEW_TRAIL)
    qs = trail.visible(TrailEntry.objects.defer("payload"), who.user)
    for name in ("object_type", "object_id", "action", "channel"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    if f.actor:
        qs = qs.filter(actor_label__iexact=f.actor.strip())
    if f.since:
        qs = qs.filter(at__gte=_aware(f.since, "since"))
    if f.until:
        qs = qs.filter(at__lt=_aware(f.until, "until"))
    return paginate(qs.order_by(f.order), filters.limit, filters.offset)


@trail_entries.get(
    "/{seq}",
    response=responses(TrailEntryDetailOut),
    openapi_extra=permission(Perm.VIEW_TRAIL),
    summary="One audit-trail entry with the field changes it recorded",
)
def get_trail_entry(request: HttpRequest, seq: int) -> TrailEntry:
    who = actor(request)
    if system_ids_with(who.user, Perm.VIEW_TRAIL) == set():
        check(who, Perm.VIEW_TRAIL)
    entry = TrailEntry.objects.filter(seq=seq).first()
    if entry is None:
        raise NotFound(f"No trail entry #{seq}.")
    if not trail.visible(TrailEntry.objects.filter(seq=seq), who.user).exists():
        check(who, Perm.VIEW_TRAIL, entry.management_system_id)
    return entry


router.add_router("/management-systems", systems)
router.add_router("/scope-statements", scopes)
router.add_router("/interested-parties", parties)
router.add_router("/context-issues", issues)
router.add_router("/users", users)
router.add_router("/role-assignments", roles)
router.add_router("/api-tokens", tokens)
router.add_router("/trail-entries", trail_entries)


# ---------------------------------------------------------------- the directory of people


def _people() -> QuerySet[User]:
    return organisation_queries.people()


@people_router.get(
    "",
    response=responses(Page[PersonOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List the directory of people, with or without a login",
)
def list_people(request: HttpRequest, filters: Query[PeopleFilters]) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    qs = organisation_queries.people(filters_of(organisation_queries.PeopleFilters, filters))
    return paginate(qs, filters.limit, filters.offset)


@people_router.get(
    "/{person_id}",
    response=responses(PersonOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One person of the directory",
)
def get_person(request: HttpRequest, person_id: uuid.UUID, response: HttpResponse) -> User:
    check(actor(request), Perm.VIEW)
    return with_etag(response, _get(_people(), person_id, "person"))


@people_router.post(
    "",
    response=responses(PersonOut, 201),
    openapi_extra=permission(Perm.EDIT_PEOPLE),
    summary="Add a person to the directory (without a login)",
)
def create_person(request: HttpRequest, payload: PersonIn) -> Status[User]:
    who = actor(request)
    check(who, Perm.EDIT_PEOPLE)
    person = directory.create_person(
        who,
        payload.name,
        email=payload.email or "",
        job_title=payload.job_title,
        department=payload.department,
    )
    return Status(201, _get(_people(), person.pk, "person"))


@people_router.patch(
    "/{person_id}",
    response=responses(PersonOut),
    openapi_extra=permission(Perm.EDIT_PEOPLE),
    summary="Change a person's name, email, job title or department (only the fields sent)",
)
def update_person(
    request: HttpRequest, person_id: uuid.UUID, payload: PersonPatch, response: HttpResponse
) -> User:
    who = actor(request)
    check(who, Perm.EDIT_PEOPLE)
    data = payload.model_dump(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    if "name" in data:
        data["full_name"] = data.pop("name")
    person = directory.update_person(who, person_id, expected_version=version, **data)
    return with_etag(response, _get(_people(), person.pk, "person"))


@people_router.post(
    "/{person_id}/invite",
    response=responses(InvitationOut),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="Invite a person to log in: sets an initial password, returned once",
)
def invite_person(request: HttpRequest, person_id: uuid.UUID, payload: InviteIn) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.MANAGE_USERS)
    ms = (
        organisation_resolvers.management_system(payload.management_system, who, field="management_system")
        if payload.management_system
        else None
    )
    invitation = directory.invite(
        who,
        person_id,
        email=payload.email,
        role=payload.role.value if payload.role else None,
        management_system=ms,
    )
    return {
        "person": _get(_people(), invitation.person.pk, "person"),
        "initial_password": invitation.password,
    }


router.add_router("/people", people_router)
