"""Enums of the leadership, objectives and support records (clauses 5.1, 5.3, 6.2, 7.2–7.4, 9.1
of both standards; ISO/IEC 42001 A.3.2, A.3.3)."""

from __future__ import annotations

from django.db import models

from keel.aisystems.choices import Direction

__all__ = [
    "ANNEX_C_THEMES",
    "CommunicationMethod",
    "CompetenceKind",
    "ConcernStatus",
    "Direction",
    "LegalRequirementKind",
    "LegalRequirementStatus",
    "ObjectiveTheme",
    "ReadingFrequency",
    "ReadingSource",
    "SystemDocumentPurpose",
]


class ReadingFrequency(models.TextChoices):
    """How often an objective's measure is read."""

    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    YEARLY = "yearly", "Yearly"


# days after which a reading of each frequency is overdue (with a week's grace)
FREQUENCY_DAYS: dict[str, int] = {
    ReadingFrequency.WEEKLY: 7 + 3,
    ReadingFrequency.MONTHLY: 31 + 7,
    ReadingFrequency.QUARTERLY: 92 + 7,
    ReadingFrequency.HALF_YEARLY: 183 + 7,
    ReadingFrequency.YEARLY: 366 + 7,
}


class ObjectiveTheme(models.TextChoices):
    """ISO/IEC 42001 Annex C (C.2) organisational objectives, offered as starting points for AI
    objectives. IDs and official short titles only; ``ANNEX_C_THEMES`` says in our words what an
    objective on each theme could measure."""

    NONE = "", "No Annex C theme"
    ACCOUNTABILITY = "C.2.1", "C.2.1 Accountability"
    AI_EXPERTISE = "C.2.2", "C.2.2 AI expertise"
    DATA = "C.2.3", "C.2.3 Availability and quality of training and test data"
    ENVIRONMENT = "C.2.4", "C.2.4 Environmental impact"
    FAIRNESS = "C.2.5", "C.2.5 Fairness"
    MAINTAINABILITY = "C.2.6", "C.2.6 Maintainability"
    PRIVACY = "C.2.7", "C.2.7 Privacy"
    ROBUSTNESS = "C.2.8", "C.2.8 Robustness"
    SAFETY = "C.2.9", "C.2.9 Safety"
    SECURITY = "C.2.10", "C.2.10 Security"
    TRANSPARENCY = "C.2.11", "C.2.11 Transparency and explainability"


# A starting point per theme, in our own words: what an objective on it might measure.
ANNEX_C_THEMES: dict[str, str] = {
    "C.2.1": "Every AI system in operation has a named owner and a decision record for each release.",
    "C.2.2": "Share of people in AI roles whose required competences are current.",
    "C.2.3": "Share of training and test datasets with a quality check passed in the last quarter.",
    "C.2.4": "Compute energy per thousand predictions, or per training run, going down.",
    "C.2.5": "The largest outcome gap between groups stays under an agreed bound.",
    "C.2.6": "Time to retrain and redeploy a model after a confirmed drift.",
    "C.2.7": "Share of datasets holding personal data with a documented lawful basis and retention.",
    "C.2.8": "Accuracy on shifted or adversarial test sets stays within a margin of the main set.",
    "C.2.9": "Number of operating-metric breaches left open past their response time.",
    "C.2.10": "Share of model endpoints covered by abuse and prompt-injection testing.",
    "C.2.11": "Share of automated decisions delivered with a reason people affected can understand.",
}


class ReadingSource(models.TextChoices):
    MANUAL = "manual", "Recorded by a person"
    METRIC = "metric", "Copied from an AI operating metric"


class CompetenceKind(models.TextChoices):
    """What a competence record is."""

    TRAINING = "training", "Training"
    QUALIFICATION = "qualification", "Qualification or certification"
    EXPERIENCE = "experience", "Experience"
    MENTORING = "mentoring", "Mentoring"


class CommunicationMethod(models.TextChoices):
    """How a communication is made (7.4)."""

    MEETING = "meeting", "Meeting or briefing"
    EMAIL = "email", "Email"
    INTRANET = "intranet", "Intranet or wiki"
    REPORT = "report", "Written report"
    WEBSITE = "website", "Public website"
    CONTRACT = "contract", "Contract or customer notice"
    TRAINING = "training", "Training session"


class ConcernStatus(models.TextChoices):
    """Where a concern about an AI system stands (42001 A.3.3)."""

    RECEIVED = "received", "Received"
    INVESTIGATING = "investigating", "Under investigation"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


OPEN_CONCERN = (ConcernStatus.RECEIVED, ConcernStatus.INVESTIGATING)


class LegalRequirementKind(models.TextChoices):
    """Where a legal, regulatory or contractual requirement comes from (27001 A.5.31)."""

    LAW = "law", "Law"
    REGULATION = "regulation", "Regulation"
    CONTRACT = "contract", "Contract"
    OTHER = "other", "Other"


class LegalRequirementStatus(models.TextChoices):
    """Whether a requirement of the register currently binds the organisation."""

    IDENTIFIED = "identified", "Identified, being assessed"
    APPLICABLE = "applicable", "Applicable"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    RETIRED = "retired", "No longer in force"


class SystemDocumentPurpose(models.TextChoices):
    """What a document linked to an AI system tells interested parties (42001 A.8.2–A.8.5)."""

    USER_NOTICE = "user_notice", "Information for users (A.8.2)"
    EXTERNAL_REPORTING = "reporting", "How to report adverse impacts (A.8.3)"
    INCIDENT_NOTICE = "incident", "Incident communication (A.8.4)"
    MODEL_CARD = "model_card", "Technical information for interested parties (A.8.5)"
    OTHER = "other", "Other information"
