"""API of people and access, and the audit trail: users, role assignments, API tokens, trail
entries and the directory of people (mounted by :mod:`keel.organisation.api`).

Handlers are thin: check the permission, filter a queryset or call a service with
``actor(request)``, and shape the answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation import directory, list_filters, people
from keel.organisation import queries as organisation_queries
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.api_helpers import _aware, _get, _order, _set, _user_ref
from keel.organisation.models import (
    RoleAssignment,
)
from keel.organisation.schemas import (
    ApiTokenCreatedOut,
    ApiTokenFilters,
    ApiTokenIn,
    ApiTokenOut,
    InvitationOut,
    InviteIn,
    MeOut,
    PasswordIn,
    PeopleFilters,
    PersonIn,
    PersonOut,
    PersonPatch,
    RoleAssignmentFilters,
    RoleAssignmentIn,
    RoleAssignmentOut,
    TrailEntryDetailOut,
    TrailEntryFilters,
    TrailEntryOut,
    UserFilters,
    UserIn,
    UserOut,
    UserPatch,
)
from keel.platform import accounts, trail
from keel.platform.actor import Actor
from keel.platform.api import (
    Page,
    actor,
    any_user_auth,
    expected_version,
    paginate,
    permission,
    responses,
    with_etag,
)
from keel.platform.errors import NotFound, PermissionDenied
from keel.platform.filters import parse as filters_of
from keel.platform.models import ApiToken, TrailEntry, User
from keel.platform.pages import AUTHENTICATED
from keel.platform.permissions import Perm, check, has_perm, system_ids_with

users = Router(tags=["people and access"])
people_router = Router(tags=["people and access"])
roles = Router(tags=["people and access"])
tokens = Router(tags=["people and access"])
trail_entries = Router(tags=["audit trail"])


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
