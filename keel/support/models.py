"""Leadership, objectives and support records of the management systems (docs/support.md).

Each record belongs to one management system (the perimeter roles are granted over) and, where
it answers a clause, names the standards it serves: one role record, one objective, one
communication can serve ISO/IEC 27001 and ISO/IEC 42001 at once.

- :class:`MsRole` — a role in the management system (5.3; 42001 A.3.2), not a login role.
- :class:`Commitment` — a decision of top management showing leadership (5.1), dated.
- :class:`Objective` / :class:`ObjectiveReading` — objectives with one measure, target and
  readings over time (6.2, 9.1); an AI operating metric may feed the measure.
- :class:`Competence` / :class:`CompetenceRecord` — competences a role requires and what people
  hold, with expiry (7.2).
- :class:`AwarenessCampaign` / :class:`AwarenessCompletion` — awareness (7.3).
- :class:`Communication` — the communication plan (7.4).
- :class:`Concern` — a concern about an AI system (42001 A.3.3), reporter protected.
- :class:`LegalRequirement` — the register of legal, regulatory and contractual requirements
  (27001 A.5.31; 42001 4.1), with the controls and clauses each drives.
- :class:`SystemDocument` — a document that informs interested parties about an AI system
  (42001 A.8.2–A.8.5): documents sit below AI systems, so the link lives here.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.aisystems.models import AISystem, Metric, MetricReading
from keel.controls.models import Control
from keel.documents.models import Document
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.standards.models import Requirement, Standard

from .choices import (
    CommunicationMethod,
    CompetenceKind,
    ConcernStatus,
    Direction,
    LegalRequirementKind,
    LegalRequirementStatus,
    ObjectiveTheme,
    ReadingFrequency,
    ReadingSource,
    SystemDocumentPurpose,
)


class SupportRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class MsRole(SupportRecord):
    """A role in a management system with its responsibilities and authorities, and the person
    who holds it from when until when (an empty ``held_until``: still held)."""

    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="ms_roles")
    standards = models.ManyToManyField(Standard, related_name="ms_roles", blank=True)
    name = models.CharField(max_length=200)
    responsibilities = models.TextField()
    authorities = models.TextField(blank=True)
    holder = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="ms_roles")
    held_from = models.DateField(null=True, blank=True)
    held_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["management_system", "name"], name="msrole_name_unique"),
            models.CheckConstraint(
                condition=models.Q(held_until__isnull=True)
                | models.Q(held_from__isnull=True)
                | models.Q(held_until__gte=models.F("held_from")),
                name="msrole_held_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Commitment(SupportRecord):
    """A decision of top management that shows leadership and commitment (5.1), with its date."""

    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="commitments"
    )
    standards = models.ManyToManyField(Standard, related_name="commitments", blank=True)
    decision = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="commitments")
    minutes = models.CharField(max_length=300, blank=True, help_text="Where the decision is minuted.")

    class Meta:
        ordering = ["-decided_on", "decision"]

    def __str__(self) -> str:
        return self.decision


class Objective(SupportRecord):
    """An objective with one measure: what is measured, in which unit, the target and which way
    is better, who owns it and how often it is read. ``metric`` feeds it from an AI system's
    operating metric (its readings are copied in, linked to the metric reading)."""

    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. OB-004.")
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="objectives"
    )
    standards = models.ManyToManyField(Standard, related_name="objectives", blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    theme = models.CharField(max_length=8, choices=ObjectiveTheme.choices, blank=True, default="")
    measure = models.CharField(max_length=300, help_text="What is measured.")
    unit = models.CharField(max_length=40, blank=True)
    target = models.DecimalField(max_digits=20, decimal_places=6)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    frequency = models.CharField(
        max_length=12, choices=ReadingFrequency.choices, default=ReadingFrequency.MONTHLY
    )
    metric = models.ForeignKey(
        Metric, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives"
    )
    due_on = models.DateField(null=True, blank=True, help_text="When the target should be met.")

    class Meta:
        ordering = ["ref_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=[d.value for d in Direction]), name="objective_direction"
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__in=[f.value for f in ReadingFrequency]),
                name="objective_frequency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    def on_target(self, value: object) -> bool:
        """Whether ``value`` meets the target (equal meets it)."""
        if self.direction == Direction.HIGHER:
            return value >= self.target  # type: ignore[operator]
        return value <= self.target  # type: ignore[operator]


class ObjectiveReading(models.Model):
    """One reading of an objective's measure on a day. One reading per objective and day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="readings")
    on = models.DateField()
    value = models.DecimalField(max_digits=20, decimal_places=6)
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=8, choices=ReadingSource.choices, default=ReadingSource.MANUAL)
    metric_reading = models.ForeignKey(
        MetricReading, null=True, blank=True, on_delete=models.SET_NULL, related_name="objective_readings"
    )
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="objective_readings"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["objective", "on"]
        constraints = [models.UniqueConstraint(fields=["objective", "on"], name="objective_reading_unique")]

    def __str__(self) -> str:
        return f"{self.on.isoformat()} = {self.value.normalize()}"


class Competence(SupportRecord):
    """A competence a role of the management system requires (7.2)."""

    role = models.ForeignKey(MsRole, on_delete=models.CASCADE, related_name="competences")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    evidence_expected = models.CharField(
        max_length=300, blank=True, help_text="What shows someone has it (a certificate, a course…)."
    )

    class Meta:
        ordering = ["role__name", "name"]
        constraints = [models.UniqueConstraint(fields=["role", "name"], name="competence_name_unique")]

    def __str__(self) -> str:
        return self.name


