"""Schemas of the organisation API: filters (query strings), request bodies and responses.

Conventions: records are referred to by id; a management system may also be named by its
short name and a user by email; standards are always named by key (``iso27001:2022``).
Bodies reject unknown fields, so a typo is an error rather than silently ignored.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ninja import Field, Schema

from keel.organisation import list_filters
from keel.organisation.choices import (
    AIRole,
    IssueCategory,
    IssueEffect,
    IssueKind,
    LifecycleStage,
    ManagementSystemStatus,
    OperatingModel,
    PartyCategory,
    ScopeStatus,
)
from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.choices import Channel, Role, TrailAction
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.permissions import Perm, has_perm
from keel.platform.schemas import MS_REF, USER_REF, Body, Filters, _keys, version_in


class ManagementSystemOut(VersionedOut):
    id: uuid.UUID
    name: str
    short_name: str
    description: str
    operating_model: OperatingModel
    status: ManagementSystemStatus
    standards: list[str] = Field(description="Keys of the standards it covers.")
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_standards(obj: Any) -> list[str]:
        return _keys(obj)


@filters.schema_of(list_filters.ManagementSystemFilters)
class ManagementSystemFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.ManagementSystemFilters`."""


class ManagementSystemIn(Body):
    name: str
    short_name: str = Field(description="A slug, unique, e.g. 'isms'.")
    description: str = ""
    operating_model: OperatingModel
    status: ManagementSystemStatus = ManagementSystemStatus.ACTIVE
    standards: list[str] = Field(description="Keys of the standards it covers (at least one).")


class ManagementSystemPatch(Body):
    version: str | None = version_in()
    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    operating_model: OperatingModel | None = None
    status: ManagementSystemStatus | None = None
    standards: list[str] | None = None


