"""Enums of risk management."""

from __future__ import annotations

from django.db import models


class Register(models.TextChoices):
    IS = "is", "Information security risks"
    AI = "ai", "AI risks"


class TreatmentOption(models.TextChoices):
    """ISO/IEC 27005 / 23894 treatment options."""

    MODIFY = "modify", "Modify (reduce with controls)"
    RETAIN = "retain", "Retain"
    AVOID = "avoid", "Avoid"
    SHARE = "share", "Share"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Acceptance(models.TextChoices):
    """Where the risk stands on approval of its plan and acceptance of its residual risk."""

    NONE = "none", "Not yet accepted"
    ACCEPTED = "accepted", "Accepted"
    EXCEPTION_PENDING = "exception_pending", "Exception awaiting second approval"
    EXCEPTION = "exception", "Accepted by exception"
    VOIDED = "voided", "Acceptance voided by a change"


class AcceptanceState(models.TextChoices):
    """The acceptance a risk has on a given day: the stored :class:`Acceptance`, except that an
    exception whose expiry date has come is *lapsed* (computed at read time, never stored — see
    :mod:`keel.risks.rules`)."""

    NONE = "none", "Not yet accepted"
    ACCEPTED = "accepted", "Accepted"
    EXCEPTION_PENDING = "exception_pending", "Exception awaiting second approval"
    EXCEPTION = "exception", "Accepted by exception"
    LAPSED = "lapsed", "Exception expired: acceptance lapsed"
    VOIDED = "voided", "Acceptance voided by a change"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ApprovalState(models.TextChoices):
    ACTIVE = "active", "In force"
    PENDING = "pending", "Awaiting second approver"
    VOIDED = "voided", "Voided"
