"""Schemas of the audits API (component names prefixed with the domain: they are unique across
the whole API). References as everywhere in Keel: programmes and audits by reference (AP-001,
AUD-2026-01), requirements by key, controls by KC-nnn, AI systems by short name, management
systems by short name or id, people by email, evidence by EV-nnn."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.schemas import Body, Filters, version_in

from . import queries
from .choices import AuditFindingGrade, AuditItemResult, AuditSampleResult, AuditStatus


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


@filters.schema_of(queries.AuditFilters)
class AuditListFilters(Filters):
    """Declared in :class:`keel.audits.queries.AuditFilters`."""


@filters.schema_of(queries.ItemFilters)
class AuditItemFilters(Filters):
    """Declared in :class:`keel.audits.queries.ItemFilters`."""


@filters.schema_of(queries.SampleFilters)
class AuditSampleFilters(Filters):
    """Declared in :class:`keel.audits.queries.SampleFilters`."""


@filters.schema_of(queries.FindingFilters)
class AuditFindingFilters(Filters):
    """Declared in :class:`keel.audits.queries.FindingFilters`."""


class AuditProgrammeOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    title: str
    first_year: int
    last_year: int
    standards: list[str]
    management_systems: list[str]
    criteria: str
    rationale: str
    owner: str | None
    audit_count: int = 0

    @staticmethod
    def resolve_standards(obj: Any) -> list[str]:
        return [s.key for s in obj.standards.all()]

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return [m.short_name for m in obj.management_systems.all()]

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)


class AuditProgrammeIn(Body):
    title: str = Field(max_length=200)
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)
    standards: list[str] = Field(default_factory=list, description="Standard keys, e.g. iso27001:2022.")
    management_systems: list[str] = Field(default_factory=list, description="Short names or ids.")
    criteria: str = Field("", max_length=4000)
    rationale: str = Field("", max_length=8000)
    owner: str | None = Field(None, max_length=254, description="A person's email.")


class AuditProgrammePatch(Body):
    title: str | None = Field(None, max_length=200)
    first_year: int | None = Field(None, ge=2000, le=2100)
    last_year: int | None = Field(None, ge=2000, le=2100)
    standards: list[str] | None = None
    management_systems: list[str] | None = None
    criteria: str | None = Field(None, max_length=4000)
    rationale: str | None = Field(None, max_length=8000)
    owner: str | None = Field(None, max_length=254)
    version: str | None = version_in()


class AuditOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    programme: str
    title: str
    objective: str
    status: AuditStatus
    requirements: list[str]
    controls: list[str]
    processes: str
    ai_systems: list[str]
    management_systems: list[str]
    planned_start: dt.date
    planned_end: dt.date
    actual_start: dt.date | None
    actual_end: dt.date | None
    report_due: dt.date | None
    reported_on: dt.date | None
    closed_on: dt.date | None
    lead_auditor: str | None
    team: list[str]
    conclusion: str

    @staticmethod
    def resolve_programme(obj: Any) -> str:
        return str(obj.programme.ref_id)

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return sorted(r.key for r in obj.requirements.all())

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return sorted(c.ref_id for c in obj.controls.all())

    @staticmethod
    def resolve_ai_systems(obj: Any) -> list[str]:
        return sorted(s.short_name for s in obj.ai_systems.all())

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return sorted(m.short_name for m in obj.management_systems.all())

    @staticmethod
    def resolve_lead_auditor(obj: Any) -> str | None:
        return _email(obj.lead_auditor)

    @staticmethod
    def resolve_team(obj: Any) -> list[str]:
        return sorted(p.email for p in obj.team.all())


class AuditIn(Body):
    programme: str = Field(max_length=40, description="The programme's reference, e.g. AP-001.")
    title: str = Field(max_length=200)
    planned_start: dt.date
    planned_end: dt.date
    objective: str = Field("", max_length=4000)
    requirements: list[str] = Field(
        default_factory=list, description="Requirement keys, e.g. iso27001:2022:9.2."
    )
    controls: list[str] = Field(default_factory=list, description="Control references, e.g. KC-012.")
    processes: str = Field("", max_length=4000)
    ai_systems: list[str] = Field(default_factory=list, description="AI systems' short names.")
    management_systems: list[str] = Field(default_factory=list)
    lead_auditor: str | None = Field(None, max_length=254, description="A person's email.")
    team: list[str] = Field(default_factory=list, description="People's emails.")
    report_due: dt.date | None = None


class AuditPatch(Body):
    title: str | None = Field(None, max_length=200)
    objective: str | None = Field(None, max_length=4000)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    requirements: list[str] | None = None
    controls: list[str] | None = None
    processes: str | None = Field(None, max_length=4000)
    ai_systems: list[str] | None = None
    management_systems: list[str] | None = None
    lead_auditor: str | None = Field(None, max_length=254)
    team: list[str] | None = None
    report_due: dt.date | None = None
    conclusion: str | None = Field(None, max_length=8000)
    version: str | None = version_in()


class AuditMoveIn(Body):
    status: AuditStatus
    on: dt.date | None = Field(None, description="The day (default today).")
    version: str | None = version_in()


class AuditRecordRef(Schema):
    kind: str
    ref: str
    title: str
    url: str


class AuditItemOut(VersionedOut):
    id: uuid.UUID
    audit: str
    position: int
    requirement: str | None
    control: str | None
    subject: str
    title: str
    questions: list[str]
    to_sample: list[AuditRecordRef]
    result: AuditItemResult
    notes: str
    evidence: list[str]
    assessed_by: str | None
    assessed_on: dt.date | None
    sample_from: dt.date | None
    sample_to: dt.date | None
    sample_seed: int | None
    sample_population: int | None

    @staticmethod
    def resolve_audit(obj: Any) -> str:
        return str(obj.audit.ref_id)

    @staticmethod
    def resolve_requirement(obj: Any) -> str | None:
        return obj.requirement.key if obj.requirement else None

    @staticmethod
    def resolve_control(obj: Any) -> str | None:
        return obj.control.ref_id if obj.control else None

    @staticmethod
    def resolve_subject(obj: Any) -> str:
        return str(obj.subject_ref)

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.subject_title)

    @staticmethod
    def resolve_evidence(obj: Any) -> list[str]:
        return sorted(e.ref_id for e in obj.evidence.all())

    @staticmethod
    def resolve_assessed_by(obj: Any) -> str | None:
        return _email(obj.assessed_by)


class AuditItemPatch(Body):
    result: AuditItemResult
    notes: str = Field("", max_length=8000)
    evidence: list[str] | None = Field(
        None, description="Evidence references, e.g. EV-007 (replaces the list)."
    )
    version: str | None = version_in()


class AuditSampleDrawIn(Body):
    period_start: dt.date
    period_end: dt.date
    seed: int = Field(ge=0, le=2**62, description="The same seed draws the same sample.")


class AuditSampleOut(VersionedOut):
    id: uuid.UUID
    audit: str
    item: uuid.UUID
    control: str | None
    position: int
    label: str
    period_start: dt.date
    period_end: dt.date
    result: AuditSampleResult
    note: str
    evidence: str | None
    tested_by: str | None
    tested_on: dt.date | None

    @staticmethod
    def resolve_audit(obj: Any) -> str:
        return str(obj.item.audit.ref_id)

    @staticmethod
    def resolve_item(obj: Any) -> uuid.UUID:
        return obj.item_id

    @staticmethod
    def resolve_control(obj: Any) -> str | None:
        return obj.item.control.ref_id if obj.item.control else None

    @staticmethod
    def resolve_evidence(obj: Any) -> str | None:
        return obj.evidence.ref_id if obj.evidence else None

    @staticmethod
    def resolve_tested_by(obj: Any) -> str | None:
        return _email(obj.tested_by)


class AuditSamplePatch(Body):
    result: AuditSampleResult
    note: str = Field("", max_length=4000)
    evidence: str | None = Field(None, max_length=40, description="An evidence reference, e.g. EV-007.")
    version: str | None = version_in()


class AuditFindingOut(VersionedOut):
    id: uuid.UUID
    audit: str
    ref: str
    grade: AuditFindingGrade
    title: str
    description: str
    item: uuid.UUID | None
    requirements: list[str]
    controls: list[str]
    raised_on: dt.date
    raised_by: str | None
    nonconformity: str | None

    @staticmethod
    def resolve_audit(obj: Any) -> str:
        return str(obj.audit.ref_id)

    @staticmethod
    def resolve_item(obj: Any) -> uuid.UUID | None:
        return obj.item_id

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return sorted(r.key for r in obj.requirements.all())

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return sorted(c.ref_id for c in obj.controls.all())

    @staticmethod
    def resolve_raised_by(obj: Any) -> str | None:
        return _email(obj.raised_by)

    @staticmethod
    def resolve_nonconformity(obj: Any) -> str | None:
        return obj.nonconformity.ref_id if obj.nonconformity else None


class AuditFindingIn(Body):
    audit: str = Field(max_length=40, description="The audit's reference, e.g. AUD-2026-01.")
    grade: AuditFindingGrade
    title: str = Field(max_length=200)
    description: str = Field(max_length=8000)
    requirements: list[str] = Field(default_factory=list)
    controls: list[str] = Field(default_factory=list)
    item: uuid.UUID | None = Field(None, description="The checklist item it came from.")


class AuditFindingPatch(Body):
    grade: AuditFindingGrade | None = None
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=8000)
    requirements: list[str] | None = None
    controls: list[str] | None = None
    version: str | None = version_in()


class AuditFindingRaiseIn(Body):
    owner: str | None = Field(None, max_length=254, description="Who handles the nonconformity (email).")
