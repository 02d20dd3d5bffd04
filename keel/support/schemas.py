"""Schemas of the support API. References as everywhere in Keel: a management system by id or
short name, a person by email, standards by key, an AI system by short name, a metric as
``SYSTEM/METRIC``, objectives and concerns by id or reference (OB-004, CN-002)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters, version_in

from . import queries
from .choices import (
    CommunicationMethod,
    CompetenceKind,
    ConcernStatus,
    Direction,
    LegalRequirementKind,
    LegalRequirementStatus,
    ObjectiveTheme,
    ReadingFrequency,
    ReadingSource,
)

PERSON = "A person's email."
STANDARDS = "Standard keys, e.g. iso27001:2022; each must be one the management system covers."


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class Out(VersionedOut):
    id: uuid.UUID
    updated_at: IsoDateTime

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_standards(obj: Any) -> list[str]:
        return [s.key for s in obj.standards.all()]


@filters.schema_of(queries.Filters)
class SupportFilters(Filters):
    """Declared in :class:`keel.support.queries.Filters`."""


class RoleOut(Out):
    management_system: str
    standards: list[str]
    name: str
    responsibilities: str
    authorities: str
    holder: str | None = Field(description=PERSON)
    held_from: dt.date | None
    held_until: dt.date | None

    @staticmethod
    def resolve_holder(obj: Any) -> str | None:
        return _email(obj.holder)


class RoleIn(Body):
    management_system: str = Field(description=MS_REF)
    standards: list[str] = Field([], description=STANDARDS)
    name: str = Field(max_length=200)
    responsibilities: str
    authorities: str = ""
    holder: str | None = Field(None, description=PERSON)
    held_from: dt.date | None = None
    held_until: dt.date | None = None


class RolePatch(Body):
    version: str | None = version_in()
    management_system: str | None = Field(None, description=MS_REF)
    standards: list[str] | None = Field(None, description=STANDARDS)
    name: str | None = Field(None, max_length=200)
    responsibilities: str | None = None
    authorities: str | None = None
    holder: str | None = Field(None, description=PERSON)
    held_from: dt.date | None = None
    held_until: dt.date | None = None


class ObjectiveOut(Out):
    ref_id: str
    management_system: str
    standards: list[str]
    title: str
    description: str
    theme: ObjectiveTheme
    measure: str
    unit: str
    target: decimal.Decimal
    direction: Direction
    owner: str | None = Field(description=PERSON)
    frequency: ReadingFrequency
    metric: str | None = Field(description="SYSTEM/METRIC of the operating metric that feeds it.")
    due_on: dt.date | None
    latest_value: decimal.Decimal | None = None
    latest_on: dt.date | None = None
    reading_count: int = 0

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)

    @staticmethod
    def resolve_metric(obj: Any) -> str | None:
        return f"{obj.metric.ai_system.short_name}/{obj.metric.short_name}" if obj.metric_id else None


class ObjectiveIn(Body):
    ref_id: str | None = Field(None, max_length=32, description="Left out: the next free OB-nnn.")
    management_system: str = Field(description=MS_REF)
    standards: list[str] = Field([], description=STANDARDS)
    title: str = Field(max_length=200)
    description: str = ""
    theme: ObjectiveTheme = ObjectiveTheme.NONE
    measure: str = Field(max_length=300)
    unit: str = Field("", max_length=40)
    target: decimal.Decimal = Field(max_digits=20, decimal_places=6)
    direction: Direction = Direction.HIGHER
    owner: str | None = Field(None, description=PERSON)
    frequency: ReadingFrequency = ReadingFrequency.MONTHLY
    metric: str | None = Field(None, description="SYSTEM/METRIC: its readings are copied in.")
    due_on: dt.date | None = None


class ObjectivePatch(Body):
    version: str | None = version_in()
    management_system: str | None = Field(None, description=MS_REF)
    standards: list[str] | None = Field(None, description=STANDARDS)
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    theme: ObjectiveTheme | None = None
    measure: str | None = Field(None, max_length=300)
    unit: str | None = Field(None, max_length=40)
    target: decimal.Decimal | None = Field(None, max_digits=20, decimal_places=6)
    direction: Direction | None = None
    owner: str | None = Field(None, description=PERSON)
    frequency: ReadingFrequency | None = None
    metric: str | None = Field(None, description="SYSTEM/METRIC, or null to stop the feed.")
    due_on: dt.date | None = None


class ObjectiveReadingOut(Schema):
    id: uuid.UUID
    objective: str = Field(description="The objective's reference.")
    on: dt.date
    value: decimal.Decimal
    on_target: bool
    source: ReadingSource
    note: str

    @staticmethod
    def resolve_objective(obj: Any) -> str:
        return str(obj.objective.ref_id)

    @staticmethod
    def resolve_on_target(obj: Any) -> bool:
        return bool(obj.objective.on_target(obj.value))


@filters.schema_of(queries.ReadingFilters)
class ObjectiveReadingFilters(Filters):
    """Declared in :class:`keel.support.queries.ReadingFilters`."""


class ObjectiveReadingIn(Body):
    objective: str = Field(description="An objective's id or reference (OB-004).")
    value: decimal.Decimal = Field(max_digits=20, decimal_places=6)
    on: dt.date | None = Field(None, description="The day it was measured; default today.")
    note: str = Field("", max_length=300)


class CompetenceOut(Out):
    role: uuid.UUID = Field(description="The management-system role's id.")
    role_name: str
    management_system: str
    name: str
    description: str
    evidence_expected: str
    record_count: int = 0

    @staticmethod
    def resolve_role(obj: Any) -> uuid.UUID:
        return obj.role_id

    @staticmethod
    def resolve_role_name(obj: Any) -> str:
        return str(obj.role.name)

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.role.management_system.short_name)


class CompetenceIn(Body):
    role: uuid.UUID = Field(description="The management-system role's id.")
    name: str = Field(max_length=200)
    description: str = ""
    evidence_expected: str = Field("", max_length=300)


class CompetencePatch(Body):
    version: str | None = version_in()
    name: str | None = Field(None, max_length=200)
    description: str | None = None
    evidence_expected: str | None = Field(None, max_length=300)


class RecordOut(Out):
    management_system: str
    person: str = Field(description=PERSON)
    competence: uuid.UUID | None
    kind: CompetenceKind
    title: str
    provider: str
    achieved_on: dt.date
    expires_on: dt.date | None
    expired: bool
    evidence: str

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.person.email)

    @staticmethod
    def resolve_competence(obj: Any) -> uuid.UUID | None:
        return obj.competence_id

    @staticmethod
    def resolve_expired(obj: Any) -> bool:
        return obj.expires_on is not None and obj.expires_on < dt.date.today()


@filters.schema_of(queries.RecordFilters)
class RecordFilters(Filters):
    """Declared in :class:`keel.support.queries.RecordFilters`."""


class RecordIn(Body):
    management_system: str = Field(description=MS_REF)
    person: str = Field(description=PERSON)
    competence: uuid.UUID | None = Field(None, description="The competence it meets (id).")
    kind: CompetenceKind
    title: str = Field(max_length=200)
    provider: str = Field("", max_length=200)
    achieved_on: dt.date
    expires_on: dt.date | None = None
    evidence: str = Field("", max_length=500)


class RecordPatch(Body):
    version: str | None = version_in()
    competence: uuid.UUID | None = None
    kind: CompetenceKind | None = None
    title: str | None = Field(None, max_length=200)
    provider: str | None = Field(None, max_length=200)
    achieved_on: dt.date | None = None
    expires_on: dt.date | None = None
    evidence: str | None = Field(None, max_length=500)


class CampaignOut(Out):
    management_system: str
    standards: list[str]
    title: str
    message: str
    audience: str
    owner: str | None = Field(description=PERSON)
    starts_on: dt.date
    ends_on: dt.date | None
    completed_by: list[str] = Field(description="Emails of those who completed it.")

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)

    @staticmethod
    def resolve_completed_by(obj: Any) -> list[str]:
        return [c.person.email for c in obj.completions.all()]


class CampaignIn(Body):
    management_system: str = Field(description=MS_REF)
    standards: list[str] = Field([], description=STANDARDS)
    title: str = Field(max_length=200)
    message: str
    audience: str = Field(max_length=300)
    owner: str | None = Field(None, description=PERSON)
    starts_on: dt.date
    ends_on: dt.date | None = None


class CompletionIn(Body):
    person: str = Field(description=PERSON)
    completed_on: dt.date | None = Field(None, description="Default today.")


class CommunicationOut(Out):
    management_system: str
    standards: list[str]
    subject: str
    when: str
    audience: str
    communicator: str | None = Field(description=PERSON)
    method: CommunicationMethod
    external: bool

    @staticmethod
    def resolve_communicator(obj: Any) -> str | None:
        return _email(obj.communicator)


class CommunicationIn(Body):
    management_system: str = Field(description=MS_REF)
    standards: list[str] = Field([], description=STANDARDS)
    subject: str = Field(max_length=200)
    when: str = Field(max_length=200)
    audience: str = Field(max_length=300)
    communicator: str | None = Field(None, description=PERSON)
    method: CommunicationMethod
    external: bool = False


class ConcernOut(Out):
    ref_id: str
    management_system: str
    ai_system: str | None = Field(description="The AI system's short name.")
    summary: str
    description: str
    anonymous: bool
    reporter: str | None = Field(
        None, description="The reporter's email: only for callers with view_concern_reporters, else null."
    )
    reported_on: dt.date
    status: ConcernStatus
    response: str
    responded_on: dt.date | None
    handler: str | None = Field(description=PERSON)

    @staticmethod
    def resolve_ai_system(obj: Any) -> str | None:
        return obj.ai_system.short_name if obj.ai_system_id else None

    @staticmethod
    def resolve_reporter(obj: Any) -> str | None:
        return getattr(obj, "shown_reporter", None)

    @staticmethod
    def resolve_handler(obj: Any) -> str | None:
        return _email(obj.handler)


@filters.schema_of(queries.ConcernFilters)
class ConcernFilters(Filters):
    """Declared in :class:`keel.support.queries.ConcernFilters`."""


class ConcernIn(Body):
    ai_system: str | None = Field(None, description="The AI system's short name.")
    management_system: str | None = Field(None, description=MS_REF + " Left out: the AI system's.")
    summary: str = Field(max_length=200)
    description: str
    anonymous: bool = Field(False, description="Store nothing about who reported it.")


class ConcernPatch(Body):
    version: str | None = version_in()
    status: ConcernStatus | None = None
    response: str | None = None
    handler: str | None = Field(None, description=PERSON)


class CommitmentOut(Out):
    management_system: str
    standards: list[str]
    decision: str
    detail: str
    decided_on: dt.date
    decided_by: str = Field(description=PERSON)
    minutes: str

    @staticmethod
    def resolve_decided_by(obj: Any) -> str:
        return str(obj.decided_by.email)


class CommitmentIn(Body):
    management_system: str = Field(description=MS_REF)
    standards: list[str] = Field([], description=STANDARDS)
    decision: str = Field(max_length=300)
    detail: str = ""
    decided_on: dt.date
    decided_by: str = Field(description=PERSON)
    minutes: str = Field("", max_length=300, description="Where the decision is minuted.")


class CommitmentPatch(Body):
    version: str | None = version_in()
    standards: list[str] | None = Field(None, description=STANDARDS)
    decision: str | None = Field(None, max_length=300)
    detail: str | None = None
    decided_on: dt.date | None = None
    decided_by: str | None = Field(None, description=PERSON)
    minutes: str | None = Field(None, max_length=300)


CONTROLS = "The controls it drives, by reference (KC-012)."
REQUIREMENTS = "The clauses and controls of the standards it drives, by key (iso27001:2022:A.5.31)."


class LegalRequirementOut(Out):
    ref_id: str
    management_system: str
    standards: list[str]
    title: str
    kind: LegalRequirementKind
    jurisdiction: str
    source: str
    summary: str
    owner: str | None = Field(description=PERSON)
    controls: list[str] = Field(description=CONTROLS)
    requirements: list[str] = Field(description=REQUIREMENTS)
    review_on: dt.date | None
    status: LegalRequirementStatus

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return [c.ref_id for c in obj.controls.all()]

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return [r.key for r in obj.requirements.all()]


@filters.schema_of(queries.LegalFilters)
class LegalRequirementFilters(Filters):
    """Declared in :class:`keel.support.queries.LegalFilters`."""


class LegalRequirementIn(Body):
    ref_id: str | None = Field(None, max_length=32, description="Left out: the next free LR-nnn.")
    management_system: str = Field(description=MS_REF)
    standards: list[str] = Field([], description=STANDARDS)
    title: str = Field(max_length=200)
    kind: LegalRequirementKind
    jurisdiction: str = Field("", max_length=100)
    source: str = Field(max_length=300, description="The act and article, or the contract and clause.")
    summary: str = Field(description="What it asks, in your own words.")
    owner: str | None = Field(None, description=PERSON)
    controls: list[str] = Field([], description=CONTROLS)
    requirements: list[str] = Field([], description=REQUIREMENTS)
    review_on: dt.date | None = None
    status: LegalRequirementStatus = LegalRequirementStatus.APPLICABLE


class LegalRequirementPatch(Body):
    version: str | None = version_in()
    management_system: str | None = Field(None, description=MS_REF)
    standards: list[str] | None = Field(None, description=STANDARDS)
    title: str | None = Field(None, max_length=200)
    kind: LegalRequirementKind | None = None
    jurisdiction: str | None = Field(None, max_length=100)
    source: str | None = Field(None, max_length=300)
    summary: str | None = None
    owner: str | None = Field(None, description=PERSON)
    controls: list[str] | None = Field(None, description=CONTROLS)
    requirements: list[str] | None = Field(None, description=REQUIREMENTS)
    review_on: dt.date | None = None
    status: LegalRequirementStatus | None = None
