"""What a person decided about the coverage of a requirement, kept apart from what Keel infers.

The inferred status is never stored: it is computed from the controls, their links and the
crosswalks each time (:mod:`keel.gap.inference`). A :class:`CoverageDecision` is a person
confirming or correcting it, with a reason; re-running the inference never changes it, and the
effective status is the confirmed one when there is one. Changes are in the audit trail.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.standards.models import Requirement

from .choices import CoverageStatus


class CoverageDecision(models.Model):
    """A person's confirmed status of one requirement for one management system."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.CASCADE, related_name="coverage_decisions"
    )
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="coverage_decisions")
    confirmed_status = models.CharField(max_length=16, choices=CoverageStatus.choices)
    reason = models.TextField(help_text="Why the person confirms or corrects the inferred status.")
    inferred_status = models.CharField(
        max_length=16,
        choices=CoverageStatus.choices,
        blank=True,
        help_text="What Keel inferred when the decision was taken (for the record).",
    )
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["management_system", "requirement__standard", "requirement__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["management_system", "requirement"], name="coverage_decision_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_status__in=[s.value for s in CoverageStatus]),
                name="coverage_decision_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.ref_id if self.requirement_id else '?'}: {self.confirmed_status}"


class ScopeConfirmation(models.Model):
    """A person's confirmation that a control's scope includes the target's management system
    for one harmonised clause: "our internal audit programme (KC-012) audits the AIMS too".

    A control that serves a harmonised-structure clause of one standard (27001 9.2.2) reaches
    the same clause of another (42001 9.2.2) through an ``equal`` crosswalk relation; the text
    is the same, but a process run for the ISMS does not serve the AIMS until its scope is
    extended. The gap analysis counts such a chain as covered only with this record (otherwise
    partial, "extend to the AIMS"). Re-running the analysis keeps it; removing it (or the
    control) brings the chain back to partial. Changes are in the audit trail."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.CASCADE, related_name="scope_confirmations"
    )
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="scope_confirmations")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="scope_confirmations")
    note = models.TextField(
        help_text="What shows the scope includes the management system (a document, a plan)."
    )
    confirmed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["management_system", "requirement__sort_order", "control__ref_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["management_system", "control", "requirement"], name="scope_confirmation_unique"
            ),
        ]

    def __str__(self) -> str:
        ref = self.control.ref_id if self.control_id else "?"
        return f"{ref} serves {self.requirement.key if self.requirement_id else '?'}"
