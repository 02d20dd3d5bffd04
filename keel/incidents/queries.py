"""Read-side queries of incidents, shared by pages, the API and the CLI: the list with its
declared filters, one incident with everything its page shows, the countdowns of its clocks, and
the open clocks the dashboard shows. Each runs a fixed number of queries whatever the rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from keel.organisation import options, resolvers
from keel.platform import filters
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, restrict
from keel.platform.schemas import MS_REF

from . import clocks as clock_rules
from .choices import OPEN_INCIDENT, IncidentFamily, IncidentStatus
from .models import ClockVariant, Incident, IncidentClock, IncidentType, RegulatoryClock

MAX_TEXT = 100
STATUS_CHOICES = [("open", "Open (not closed)"), *IncidentStatus.choices, ("all", "Every status")]


def type_options(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(t.slug, t.name) for t in IncidentType.objects.order_by("order", "name")]


@dataclass
class IncidentFilters:
    """The filters of the incident list: its API parameters and its page form."""

    status: str = filters.choice(
        STATUS_CHOICES,
        label="Stage",
        any="Any stage",
        help="A runbook stage, 'open' for every incident not closed, 'all' or left out for every one.",
        api_type=Literal["", "open", *IncidentStatus.values, "all"],
        api_default="",
    )
    incident_type: str = filters.reference(
        label="Type", any="Any type", options=type_options, max_length=60, help="An incident type's slug."
    )
    family: str = filters.choice(IncidentFamily, label="Family", any="Both families")
    open_clocks: bool | None = filters.boolean(
        label="Open clocks",
        help="Only incidents with a regulatory clock running (not yet met).",
        api_type=bool,
        api_default=False,
    )
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    q: str = filters.text(
        label="Search", max_length=MAX_TEXT, help="Words in the reference, title or description."
    )


def now() -> dt.datetime:
    return timezone.now()


def _running() -> QuerySet[IncidentClock]:
    return IncidentClock.objects.filter(met_at__isnull=True, incident__status__in=OPEN_INCIDENT)


def base_incidents() -> QuerySet[Incident]:
    return Incident.objects.select_related(
        "incident_type", "management_system", "reported_by", "handler"
    ).prefetch_related(
        Prefetch("clocks", IncidentClock.objects.select_related("clock", "met_by").order_by("due_at")),
        "ai_systems",
    )


def incident_list(
    user: User | None, f: IncidentFilters | None = None, *, trusted: bool = False
) -> QuerySet[Incident]:
    """The incidents ``user`` may read, filtered, newest report first."""
    f = f or IncidentFilters()
    qs = base_incidents()
    if not trusted:
        qs = restrict(qs, user, Perm.VIEW)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_INCIDENT)
    elif f.status and f.status != "all":
        if f.status not in IncidentStatus.values:
            raise ValidationFailed(
                f"status is one of: open, all, {', '.join(IncidentStatus.values)}.",
                {"status": ["Unknown stage."]},
            )
        qs = qs.filter(status=f.status)
    if f.incident_type:
        if not IncidentType.objects.filter(slug=f.incident_type).exists():
            raise ValidationFailed(
                f"No incident type {f.incident_type[:60]!r}.", {"incident_type": ["Unknown incident type."]}
            )
        qs = qs.filter(incident_type__slug=f.incident_type)
    if f.family:
        if f.family not in IncidentFamily.values:
            raise ValidationFailed(
                f"family is one of: {', '.join(IncidentFamily.values)}.", {"family": ["Unknown family."]}
            )
        qs = qs.filter(incident_type__family=f.family)
    if f.open_clocks:
        qs = qs.filter(Exists(_running().filter(incident=OuterRef("pk"))))
    if f.management_system:
        ms = resolvers.management_system(f.management_system, resolvers.TRUSTED if trusted else user)
        qs = qs.filter(management_system=ms)
    if f.q:
        q = f.q.strip()
        qs = qs.filter(Q(ref_id__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q))
    return qs.order_by("-reported_at", "-ref_id")


def incident_for(user: User | None, ref: Any, *, trusted: bool = False) -> Incident:
    """One incident the user may read, with its clocks, checklist, timeline and links."""
    qs = base_incidents().prefetch_related("steps__done_by", "timeline__by", "risks", "controls", "suppliers")
    if not trusted:
        qs = restrict(qs, user, Perm.VIEW)
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No incident {str(ref)[:60]!r}: give its id or reference (e.g. INC-004).")
    return found


@dataclass(frozen=True)
class ClockView:
    """One clock of an incident as pages and the API show it."""

    id: str
    slug: str
    name: str
    regime: str
    basis: str
    starts_at: dt.datetime
    due_at: dt.datetime
    met_at: dt.datetime | None
    met_note: str
    hours_left: int
    overdue: bool
    countdown: str


def clock_views(incident: Incident, at: dt.datetime | None = None) -> list[ClockView]:
    at = at or now()
    out = []
    for row in incident.clocks.all():
        c = clock_rules.countdown(row.due_at, row.met_at, at)
        out.append(
            ClockView(
                str(row.pk),
                row.clock.slug,
                row.clock.name,
                row.clock.get_regime_display(),
                row.basis,
                row.starts_at,
                row.due_at,
                row.met_at,
                row.met_note,
                c.hours_left,
                c.overdue,
                c.text,
            )
        )
    return out


def open_clocks(user: User | None, limit: int = 8) -> list[tuple[Incident, ClockView]]:
    """The running clocks of open incidents the user may read, soonest deadline first (dashboard)."""
    rows = (
        restrict(_running(), user, Perm.VIEW, "incident__management_system")
        .select_related("clock", "incident")
        .order_by("due_at")[:limit]
    )
    at = now()
    out = []
    for row in rows:
        c = clock_rules.countdown(row.due_at, None, at)
        view = ClockView(
            str(row.pk),
            row.clock.slug,
            row.clock.name,
            row.clock.get_regime_display(),
            row.basis,
            row.starts_at,
            row.due_at,
            None,
            "",
            c.hours_left,
            c.overdue,
            c.text,
        )
        out.append((row.incident, view))
    return out


def types() -> QuerySet[IncidentType]:
    return IncidentType.objects.prefetch_related("clocks", "steps").order_by("order", "name")


def clocks() -> QuerySet[RegulatoryClock]:
    return RegulatoryClock.objects.prefetch_related(
        Prefetch("variants", ClockVariant.objects.order_by("condition"))
    ).order_by("order", "name")
