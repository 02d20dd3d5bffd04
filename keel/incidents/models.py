"""Incidents: one runbook for every incident, incident types with their playbooks, and the
regulatory clocks that run from awareness (docs/incidents.md).

The catalogue (:class:`IncidentType`, :class:`PlaybookStep`, :class:`RegulatoryClock`,
:class:`ClockVariant`) belongs to the organisation, is seeded from ``keel/incidents/data/`` and
can be extended. An :class:`Incident` belongs to one management system; its
:class:`IncidentClock` rows are computed from its type's clocks and its flags (which facts apply)
and keep when the notification was made; :class:`IncidentStep` is its playbook checklist,
:class:`TimelineEntry` its timeline.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from keel.aisystems.models import AISystem, MetricFlag
from keel.controls.models import Control
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform.models import User
from keel.risks.models import Risk
from keel.suppliers.models import Supplier

from .choices import (
    ClockRegime,
    ClockStart,
    DurationUnit,
    IncidentFamily,
    IncidentFlag,
    IncidentSeverity,
    IncidentStatus,
    TimelineKind,
)

FLAG_CHOICES = [("", "Always"), *IncidentFlag.choices]


class RegulatoryClock(models.Model):
    """A notification deadline a regime sets: from which moment it runs, for how long, and on which
    fact of the incident it applies (``applies_when``, a flag; empty: whenever the type has it).
    Shorter periods for particular facts are its :class:`ClockVariant` rows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incident_clocks")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    regime = models.CharField(max_length=12, choices=ClockRegime.choices)
    description = models.TextField(blank=True)
    applies_when = models.CharField(max_length=32, choices=FLAG_CHOICES, blank=True, default="")
    starts_from = models.CharField(max_length=12, choices=ClockStart.choices, default=ClockStart.AWARENESS)
    duration = models.PositiveIntegerField()
    unit = models.CharField(max_length=8, choices=DurationUnit.choices)
    order = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="incident_clock_slug_unique"),
            models.CheckConstraint(condition=Q(duration__gt=0), name="incident_clock_duration"),
        ]

    def __str__(self) -> str:
        return self.name


class ClockVariant(models.Model):
    """A shorter (or longer) period of a clock when a fact of the incident holds: the AI Act's
    2 days for a widespread infringement, 10 days after a death. When several hold, the shortest
    period applies."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clock = models.ForeignKey(RegulatoryClock, on_delete=models.CASCADE, related_name="variants")
    condition = models.CharField(max_length=32, choices=IncidentFlag.choices)
    duration = models.PositiveIntegerField()
    unit = models.CharField(max_length=8, choices=DurationUnit.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["clock", "condition"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "condition"], name="clock_variant_unique"),
            models.CheckConstraint(condition=Q(duration__gt=0), name="clock_variant_duration"),
        ]

    def __str__(self) -> str:
        return f"{self.clock.name}: {self.duration} {self.unit} ({self.condition})"


class IncidentType(models.Model):
    """A kind of incident, its family (information security or AI), the clocks that may apply to
    it and its playbook (the steps, in order)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incident_types")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    family = models.CharField(max_length=12, choices=IncidentFamily.choices)
    description = models.TextField(blank=True)
    clocks = models.ManyToManyField(RegulatoryClock, related_name="incident_types", blank=True)
    order = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="incident_type_slug_unique"),
            models.CheckConstraint(
                condition=Q(family__in=IncidentFamily.values), name="incident_type_family"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaybookStep(models.Model):
    """One step of a type's playbook: at which stage of the runbook, in which order, what to do and
    which role does it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident_type = models.ForeignKey(IncidentType, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.TRIAGE)
    order = models.PositiveIntegerField()
    text = models.TextField()
    role = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["incident_type", "order"]
        constraints = [models.UniqueConstraint(fields=["incident_type", "order"], name="playbook_step_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:60]}"


class Incident(models.Model):
    """One incident (INC-nnn) of a management system, on the one runbook. Its flags say which
    regulatory clocks apply; its clocks, checklist and timeline hang off it. The post-incident
    review is recorded on it (what happened, root cause, lessons, follow-up)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. INC-004.")
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="incidents"
    )
    incident_type = models.ForeignKey(IncidentType, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="reported_incidents"
    )
    reported_at = models.DateTimeField()
    aware_at = models.DateTimeField(help_text="When the organisation became aware: the clocks run from here.")
    severity = models.CharField(
        max_length=8, choices=IncidentSeverity.choices, default=IncidentSeverity.MEDIUM
    )
    status = models.CharField(max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.REPORT)
    handler = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="handled_incidents"
    )
    serious_ai_incident = models.BooleanField(default=False)
    widespread_or_critical = models.BooleanField(default=False)
    death = models.BooleanField(default=False)
    personal_data_breach = models.BooleanField(default=False)
    nis2_significant = models.BooleanField(default=False)
    ai_systems = models.ManyToManyField(AISystem, related_name="incidents", blank=True)
    risks = models.ManyToManyField(Risk, related_name="incidents", blank=True)
    controls = models.ManyToManyField(Control, related_name="incidents", blank=True)
    suppliers = models.ManyToManyField(Supplier, related_name="incidents", blank=True)
    metric_flag = models.ForeignKey(
        MetricFlag, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # the post-incident review
    review_what_happened = models.TextField(blank=True)
    review_root_cause = models.TextField(blank=True)
    review_lessons = models.TextField(blank=True)
    review_actions = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    nonconformity_ref = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at", "-ref_id"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=IncidentStatus.values), name="incident_status"),
            models.CheckConstraint(
                condition=Q(severity__in=IncidentSeverity.values), name="incident_severity"
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="incident_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    def flags(self) -> set[str]:
        return {f.value for f in IncidentFlag if getattr(self, f.value)}


class IncidentClock(models.Model):
    """One regulatory clock running on an incident: its deadline (computed from the clock, the
    variant that applies and the incident's start moment) and when the notification was made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="clocks")
    clock = models.ForeignKey(RegulatoryClock, on_delete=models.PROTECT, related_name="instances")
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    basis = models.CharField(max_length=300, help_text="The period and why: '10 days (a person died)'.")
    met_at = models.DateTimeField(null=True, blank=True, help_text="When the notification was made.")
    met_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    met_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["due_at"])]
        constraints = [models.UniqueConstraint(fields=["incident", "clock"], name="incident_clock_unique")]

    def __str__(self) -> str:
        return f"{self.clock.name} due {self.due_at.isoformat()}"


class IncidentStep(models.Model):
    """A step of the playbook checklist of one incident (copied from the type when it is
    reported), ticked with who and when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(PlaybookStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    stage = models.CharField(max_length=12, choices=IncidentStatus.choices)
    order = models.PositiveIntegerField()
    text = models.TextField()
    role = models.CharField(max_length=120, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["incident", "order"]

    def __str__(self) -> str:
        return self.text[:60]


class TimelineEntry(models.Model):
    """One entry of an incident's timeline: when, who, what."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=TimelineKind.choices, default=TimelineKind.NOTE)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "created_at"]

    def __str__(self) -> str:
        return f"{self.at.isoformat()} {self.text[:60]}"