class ScopeStatementOut(Schema):
    id: uuid.UUID
    management_system: uuid.UUID
    management_system_short_name: str
    standard: str
    version: int
    status: ScopeStatus
    summary: str
    boundaries: str
    interfaces: str
    sites: str
    exclusions: str
    ai_systems: str
    lifecycle_stages: list[str]
    ai_roles: list[str]
    change_note: str
    created_by: str | None = Field(description="Email of the person who started this version.")
    created_at: IsoDateTime
    updated_at: IsoDateTime
    approved_by: str | None
    approved_at: IsoDateTime | None

    @staticmethod
    def resolve_management_system(obj: Any) -> uuid.UUID:
        return obj.management_system_id

    @staticmethod
    def resolve_management_system_short_name(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_standard(obj: Any) -> str:
        return str(obj.standard.key)

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.email if obj.created_by_id else None

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None


@filters.schema_of(list_filters.ScopeStatementFilters)
class ScopeStatementFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.ScopeStatementFilters`."""


class ScopeDraftIn(Body):
    """Creates the draft for (management_system, standard), or updates the existing draft.
    A new draft starts from the latest approved version; fields left out keep their value."""

    management_system: str = Field(description=MS_REF)
    standard: str = Field(description="A standard key the management system covers.")
    summary: str | None = None
    boundaries: str | None = None
    interfaces: str | None = None
    sites: str | None = None
    exclusions: str | None = None
    ai_systems: str | None = Field(None, description="ISO/IEC 42001 only.")
    lifecycle_stages: list[LifecycleStage] | None = Field(None, description="ISO/IEC 42001 only.")
    ai_roles: list[AIRole] | None = Field(None, description="ISO/IEC 42001 only.")
    change_note: str | None = None


class InterestedPartyOut(VersionedOut):
    id: uuid.UUID
    name: str
    category: PartyCategory
    needs_expectations: str
    requirements: str
    climate_related: bool
    affected_not_user: bool
    standards: list[str]
    review_date: IsoDate | None
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_standards(obj: Any) -> list[str]:
        return _keys(obj)


@filters.schema_of(list_filters.InterestedPartyFilters)
class InterestedPartyFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.InterestedPartyFilters`."""


class InterestedPartyIn(Body):
    name: str
    category: PartyCategory
    needs_expectations: str
    requirements: str = ""
    climate_related: bool = False
    affected_not_user: bool = False
    standards: list[str] = Field(default_factory=list, description="Keys of the standards it serves.")
    review_date: IsoDate | None = None


class InterestedPartyPatch(Body):
    version: str | None = version_in()
    name: str | None = None
    category: PartyCategory | None = None
    needs_expectations: str | None = None
    requirements: str | None = None
    climate_related: bool | None = None
    affected_not_user: bool | None = None
    standards: list[str] | None = None
    review_date: IsoDate | None = None


class ContextIssueOut(VersionedOut):
    id: uuid.UUID
    title: str
    description: str
    kind: IssueKind
    category: IssueCategory
    effect: IssueEffect
    climate_related: bool
    standards: list[str]
    review_date: IsoDate | None
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_standards(obj: Any) -> list[str]:
        return _keys(obj)


@filters.schema_of(list_filters.ContextIssueFilters)
class ContextIssueFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.ContextIssueFilters`."""


class ContextIssueIn(Body):
    title: str
    description: str
    kind: IssueKind
    category: IssueCategory
    effect: IssueEffect = IssueEffect.RISK
    climate_related: bool = False
    standards: list[str] = Field(default_factory=list, description="Keys of the standards it serves.")
    review_date: IsoDate | None = None


class ContextIssuePatch(Body):
    version: str | None = version_in()
    title: str | None = None
    description: str | None = None
    kind: IssueKind | None = None
    category: IssueCategory | None = None
    effect: IssueEffect | None = None
    climate_related: bool | None = None
    standards: list[str] | None = None
    review_date: IsoDate | None = None


class RoleAssignmentOut(Schema):
    id: uuid.UUID
    user: uuid.UUID
    user_email: str
    role: Role
    management_system: uuid.UUID | None = Field(description="None: the whole organisation.")
    management_system_short_name: str | None
    granted_by: str | None
    granted_at: IsoDateTime

    @staticmethod
    def resolve_user(obj: Any) -> uuid.UUID:
        return obj.user_id

    @staticmethod
    def resolve_user_email(obj: Any) -> str:
        return str(obj.user.email)

    @staticmethod
    def resolve_management_system(obj: Any) -> uuid.UUID | None:
        return obj.management_system_id

    @staticmethod
    def resolve_management_system_short_name(obj: Any) -> str | None:
        return obj.management_system.short_name if obj.management_system_id else None

    @staticmethod
    def resolve_granted_by(obj: Any) -> str | None:
        return obj.granted_by.email if obj.granted_by_id else None


class UserRoleOut(Schema):
    id: uuid.UUID
    role: Role
    management_system: uuid.UUID | None = Field(description="None: the whole organisation.")
    management_system_short_name: str | None

    @staticmethod
    def resolve_management_system(obj: Any) -> uuid.UUID | None:
        return obj.management_system_id

    @staticmethod
    def resolve_management_system_short_name(obj: Any) -> str | None:
        return obj.management_system.short_name if obj.management_system_id else None


class UserOut(Schema):
    id: uuid.UUID
    email: str
    full_name: str
    job_title: str
    department: str
    has_login: bool = Field(description="False for a person of the directory who was never invited.")
    is_active: bool
    date_joined: IsoDateTime
    roles: list[UserRoleOut]

    @staticmethod
    def resolve_roles(obj: Any) -> list[Any]:
        return list(obj.role_assignments.all())


class MeOut(UserOut):
    permissions: list[str] = Field(description="What the user may do on organisation-level records.")

    @staticmethod
    def resolve_permissions(obj: Any) -> list[str]:
        return [str(p) for p in Perm if has_perm(obj, p)]


@filters.schema_of(list_filters.UserFilters)
class UserFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.UserFilters`."""


class UserIn(Body):
    email: str
    full_name: str = ""
    job_title: str = ""
    password: str | None = Field(
        None, description="Without one the account cannot log in with a password yet."
    )
    role: Role | None = Field(None, description="A first role to grant.")
    management_system: str | None = Field(
        None, description=f"Perimeter of that role (default: the organisation). {MS_REF}"
    )


class UserPatch(Body):
    full_name: str | None = None
    job_title: str | None = None
    is_active: bool | None = None


class PasswordIn(Body):
    password: str = Field(
        min_length=1,
        max_length=4096,
        description="The new password; it must pass the password rules (at least 10 characters, not "
        "common, not like the email). It is never shown back, in answers or in the trail.",
    )


@filters.schema_of(list_filters.RoleAssignmentFilters)
class RoleAssignmentFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.RoleAssignmentFilters`."""


class RoleAssignmentIn(Body):
    user: str = Field(description=USER_REF)
    role: Role
    management_system: str | None = Field(
        None, description=f"Perimeter (default: the organisation). {MS_REF}"
    )


class ApiTokenOut(Schema):
    id: uuid.UUID
    user: str = Field(description="Email of the token's owner.")
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    created_at: IsoDateTime
    expires_at: IsoDateTime | None
    last_used_at: IsoDateTime | None
    revoked_at: IsoDateTime | None

    @staticmethod
    def resolve_user(obj: Any) -> str:
        return str(obj.user.email)


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="The secret. Shown this once only: store it now.")


@filters.schema_of(list_filters.ApiTokenFilters)
class ApiTokenFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.ApiTokenFilters`."""


class ApiTokenIn(Body):
    name: str = Field("", max_length=100)
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, description="1 to 3650 days. Default: never expires."
    )