class CompetenceRecord(SupportRecord):
    """A person's training, qualification or experience, with its evidence and, for those that
    lapse, the day it expires. ``competence`` is the requirement it meets, if any."""

    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="competence_records"
    )
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="competence_records")
    competence = models.ForeignKey(
        Competence, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    kind = models.CharField(max_length=16, choices=CompetenceKind.choices)
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    achieved_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    evidence = models.CharField(max_length=500, blank=True, help_text="A certificate number, a link, a file.")

    class Meta:
        ordering = ["person__full_name", "-achieved_on"]
        indexes = [models.Index(fields=["expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in CompetenceKind]), name="competence_record_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("achieved_on")),
                name="competence_record_expiry_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AwarenessCampaign(SupportRecord):
    """An awareness campaign (7.3): its message, audience, when it runs, and who completed it."""

    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="awareness_campaigns"
    )
    standards = models.ManyToManyField(Standard, related_name="awareness_campaigns", blank=True)
    title = models.CharField(max_length=200)
    message = models.TextField(help_text="What people should know and do afterwards.")
    audience = models.CharField(max_length=300)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="awareness_campaigns"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="awareness_campaign_dates",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AwarenessCompletion(models.Model):
    """One person's completion of a campaign. Once per person and campaign."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(AwarenessCampaign, on_delete=models.CASCADE, related_name="completions")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="awareness_completions")
    completed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="awareness_completion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.completed_on.isoformat()}"


class Communication(SupportRecord):
    """A line of the communication plan (7.4): what, when, with whom, who communicates, how."""

    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="communications"
    )
    standards = models.ManyToManyField(Standard, related_name="communications", blank=True)
    subject = models.CharField(max_length=200, help_text="What is communicated.")
    when = models.CharField(max_length=200, help_text="When or how often, e.g. 'after each release'.")
    audience = models.CharField(max_length=300, help_text="With whom.")
    communicator = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="communications"
    )
    method = models.CharField(max_length=12, choices=CommunicationMethod.choices)
    external = models.BooleanField(default=False, help_text="With parties outside the organisation.")

    class Meta:
        ordering = ["subject"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=[m.value for m in CommunicationMethod]),
                name="communication_method",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Concern(SupportRecord):
    """A concern about an AI system (42001 A.3.3). An anonymous concern stores no reporter at all;
    a named one stores the reporter, shown only to people with ``view_concern_reporters``."""

    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. CN-004.")
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="concerns")
    ai_system = models.ForeignKey(
        AISystem, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    summary = models.CharField(max_length=200)
    description = models.TextField()
    anonymous = models.BooleanField(default=False)
    reporter = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_concerns"
    )
    reported_on = models.DateField()
    status = models.CharField(max_length=16, choices=ConcernStatus.choices, default=ConcernStatus.RECEIVED)
    response = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    handler = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="handled_concerns"
    )

    class Meta:
        ordering = ["-reported_on", "-ref_id"]
        indexes = [models.Index(fields=["status", "reported_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ConcernStatus]), name="concern_status"
            ),
            models.CheckConstraint(
                condition=~models.Q(anonymous=True, reporter__isnull=False),
                name="concern_anonymous_no_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.summary}"


class LegalRequirement(SupportRecord):
    """One legal, regulatory or contractual requirement the organisation must meet (LR-nnn):
    where it comes from (an act and article, or a contract and clause), what it asks in our own
    words, who owns it, and the controls and standard clauses it drives. An SoA row's reason for
    inclusion can name it (``soa.SoARow.legal_requirements``)."""

    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. LR-004.")
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="legal_requirements"
    )
    standards = models.ManyToManyField(Standard, related_name="legal_requirements", blank=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=LegalRequirementKind.choices)
    jurisdiction = models.CharField(max_length=100, blank=True, help_text="e.g. EU, UK, Germany.")
    source = models.CharField(
        max_length=300, help_text="The act and article, or the contract and clause, it comes from."
    )
    summary = models.TextField(help_text="What it asks of the organisation, in our own words.")
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="legal_requirements"
    )
    controls = models.ManyToManyField(Control, related_name="legal_requirements", blank=True)
    requirements = models.ManyToManyField(Requirement, related_name="legal_requirements", blank=True)
    review_on = models.DateField(null=True, blank=True, help_text="When it is next reviewed.")
    status = models.CharField(
        max_length=16, choices=LegalRequirementStatus.choices, default=LegalRequirementStatus.APPLICABLE
    )

    class Meta:
        ordering = ["ref_id"]
        indexes = [models.Index(fields=["review_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in LegalRequirementKind]),
                name="legal_requirement_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in LegalRequirementStatus]),
                name="legal_requirement_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"


class SystemDocument(models.Model):
    """A document that gives interested parties information about an AI system (42001
    A.8.2–A.8.5): a user notice, a model card, instructions for use, an incident notice. One
    link per AI system and document."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="information_documents")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="ai_system_links")
    purpose = models.CharField(max_length=16, choices=SystemDocumentPurpose.choices)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ai_system", "document__ref_id"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "document"], name="system_document_unique"),
            models.CheckConstraint(
                condition=models.Q(purpose__in=[p.value for p in SystemDocumentPurpose]),
                name="system_document_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.ref_id} → {self.ai_system.short_name}"
