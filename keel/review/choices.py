"""Enums of management review (9.3). Class names are unique across Keel: they become OpenAPI
components."""

from __future__ import annotations

from django.db import models


class ReviewStatus(models.TextChoices):
    """Where a management review stands: planned, held (its inputs frozen), minutes approved."""

    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    APPROVED = "approved", "Minutes approved"


class ReviewTag(models.TextChoices):
    """Which standard asks for an agenda item: ISO/IEC 27001, ISO/IEC 42001 or both."""

    ISO27001 = "27001", "ISO/IEC 27001"
    ISO42001 = "42001", "ISO/IEC 42001"
    BOTH = "both", "Both standards"


class ReviewActionStatus(models.TextChoices):
    """Where an action decided at a management review stands."""

    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ACTION = (ReviewActionStatus.OPEN,)
