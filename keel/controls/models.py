"""The unified control catalogue: the organisation's own controls, each linked to every
requirement it serves in any loaded standard, and the starter library of control templates.

Controls are management-system records (see docs/adr/0004): a control is linked to one or
more management systems, and roles over a management system apply to its controls.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.standards.models import Requirement, VocabularyTerm

from .choices import ControlType, Coverage, Effectiveness, Frequency, ImplementationStatus


class ControlTemplate(models.Model):
    """A starter control from Keel's template library (data files, loaded by ``keel init``)."""

    key = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField()
    ai_extension = models.TextField(
        blank=True, help_text="What the ISO 42001 side adds, for shared templates."
    )
    type = models.CharField(max_length=16, choices=ControlType.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    owner_role = models.CharField(max_length=200)
    example_evidence = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=120, help_text="Data file the template was loaded from.")
    sort_order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    requirements: models.ManyToManyField[Requirement, TemplateRequirement] = models.ManyToManyField(
        Requirement, through="TemplateRequirement", related_name="templates"
    )

    class Meta:
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.title


class TemplateRequirement(models.Model):
    """A requirement a template serves, with the coverage it gives and a note of what it covers."""

    template = models.ForeignKey(ControlTemplate, on_delete=models.CASCADE, related_name="links")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="template_links")
    coverage = models.CharField(max_length=8, choices=Coverage.choices)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "requirement"], name="template_requirement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template.key} → {self.requirement.key} ({self.coverage})"


class Tag(models.Model):
    """A free tag on controls (``cloud``, ``ml-platform``…)."""

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Control(models.Model):
    """One of the organisation's own controls, entered once and linked to every requirement it
    serves in every standard."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(
        max_length=32, unique=True, help_text="The organisation's reference, e.g. KC-012."
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_controls"
    )
    type = models.CharField(max_length=16, choices=ControlType.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    frequency_note = models.CharField(
        max_length=120,
        blank=True,
        help_text="The frequency as the organisation wrote it when Keel has no exact value "
        "(e.g. 'Per hire' for an event-driven control).",
    )
    status = models.CharField(
        max_length=16, choices=ImplementationStatus.choices, default=ImplementationStatus.PLANNED
    )
    effectiveness = models.CharField(
        max_length=20, choices=Effectiveness.choices, default=Effectiveness.NOT_ASSESSED
    )
    management_systems = models.ManyToManyField(ManagementSystem, related_name="controls", blank=True)
    tags = models.ManyToManyField(Tag, related_name="controls", blank=True)
    attributes = models.ManyToManyField(
        VocabularyTerm, related_name="controls", blank=True, help_text="ISO/IEC 27002 attribute values."
    )
    template = models.ForeignKey(
        ControlTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="adopted_controls"
    )
    requirements: models.ManyToManyField[Requirement, ControlLink] = models.ManyToManyField(
        Requirement, through="ControlLink", related_name="controls"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["type"])]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"


class ControlLink(models.Model):
    """A control serving a requirement, fully or partly, with a note of what it covers there."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="links")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="control_links")
    coverage = models.CharField(max_length=8, choices=Coverage.choices, default=Coverage.FULL)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["control", "requirement__standard", "requirement__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["control", "requirement"], name="control_link_unique"),
            models.CheckConstraint(
                condition=models.Q(coverage__in=["full", "partial"]), name="control_link_coverage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control.ref_id} → {self.requirement.key} ({self.coverage})"
