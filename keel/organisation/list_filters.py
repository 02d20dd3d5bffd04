"""The filters of the organisation's lists, each declared once (issue 10,
:mod:`keel.platform.filters`): the API's query schemas (:mod:`keel.organisation.schemas`), the
page forms of the directory of people and the trail (:mod:`keel.organisation.forms`) and the
query objects of :mod:`keel.organisation.queries` come from these dataclasses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from keel.organisation import options
from keel.platform import filters
from keel.platform.choices import Channel, Role, TrailAction
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import MS_REF, USER_REF

from .choices import (
    IssueCategory,
    IssueEffect,
    IssueKind,
    ManagementSystemStatus,
    OperatingModel,
    PartyCategory,
    ScopeStatus,
)


def _order(values: tuple[str, ...], default: str) -> Any:
    """An API-only sort order (the pages sort by their own columns)."""
    return filters.choice([(v, v) for v in values], default=default, form=False, api_type=Literal[values])


@dataclass
class ContextFilters:
    """The context page's filter (its interested parties and issues by standard); the API's
    lists of parties and issues have their own, below."""

    standard: str = filters.reference(
        label="Standard", any="All standards", options=options.standards, api=False
    )


@dataclass
class ManagementSystemFilters:
    standard: str = filters.reference(help="Only systems covering this standard key.")
    status: str = filters.choice(ManagementSystemStatus)
    operating_model: str = filters.choice(OperatingModel)
    order: str = _order(("name", "-name", "short_name", "-short_name", "created_at", "-created_at"), "name")


@dataclass
class ScopeStatementFilters:
    management_system: str = filters.reference(help=MS_REF)
    standard: str = filters.reference(help="A standard key.")
    status: str = filters.choice(ScopeStatus)
    order: str = _order(("version", "-version", "updated_at", "-updated_at"), "-version")


@dataclass
class InterestedPartyFilters:
    standard: str = filters.reference(help="Only parties tagged to this standard key.")
    category: str = filters.choice(PartyCategory)
    climate_related: bool | None = filters.boolean()
    q: str = filters.text(help="Text in the name, needs or requirements.")
    order: str = _order(("name", "-name", "category", "-category", "updated_at", "-updated_at"), "name")


@dataclass
class ContextIssueFilters:
    standard: str = filters.reference(help="Only issues tagged to this standard key.")
    kind: str = filters.choice(IssueKind)
    category: str = filters.choice(IssueCategory)
    effect: str = filters.choice(IssueEffect)
    climate_related: bool | None = filters.boolean()
    q: str = filters.text(help="Text in the title or description.")
    order: str = _order(
        ("title", "-title", "kind", "-kind", "category", "-category", "updated_at", "-updated_at"), "kind"
    )


@dataclass
class UserFilters:
    q: str = filters.text(help="Text in the email or name.")
    role: str = filters.choice(Role)
    management_system: str = filters.reference(help=f"Users with a role over it. {MS_REF}")
    is_active: bool | None = filters.boolean()
    order: str = _order(
        ("email", "-email", "full_name", "-full_name", "date_joined", "-date_joined"), "email"
    )


@dataclass
class RoleAssignmentFilters:
    user: str = filters.reference(help=USER_REF)
    role: str = filters.choice(Role)
    management_system: str = filters.reference(help=MS_REF)
    order: str = _order(("user", "-user", "role", "-role", "granted_at", "-granted_at"), "user")


@dataclass
class ApiTokenFilters:
    user: str = filters.reference(help=f"Administrators: another user's tokens. {USER_REF}")
    active: bool | None = filters.boolean(help="Only live (true) or only revoked or expired (false) tokens.")
    order: str = _order(("created_at", "-created_at", "name", "-name"), "-created_at")


def _object_types(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The recorded types as (stored type, readable label), handed to the form by the page."""
    return list(context.get("object_types") or [])


@dataclass
class TrailFilters:
    """The audit trail's filters. The page filters by day (``since``/``until`` dates, the
    actor's label containing the text); the API by moment (ISO 8601 date-times) and the exact
    actor, and also by record and in either order."""

    object_type: str = filters.reference(
        label="Object type", any="Any type", options=_object_types, help="e.g. core.interestedparty"
    )
    object_id: str = filters.reference(form=False)
    actor: str = filters.reference(
        label="Actor",
        max_length=254,
        widget_attrs={"placeholder": "email or label"},
        help="Email of the acting user (or a CLI/system label).",
    )
    action: str = filters.choice(TrailAction, any="Any action")
    channel: str = filters.choice(Channel, any="Any channel")
    since: dt.date | None = filters.date(
        label="From", api_type=IsoDateTime, help="At or after this time (ISO 8601)."
    )
    until: dt.date | None = filters.date(
        label="To", api_type=IsoDateTime, help="Before this time (ISO 8601)."
    )
    order: str = _order(("-seq", "seq"), "-seq")


def _departments(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(d, d) for d in context.get("departments") or []]


@dataclass
class PeopleFilters:
    """The directory's filters, the same for the page, the API and the CLI."""

    # name, email, job title or department contains
    q: str = filters.text(
        label="Search", max_length=200, help="Text in the name, email, job title or department."
    )
    # exactly (case ignored)
    department: str = filters.reference(
        label="Department",
        any="Any department",
        options=_departments,
        max_length=150,
        help="Exactly this department (case ignored).",
    )
    # "yes": can log in, "no": a directory entry only (or deactivated); the API's has_login
    login: str = filters.choice(
        [("yes", "Can log in"), ("no", "No login")],
        label="Login",
        any="Login or not",
        api_name="has_login",
        api_type=bool,
        help="true: people who can log in; false: the others.",
    )
    # set by code, not a filter anyone chooses: only people who may be named (owners,
    # accountable…), that is not deactivated (the pickers)
    active: bool = False
