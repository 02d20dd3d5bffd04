"""Schemas of the certification API (names prefixed with the domain: OpenAPI components are global)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import Filters

from . import queries
from .choices import (
    AuditorRequestLinkKind,
    AuditorRequestStatus,
    CbFindingGrade,
    CertificationAuditKind,
    CertificationAuditStatus,
)


@filters.schema_of(queries.CertificationAuditFilters)
class CertificationAuditFilters(Filters):
    """Declared in :class:`keel.certification.queries.CertificationAuditFilters`."""


@filters.schema_of(queries.AuditorRequestFilters)
class AuditorRequestFilters(Filters):
    """Declared in :class:`keel.certification.queries.AuditorRequestFilters`."""


class CertificationFindingOut(Schema):
    ref: str
    number: int
    grade: CbFindingGrade
    title: str
    description: str
    requirements: list[str] = Field(alias="requirement_keys")
    raised_on: dt.date
    nonconformity: str = Field(alias="nonconformity_ref")

    @staticmethod
    def resolve_ref(obj: Any) -> str:
        return f"F-{obj.number}"


class CertificationAuditOut(Schema):
    id: uuid.UUID
    ref_id: str
    cycle: str
    kind: CertificationAuditKind
    status: CertificationAuditStatus
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    auditors: list[str]
    audit_days: Decimal | None
    outcome: str
    notes: str
    findings: list[CertificationFindingOut]
    updated_at: IsoDateTime

    @staticmethod
    def resolve_cycle(obj: Any) -> str:
        return str(obj.cycle.ref_id)

    @staticmethod
    def resolve_findings(obj: Any) -> list[Any]:
        return list(obj.findings.all())


class CertificationAuditIn(Schema):
    cycle: str = Field(description="The cycle's reference (CERT-001) or id.")
    kind: CertificationAuditKind
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    auditors: list[str] = Field(default_factory=list, description="Names, lead auditor first.")
    audit_days: Decimal | None = None
    notes: str = ""


class CertificationAuditPatch(Schema):
    status: CertificationAuditStatus | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    auditors: list[str] | None = None
    audit_days: Decimal | None = None
    outcome: str | None = None
    notes: str | None = None


class CertificationFindingIn(Schema):
    grade: CbFindingGrade
    title: str
    description: str = ""
    requirements: list[str] = Field(
        default_factory=list, description="Requirement keys, e.g. iso27001:2022:A.5.18."
    )
    raised_on: dt.date | None = None
    owner: str | None = Field(default=None, description="Who owns the nonconformity raised (email).")


class AuditorRequestLinkOut(Schema):
    kind: AuditorRequestLinkKind
    ref: str
    title: str
    url: str


class AuditorRequestOut(Schema):
    id: uuid.UUID
    ref_id: str
    cycle: str
    audit: str | None
    text: str
    requested_by: str
    requested_on: dt.date
    due_on: dt.date | None
    owner: str | None
    status: AuditorRequestStatus
    answer: str
    answered_on: dt.date | None
    links: list[AuditorRequestLinkOut]
    updated_at: IsoDateTime

    @staticmethod
    def resolve_cycle(obj: Any) -> str:
        return str(obj.cycle.ref_id)

    @staticmethod
    def resolve_audit(obj: Any) -> str | None:
        return obj.audit.ref_id if obj.audit else None

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner else None

    @staticmethod
    def resolve_links(obj: Any) -> list[Any]:
        return list(obj.links.all())


class AuditorRequestIn(Schema):
    cycle: str = Field(description="The cycle's reference (CERT-001) or id.")
    text: str
    requested_by: str = ""
    requested_on: dt.date | None = None
    due_on: dt.date | None = None
    audit: str | None = Field(default=None, description="The certification audit (CBA-001), if any.")
    owner: str | None = Field(default=None, description="Who prepares the answer (email).")


class AuditorRequestLinkIn(Schema):
    kind: AuditorRequestLinkKind
    ref: str = Field(default="", description="DOC-003, EV-007 or KC-012; for another record, a short label.")
    title: str = Field(default="", description="For another record: its title.")
    url: str = Field(default="", description="For another record: its page (/…) or web address.")


class AuditorRequestStatusIn(Schema):
    status: AuditorRequestStatus
    answer: str | None = None


class CertificationCycleOut(Schema):
    id: uuid.UUID
    ref_id: str
    title: str
    standards: list[str]
    management_systems: list[str]
    certification_body: str
    certificate_number: str
    decision_on: dt.date | None
    expires_on: dt.date | None

    @staticmethod
    def resolve_standards(obj: Any) -> list[str]:
        return [s.key for s in obj.standards.all()]

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return [m.short_name for m in obj.management_systems.all()]
