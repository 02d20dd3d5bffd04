"""Read-side figures of the improvement queue for other apps (management review inputs,
certification's request list, audits' finding pages): plain data, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .choices import OPEN_NONCONFORMITY, CorrectiveActionStatus
from .models import CorrectiveAction, Nonconformity


@dataclass(frozen=True)
class ImprovementFigures:
    """The state of the queue on a day (for a management review's "nonconformities and
    corrective actions" input)."""

    on: dt.date
    open: int  # nonconformities not closed
    raised_in_period: int  # raised since ``since`` (all when no ``since``)
    closed_in_period: int
    by_status: dict[str, int] = field(default_factory=dict)  # NonconformityStatus value -> count (open ones)
    by_source: dict[str, int] = field(default_factory=dict)  # NonconformitySource value -> count (open ones)
    by_kind: dict[str, int] = field(default_factory=dict)  # NonconformityKind value -> count (open ones)
    actions_open: int = 0
    actions_overdue: int = 0
    actions_done_in_period: int = 0
    checks_ineffective_in_period: int = 0  # effectiveness checks that found the actions did not work
    recurrences_in_period: int = 0  # nonconformities raised in the period that repeat an earlier one


def in_systems(
    qs: QuerySet[Nonconformity], systems: Iterable[uuid.UUID | object] | None
) -> QuerySet[Nonconformity]:
    """Nonconformities of any of ``systems`` (ids or ManagementSystem objects) plus the
    organisation-level ones; ``None``: all."""
    if systems is None:
        return qs
    ids = [getattr(s, "pk", s) for s in systems]
    members = Nonconformity.management_systems.through.objects
    return qs.filter(
        Q(pk__in=members.filter(managementsystem_id__in=ids).values("nonconformity_id"))
        | ~Q(pk__in=members.values("nonconformity_id"))
    )


def figures(
    *,
    management_systems: Iterable[uuid.UUID | object] | None = None,
    since: dt.date | None = None,
    on: dt.date | None = None,
) -> ImprovementFigures:
    """The queue's figures on ``on`` (default today) for the period ``since``..``on``."""
    on = on or timezone.localdate()
    ncs = in_systems(Nonconformity.objects.all(), management_systems)
    open_ncs = ncs.filter(status__in=OPEN_NONCONFORMITY)
    period = Q(raised_on__lte=on) & (Q(raised_on__gte=since) if since else Q())
    closed_period = Q(closed_on__lte=on) & (Q(closed_on__gte=since) if since else Q())
    totals = ncs.aggregate(
        raised=Count("pk", filter=period),
        closed=Count("pk", filter=closed_period),
        recurrences=Count("pk", filter=period & Q(recurrence_of__isnull=False)),
    )
    actions = CorrectiveAction.objects.filter(nonconformity__in=ncs.values("pk"))
    done_period = Q(done_on__lte=on) & (Q(done_on__gte=since) if since else Q())
    a = actions.aggregate(
        open=Count("pk", filter=Q(status=CorrectiveActionStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=CorrectiveActionStatus.OPEN, due_on__lt=on)),
        done=Count("pk", filter=Q(status=CorrectiveActionStatus.DONE) & done_period),
    )
    checks_period = Q(effectiveness_checks__checked_on__lte=on) & (
        Q(effectiveness_checks__checked_on__gte=since) if since else Q()
    )
    ineffective = ncs.aggregate(
        n=Count("effectiveness_checks", filter=checks_period & Q(effectiveness_checks__effective=False))
    )
    return ImprovementFigures(
        on=on,
        open=open_ncs.count(),
        raised_in_period=totals["raised"],
        closed_in_period=totals["closed"],
        by_status=_count_by(open_ncs, "status"),
        by_source=_count_by(open_ncs, "source"),
        by_kind=_count_by(open_ncs, "kind"),
        actions_open=a["open"],
        actions_overdue=a["overdue"],
        actions_done_in_period=a["done"],
        checks_ineffective_in_period=ineffective["n"],
        recurrences_in_period=totals["recurrences"],
    )


def _count_by(qs: QuerySet[Nonconformity], name: str) -> dict[str, int]:
    return {row[name]: row["n"] for row in qs.order_by().values(name).annotate(n=Count("pk"))}


def for_source(source: str, source_ref: str = "") -> list[Nonconformity]:
    """The nonconformities raised from one source record (e.g. ``("internal_audit",
    "AUD-2026-01 F-3")``), oldest first; with an empty ``source_ref``, all of that source."""
    qs = Nonconformity.objects.filter(source=source)
    if source_ref:
        qs = qs.filter(source_ref=source_ref)
    return list(qs.order_by("raised_on", "ref_id"))
