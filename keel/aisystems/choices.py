"""Enums of the AI system inventory. Lifecycle stages and AI roles are shared with scope
statements (keel.organisation.choices)."""

from __future__ import annotations

from django.db import models

from keel.organisation.choices import AIRole, LifecycleStage

__all__ = [
    "AIRole",
    "AISystemOrigin",
    "Acquisition",
    "Comparison",
    "Direction",
    "FlagStatus",
    "LifecycleStage",
    "ModelType",
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
