"""Models of keel.certification: the certification cycle with the certification body's audits and
findings, the auditor's requests answered from Keel's records, and the answered questions of the
integration self-assessment (docs/certification.md)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from keel.organisation.models import ManagementSystem, Organisation
from keel.platform.models import User
from keel.standards.models import Standard

from .choices import (
    AuditorRequestLinkKind,
    AuditorRequestStatus,
    CbFindingGrade,
    CertificationAuditKind,
    CertificationAuditStatus,
    CertificationOutcome,
    IntegrationAnswerValue,
)
from .questions import QUESTIONS


class CertificationCycle(models.Model):
    """A three-year certification cycle with one certification body for one or more standards
    (CERT-nnn): the certificate once issued, and its audits."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="certification_cycles"
    )
    title = models.CharField(max_length=200)
    standards = models.ManyToManyField(Standard, related_name="certification_cycles")
    management_systems = models.ManyToManyField(
        ManagementSystem, related_name="certification_cycles", blank=True
    )
    certification_body = models.CharField(max_length=200)
    certificate_number = models.CharField(max_length=100, blank=True)
    decision_on = models.DateField(
        null=True, blank=True, help_text="The certification decision (after stage 2)."
    )
    expires_on = models.DateField(null=True, blank=True, help_text="When the certificate expires.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(decision_on__isnull=True)
                | Q(expires_on__gt=models.F("decision_on")),
                name="certification_cycle_expiry_after_decision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"


class CertificationAudit(models.Model):
    """One audit of the cycle by the certification body (CBA-nnn): its kind, planned and actual
    dates, the auditors (names: they are not people of the organisation), the outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True)
    cycle = models.ForeignKey(CertificationCycle, on_delete=models.CASCADE, related_name="audits")
    kind = models.CharField(max_length=16, choices=CertificationAuditKind.choices)
    status = models.CharField(
        max_length=12, choices=CertificationAuditStatus.choices, default=CertificationAuditStatus.PLANNED
    )
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    auditors = models.JSONField(default=list, blank=True, help_text="The auditors' names, lead first.")
    audit_days = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=CertificationOutcome.choices, blank=True, default="")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle__ref_id", "planned_start", "ref_id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="certification_audit_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=CertificationAuditKind.values), name="certification_audit_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CertificationAuditStatus.values), name="certification_audit_status"
            ),
            models.CheckConstraint(
                condition=Q(status="done", actual_end__isnull=False) | ~Q(status="done"),
                name="certification_audit_done_has_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.get_kind_display()}"


class CbFinding(models.Model):
    """A finding of the certification body at one of its audits. Major and minor
    nonconformities enter the nonconformity queue (``nonconformity_ref``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audit = models.ForeignKey(CertificationAudit, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField()
    grade = models.CharField(max_length=12, choices=CbFindingGrade.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    requirement_keys = models.JSONField(default=list, blank=True)
    raised_on = models.DateField()
    nonconformity_ref = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="cb_finding_number_unique"),
            models.CheckConstraint(condition=Q(grade__in=CbFindingGrade.values), name="cb_finding_grade"),
        ]

    def __str__(self) -> str:
        return f"F-{self.number} {self.title}"

    @property
    def ref(self) -> str:
        return f"{self.audit.ref_id} F-{self.number}"


class AuditorRequest(models.Model):
    """A request of the certification body's auditor (AR-nnn: "show the access review records
    for Q3"), answered by links to Keel's records."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True)
    cycle = models.ForeignKey(CertificationCycle, on_delete=models.CASCADE, related_name="requests")
    audit = models.ForeignKey(
        CertificationAudit, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    text = models.TextField(help_text="What the auditor asked for.")
    requested_by = models.CharField(max_length=200, blank=True, help_text="The auditor's name.")
    requested_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=AuditorRequestStatus.choices, default=AuditorRequestStatus.OPEN
    )
    answer = models.TextField(blank=True, help_text="What was shown, in a sentence.")
    answered_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AuditorRequestStatus.values), name="auditor_request_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.text[:60]}"


class AuditorRequestLink(models.Model):
    """One record that answers an auditor's request: its kind, reference, title and page."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(AuditorRequest, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=AuditorRequestLinkKind.choices)
    ref = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "ref"], name="auditor_request_link_once"),
            models.CheckConstraint(
                condition=Q(kind__in=AuditorRequestLinkKind.values), name="auditor_request_link_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ref}"


class IntegrationAnswer(models.Model):
    """The organisation's answer to one question of the integration self-assessment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="integration_answers"
    )
    question = models.CharField(max_length=40)
    answer = models.CharField(max_length=8, choices=IntegrationAnswerValue.choices)
    note = models.TextField(blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "question"], name="integration_answer_once"),
            models.CheckConstraint(
                condition=Q(answer__in=IntegrationAnswerValue.values), name="integration_answer_value"
            ),
        ]

    def __str__(self) -> str:
        q = QUESTIONS.get(self.question)
        return f"{q.text if q else 'A question'} — {self.get_answer_display()}"
