"""The internal audit programme (ISO/IEC 27001 and ISO/IEC 42001 clause 9.2; docs/audits.md).

- :class:`AuditProgramme` — the programme of one organisation over a period (a year or a
  three-year certification cycle), covering both standards and every management system, with
  the criteria and rationale it was planned on.
- :class:`Audit` — one audit of the programme (``AUD-2026-01``): its scope (clauses, controls,
  processes, AI systems, management systems), dates, lead auditor and team, status.
- :class:`AuditItem` — one line of the audit's checklist, generated from the scope: a clause or
  a control, the questions to ask, the records to sample, the result, notes and evidence.
- :class:`AuditSample` — one sampled occurrence of a control's operation in a period, drawn
  reproducibly from a seed, with its result and evidence.
- :class:`Finding` — a finding of the audit (``F-1`` within the audit), graded; a major or
  minor nonconformity becomes a nonconformity in keel.improvement.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.evidence.models import Evidence
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform.models import User
from keel.standards.models import Requirement, Standard

from .choices import AuditFindingGrade, AuditItemResult, AuditSampleResult, AuditStatus


class AuditProgramme(models.Model):
    """The internal audit programme of an organisation over a period (``first_year`` to
    ``last_year``), covering the standards and management systems named, with the criteria and
    the rationale (risk, importance of the processes, results of previous audits) it rests on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. AP-001.")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="audit_programmes")
    title = models.CharField(max_length=200)
    first_year = models.PositiveIntegerField()
    last_year = models.PositiveIntegerField()
    standards = models.ManyToManyField(Standard, related_name="audit_programmes", blank=True)
    management_systems = models.ManyToManyField(ManagementSystem, related_name="audit_programmes", blank=True)
    criteria = models.TextField(blank=True, help_text="What audits check against.")
    rationale = models.TextField(
        blank=True, help_text="Why this frequency and focus: risk, importance, previous results."
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_programmes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-first_year", "ref_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")), name="audit_programme_years"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    @property
    def period(self) -> str:
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}–{self.last_year}"


class Audit(models.Model):
    """One internal audit: what it covers, when, by whom, and where it stands."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. AUD-2026-01.")
    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    requirements = models.ManyToManyField(Requirement, related_name="audits", blank=True)
    controls = models.ManyToManyField(Control, related_name="audits", blank=True)
    processes = models.TextField(blank=True, help_text="The processes audited, one a line.")
    ai_systems = models.ManyToManyField(AISystem, related_name="audits", blank=True)
    management_systems = models.ManyToManyField(ManagementSystem, related_name="audits", blank=True)
    planned_start = models.DateField()
    planned_end = models.DateField()
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    report_due = models.DateField(
        null=True, blank=True, help_text="When the report is due (empty: two weeks after the planned end)."
    )
    lead_auditor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="audits_led"
    )
    team = models.ManyToManyField(User, related_name="audit_teams", blank=True)
    status = models.CharField(max_length=12, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    conclusion = models.TextField(blank=True, help_text="The audit's overall conclusion (in the report).")
    reported_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["planned_start", "ref_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")), name="audit_planned_order"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in AuditStatus]), name="audit_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"


class AuditItem(models.Model):
    """One line of an audit's checklist: a clause (``requirement``) or a control of the scope —
    exactly one — with the questions to ask and the records to sample (``to_sample``: a list of
    ``{"kind", "ref", "title", "url"}`` found in Keel when the checklist was generated)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_items"
    )
    control = models.ForeignKey(
        Control, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_items"
    )
    questions = models.JSONField(default=list, blank=True)
    to_sample = models.JSONField(default=list, blank=True)
    result = models.CharField(
        max_length=12, choices=AuditItemResult.choices, default=AuditItemResult.NOT_AUDITED
    )
    notes = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, related_name="audit_items", blank=True)
    assessed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(null=True, blank=True)
    # the sample drawn for a control (draw_sample): the period and the seed, to draw it again
    sample_from = models.DateField(null=True, blank=True)
    sample_to = models.DateField(null=True, blank=True)
    sample_seed = models.BigIntegerField(null=True, blank=True)
    sample_population = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["audit", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(requirement__isnull=False) & models.Q(control__isnull=True))
                | (models.Q(requirement__isnull=True) & models.Q(control__isnull=False)),
                name="audit_item_requirement_xor_control",
            ),
            models.UniqueConstraint(fields=["audit", "requirement"], name="audit_item_unique_requirement"),
            models.UniqueConstraint(fields=["audit", "control"], name="audit_item_unique_control"),
        ]

    def __str__(self) -> str:
        return f"{self.audit.ref_id} · {self.subject_ref}"

    @property
    def subject_ref(self) -> str:
        if self.requirement is not None:
            return f"{self.requirement.standard.key.split(':', 1)[0]} {self.requirement.ref_id}"
        return self.control.ref_id if self.control is not None else "?"

    @property
    def subject_title(self) -> str:
        subject = self.requirement if self.requirement is not None else self.control
        return subject.title if subject is not None else ""


class AuditSample(models.Model):
    """One sampled occurrence of a control's operation (the day, week, month… from
    ``period_start`` to ``period_end``), its result and the evidence of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AuditItem, on_delete=models.CASCADE, related_name="samples")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(
        max_length=40, help_text="The occurrence: 2026-03-14, 2026-W11, 2026-03, 2026-Q1…"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    result = models.CharField(
        max_length=16, choices=AuditSampleResult.choices, default=AuditSampleResult.PENDING
    )
    note = models.TextField(blank=True)
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_samples"
    )
    tested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tested_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["item", "period_start"], name="audit_sample_unique_occurrence"),
        ]

    def __str__(self) -> str:
        return f"{self.item.audit.ref_id} {self.label}"


class Finding(models.Model):
    """A finding of an audit (``F-1``, ``F-2``… within it), graded, with the requirements and
    controls it concerns. A nonconformity grade is raised in the improvement queue; the finding
    keeps its reference (``nonconformity_ref``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField()
    grade = models.CharField(max_length=12, choices=AuditFindingGrade.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    item = models.ForeignKey(
        AuditItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    requirements = models.ManyToManyField(Requirement, related_name="audit_findings", blank=True)
    controls = models.ManyToManyField(Control, related_name="audit_findings", blank=True)
    raised_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField()
    nonconformity_ref = models.CharField(
        max_length=32, blank=True, help_text="The nonconformity raised from it (NC-nnn)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="finding_unique_number"),
            models.CheckConstraint(
                condition=models.Q(grade__in=[g.value for g in AuditFindingGrade]), name="finding_grade_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audit.ref_id} {self.ref}"

    @property
    def ref(self) -> str:
        return f"F-{self.number}"
