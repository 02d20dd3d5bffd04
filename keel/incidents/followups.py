"""What follows from other records: the drift incident a metric breach opens (once per flag, not
per reading), and the nonconformity (keel.improvement) a post-incident review raises."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keel.aisystems.models import AISystem, MetricFlag
from keel.improvement.choices import NonconformityKind, NonconformitySource
from keel.improvement.services import raise_nonconformity
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm, check

from . import catalogue
from .choices import OPEN_INCIDENT, IncidentSeverity, TimelineKind
from .models import Incident
from .services import get, note_on_timeline, report_incident

# ---------------------------------------------------------------- drift from a metric flag

DRIFT_TYPE = "ai-drift"


def open_drift_incident(actor: Actor, system: AISystem, detail: str = "") -> Incident | None:
    """Answer to ``aisystem.changed`` with ``what="drift"`` (a metric breach opened a flag): open
    the drift incident of the open flag that has none — or, when the system already has an open
    drift incident, link the flag to it. One incident per flag, never one per reading."""
    flag = (
        MetricFlag.objects.select_for_update()
        .filter(ai_system=system, status="open", incident_ref="")
        .select_related("metric")
        .order_by("-opened_at")
        .first()
    )
    if flag is None:
        return None
    existing = (
        Incident.objects.filter(ai_systems=system, incident_type__slug=DRIFT_TYPE, status__in=OPEN_INCIDENT)
        .order_by("reported_at")
        .first()
    )
    # The monitoring reports it. A reading pushed by the machine's own operator (the CLI, trusted)
    # keeps that channel in the trail; any other caller's reading is reported by the system, so a
    # token that may push readings need not be allowed to report incidents.
    trusted_cli = actor.user is None and actor.channel == "cli"
    system_actor = Actor(
        user=None,
        label=f"metric monitoring ({actor.label})" if trusted_cli else "metric monitoring",
        channel="cli" if trusted_cli else "system",
    )
    if existing is None:
        catalogue.ensure_incident_catalogue(actor=system_actor)
        existing = report_incident(
            system_actor,
            management_system=system.management_system,
            incident_type=DRIFT_TYPE,
            title=f"{system.name}: {flag.metric.name} breached its threshold",
            description=(detail or "An operating metric breached its threshold.")[:4000]
            + f"\n\nFirst breach {flag.first_breach_at:%Y-%m-%d %H:%M}, worst value {flag.worst_value.normalize()} "
            f"against a threshold of {flag.threshold.normalize()}.",
            reported_by=None,
            reported_at=flag.first_breach_at if flag.first_breach_at <= timezone.now() else None,
            severity=IncidentSeverity.MEDIUM,
            ai_systems=[system.short_name],
            metric_flag=flag,
        )
    else:
        note_on_timeline(
            existing, system_actor, f"Another metric breached: {flag.metric.name}.", TimelineKind.DETECTION
        )
    MetricFlag.objects.filter(pk=flag.pk).update(incident_ref=existing.ref_id)
    trail.record(
        system_actor,
        TrailAction.UPDATE,
        flag,
        object_repr=f"{system.short_name}/{flag.metric.short_name} flag",
        management_system_id=system.management_system_id,
        changes={"incident_ref": ["", existing.ref_id]},
    )
    return existing


# ---------------------------------------------------------------- post-incident review → nonconformity


def raise_nonconformity_from_review(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    title: str = "",
    kind: str = NonconformityKind.MINOR,
    owner: Any = None,
) -> Incident:
    """Raise a nonconformity (keel.improvement) from the post-incident review, when the review
    found a requirement not met: its description is the review's root cause and lessons, its
    controls the incident's. One per incident; the incident keeps its reference."""
    with transaction.atomic():
        incident = get(ref, lock=True)
        check(actor, Perm.HANDLE_INCIDENTS, incident.management_system)
        if incident.reviewed_at is None:
            raise ValidationFailed(
                f"Record the post-incident review of {incident.ref_id} first: the nonconformity is raised from it.",
                {"review": ["Not recorded yet."]},
            )
        if incident.nonconformity_ref:
            raise Conflict(f"{incident.ref_id} already raised {incident.nonconformity_ref}.")
        nc = raise_nonconformity(
            actor,
            organisation=incident.management_system.organisation,
            title=(title or "").strip() or f"{incident.ref_id}: {incident.title}"[:200],
            description=f"Root cause: {incident.review_root_cause}\n\nLessons learned: {incident.review_lessons}"
            + (f"\n\nFollow-up actions: {incident.review_actions}" if incident.review_actions else ""),
            source=NonconformitySource.INCIDENT,
            source_ref=incident.ref_id,
            source_url=reverse("incident-detail", args=[incident.ref_id]),
            kind=kind,
            management_systems=[incident.management_system],
            controls=list(incident.controls.all()),
            owner=owner or incident.handler,
        )
        incident.nonconformity_ref = nc.ref_id
        incident.save(update_fields=["nonconformity_ref", "updated_at"])
        note_on_timeline(
            incident, actor, f"Nonconformity {nc.ref_id} raised from the review.", TimelineKind.ACTION
        )
        trail.record(actor, TrailAction.UPDATE, incident, changes={"nonconformity_ref": ["", nc.ref_id]})
    return incident
