"""Enums of the control catalogue."""

from django.db import models


class ControlType(models.TextChoices):
    POLICY = "policy", "Policy"
    PROCESS = "process", "Process"
    TECHNICAL = "technical", "Technical"
    PHYSICAL = "physical", "Physical"
    PEOPLE = "people", "People"


class Frequency(models.TextChoices):
    """How often a control operates (or is performed and evidenced)."""

    CONTINUOUS = "continuous", "Continuous"
    PER_EVENT = "per_event", "On each event"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMI_ANNUALLY = "semi_annually", "Every six months"
    ANNUALLY = "annually", "Annually"


class ImplementationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ShownStatus(models.TextChoices):
    """The status a control shows: its implementation status, except that a control claimed
    implemented with no current evidence behind it (no evidence linked whose validity has not
    expired; withdrawn evidence never counts) shows as "Implemented — no evidence". Computed on
    read from the evidence register (keel/evidence/hooks.py ``annotate_controls``), never stored
    or set."""

    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    IMPLEMENTED_NO_EVIDENCE = "implemented_no_evidence", "Implemented — no evidence"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Effectiveness(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    EFFECTIVE = "effective", "Effective"
    PARTLY_EFFECTIVE = "partly_effective", "Partly effective"
    INEFFECTIVE = "ineffective", "Ineffective"


class Coverage(models.TextChoices):
    """How much of a requirement a control (or template) answers."""

    FULL = "full", "Full"
    PARTIAL = "partial", "Partial"
