"""Enums of the Statement of Applicability."""

from django.db import models


class SoAStatus(models.TextChoices):
    """Implementation status of an SoA row (derived by :mod:`keel.soa.rules`, or overridden)."""

    IMPLEMENTED = "implemented", "Implemented"
    IMPLEMENTED_NO_EVIDENCE = "implemented_no_evidence", "Implemented — no evidence"
    PARTLY_IMPLEMENTED = "partly_implemented", "Partly implemented"
    PLANNED = "planned", "Planned"
    NOT_STARTED = "not_started", "Not started"
    NOT_APPLICABLE = "not_applicable", "Not applicable (excluded)"


# The statuses a person may set as an override: "implemented — no evidence" is never claimed,
# it is what Keel shows when an implemented claim has no current evidence behind it.
OVERRIDE_CHOICES = [(v, label) for v, label in SoAStatus.choices if v != SoAStatus.IMPLEMENTED_NO_EVIDENCE]


class RowKind(models.TextChoices):
    ANNEX = "annex", "Annex A control"
    ADDITIONAL = "additional", "Additional organisation control"