class TrailEntryOut(Schema):
    seq: int
    at: IsoDateTime
    actor: str = Field(description="Email of the acting user, or the CLI/system label.")
    actor_id: uuid.UUID | None
    channel: Channel
    ip: str
    action: TrailAction
    object_type: str
    object_id: str
    object_repr: str
    management_system: uuid.UUID | None
    hash: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)

    @staticmethod
    def resolve_management_system(obj: Any) -> uuid.UUID | None:
        return obj.management_system_id


class TrailEntryDetailOut(TrailEntryOut):
    prev_hash: str
    changes: dict[str, Any] = Field(description="{field: [old, new]} as recorded (the hashed payload).")

    @staticmethod
    def resolve_changes(obj: Any) -> dict[str, Any]:
        try:
            changes = json.loads(obj.payload).get("changes")
        except (ValueError, AttributeError):  # an altered row: `keel trail verify` reports it
            return {}
        return changes if isinstance(changes, dict) else {}


@filters.schema_of(list_filters.TrailFilters)
class TrailEntryFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.TrailFilters`."""


# ---------------------------------------------------------------- the directory of people


class PersonOut(VersionedOut):
    """A person of the directory (docs/people.md). ``email`` is null while Keel does not know it."""

    id: uuid.UUID
    name: str
    email: str | None
    job_title: str
    department: str
    has_login: bool = Field(description="Whether they may log in; people without a login cannot.")
    is_active: bool
    roles: list[UserRoleOut]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.full_name)

    @staticmethod
    def resolve_email(obj: Any) -> str | None:
        return obj.shown_email or None

    @staticmethod
    def resolve_roles(obj: Any) -> list[Any]:
        return list(obj.role_assignments.all())


@filters.schema_of(list_filters.PeopleFilters)
class PeopleFilters(Filters):
    """Declared in :class:`keel.organisation.list_filters.PeopleFilters`."""


class PersonIn(Body):
    name: str = Field(min_length=1, max_length=150)
    email: str | None = Field(None, max_length=254, description="Optional: needed only to log in.")
    job_title: str = Field("", max_length=150)
    department: str = Field("", max_length=150)


class PersonPatch(Body):
    version: str | None = version_in()
    name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    job_title: str | None = Field(None, max_length=150)
    department: str | None = Field(None, max_length=150)


class InviteIn(Body):
    email: str | None = Field(
        None, max_length=254, description="The address they will log in with; required when Keel has none."
    )
    role: Role | None = Field(None, description="A first role to grant at the same time.")
    management_system: str | None = Field(
        None, description=f"Perimeter of that role (default: the organisation). {MS_REF}"
    )


class InvitationOut(Schema):
    person: PersonOut
    initial_password: str = Field(
        description="Shown once: Keel keeps only its hash. Give it to the person over a channel you trust."
    )
