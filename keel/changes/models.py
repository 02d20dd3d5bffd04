"""Models of keel.changes: one :class:`Change` record per change, of three families —
information-system changes (ISO/IEC 27001 A.8.32), model lifecycle changes of an AI system
(retraining, fine-tuning … retirement; ISO/IEC 42001 A.6.2) and changes to the management
system itself (clause 6.3 of both standards). What must hold before a change is approved (its
gates) is in :mod:`keel.changes.gates`."""

from __future__ import annotations

import uuid

from django.db import models

from keel.aisystems.models import AISystem, ModelVersion
from keel.evidence.models import Evidence
from keel.impact.models import ImpactAssessment
from keel.organisation.models import ManagementSystem
from keel.platform.models import User

from .choices import ChangeFamily, ChangeStatus, ChangeType


class Change(models.Model):
    """A change, from its request to its post-implementation review. It belongs to one
    management system (the perimeter roles are granted over; for a model lifecycle change, that
    of its AI system). The requester and owner are people of the directory (no login needed);
    the approver is a user holding ``approve_changes`` who is not the requester."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="The reference, e.g. CHG-004.")
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="changes")
    family = models.CharField(max_length=20, choices=ChangeFamily.choices)
    kind = models.CharField(max_length=20, choices=ChangeType.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    requester = models.ForeignKey(User, on_delete=models.PROTECT, related_name="requested_changes")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_changes")
    planned_on = models.DateField(null=True, blank=True, help_text="When the change is planned to happen.")
    status = models.CharField(max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT)
    risk_notes = models.TextField(blank=True, help_text="The risks of the change and its expected impact.")
    # information systems
    test_plan = models.TextField(blank=True, help_text="How the change is tested before it goes live.")
    rollback_plan = models.TextField(blank=True, help_text="How the change is undone if it fails.")
    # model lifecycle
    ai_system = models.ForeignKey(
        AISystem, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    model_version = models.ForeignKey(
        ModelVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        help_text="The model version the change releases.",
    )
    impact_assessment = models.ForeignKey(
        ImpactAssessment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        help_text="The impact assessment (version) reviewed for this change.",
    )
    evidence = models.ManyToManyField(
        Evidence, related_name="changes", blank=True, help_text="Verification and validation evidence."
    )
    # the management system itself (clause 6.3 a-d)
    purpose = models.TextField(blank=True, help_text="Why the change is made and what it should achieve.")
    consequences = models.TextField(blank=True, help_text="What could follow from it, intended or not.")
    resources = models.TextField(blank=True, help_text="The people, money and time it needs.")
    responsibilities = models.TextField(blank=True, help_text="Who does what, and who answers for it.")
    management_systems = models.ManyToManyField(
        ManagementSystem, related_name="changes_touching", blank=True, help_text="The systems it changes."
    )
    # workflow
    submitted_at = models.DateTimeField(null=True, blank=True)
    approver = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="decided_changes"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="The approver's reason.")
    implemented_at = models.DateTimeField(null=True, blank=True)
    implementation_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="The post-implementation review.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-ref_id"]
        indexes = [models.Index(fields=["status", "planned_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ChangeStatus]), name="change_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(family="model_lifecycle") | models.Q(ai_system__isnull=True),
                name="change_ai_system_only_on_model_lifecycle",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "implemented", "closed"])
                | models.Q(approved_at__isnull=False),
                name="change_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"
