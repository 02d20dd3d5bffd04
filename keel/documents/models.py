"""Documented information: policies, procedures, plans, standards and record templates, their
versions, the requirements each answers, and who has acknowledged a published policy
(docs/documents.md).

A document belongs to one or more management systems (none: organisation level), like evidence;
roles over a system apply to its documents. Its text lives in numbered versions, written in Keel
(Markdown) or uploaded (PDF, DOCX, XLSX, stored like evidence and hashed). A version is never
changed once written: a new text is a new version. One document may answer requirements of
both standards (an information-security policy answers 5.2 of ISO/IEC 27001 and of
ISO/IEC 42001 alike); where the standards differ, two documents do.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from keel.assets.models import ClassificationLevel
from keel.evidence.storage import evidence_storage
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.standards.models import Requirement

from .choices import (
    AckChannel,
    AckStatus,
    AudienceKind,
    ChangeKind,
    DocumentKind,
    DocumentStatus,
    VersionFormat,
    VersionStatus,
)


class Document(models.Model):
    """One controlled document (DOC-nnn) with its versions and the requirements it answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="The reference, e.g. DOC-004.")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="What the document is for, in a sentence or two.")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    status = models.CharField(max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_documents")
    management_systems = models.ManyToManyField(ManagementSystem, related_name="documents", blank=True)
    classification = models.ForeignKey(
        ClassificationLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    next_review_on = models.DateField(null=True, blank=True, help_text="When the document is next reviewed.")
    requirements: models.ManyToManyField[Requirement, DocumentRequirement] = models.ManyToManyField(
        Requirement, through="DocumentRequirement", related_name="documents"
    )
    # Kept by the services: the newest version, and the approved version in force (if any).
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["next_review_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind"),
            models.CheckConstraint(condition=Q(status__in=DocumentStatus.values), name="document_status"),
            models.CheckConstraint(
                condition=Q(status="retired", retired_at__isnull=False)
                | (~Q(status="retired") & Q(retired_at__isnull=True)),
                name="document_retired_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"


class DocumentVersion(models.Model):
    """One version of a document: Markdown written in Keel or an uploaded file (with its SHA-256
    and size), its author, reviewers, approver and approval date. Its content is never changed;
    only its status moves on (draft → in review → approved → superseded)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(help_text="1, 2, 3… in the order versions were written.")
    # The label (1.0, 1.1, 2.0) follows the approved version in force; a draft withdrawn before
    # review may share its label with the draft that replaced it, never its number.
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    change = models.CharField(max_length=8, choices=ChangeKind.choices)
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    format = models.CharField(max_length=10, choices=VersionFormat.choices)
    body = models.TextField(blank=True, help_text="The text, in Markdown (versions written in Keel).")
    file = models.FileField(storage=evidence_storage, max_length=255, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, help_text="Of the file, or of the Markdown text (UTF-8).")
    change_note = models.TextField(blank=True, help_text="What changed and why.")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="authored_document_versions")
    reviewers = models.ManyToManyField(User, related_name="reviewed_document_versions", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approver = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_document_versions"
    )
    approved_on = models.DateField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_version_number_positive"),
            models.CheckConstraint(
                condition=(Q(format="markdown") & Q(file=""))
                | (Q(format="file") & ~Q(file="") & Q(size__gt=0)),
                name="document_version_markdown_or_file",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["approved", "superseded"], approver__isnull=False, approved_on__isnull=False
                )
                | (~Q(status__in=["approved", "superseded"]) & Q(approver__isnull=True)),
                name="document_version_approval",
            ),
            models.CheckConstraint(
                condition=~Q(approver=models.F("author")), name="document_version_not_self_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.ref_id} v{self.label}"

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_file(self) -> bool:
        return self.format == VersionFormat.FILE


class DocumentRequirement(models.Model):
    """A requirement (a clause or an Annex A control of a standard) a document answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="requirement_links")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="document_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "requirement__standard", "requirement__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["document", "requirement"], name="document_requirement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document.ref_id} → {self.requirement.key}"


class Publication(models.Model):
    """An approved version published to a group of people, who are asked to acknowledge it by
    ``due_on``. A new major version republishes to the same group (``previous``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="publications")
    audience = models.CharField(max_length=12, choices=AudienceKind.choices)
    departments = models.JSONField(default=list, blank=True)
    role = models.CharField(max_length=24, blank=True)
    people = models.ManyToManyField(User, related_name="+", blank=True)
    due_on = models.DateField()
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_by_label = models.CharField(max_length=254)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=AudienceKind.values), name="publication_audience"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} to {self.get_audience_display().lower()}"


class Acknowledgement(models.Model):
    """One person's acknowledgement of one published version: outstanding until they
    acknowledge it (in Keel or through the emailed link); superseded when a newer major version
    asks them again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="acknowledgements")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="acknowledgements")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="document_acknowledgements")
    status = models.CharField(max_length=12, choices=AckStatus.choices, default=AckStatus.PENDING)
    due_on = models.DateField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=8, choices=AckChannel.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document__ref_id", "person__full_name", "person__email"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="acknowledgement_once_per_version"),
            models.CheckConstraint(
                condition=Q(
                    status="acknowledged", acknowledged_at__isnull=False, channel__in=AckChannel.values
                )
                | (~Q(status="acknowledged") & Q(acknowledged_at__isnull=True)),
                name="acknowledgement_acknowledged_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.version}"
