"""Choices of keel.improvement (names unique across Keel: they become OpenAPI components)."""

from __future__ import annotations

from django.db import models


class NonconformitySource(models.TextChoices):
    """Where a nonconformity was found."""

    INTERNAL_AUDIT = "internal_audit", "Internal audit"
    CERTIFICATION_AUDIT = "certification_audit", "Certification audit"
    INCIDENT = "incident", "Incident"
    MANAGEMENT_REVIEW = "management_review", "Management review"
    COMPLAINT = "complaint", "Complaint"
    MONITORING = "monitoring", "Monitoring and measurement"
    CONSISTENCY_CHECK = "consistency_check", "Consistency check"
    OTHER = "other", "Other"


class NonconformityKind(models.TextChoices):
    """How serious it is, in the words auditors grade findings with."""

    MAJOR = "major", "Major nonconformity"
    MINOR = "minor", "Minor nonconformity"
    OBSERVATION = "observation", "From an observation"
    OTHER = "other", "Other nonconformity"


class NonconformityStatus(models.TextChoices):
    """The step a nonconformity is at; the services move it on (never set directly).

    open → correction recorded → root cause found → corrective actions done → effectiveness
    checked (effective) → closed. An ineffective check sends it back to ``actions``."""

    OPEN = "open", "Open: correction due"
    ROOT_CAUSE = "root_cause", "Root cause analysis"
    ACTIONS = "actions", "Corrective actions"
    EFFECTIVENESS = "effectiveness", "Effectiveness check"
    CLOSED = "closed", "Closed"


OPEN_NONCONFORMITY = (
    NonconformityStatus.OPEN,
    NonconformityStatus.ROOT_CAUSE,
    NonconformityStatus.ACTIONS,
    NonconformityStatus.EFFECTIVENESS,
)


class RootCauseMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", "Five whys"
    FREE = "free", "Free analysis"


class CorrectiveActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
