"""What incidents registers at start-up (IncidentsConfig.ready): the drift incident a metric
breach opens (``aisystem.changed`` with ``what="drift"``), the move of incidents on a split or
merge of management systems, the reminders (clocks coming due, playbook steps of the current
stage not done), the consistency-check rule ``incident_clock_overdue``, and the person page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.organisation.resolvers import in_perimeter
from keel.platform import checks, hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.models import User
from keel.work import reminders

from . import followups
from .choices import OPEN_INCIDENT, RUNBOOK, IncidentFamily
from .models import Incident, IncidentClock, IncidentStep


def on_aisystem_changed(
    *, actor: Actor, system: AISystem, what: str, detail: str = "", **kwargs: Any
) -> None:
    if what == "drift":
        followups.open_drift_incident(actor, system, detail)


def restructured(
    *, actor: Actor, kind: str, source: Any, target: Any, standard: Any = None
) -> list[trail.Pending]:
    """A split moves the AI incidents (they serve ISO/IEC 42001) to the new system; a merge moves
    every incident of the source."""
    qs = Incident.objects.filter(management_system=source)
    if kind == "split":
        qs = qs.filter(incident_type__family=IncidentFamily.AI)
    out: list[trail.Pending] = []
    for incident in qs.order_by("ref_id"):
        out.append(
            trail.Pending(
                TrailAction.UPDATE,
                incident,
                changes={"management_system": [source.short_name, target.short_name]},
                management_system_ids=[source.pk, target.pk],
            )
        )
    qs.update(management_system=target)
    return out


def clocks_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    until = timezone.make_aware(dt.datetime.combine(today + horizon, dt.time.max))
    rows = (
        IncidentClock.objects.filter(
            met_at__isnull=True,
            due_at__lte=until,
            incident__status__in=OPEN_INCIDENT,
            incident__management_system__organisation=organisation,
        )
        .select_related("clock", "incident")
        .order_by("due_at")
    )
    return [
        reminders.Due(
            key=f"incident_clock:{r.incident.ref_id}:{r.clock.slug}",
            kind="Incident notification",
            title=f"{r.clock.name} for {r.incident.ref_id} {r.incident.title}",
            url=reverse("incident-detail", args=[r.incident.ref_id]),
            due=timezone.localdate(r.due_at),
            person_id=r.incident.handler_id,  # Due says int; people have UUIDs
            management_system_id=r.incident.management_system_id,
            detail=f"due {timezone.localtime(r.due_at):%Y-%m-%d %H:%M}",
        )
        for r in rows
    ]


def steps_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    """Playbook steps of the stages an open incident has reached, not ticked yet: due now."""
    incidents = (
        Incident.objects.filter(status__in=OPEN_INCIDENT, management_system__organisation=organisation)
        .prefetch_related(Prefetch("steps", IncidentStep.objects.filter(done_at__isnull=True)))
        .order_by("ref_id")
    )
    out = []
    for incident in incidents:
        reached = RUNBOOK.index(incident.status)
        for step in incident.steps.all():
            if RUNBOOK.index(step.stage) <= reached:
                out.append(
                    reminders.Due(
                        key=f"incident_step:{incident.ref_id}:{step.pk}",
                        kind="Incident playbook step",
                        title=f"{incident.ref_id}: {step.text[:120]}",
                        url=reverse("incident-detail", args=[incident.ref_id]),
                        due=timezone.localdate(incident.updated_at),
                        person_id=incident.handler_id,  # Due says int; people have UUIDs
                        management_system_id=incident.management_system_id,
                        detail=step.role,
                    )
                )
    return out


def clocks_overdue(systems: checks.Systems) -> list[checks.Finding]:
    now = timezone.now()
    rows = (
        IncidentClock.objects.filter(
            met_at__isnull=True,
            due_at__lt=now,
            **checks.in_systems(systems, "incident__management_system_id"),
        )
        .select_related("clock", "incident")
        .order_by("due_at")
    )
    return [
        checks.Finding(
            rule="incident_clock_overdue",
            title=f"{r.incident.ref_id}: the {r.clock.name} was due {timezone.localtime(r.due_at):%Y-%m-%d %H:%M} and is not recorded as made",
            detail="A regulatory notification past its deadline. Make it now, explaining the delay, and record it on "
            "the incident (when, to whom); if the clock does not apply, correct the incident's facts.",
            record_label=f"{r.incident.ref_id} {r.incident.title}",
            url=reverse("incident-detail", args=[r.incident.ref_id]),
            management_system_id=r.incident.management_system_id,
        )
        for r in rows
    ]


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    qs = in_perimeter(Incident.objects.filter(handler=person, status__in=OPEN_INCIDENT), viewer).order_by(
        "ref_id"
    )
    return [
        hooks.Owned("Incidents", i.ref_id, i.title, reverse("incident-detail", args=[i.ref_id]), "handler")
        for i in qs
    ]


def register() -> None:
    hooks.register("aisystem.changed", on_aisystem_changed)
    hooks.register("management_system.restructured", restructured)
    hooks.register("person.owned", owned)
    reminders.register("incident_clock", clocks_due)
    reminders.register("incident_step", steps_due)
    checks.register(
        checks.Rule(
            "incident_clock_overdue",
            "Regulatory notifications of incidents past their deadline",
            "incidents",
            clocks_overdue,
            order=95,
        )
    )


__all__ = ["register"]
