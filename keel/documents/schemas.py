"""Schemas of the documents API: filters, request bodies and responses.

Documents are named by id or reference (``DOC-004``), requirements by key, management systems by
id or short name, people by email, classification levels by key or id. Bodies refuse unknown
fields.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.urls import reverse
from ninja import Field, Schema

from keel.platform import filters
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters

from . import queries
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

DocumentOrder = queries.DocumentOrder


class DocumentVersionOut(Schema):
    id: uuid.UUID
    document: str = Field(description="The document's reference.")
    number: int = Field(description="1, 2, 3… in the order versions were written.")
    label: str = Field(description="The version as people name it: 1.0, 1.1, 2.0.")
    change: ChangeKind
    status: VersionStatus
    format: VersionFormat
    body: str = Field(description="The Markdown text (versions written in Keel).")
    filename: str
    content_type: str
    size: int
    sha256: str = Field(description="Of the file, or of the Markdown text in UTF-8.")
    change_note: str
    author: str = Field(description="The author's email.")
    reviewers: list[str]
    submitted_at: IsoDateTime | None
    approver: str | None
    approved_on: IsoDate | None
    download: str | None = Field(description="Where to download the file (uploaded versions).")
    created_at: IsoDateTime

    @staticmethod
    def resolve_document(obj: Any) -> str:
        return str(obj.document.ref_id)

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author.email)

    @staticmethod
    def resolve_reviewers(obj: Any) -> list[str]:
        return [u.email for u in obj.reviewers.all()]

    @staticmethod
    def resolve_approver(obj: Any) -> str | None:
        return obj.approver.email if obj.approver_id else None

    @staticmethod
    def resolve_download(obj: Any) -> str | None:
        if not obj.file:
            return None
        return reverse("api-v1:download_document_version", args=[obj.document.ref_id, obj.number])


class DocumentOut(Schema):
    id: uuid.UUID
    ref_id: str
    title: str
    summary: str
    kind: DocumentKind
    status: DocumentStatus
    owner: str = Field(description="The owner's email.")
    management_systems: list[str] = Field(
        description="Short names of its management systems (none: organisation level)."
    )
    classification: str | None = Field(description="The key of its classification level.")
    next_review_on: IsoDate | None
    requirements: list[str] = Field(description="Keys of the requirements it answers.")
    current_version: str | None = Field(description="The newest version's label.")
    current_status: VersionStatus | None = Field(description="The newest version's status.")
    issued_version: str | None = Field(description="The label of the approved version in force.")
    approved_on: IsoDate | None = Field(description="When the version in force was approved.")
    retired_at: IsoDateTime | None
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.email)

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return [ms.short_name for ms in obj.management_systems.all()]

    @staticmethod
    def resolve_classification(obj: Any) -> str | None:
        return obj.classification.key if obj.classification_id else None

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return [lk.requirement.key for lk in obj.requirement_links.all()]

    @staticmethod
    def resolve_current_version(obj: Any) -> str | None:
        return obj.current_version.label if obj.current_version_id else None

    @staticmethod
    def resolve_current_status(obj: Any) -> str | None:
        return obj.current_version.status if obj.current_version_id else None

    @staticmethod
    def resolve_issued_version(obj: Any) -> str | None:
        return obj.issued_version.label if obj.issued_version_id else None

    @staticmethod
    def resolve_approved_on(obj: Any) -> Any:
        return obj.issued_version.approved_on if obj.issued_version_id else None


@filters.schema_of(queries.DocumentFilters)
class DocumentFilters(Filters):
    """Declared in :class:`keel.documents.queries.DocumentFilters`."""


@filters.schema_of(queries.VersionFilters)
class VersionFilters(Filters):
    """Declared in :class:`keel.documents.queries.VersionFilters`."""


class DocumentMeta(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: DocumentKind
    owner: str = Field(..., description="The owner's email.")
    summary: str = Field("", max_length=4000)
    management_systems: list[str] = Field(default_factory=list, description=MS_REF)
    classification: str | None = Field(None, description="A classification level's key or id.")
    next_review_on: IsoDate | None = None
    requirements: list[str] = Field(default_factory=list, description="Keys of the requirements it answers.")
    ref_id: str | None = Field(None, max_length=32, description="Default: the next DOC-nnn.")


class DocumentIn(Body, DocumentMeta):
    body: str = Field(..., max_length=200_000, description="The first version's text, in Markdown.")


class DocumentUploadIn(DocumentMeta):
    pass


class DocumentPatch(Body):
    title: str | None = Field(None, max_length=200)
    kind: DocumentKind | None = None
    owner: str | None = None
    summary: str | None = Field(None, max_length=4000)
    management_systems: list[str] | None = None
    classification: str | None = None
    next_review_on: IsoDate | None = None
    version: str | None = Field(None, max_length=80, description="The version you read (GET's ETag).")


class VersionIn(Body):
    body: str = Field(..., max_length=200_000, description="The text, in Markdown.")
    change: ChangeKind = ChangeKind.MAJOR
    change_note: str = Field("", max_length=4000)


class DocumentVersionUploadIn(Schema):
    change: ChangeKind = ChangeKind.MAJOR
    change_note: str = Field("", max_length=4000)


class ReviewIn(Body):
    reviewers: list[str] = Field(default_factory=list, description="Reviewers' emails.")


class SendBackIn(Body):
    note: str = Field("", max_length=4000)


class DocumentApproveIn(Body):
    approved_on: IsoDate | None = Field(None, description="Default: today.")


class RetireIn(Body):
    reason: str = Field("", max_length=4000)


class DocumentRequirementLinkIn(Body):
    requirement: str = Field(..., max_length=128, description="The requirement's key.")


class PublishIn(Body):
    audience: AudienceKind
    departments: list[str] = Field(default_factory=list, description="For audience 'department'.")
    role: str = Field("", description="For audience 'role': a role's value (e.g. contributor).")
    people: list[str] = Field(default_factory=list, description="For audience 'people': emails.")
    due_on: IsoDate | None = Field(None, description="Default: in KEEL_ACK_DUE_DAYS days.")


class PublicationOut(Schema):
    id: uuid.UUID
    document: str
    version: str
    audience: AudienceKind
    departments: list[str]
    role: str
    due_on: IsoDate
    asked: int = Field(description="How many people this publication asked.")
    published_at: IsoDateTime

    @staticmethod
    def resolve_document(obj: Any) -> str:
        return str(obj.version.document.ref_id)

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return str(obj.version.label)

    @staticmethod
    def resolve_asked(obj: Any) -> int:
        return int(obj.acknowledgements.count())


class AcknowledgementOut(Schema):
    id: uuid.UUID
    document: str
    version: str
    person: str = Field(description="The person's email (a stand-in address when unknown).")
    person_name: str
    status: AckStatus
    due_on: IsoDate
    emailed_at: IsoDateTime | None
    acknowledged_at: IsoDateTime | None
    channel: AckChannel | Literal[""]

    @staticmethod
    def resolve_document(obj: Any) -> str:
        return str(obj.document.ref_id)

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return str(obj.version.label)

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.person.email)

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.person.display_name)


@filters.schema_of(queries.AcknowledgementFilters)
class AcknowledgementFilters(Filters):
    """Declared in :class:`keel.documents.queries.AcknowledgementFilters`."""


class CoverageRowOut(Schema):
    requirement: str
    ref_id: str
    title: str
    documented_information: str = Field(description="What the standard asks to be documented.")
    documents: list[str] = Field(description="References of the documents answering it.")
    state: Literal["answered", "not_approved", "gap"]


class CoverageOut(Schema):
    management_system: str
    standard: str
    answered: int
    not_approved: int
    gaps: int
    rows: list[CoverageRowOut]
