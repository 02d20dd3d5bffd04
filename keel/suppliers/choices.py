"""Enums of the supplier register, its questionnaires and assessments (ISO/IEC 27001 A.5.19–A.5.23,
ISO/IEC 42001 A.10.2, A.10.3). Class names carry the domain: they become OpenAPI components."""

from __future__ import annotations

from django.db import models

__all__ = [
    "OPEN_ASSESSMENT",
    "SCORED_TYPES",
    "AssessmentDecision",
    "QuestionType",
    "QuestionnaireKind",
    "SupplierAssessmentStatus",
    "SupplierCriticality",
    "SupplierKind",
    "SupplierReviewOutcome",
    "SupplierStatus",
]


class SupplierKind(models.TextChoices):
    """What a supplier provides."""

    CLOUD_SAAS = "cloud_saas", "Cloud or SaaS"
    FOUNDATION_MODEL = "foundation_model", "Foundation model provider"
    MODEL_API = "model_api", "Model API"
    DATASET = "dataset", "Dataset provider"
    LABELLING = "labelling", "Labelling service"
    OTHER = "other", "Other"


class SupplierCriticality(models.TextChoices):
    """How much the organisation depends on the supplier (what a failure of theirs would cost)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class SupplierStatus(models.TextChoices):
    """Where a supplier is in the one onboarding workflow: request → due diligence → decision
    (approved or rejected) → contract (active, reviewed periodically) → ended."""

    REQUESTED = "requested", "Requested"
    DUE_DILIGENCE = "due_diligence", "Due diligence"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    ACTIVE = "active", "Under contract"
    ENDED = "ended", "Ended"


class SupplierReviewOutcome(models.TextChoices):
    """What a periodic review of a supplier decided."""

    CONTINUE = "continue", "Continue"
    CONDITIONS = "conditions", "Continue with conditions"
    END = "end", "End the relationship"


class QuestionnaireKind(models.TextChoices):
    """The two sets of due diligence, and anything else an organisation asks."""

    SECURITY = "security", "Security due diligence"
    AI_COMPONENT = "ai_component", "AI-component due diligence"
    OTHER = "other", "Other"


class QuestionType(models.TextChoices):
    """How a question is answered."""

    YES_NO = "yes_no", "Yes or no"
    SINGLE = "single", "One choice"
    MULTIPLE = "multiple", "Several choices"
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    FILE = "file", "File upload"


# answer types whose options carry scores
SCORED_TYPES = frozenset({QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.MULTIPLE})


class SupplierAssessmentStatus(models.TextChoices):
    """A questionnaire sent to a supplier: sent (the link is open, drafts may be saved) →
    answered (submitted once) → reviewed. Withdrawn closes the link unanswered."""

    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    REVIEWED = "reviewed", "Reviewed"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_ASSESSMENT = (SupplierAssessmentStatus.SENT,)


class AssessmentDecision(models.TextChoices):
    """What the reviewer concluded from a supplier's answers."""

    ACCEPTABLE = "acceptable", "Acceptable"
    CONDITIONS = "conditions", "Acceptable with conditions"
    NOT_ACCEPTABLE = "not_acceptable", "Not acceptable"
