"""Read-side queries of the organisation, shared by pages (and usable by the API and CLI).

Every function here runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Model, Prefetch, Q, QuerySet

from keel.organisation.choices import ScopeStatus
from keel.organisation.list_filters import PeopleFilters as PeopleFilters
from keel.organisation.list_filters import TrailFilters as TrailFilters
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
    ScopeStatement,
)
from keel.platform import trail
from keel.platform.choices import TrailAction
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import Perm, restrict
from keel.standards.models import Requirement, Standard

TRAIL_PAGE_SIZE = 50


def organisation_or_none() -> Organisation | None:
    return Organisation.objects.first()


def management_systems(user: User | None) -> QuerySet[ManagementSystem]:
    """The management systems ``user`` may view, with their standards (two queries)."""
    qs = ManagementSystem.objects.prefetch_related(Prefetch("standards", Standard.objects.order_by("key")))
    return restrict(qs, user, Perm.VIEW, field="pk").order_by("name")


@dataclass
class ScopeCell:
    """Where the scope of one management system for one standard stands."""

    standard: Standard
    approved: ScopeStatement | None = None
    draft: ScopeStatement | None = None

    @property
    def status(self) -> str:
        if self.approved is not None:
            return "approved"
        return "draft" if self.draft is not None else "none"


@dataclass
class SystemScope:
    system: ManagementSystem
    cells: list[ScopeCell] = field(default_factory=list)


def scope_overview(user: User | None) -> list[SystemScope]:
    """Every management system ``user`` may view with, per standard it covers, its approved
    and draft scope versions (three queries)."""
    systems = list(management_systems(user))
    current = ScopeStatement.objects.filter(
        management_system__in=[s.pk for s in systems], status__in=[ScopeStatus.APPROVED, ScopeStatus.DRAFT]
    ).select_related("approved_by")
    by_key: dict[tuple[uuid.UUID, int], dict[str, ScopeStatement]] = {}
    for s in current:
        by_key.setdefault((s.management_system_id, s.standard_id), {})[s.status] = s
    out = []
    for ms in systems:
        cells = []
        for std in ms.standards.all():
            found = by_key.get((ms.pk, std.pk), {})
            cells.append(ScopeCell(std, found.get(ScopeStatus.APPROVED), found.get(ScopeStatus.DRAFT)))
        out.append(SystemScope(ms, cells))
    return out


def scope_versions(ms: ManagementSystem, standard: Standard) -> list[ScopeStatement]:
    """Every version of one scope, newest first, with who drafted and approved it (one query)."""
    return list(
        ScopeStatement.objects.filter(management_system=ms, standard=standard)
        .select_related("created_by", "approved_by")
        .order_by("-version")
    )


def interested_parties(standard: str | None = None) -> QuerySet[InterestedParty]:
    qs = InterestedParty.objects.prefetch_related(Prefetch("standards", Standard.objects.order_by("key")))
    if standard:
        qs = qs.filter(standards__key=standard)
    return qs.order_by("name")


def context_issues(standard: str | None = None) -> QuerySet[ContextIssue]:
    qs = ContextIssue.objects.prefetch_related(Prefetch("standards", Standard.objects.order_by("key")))
    if standard:
        qs = qs.filter(standards__key=standard)
    return qs.order_by("kind", "title")


def context_counts_by_standard() -> list[dict[str, Any]]:
    """Per loaded standard, how many interested parties and issues are tagged to it (one query)."""
    rows = Standard.objects.order_by("key").annotate(
        parties=Count("interested_parties", distinct=True),
        issues=Count("context_issues", distinct=True),
    )
    return [{"standard": s, "parties": s.parties, "issues": s.issues} for s in rows]


def context_summary() -> dict[str, Any]:
    """The organisation with its climate-change determination, and how many context records
    exist and are climate-related (three queries)."""
    parties = InterestedParty.objects.aggregate(
        total=Count("pk"), climate=Count("pk", filter=Q(climate_related=True))
    )
    issues = ContextIssue.objects.aggregate(
        total=Count("pk"), climate=Count("pk", filter=Q(climate_related=True))
    )
    return {"organisation": organisation_or_none(), "parties": parties, "issues": issues}


def users_with_roles() -> QuerySet[User]:
    return User.objects.prefetch_related(
        Prefetch(
            "role_assignments",
            RoleAssignment.objects.select_related("management_system").order_by(
                "role", "management_system__name"
            ),
        )
    ).order_by("email")


def people(filters: PeopleFilters | None = None) -> QuerySet[User]:
    """The directory, by name: everyone, with their roles (two queries for any number)."""
    f = filters or PeopleFilters()
    qs = users_with_roles().order_by("full_name", "email")
    if f.q.strip():
        words = f.q.split()
        for w in words:
            qs = qs.filter(
                Q(full_name__icontains=w)
                | Q(email__icontains=w)
                | Q(job_title__icontains=w)
                | Q(department__icontains=w)
            )
    if f.department.strip():
        qs = qs.filter(department__iexact=f.department.strip())
    if f.login == "yes":
        qs = qs.filter(has_login=True, is_active=True)
    elif f.login == "no":
        qs = qs.filter(Q(has_login=False) | Q(is_active=False))
    if f.active:
        qs = qs.filter(is_active=True)
    return qs


def departments() -> list[str]:
    """Every department written in the directory, once each, sorted."""
    seen: dict[str, str] = {}
    for d in User.objects.exclude(department="").values_list("department", flat=True).distinct():
        seen.setdefault(d.lower(), d)
    return sorted(seen.values(), key=str.lower)


def person(user_id: uuid.UUID | str) -> User | None:
    """One account with its roles (two queries), or ``None``."""
    return users_with_roles().filter(pk=user_id).first()


def trail_page(
    user: User | None, filters: TrailFilters, page_number: Any = 1, per_page: int = TRAIL_PAGE_SIZE
) -> Page[TrailEntry]:
    """One page of the audit trail, newest first, restricted to what ``user`` may see (two
    queries: the count and the page)."""
    qs = trail.visible(TrailEntry.objects.all(), user)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.actor:
        qs = qs.filter(actor_label__icontains=filters.actor.strip())
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.since:
        qs = qs.filter(at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__date__lte=filters.until)
    return Paginator(qs.order_by("-seq"), per_page).get_page(page_number)


# Logins say who came in, not what changed: the dashboard leaves them out (the trail page
# shows them, and filters them by action).
NOT_ACTIVITY = (TrailAction.LOGIN, TrailAction.LOGIN_FAILED)


def recent_trail(user: User | None, limit: int = 10) -> list[TrailEntry]:
    """The latest changes ``user`` may see, without logins (one query)."""
    qs = trail.visible(TrailEntry.objects.all(), user)
    return list(qs.exclude(action__in=NOT_ACTIVITY).order_by("-seq")[:limit])


@dataclass
class TrailLookups:
    """What a page of trail entries refers to, fetched in bulk (never one query per row)."""

    users: dict[str, User] = field(default_factory=dict)
    # scope statement id -> (management system short name, standard key)
    scopes: dict[str, tuple[str, str]] = field(default_factory=dict)
    standards: dict[str, str] = field(default_factory=dict)  # standard id -> key
    requirements: dict[str, str] = field(default_factory=dict)  # requirement id -> key
    # (object type, id) of the context records that still exist (deleted ones have no page)
    existing: set[tuple[str, str]] = field(default_factory=set)
    # (model label, id) -> the name of a record a change names through a foreign key
    records: dict[tuple[str, str], str] = field(default_factory=dict)


def _uuids(values: set[str]) -> list[uuid.UUID]:
    out = []
    for v in values:
        try:
            out.append(uuid.UUID(v))
        except (ValueError, AttributeError, TypeError):
            continue
    return out


def trail_lookups(
    entries: list[TrailEntry], user_ids: set[str], related: dict[type[Model], set[str]] | None = None
) -> TrailLookups:
    """Resolve the user ids found in the entries' changes, the records the changes name through
    foreign keys (``related``: ids by model) and the records the entries name, in at most one
    query per kind of record (users, each related model, scope statements, standards,
    requirements, interested parties, context issues) whatever the number of entries."""
    by_type: dict[str, set[str]] = {}
    for e in entries:
        by_type.setdefault(e.object_type, set()).add(e.object_id)
    found = TrailLookups()
    if ids := _uuids(user_ids):
        found.users = {str(u.pk): u for u in User.objects.filter(pk__in=ids).only("id", "email", "full_name")}
    if ids := _uuids(by_type.get("organisation.scopestatement", set())):
        rows = ScopeStatement.objects.filter(pk__in=ids).values_list(
            "pk", "management_system__short_name", "standard__key"
        )
        found.scopes = {str(pk): (ms, std) for pk, ms, std in rows}
    if numbers := [int(i) for i in by_type.get("standards.standard", set()) if i.isdigit()]:
        found.standards = {
            str(pk): key for pk, key in Standard.objects.filter(pk__in=numbers).values_list("pk", "key")
        }
    if numbers := [int(i) for i in by_type.get("standards.requirement", set()) if i.isdigit()]:
        found.requirements = {
            str(pk): key for pk, key in Requirement.objects.filter(pk__in=numbers).values_list("pk", "key")
        }
    for object_type, model in (
        ("organisation.interestedparty", InterestedParty),
        ("organisation.contextissue", ContextIssue),
    ):
        if ids := _uuids(by_type.get(object_type, set())):
            found.existing |= {
                (object_type, str(pk)) for pk in model.objects.filter(pk__in=ids).values_list("pk", flat=True)
            }
    for related_model, values in (related or {}).items():
        pks = []
        for v in values:
            try:
                pks.append(related_model._meta.pk.to_python(v))
            except ValidationError:
                continue  # not an id of that model: shown as recorded
        label = related_model._meta.label_lower
        found.records |= {
            (label, str(obj.pk)): str(obj) for obj in related_model._default_manager.filter(pk__in=pks)
        }
    return found


def trail_object_types() -> list[str]:
    return list(TrailEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct())


def trail_changes(entry: TrailEntry) -> dict[str, Any]:
    """The field changes an entry recorded (``{}`` when there are none or the payload is odd)."""
    try:
        changes = json.loads(entry.payload).get("changes") or {}
    except (ValueError, AttributeError):
        return {}
    return changes if isinstance(changes, dict) else {}
