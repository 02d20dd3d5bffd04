"""Enums of the documents app: kinds, statuses, how a version is written, acknowledgements."""

from django.db import models


class DocumentKind(models.TextChoices):
    POLICY = "policy", "Policy"
    PROCEDURE = "procedure", "Procedure"
    PLAN = "plan", "Plan"
    STANDARD = "standard", "Standard"
    RECORD_TEMPLATE = "record_template", "Record template"
    OTHER = "other", "Other"


class DocumentStatus(models.TextChoices):
    """Where a document stands: the status of its newest version, or retired."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class VersionStatus(models.TextChoices):
    """A version's own life: drafted, reviewed, approved (the one in force), then superseded by
    the next approved version. A version is never changed or deleted."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ChangeKind(models.TextChoices):
    """How big a new version's change is: a major change (2.0) asks everyone to acknowledge the
    document again; a minor one (1.1) does not."""

    MAJOR = "major", "Major change"
    MINOR = "minor", "Minor change"


class VersionFormat(models.TextChoices):
    MARKDOWN = "markdown", "Written in Keel"
    FILE = "file", "Uploaded file"


class AckStatus(models.TextChoices):
    PENDING = "pending", "Outstanding"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SUPERSEDED = "superseded", "Superseded"


class AckChannel(models.TextChoices):
    KEEL = "keel", "In Keel"
    LINK = "link", "Emailed link"


class AudienceKind(models.TextChoices):
    DEPARTMENT = "department", "Departments"
    ROLE = "role", "A role"
    PEOPLE = "people", "Chosen people"


class CoverageState(models.TextChoices):
    ANSWERED = "answered", "Answered"
    NOT_APPROVED = "not_approved", "Document not approved yet"
    GAP = "gap", "Gap"
