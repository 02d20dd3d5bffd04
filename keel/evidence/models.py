"""The evidence register: files and links that show a control operates or a requirement is met.

Evidence is a management-system record like a control (docs/adr/0004): it belongs to one or
more management systems (none: organisation level), and roles over a system apply to its
evidence. Each piece of evidence has numbered versions; a new version never changes an earlier
one and no file is ever overwritten. "Deleting" evidence withdraws it: its versions and files
stay, for the audit trail and for auditors (docs/evidence.md, docs/adr/0010).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.standards.models import Requirement

from .choices import EvidenceKind, EvidenceStatus
from .storage import evidence_storage


class Evidence(models.Model):
    """One piece of evidence (a file or a link), with its versions, linked to the controls and
    requirements it supports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="The reference, e.g. EV-007.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    status = models.CharField(max_length=12, choices=EvidenceStatus.choices, default=EvidenceStatus.CURRENT)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_evidence"
    )
    management_systems = models.ManyToManyField(ManagementSystem, related_name="evidence", blank=True)
    controls: models.ManyToManyField[Control, EvidenceControl] = models.ManyToManyField(
        Control, through="EvidenceControl", related_name="evidence"
    )
    requirements: models.ManyToManyField[Requirement, EvidenceRequirement] = models.ManyToManyField(
        Requirement, through="EvidenceRequirement", related_name="evidence"
    )
    # The highest-numbered version, kept by the services so lists filter and sort on its dates
    # in one query.
    current_version = models.ForeignKey(
        "EvidenceVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["status"]), models.Index(fields=["kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["file", "link"]), name="evidence_kind"),
            models.CheckConstraint(condition=Q(status__in=["current", "withdrawn"]), name="evidence_status"),
            models.CheckConstraint(
                condition=Q(status="current", withdrawn_at__isnull=True)
                | Q(status="withdrawn", withdrawn_at__isnull=False),
                name="evidence_withdrawn_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"


class EvidenceVersion(models.Model):
    """One version of a piece of evidence: a stored file (with its SHA-256 and size) or a link,
    when it was collected, by whom, and until when it is valid. Never changed once created."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=evidence_storage, max_length=255, blank=True)
    filename = models.CharField(max_length=255, blank=True, help_text="The file's name as uploaded.")
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    collected_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    collected_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="collected_evidence"
    )
    collected_by_name = models.CharField(
        max_length=200, blank=True, help_text="Who collected it, when they have no account."
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["evidence", "-number"]
        indexes = [models.Index(fields=["valid_until"])]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="evidence_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="evidence_version_number_positive"),
            models.CheckConstraint(
                condition=(~Q(file="") & Q(url="") & ~Q(sha256="") & Q(size__gt=0))
                | (Q(file="") & ~Q(url="") & Q(sha256="") & Q(size__isnull=True)),
                name="evidence_version_file_or_link",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("collected_on")),
                name="evidence_version_valid_after_collected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence.ref_id} v{self.number}"

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    @property
    def collector(self) -> str:
        if self.collected_by_id:
            assert self.collected_by is not None
            return self.collected_by.full_name or self.collected_by.email
        return self.collected_by_name


class EvidenceControl(models.Model):
    """Evidence supporting a control."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="control_links")
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="evidence_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence", "control__ref_id"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "control"], name="evidence_control_unique")
        ]

    def __str__(self) -> str:
        return f"{self.evidence.ref_id} → {self.control.ref_id}"


class EvidenceRequirement(models.Model):
    """Evidence linked directly to a requirement (a clause or Annex A control)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="requirement_links")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="evidence_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence", "requirement__standard", "requirement__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "requirement"], name="evidence_requirement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.evidence.ref_id} → {self.requirement.key}"
