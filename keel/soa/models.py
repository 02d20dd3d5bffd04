"""The Statement of Applicability (SoA): one per management system and standard.

An SoA has one row for every Annex A control of its standard and one more row for each
additional control of the organisation's own that it chooses to declare. Approving the SoA
freezes a *version*: a JSON snapshot of every row, with its number, approver and date.

Slots other changes fill later (documented in docs/soa.md):

- ``SoARow.risks``: no longer used — the "risks treated" column is computed from the risk
  register (the risks treated by the row's controls, :func:`keel.risks.queries.risks_by_control`).
  The column stays until a later migration drops it.
- ``SoARow.ai_systems``: the AI systems (of the SoA's management system) a 42001 row applies
  to — real records of the inventory, shown and exported by name.
- Evidence: not stored on rows. :func:`keel.soa.queries.rows` computes it from the evidence
  register (evidence linked to the row's requirement plus the evidence of its implementing
  controls); an approved version freezes the evidence's reference and title only.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.standards.models import Requirement, Standard
from keel.support.models import LegalRequirement

from .choices import OVERRIDE_CHOICES


class StatementOfApplicability(models.Model):
    """The SoA of one management system for one standard (a management-system record)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="soas")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="soas")
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_soas"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["management_system__name", "standard__key"]
        constraints = [
            models.UniqueConstraint(fields=["management_system", "standard"], name="soa_unique_per_system")
        ]

    def __str__(self) -> str:
        return f"SoA {self.standard.key} — {self.management_system.name}"


class SoARow(models.Model):
    """One line of the SoA: an Annex A control (``requirement``) or an additional control of the
    organisation's own (``control``) — exactly one of the two."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    soa = models.ForeignKey(StatementOfApplicability, on_delete=models.CASCADE, related_name="rows")
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="soa_rows"
    )
    control = models.ForeignKey(
        Control,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="soa_rows",
        help_text="For an additional row: the organisation's own control it declares.",
    )
    sort_order = models.PositiveIntegerField(default=0)
    applicable = models.BooleanField(default=True)
    # reasons for inclusion
    risks = models.JSONField(
        default=list,
        blank=True,
        help_text="Risks the control treats (references; filled by the risk register).",
    )
    obligations = models.TextField(blank=True, help_text="Legal, regulatory or contractual obligations.")
    business_need = models.TextField(blank=True)
    # an exclusion
    justification = models.TextField(blank=True, help_text="Why the control is excluded.")
    accountable = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="accountable_soa_rows"
    )
    review_date = models.DateField(null=True, blank=True)
    # implementation
    combined_coverage = models.TextField(
        blank=True,
        help_text="Why the partial links together cover the whole control (counts as full coverage).",
    )
    status_override = models.CharField(max_length=20, choices=OVERRIDE_CHOICES, blank=True)
    override_reason = models.TextField(blank=True)
    target_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_soa_rows"
    )
    ai_systems = models.ManyToManyField(
        AISystem,
        blank=True,
        related_name="soa_rows",
        help_text="The AI systems of the SoA's management system this row applies to (42001).",
    )
    legal_requirements = models.ManyToManyField(
        LegalRequirement,
        blank=True,
        related_name="soa_rows",
        help_text="The legal, regulatory or contractual requirements that are a reason to include the row.",
    )
    machine_written = models.BooleanField(
        default=False,
        help_text="The row's reasons were written by the gap analysis and no person has reviewed "
        "them yet: the SoA cannot be approved until a person saves the row.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["soa", "sort_order"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(requirement__isnull=False) & models.Q(control__isnull=True))
                | (models.Q(requirement__isnull=True) & models.Q(control__isnull=False)),
                name="soa_row_requirement_xor_control",
            ),
            models.UniqueConstraint(fields=["soa", "requirement"], name="soa_row_unique_requirement"),
            models.UniqueConstraint(fields=["soa", "control"], name="soa_row_unique_control"),
        ]

    def __str__(self) -> str:
        if self.requirement is not None:
            return f"SoA row {self.requirement.ref_id}"
        return f"SoA row {self.control.ref_id if self.control is not None else '?'}"


class SoAVersion(models.Model):
    """An approved, frozen version of an SoA: every row as it stood, as JSON."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    soa = models.ForeignKey(StatementOfApplicability, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="approved_soa_versions")
    approved_at = models.DateTimeField()
    note = models.TextField(blank=True)
    rows = models.JSONField(default=list)

    class Meta:
        ordering = ["soa", "-number"]
        constraints = [models.UniqueConstraint(fields=["soa", "number"], name="soa_version_unique_number")]

    def __str__(self) -> str:
        return f"Version {self.number}"
