"""Enums of the gap analysis."""

from django.db import models


class CoverageStatus(models.TextChoices):
    """How far a requirement of the target standard is answered by the management system."""

    COVERED = "covered", "Covered"
    PARTIAL = "partial", "Partly covered"
    GAP = "gap", "Gap"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Strength(models.TextChoices):
    """The strength of one step of a chain, and of a chain (its weakest step)."""

    FULL = "full", "Full"
    PARTIAL = "partial", "Partial"
