"""API schemas of incidents (component names prefixed ``Incident``/``RegulatoryClock``: they are
unique across the whole API)."""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import MS_REF, USER_REF, Body, Filters, version_in

from . import queries
from .choices import (
    ClockRegime,
    ClockStart,
    DurationUnit,
    IncidentFamily,
    IncidentFlag,
    IncidentSeverity,
    IncidentStatus,
    TimelineKind,
)

PERSON = "A person's email (they need not log in)."


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


@filters.schema_of(queries.IncidentFilters)
class IncidentFilters(Filters):
    """Declared in :class:`keel.incidents.queries.IncidentFilters`."""


class IncidentClockOut(Schema):
    id: uuid.UUID
    clock: str = Field(description="The clock's slug.")
    name: str
    regime: str
    basis: str = Field(description="The period that applies and why, e.g. '10 days (a person died)'.")
    starts_at: IsoDateTime
    due_at: IsoDateTime
    hours_left: int = Field(description="Whole hours until the deadline; negative when past it.")
    overdue: bool = Field(description="Past the deadline and the notification not recorded as made.")
    met_at: IsoDateTime | None = Field(description="When the notification was made.")
    met_note: str


class IncidentStepOut(Schema):
    id: uuid.UUID
    stage: IncidentStatus
    order: int
    text: str
    role: str
    done_at: IsoDateTime | None
    done_by: str | None

    @staticmethod
    def resolve_done_by(obj: Any) -> str | None:
        return _email(obj.done_by)


class IncidentTimelineOut(Schema):
    at: IsoDateTime
    by: str | None
    kind: TimelineKind
    text: str

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return _email(obj.by)


def _clocks(obj: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "clock": c.slug,
            "name": c.name,
            "regime": c.regime,
            "basis": c.basis,
            "starts_at": c.starts_at,
            "due_at": c.due_at,
            "hours_left": c.hours_left,
            "overdue": c.overdue,
            "met_at": c.met_at,
            "met_note": c.met_note,
        }
        for c in queries.clock_views(obj)
    ]


class IncidentOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    management_system: str
    incident_type: str = Field(description="The type's slug.")
    family: IncidentFamily
    title: str
    description: str
    severity: IncidentSeverity
    status: IncidentStatus
    reported_by: str | None = Field(description=PERSON)
    reported_at: IsoDateTime
    aware_at: IsoDateTime
    handler: str | None = Field(description=PERSON)
    serious_ai_incident: bool
    widespread_or_critical: bool
    death: bool
    personal_data_breach: bool
    nis2_significant: bool
    ai_systems: list[str] = Field(description="Short names of the AI systems concerned.")
    clocks: list[IncidentClockOut]
    closed_at: IsoDateTime | None
    updated_at: IsoDateTime

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_incident_type(obj: Any) -> str:
        return str(obj.incident_type.slug)

    @staticmethod
    def resolve_family(obj: Any) -> str:
        return str(obj.incident_type.family)

    @staticmethod
    def resolve_reported_by(obj: Any) -> str | None:
        return _email(obj.reported_by)

    @staticmethod
    def resolve_handler(obj: Any) -> str | None:
        return _email(obj.handler)

    @staticmethod
    def resolve_ai_systems(obj: Any) -> list[str]:
        return [s.short_name for s in obj.ai_systems.all()]

    @staticmethod
    def resolve_clocks(obj: Any) -> list[dict[str, Any]]:
        return _clocks(obj)


class IncidentDetailOut(IncidentOut):
    risks: list[str]
    controls: list[str]
    suppliers: list[str] = Field(description="Supplier references (SUP-001).")
    steps: list[IncidentStepOut]
    timeline: list[IncidentTimelineOut]
    review_what_happened: str
    review_root_cause: str
    review_lessons: str
    review_actions: str
    reviewed_at: IsoDateTime | None
    nonconformity_ref: str

    @staticmethod
    def resolve_risks(obj: Any) -> list[str]:
        return [r.ref_id for r in obj.risks.all()]

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return [c.ref_id for c in obj.controls.all()]

    @staticmethod
    def resolve_suppliers(obj: Any) -> list[str]:
        return [s.ref_id for s in obj.suppliers.all()]

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_timeline(obj: Any) -> list[Any]:
        return list(obj.timeline.all())


class _IncidentFacts(Body):
    serious_ai_incident: bool = False
    widespread_or_critical: bool = False
    death: bool = False
    personal_data_breach: bool = False
    nis2_significant: bool = False


