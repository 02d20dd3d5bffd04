"""Enums of the evidence register."""

from django.db import models


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class EvidenceStatus(models.TextChoices):
    """Evidence is never deleted: "delete" withdraws it, its versions and files stay."""

    CURRENT = "current", "Current"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Validity(models.TextChoices):
    """Where the current version stands against its "valid until" date (see
    :func:`keel.evidence.queries.validity`)."""

    EXPIRED = "expired", "Expired"
    EXPIRING = "expiring", "Expiring soon"
    VALID = "valid", "Valid"
    NO_EXPIRY = "no_expiry", "No expiry"
