"""Nonconformities and corrective actions, one queue for both standards (ISO/IEC 27001 and
ISO/IEC 42001 clause 10.2, word for word the same; docs/improvement.md).

- :class:`Nonconformity` (NC-nnn) — what did not conform, where it was found (an audit finding,
  a certification body's finding, an incident, a management review, a complaint, monitoring,
  a consistency check), the requirements and controls affected, the correction, the root cause
  and a link to an earlier nonconformity it repeats.
- :class:`CorrectiveAction` (CA-nnn) — an action that removes the cause, with its owner, due
  date and the evidence it was done.
- :class:`EffectivenessCheck` — who checked, when, on what evidence, whether the actions worked.
  A nonconformity closes only after its actions are done and an effective check follows them.

Records of several management systems share one queue; none means organisation level.
``revision`` is bumped by every service write (the row version of edit forms and PATCH hashes
it, so a change of links counts as a change too).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from keel.controls.models import Control
from keel.evidence.models import Evidence
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform.models import User
from keel.standards.models import Requirement

from .choices import (
    CorrectiveActionStatus,
    NonconformityKind,
    NonconformitySource,
    NonconformityStatus,
    RootCauseMethod,
)


class Nonconformity(models.Model):
    """One nonconformity (NC-nnn) and its handling up to closure."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="nonconformities")
    ref_id = models.CharField(max_length=32, help_text="The reference, e.g. NC-004.")
    management_systems = models.ManyToManyField(ManagementSystem, related_name="nonconformities", blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="What did not conform, and where it was seen.")
    kind = models.CharField(max_length=12, choices=NonconformityKind.choices, default=NonconformityKind.MINOR)
    source = models.CharField(max_length=20, choices=NonconformitySource.choices)
    source_ref = models.CharField(
        max_length=120, blank=True, help_text="The source's own reference, e.g. AUD-2026-01 F-3."
    )
    source_url = models.CharField(max_length=500, blank=True, help_text="A link to the source record.")
    requirements = models.ManyToManyField(Requirement, related_name="nonconformities", blank=True)
    controls = models.ManyToManyField(Control, related_name="nonconformities", blank=True)
    raised_on = models.DateField()
    raised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="raised_nonconformities"
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_nonconformities"
    )
    status = models.CharField(
        max_length=16, choices=NonconformityStatus.choices, default=NonconformityStatus.OPEN
    )
    correction = models.TextField(blank=True, help_text="What was done at once to contain it.")
    corrected_on = models.DateField(null=True, blank=True)
    root_cause_method = models.CharField(max_length=12, choices=RootCauseMethod.choices, blank=True)
    root_cause_whys = models.JSONField(default=list, blank=True, help_text="The whys, in order.")
    root_cause = models.TextField(blank=True, help_text="The conclusion: the cause to remove.")
    root_cause_on = models.DateField(null=True, blank=True)
    recurrence_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recurrences"
    )
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-raised_on", "-ref_id"]
        verbose_name_plural = "nonconformities"
        indexes = [models.Index(fields=["status", "raised_on"]), models.Index(fields=["source"])]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "ref_id"], name="nonconformity_ref_unique"),
            models.CheckConstraint(condition=Q(kind__in=NonconformityKind.values), name="nonconformity_kind"),
            models.CheckConstraint(
                condition=Q(source__in=NonconformitySource.values), name="nonconformity_source"
            ),
            models.CheckConstraint(
                condition=Q(status__in=NonconformityStatus.values), name="nonconformity_status"
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="nonconformity_closed_on",
            ),
            models.CheckConstraint(condition=~Q(recurrence_of=models.F("id")), name="nonconformity_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"


class CorrectiveAction(models.Model):
    """One corrective action (CA-nnn) of a nonconformity: who does what by when, and the proof."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="The reference, e.g. CA-004.")
    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="corrective_actions")
    due_on = models.DateField()
    status = models.CharField(
        max_length=8, choices=CorrectiveActionStatus.choices, default=CorrectiveActionStatus.OPEN
    )
    done_on = models.DateField(null=True, blank=True)
    done_note = models.TextField(blank=True, help_text="What was done.")
    done_evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrective_actions"
    )
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CorrectiveActionStatus.values), name="corrective_action_status"
            ),
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False)
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="corrective_action_done_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.description[:80]}"


class EffectivenessCheck(models.Model):
    """A check that a nonconformity's corrective actions worked: who, when, the evidence,
    effective or not. The latest check after the last action was done decides closure."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.PROTECT, related_name="effectiveness_checks"
    )
    checked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="effectiveness_checks")
    checked_on = models.DateField()
    effective = models.BooleanField()
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="effectiveness_checks"
    )
    evidence_note = models.CharField(max_length=500, blank=True, help_text="What was looked at.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nonconformity", "checked_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.checked_on.isoformat()} {'effective' if self.effective else 'not effective'}"
