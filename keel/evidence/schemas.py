"""Schemas of the evidence API: filters, request bodies and responses.

Evidence is named by id or reference (``EV-007``), controls by id or reference, requirements by
key, management systems by id or short name and people by email. Bodies refuse unknown fields.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.urls import reverse
from ninja import Field, Schema

from keel.platform import filters
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.schemas import Body, Filters

from . import queries
from .choices import EvidenceKind, EvidenceStatus, Validity


class VersionOut(Schema):
    number: int
    kind: EvidenceKind
    filename: str
    content_type: str
    size: int | None
    sha256: str
    url: str
    download: str | None = Field(description="Where to download the file (files only).")
    collected_on: IsoDate
    valid_until: IsoDate | None
    validity: Validity
    collected_by: str | None = Field(description="The collector's email, when they have an account.")
    collected_by_name: str = Field(description="The collector's name (or the name given without an account).")
    note: str
    created_at: IsoDateTime
    created_by: str | None

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return EvidenceKind.FILE if obj.file else EvidenceKind.LINK

    @staticmethod
    def resolve_download(obj: Any) -> str | None:
        if not obj.file:
            return None
        return reverse(
            "api-v1:download_evidence_version", kwargs={"ref": obj.evidence.ref_id, "number": obj.number}
        )

    @staticmethod
    def resolve_validity(obj: Any) -> str:
        return str(queries.validity(obj.valid_until))

    @staticmethod
    def resolve_collected_by(obj: Any) -> str | None:
        return obj.collected_by.email if obj.collected_by_id else None

    @staticmethod
    def resolve_collected_by_name(obj: Any) -> str:
        return str(obj.collector)

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.email if obj.created_by_id else None


class EvidenceOut(Schema):
    id: uuid.UUID
    ref_id: str
    title: str
    description: str
    kind: EvidenceKind
    status: EvidenceStatus
    owner: str | None = Field(description="The owner's email.")
    management_systems: list[str] = Field(description="Short names of its management systems.")
    controls: list[str] = Field(description="References of the controls it supports.")
    requirements: list[str] = Field(description="Keys of the requirements it is linked to directly.")
    version: int | None = Field(description="The current (highest) version number.")
    filename: str = Field(description="The current version's file name (files).")
    url: str = Field(description="The current version's address (links).")
    sha256: str
    size: int | None
    collected_on: IsoDate | None
    valid_until: IsoDate | None
    validity: Validity = Field(description="Of the current version: expired, expiring, valid, no_expiry.")
    collected_by: str = Field(description="Who collected the current version.")
    withdrawn_at: IsoDateTime | None
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return [ms.short_name for ms in obj.management_systems.all()]

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return [lk.control.ref_id for lk in obj.control_links.all()]

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return [lk.requirement.key for lk in obj.requirement_links.all()]

    @staticmethod
    def _v(obj: Any, name: str, default: Any = None) -> Any:
        v = obj.current_version
        return getattr(v, name) if v is not None else default

    @staticmethod
    def resolve_version(obj: Any) -> int | None:
        return EvidenceOut._v(obj, "number")

    @staticmethod
    def resolve_filename(obj: Any) -> str:
        return str(EvidenceOut._v(obj, "filename", ""))

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(EvidenceOut._v(obj, "url", ""))

    @staticmethod
    def resolve_sha256(obj: Any) -> str:
        return str(EvidenceOut._v(obj, "sha256", ""))

    @staticmethod
    def resolve_size(obj: Any) -> int | None:
        return EvidenceOut._v(obj, "size")

    @staticmethod
    def resolve_collected_on(obj: Any) -> dt.date | None:
        return EvidenceOut._v(obj, "collected_on")

    @staticmethod
    def resolve_valid_until(obj: Any) -> dt.date | None:
        return EvidenceOut._v(obj, "valid_until")

    @staticmethod
    def resolve_validity(obj: Any) -> str:
        return str(queries.validity_of(obj))

    @staticmethod
    def resolve_collected_by(obj: Any) -> str:
        v = obj.current_version
        return str(v.collector) if v is not None else ""


class EvidenceDetailOut(EvidenceOut):
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return list(obj.versions.all())


@filters.schema_of(queries.EvidenceFilters)
class EvidenceFilters(Filters):
    """Declared in :class:`keel.evidence.queries.EvidenceFilters`."""


class VersionFields(Schema):
    collected_on: IsoDate | None = Field(None, description="Default: today.")
    valid_until: IsoDate | None = Field(None, description="Left out: the evidence does not expire.")
    collected_by: str | None = Field(None, description="The collector's email (default: the caller).")
    collected_by_name: str = Field(
        "", max_length=200, description="The collector's name, when they have no account."
    )
    note: str = Field("", max_length=4000)


class EvidenceMeta(Schema):
    ref_id: str | None = Field(None, max_length=32, description="Left out: the next free EV-nnn.")
    title: str = Field(max_length=200)
    description: str = ""
    owner: str | None = Field(None, description="The owner's email.")
    management_systems: list[str] = Field(
        default_factory=list, description="Ids or short names (at least one for a system role)."
    )
    controls: list[str] = Field(default_factory=list, description="Controls it supports (ids or references).")
    requirements: list[str] = Field(default_factory=list, description="Requirement keys it answers directly.")


class EvidenceLinkIn(Body, EvidenceMeta, VersionFields):
    """A link (JSON). A file is uploaded with ``POST /evidence/upload`` (multipart)."""

    kind: Literal["link"] = "link"
    url: str = Field(max_length=2000, description="An http:// or https:// address.")


class EvidenceUploadIn(EvidenceMeta, VersionFields):
    """The form fields sent with the file (multipart/form-data)."""


class VersionLinkIn(Body, VersionFields):
    url: str = Field(max_length=2000, description="An http:// or https:// address.")


class VersionUploadIn(VersionFields):
    """The form fields sent with the file (multipart/form-data)."""


class EvidencePatch(Body):
    # ``version`` is the evidence's version number here; a PATCH names the record version it was
    # based on with the If-Match header (the ETag of GET /evidence/{ref}).
    ref_id: str | None = Field(None, max_length=32)
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    owner: str | None = Field(None, description="The owner's email; null removes the owner.")
    management_systems: list[str] | None = None


class EvidenceControlLinkIn(Body):
    control: str = Field(description="A control's id or reference.")


class RequirementLinkIn(Body):
    requirement: str = Field(description="A requirement key, e.g. iso27001:2022:A.5.15.")
