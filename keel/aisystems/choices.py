"""Enums of the AI system inventory. Lifecycle stages and AI roles are shared with scope
statements (keel.organisation.choices)."""

from __future__ import annotations

from django.db import models

from keel.organisation.choices import AIRole, LifecycleStage

__all__ = [
    "RECORD_KIND_CONTROLS",
    "AIRole",
    "AISystemOrigin",
    "Acquisition",
    "Comparison",
    "Direction",
    "FlagStatus",
    "LifecycleRecordKind",
    "LifecycleRecordStatus",
    "LifecycleStage",
    "ModelType",
    "ModelVersionStatus",
]


class AISystemOrigin(models.TextChoices):
    """Where an AI system comes from. AI embedded in a bought product is the kind most often
    missed in an inventory, so it is a first-class answer."""

    IN_HOUSE = "in_house", "Built in-house"
    THIRD_PARTY_MODEL = "third_party_model", "Third-party model or API"
    EMBEDDED = "embedded", "AI embedded in a bought product"


class ModelType(models.TextChoices):
    """What kind of machine-learning model a model record describes."""

    CLASSIFIER = "classifier", "Classifier"
    REGRESSOR = "regressor", "Regressor or scorer"
    RANKING = "ranking", "Ranking or recommender"
    ANOMALY = "anomaly", "Anomaly detection"
    GENERATIVE = "generative", "Generative (language or image)"
    FOUNDATION = "foundation", "Foundation model (used as is)"
    OTHER = "other", "Other"


class Comparison(models.TextChoices):
    """How a numeric result is compared with the acceptance criterion's value. ``recorded``:
    the criterion is not numeric and the person recording the result says pass or fail."""

    AT_LEAST = "ge", "at least (≥)"
    AT_MOST = "le", "at most (≤)"
    ABOVE = "gt", "above (>)"
    BELOW = "lt", "below (<)"
    RECORDED = "recorded", "judged by the evaluator"


class Direction(models.TextChoices):
    """Which way an operating metric is better."""

    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Acquisition(models.TextChoices):
    """How a dataset was obtained."""

    COLLECTED = "collected", "Collected by us"
    PURCHASED = "purchased", "Purchased or licensed"
    PUBLIC = "public", "Public or open data"
    PROVIDED = "provided", "Provided by a customer or partner"
    SYNTHETIC = "synthetic", "Synthetic (generated)"
    DERIVED = "derived", "Derived from other datasets"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ModelVersionStatus(models.TextChoices):
    """Where a version of a model stands. A version becomes ``deployed`` only through the
    deployment gate (or when recorded as already in service before Keel); deploying a newer
    version retires the one it replaces."""

    DEVELOPMENT = "development", "In development"
    DEPLOYED = "deployed", "Deployed"
    RETIRED = "retired", "Retired"


class LifecycleRecordKind(models.TextChoices):
    """What a lifecycle record documents; each kind serves one ISO/IEC 42001 Annex A control
    (:data:`RECORD_KIND_CONTROLS`)."""

    REQUIREMENTS = "requirements", "Requirements and specification"
    DESIGN = "design", "Design and development"
    TECHNICAL_DOCUMENTATION = "technical_documentation", "Technical documentation"
    EVENT_LOGS = "event_logs", "Event-log arrangements"
    DATA_PREPARATION = "data_preparation", "Data preparation"
    USER_INFORMATION = "user_information", "Information for users"


# The 42001 control each kind of record serves (linked by default; more can be linked).
RECORD_KIND_CONTROLS: dict[str, str] = {
    LifecycleRecordKind.REQUIREMENTS: "iso42001:2023:A.6.2.2",
    LifecycleRecordKind.DESIGN: "iso42001:2023:A.6.2.3",
    LifecycleRecordKind.TECHNICAL_DOCUMENTATION: "iso42001:2023:A.6.2.7",
    LifecycleRecordKind.EVENT_LOGS: "iso42001:2023:A.6.2.8",
    LifecycleRecordKind.DATA_PREPARATION: "iso42001:2023:A.7.6",
    LifecycleRecordKind.USER_INFORMATION: "iso42001:2023:A.8.2",
}


class LifecycleRecordStatus(models.TextChoices):
    """A record is written as a draft and approved; changing its content after approval makes a
    new draft version (the approval covered the old text)."""

    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"
