"""The supplier register, its due-diligence questionnaires and the assessments suppliers answer
(docs/suppliers.md; ISO/IEC 27001 A.5.19–A.5.23, ISO/IEC 42001 A.10.2, A.10.3).

- :class:`Supplier` — a supplier of one management system, its onboarding status, owner and
  periodic review; :class:`SupplierContact` (people at the supplier, not users),
  :class:`SupplierContract` (with renewal and notice), :class:`SupplierReview` (periodic reviews).
- :class:`Questionnaire` / :class:`Question` — organisation-level questionnaires, versioned: a
  published version is frozen, editing it makes the next version.
- :class:`SupplierAssessment` / :class:`SupplierAnswer` — one questionnaire version sent to a
  supplier through a signed, expiring link; the answers, their score, and the review.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.documents.models import Document
from keel.evidence.models import Evidence
from keel.evidence.storage import evidence_storage
from keel.organisation.models import ManagementSystem
from keel.platform.models import User

from .choices import (
    AssessmentDecision,
    QuestionnaireKind,
    QuestionType,
    SupplierAssessmentStatus,
    SupplierCriticality,
    SupplierKind,
    SupplierReviewOutcome,
    SupplierStatus,
)


class Supplier(models.Model):
    """A supplier: what it provides, how critical it is, where it is in onboarding, who owns the
    relationship and when it is next reviewed. The requester asks for it; the decision is made
    by someone else (``decided_by``), with its reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. SUP-001.")
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="suppliers"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SupplierKind.choices)
    criticality = models.CharField(
        max_length=10, choices=SupplierCriticality.choices, default=SupplierCriticality.MEDIUM
    )
    services = models.TextField(blank=True, help_text="What the supplier provides to us.")
    website = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=SupplierStatus.choices, default=SupplierStatus.REQUESTED)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_suppliers"
    )
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="requested_suppliers"
    )
    requested_on = models.DateField()
    request_reason = models.TextField(blank=True, help_text="Why the supplier is needed.")
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="supplier_decisions"
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    review_months = models.PositiveSmallIntegerField(default=12, help_text="Months between periodic reviews.")
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=SupplierKind.values), name="supplier_kind"),
            models.CheckConstraint(
                condition=models.Q(criticality__in=SupplierCriticality.values), name="supplier_criticality"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SupplierStatus.values), name="supplier_status"
            ),
            models.CheckConstraint(
                condition=models.Q(review_months__gte=1) & models.Q(review_months__lte=60),
                name="supplier_review_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.name}"


class SupplierContact(models.Model):
    """A person at the supplier (not a user of Keel): name, email and role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    role = models.CharField(max_length=200, blank=True, help_text="e.g. account manager, security contact.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SupplierContract(models.Model):
    """A contract with a supplier: its term, renewal date and notice period, and where the signed
    copy is kept (a document or evidence of Keel)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    renewal_on = models.DateField(null=True, blank=True, help_text="When it renews unless notice is given.")
    notice_days = models.PositiveIntegerField(null=True, blank=True, help_text="Notice period, in days.")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="supplier_contracts"
    )
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="supplier_contracts"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="suppliercontract_dates",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SupplierReview(models.Model):
    """One periodic review of a supplier under contract: who, when, what was decided."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="supplier_reviews")
    outcome = models.CharField(max_length=12, choices=SupplierReviewOutcome.choices)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.supplier.ref_id} review {self.reviewed_on.isoformat()}"


class Questionnaire(models.Model):
    """One version of a questionnaire (organisation-level). ``key`` names the questionnaire across
    its versions; a published version (``published_at`` set) is never edited again: editing it
    drafts version ``n + 1`` with the same questions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(max_length=60, help_text="Names the questionnaire across its versions.")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=QuestionnaireKind.choices)
    description = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="questionnaire_key_version"),
            models.CheckConstraint(
                condition=models.Q(kind__in=QuestionnaireKind.values), name="questionnaire_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def published(self) -> bool:
        return self.published_at is not None


class Question(models.Model):
    """A question of one questionnaire version. ``options`` is a list of ``{"label", "score"}``
    for yes/no, single and multiple choice; ``weight`` is its share of the score. ``reference``
    names the control or clause the question is about (e.g. ``A.5.19``), for the reviewer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    text = models.CharField(max_length=500)
    help = models.TextField(blank=True)
    answer_type = models.CharField(max_length=10, choices=QuestionType.choices)
    required = models.BooleanField(default=True)
    options = models.JSONField(default=list, blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    reference = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_position"),
            models.CheckConstraint(
                condition=models.Q(answer_type__in=QuestionType.values), name="question_type"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class SupplierAssessment(models.Model):
    """One questionnaire version sent to a supplier. The supplier answers through a signed link
    that expires at ``expires_at`` (no account): drafts are saved, the answers submitted once.
    ``score`` (0–100) is computed at submission; a reviewer (not the sender) records the decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. SA-001.")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="assessments")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        max_length=10, choices=SupplierAssessmentStatus.choices, default=SupplierAssessmentStatus.SENT
    )
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_email = models.EmailField(max_length=254, blank=True)
    sent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by_name = models.CharField(
        max_length=200, blank=True, help_text="Who answered, as they gave it."
    )
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    reviewer = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=16, choices=AssessmentDecision.choices, blank=True)
    review_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SupplierAssessmentStatus.values), name="assessment_status"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("sent_at")), name="assessment_expires_after_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.questionnaire.name}"


class SupplierAnswer(models.Model):
    """A supplier's answer to one question of the assessment's questionnaire version. ``value``
    holds the answer (true/false, an option label, a list of labels, text, a number or an ISO
    date as text); a file answer is stored like evidence (hashed, in the evidence storage)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(SupplierAssessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    file = models.FileField(storage=evidence_storage, max_length=255, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="supplieranswer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment.ref_id}: {self.question.text[:40]}"