class IncidentIn(_IncidentFacts):
    incident_type: str = Field(max_length=60, description="An incident type's slug, e.g. ai-harm.")
    management_system: str | None = Field(
        None, description=MS_REF + " Left out: that of the first AI system."
    )
    title: str = Field(max_length=200)
    description: str = Field("", max_length=20000)
    severity: IncidentSeverity = IncidentSeverity.MEDIUM
    reported_by: str | None = Field(None, description=PERSON + " Left out: the caller.")
    aware_at: IsoDateTime | None = Field(
        None, description="When we became aware; the clocks run from here. Default: now."
    )
    handler: str | None = Field(None, description=PERSON)
    ai_systems: list[str] = Field([], description="AI systems' short names.")
    risks: list[str] = Field([], description="Risk references (IS-004, AI-002).")
    controls: list[str] = Field([], description="Control references (KC-012).")
    suppliers: list[str] = Field([], description="Supplier references (SUP-001).")


class IncidentPatch(Body):
    version: str | None = version_in()
    incident_type: str | None = Field(None, max_length=60)
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20000)
    severity: IncidentSeverity | None = None
    aware_at: IsoDateTime | None = None
    handler: str | None = Field(None, description=USER_REF)
    serious_ai_incident: bool | None = None
    widespread_or_critical: bool | None = None
    death: bool | None = None
    personal_data_breach: bool | None = None
    nis2_significant: bool | None = None
    ai_systems: list[str] | None = None
    risks: list[str] | None = None
    controls: list[str] | None = None
    suppliers: list[str] | None = None


class IncidentAdvanceIn(Body):
    to: IncidentStatus
    note: str = Field("", max_length=2000)


class IncidentTimelineIn(Body):
    text: str = Field(max_length=4000)
    kind: TimelineKind = TimelineKind.NOTE
    at: IsoDateTime | None = Field(None, description="Default: now.")


class IncidentStepIn(Body):
    done: bool = True


class IncidentClockMetIn(Body):
    met_at: IsoDateTime | None = Field(None, description="When the notification was made. Default: now.")
    note: str = Field("", max_length=2000, description="To whom, the case number.")


class IncidentReviewIn(Body):
    what_happened: str = Field(max_length=20000)
    root_cause: str = Field(max_length=20000)
    lessons: str = Field(max_length=20000)
    actions: str = Field("", max_length=20000)


# ---------------------------------------------------------------- catalogue


class IncidentPlaybookStepOut(Schema):
    stage: IncidentStatus
    order: int
    text: str
    role: str


class IncidentTypeOut(Schema):
    slug: str
    name: str
    family: IncidentFamily
    description: str
    order: int
    clocks: list[str] = Field(description="Slugs of the regulatory clocks that may run on it.")
    steps: list[IncidentPlaybookStepOut]

    @staticmethod
    def resolve_clocks(obj: Any) -> list[str]:
        return [c.slug for c in obj.clocks.all()]

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


class IncidentTypeIn(Body):
    name: str = Field(max_length=200)
    slug: str = Field("", max_length=60, description="Default: from the name.")
    family: IncidentFamily
    description: str = Field("", max_length=4000)
    order: int = Field(100, ge=0, le=100000)
    clocks: list[str] = Field([], description="Regulatory clock slugs.")


class IncidentTypePatch(Body):
    name: str | None = Field(None, max_length=200)
    family: IncidentFamily | None = None
    description: str | None = Field(None, max_length=4000)
    order: int | None = Field(None, ge=0, le=100000)
    clocks: list[str] | None = None


class IncidentPlaybookStepIn(Body):
    text: str = Field(max_length=2000)
    stage: IncidentStatus = IncidentStatus.TRIAGE
    role: str = Field("", max_length=120)
    order: int | None = Field(None, ge=1, le=1000, description="Default: at the end.")


class RegulatoryClockVariantOut(Schema):
    condition: IncidentFlag
    duration: int
    unit: DurationUnit
    note: str


class RegulatoryClockOut(Schema):
    slug: str
    name: str
    regime: ClockRegime
    description: str
    applies_when: str = Field(description="The fact (flag) that starts it; empty: always.")
    starts_from: ClockStart
    duration: int
    unit: DurationUnit
    variants: list[RegulatoryClockVariantOut]

    @staticmethod
    def resolve_variants(obj: Any) -> list[Any]:
        return list(obj.variants.all())


class RegulatoryClockVariantIn(Body):
    condition: IncidentFlag
    duration: int = Field(ge=1, le=100000)
    unit: DurationUnit
    note: str = Field("", max_length=300)


class RegulatoryClockIn(Body):
    name: str = Field(max_length=200)
    slug: str = Field("", max_length=60)
    regime: ClockRegime
    description: str = Field("", max_length=4000)
    applies_when: IncidentFlag | None = Field(None, description="The fact that starts it; left out: always.")
    starts_from: ClockStart = ClockStart.AWARENESS
    duration: int = Field(ge=1, le=100000)
    unit: DurationUnit
    order: int = Field(100, ge=0, le=100000)
    variants: list[RegulatoryClockVariantIn] = []
