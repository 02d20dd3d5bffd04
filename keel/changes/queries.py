"""Read-side queries of keel.changes, shared by pages, the API and the CLI: the list (narrowed to
the viewer's perimeter, filters declared once in :class:`ChangeFilters`, a fixed number of
queries), one change, its history."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from keel.evidence.models import Evidence
from keel.organisation import options, resolvers
from keel.platform import filters
from keel.platform.errors import NotFound
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import Perm, restrict
from keel.platform.schemas import MS_REF

from .choices import OPEN, ChangeFamily, ChangeStatus, ChangeType
from .models import Change

# How long after implementation the post-implementation review is due (reminders, check rule).
REVIEW_AFTER_DAYS = 30

ChangeOrder = Literal["ref_id", "-ref_id", "planned_on", "-planned_on", "updated_at", "-updated_at"]
ORDER = {
    "ref_id": (F("ref_id").asc(),),
    "-ref_id": (F("ref_id").desc(),),
    "planned_on": (F("planned_on").asc(nulls_last=True), F("ref_id").asc()),
    "-planned_on": (F("planned_on").desc(nulls_last=True), F("ref_id").asc()),
    "updated_at": (F("updated_at").asc(), F("ref_id").asc()),
    "-updated_at": (F("updated_at").desc(), F("ref_id").asc()),
}


@dataclass
class ChangeFilters:
    """The filters of the change list, on the page and the API."""

    q: str = filters.text(label="Search", max_length=100)
    family: str = filters.choice(ChangeFamily, any="Any family")
    kind: str = filters.choice(ChangeType, any="Any kind")
    status: str = filters.choice(
        [("open", "Open"), *ChangeStatus.choices],
        any="Any status",
        api_type=Literal["", "open", "draft", "submitted", "approved", "rejected", "implemented", "closed"],
        api_default="",
        help="open: draft, submitted or approved.",
    )
    management_system: str = filters.reference(
        label="Management system",
        any="Any system",
        options=options.systems_of_user,
        invalid_choice=resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    ai_system: str = filters.reference(
        label="AI system", max_length=60, form=False, help="An AI system's short name."
    )
    order: str = filters.choice(
        [(k, k) for k in ORDER], default="-ref_id", form=False, api_type=ChangeOrder, api_default="-ref_id"
    )


def base() -> QuerySet[Change]:
    return Change.objects.select_related(
        "management_system",
        "ai_system",
        "model_version__model",
        "requester",
        "owner",
        "approver",
        "impact_assessment",
    ).prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("ref_id")),
        "management_systems",
    )


def changes(user: User | None, f: ChangeFilters | None = None) -> QuerySet[Change]:
    """The changes ``user`` may see (``None``: all), filtered and ordered."""
    f = f or ChangeFilters()
    qs = base()
    if user is not None:
        qs = restrict(qs, user, Perm.VIEW)
    if f.management_system:
        ms = resolvers.management_system(f.management_system, resolvers.TRUSTED if user is None else user)
        qs = qs.filter(management_system=ms)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(ref_id__icontains=f.q) | Q(description__icontains=f.q))
    if f.family:
        qs = qs.filter(family=f.family)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.ai_system:
        qs = qs.filter(ai_system__short_name=f.ai_system)
    return qs.order_by(*ORDER.get(f.order or "-ref_id", ORDER["-ref_id"]))


def change_for(user: User | None, ref: uuid.UUID | str) -> Change:
    """One change the viewer may see, by id or reference; anything else is "not found"."""
    qs = changes(user)
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(
            f"No change {str(ref)[:60]!r} that you may read: give its id or reference (e.g. CHG-004)."
        )
    return found


def history(change: Change, limit: int = 200) -> list[TrailEntry]:
    return list(
        TrailEntry.objects.filter(object_type="changes.change", object_id=str(change.pk)).order_by("-seq")[
            :limit
        ]
    )


def review_due_on(change: Change) -> dt.date | None:
    """When the post-implementation review of an implemented change is due."""
    if change.implemented_at is None:
        return None
    return timezone.localtime(change.implemented_at).date() + dt.timedelta(days=REVIEW_AFTER_DAYS)


def reviews_overdue(systems: set[uuid.UUID] | None, today: dt.date | None = None) -> QuerySet[Change]:
    """Implemented changes whose post-implementation review is past due."""
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=REVIEW_AFTER_DAYS), dt.time.min)
    )
    qs = Change.objects.select_related("owner").filter(
        status=ChangeStatus.IMPLEMENTED, implemented_at__lt=cutoff
    )
    if systems is not None:
        qs = qs.filter(management_system_id__in=systems)
    return qs.order_by("implemented_at", "ref_id")


def model_changes(user: User | None, system: Any) -> list[Change]:
    """The model lifecycle changes of an AI system, newest first (the AI system page's panel)."""
    return list(
        changes(user, ChangeFilters(family=ChangeFamily.MODEL_LIFECYCLE))
        .filter(ai_system=system)
        .order_by("-ref_id")
    )
