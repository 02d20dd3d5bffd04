"""Enums of the Statement of Applicability."""

from django.db import models


class SoAStatus(models.TextChoices):
    """Implementation status of an SoA row (derived by :mod:`keel.soa.rules`, or overridden)."""

    IMPLEMENTED = "implemented", "Implemented"
    PARTLY_IMPLEMENTED = "partly_implemented", "Partly implemented"
    PLANNED = "planned", "Planned"
    NOT_STARTED = "not_started", "Not started"
    NOT_APPLICABLE = "not_applicable", "Not applicable (excluded)"


class RowKind(models.TextChoices):
    ANNEX = "annex", "Annex A control"
    ADDITIONAL = "additional", "Additional organisation control"
