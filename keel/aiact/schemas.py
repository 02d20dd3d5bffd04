"""Schemas of the EU AI Act API: ``ai-act-classifications``, ``obligations``,
``obligation-statuses``, ``operating-model`` and ``fundamental-rights-assessments``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.schemas import Body, Filters, version_in

from . import queries
from .choices import GPAI, ActRole, FriaStatus, HighRiskRoute, ObligationState, OperatingModel, Tier


class ReasonOut(Schema):
    question: str = Field(description="The question key the reason rests on; empty for a conclusion.")
    ref: str
    text: str


class ClassificationOut(Schema):
    id: uuid.UUID
    ai_system: str = Field(description="The AI system's short name.")
    version: int
    questionnaire_version: str
    role: ActRole
    answers: dict[str, bool]
    tier: Tier
    high_risk_route: HighRiskRoute
    annex_iii_points: list[str]
    annex_i: bool
    derogation_applied: bool
    prohibited_practices: list[str]
    transparency_cases: list[str]
    gpai: GPAI
    public_body: bool
    reasons: list[ReasonOut]
    note: str
    classified_by: str | None
    created_at: dt.datetime
    redo_due: bool
    redo_reason: str
    redo_since: dt.datetime | None

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.ai_system.short_name)

    @staticmethod
    def resolve_classified_by(obj: Any) -> str | None:
        return obj.classified_by.email if obj.classified_by_id else None


class ClassificationIn(Body):
    ai_system: str = Field(description="The AI system's id or short name.")
    role: ActRole
    answers: dict[str, bool] = Field(
        description="Question key → yes (true) / no (false); eu_use is required, unanswered questions count as no."
    )
    note: str = ""


@filters.schema_of(queries.ClassificationFilters)
class ClassificationFiltersIn(Filters):
    """Declared in :class:`keel.aiact.queries.ClassificationFilters`."""


class DateChangeOut(Schema):
    date: dt.date
    act: str
    act_label: str
    note: str


class TimelineOut(Schema):
    key: str
    original_date: dt.date
    current_date: dt.date
    changed_by: str = Field(description="The act that set the current date.")
    history: list[DateChangeOut]


class ObligationOut(Schema):
    key: str
    ref: str
    title: str
    summary: str
    roles: list[ActRole]
    tiers: list[Tier]
    condition: str
    timelines: list[TimelineOut] = Field(
        description="When it applies, with the history of the date; high-risk obligations have the Annex III "
        "and the Annex I timeline."
    )
    supports: list[str] = Field(description="ISO/IEC 42001 requirement keys that carry it in an AIMS.")
    beyond: str = Field(description="What the Act asks beyond an AI management system.")


class ObligationStatusOut(Schema):
    ai_system: str
    obligation: str
    ref: str
    title: str
    status: ObligationState
    note: str
    evidence: list[str]
    applies_from: dt.date
    original_date: dt.date
    date_set_by: str
    supports: list[str] = Field(
        description="ISO/IEC 42001 requirement keys that carry it (their coverage: the "
        "side-by-side page and exports)."
    )
    beyond: str
    version: str = Field(description="The status record's version for If-Match (empty when never set).")


@filters.schema_of(queries.ObligationStatusFilters)
class ObligationStatusFiltersIn(Filters):
    """Declared in :class:`keel.aiact.queries.ObligationStatusFilters`."""


class ObligationStatusIn(Body):
    status: ObligationState | None = None
    note: str | None = None
    evidence: list[str] | None = Field(None, description="Evidence references (EV-001) or ids.")
    version: str | None = version_in()


class AdviceReasonOut(Schema):
    question: str
    leans: str
    text: str


class OperatingModelOut(Schema):
    id: uuid.UUID
    version: int
    answers: dict[str, str]
    recommendation: OperatingModel
    reasons: list[AdviceReasonOut]
    note: str
    decided_by: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.email if obj.decided_by_id else None


class QuestionOut(Schema):
    key: str
    text: str
    options: list[str]


class OperatingModelStateOut(Schema):
    current: OperatingModelOut | None
    history: list[OperatingModelOut]
    questions: list[QuestionOut]
    suggested: dict[str, str] = Field(description="Answers Keel suggests from its records.")


class OperatingModelIn(Body):
    answers: dict[str, str]
    note: str = ""


class SplitIn(Body):
    management_system: str = Field(
        description="The system to split (id or short name); it keeps ISO/IEC 27001."
    )
    name: str = Field(description="The new AIMS's name.")
    short_name: str = Field(description="The new AIMS's short name.")
    note: str = ""


class MergeIn(Body):
    target: str = Field(description="The system that stays (id or short name).")
    source: str = Field(description="The system merged into it and then retired.")
    note: str = ""


class ManagementSystemRefOut(Schema):
    id: uuid.UUID
    name: str
    short_name: str
    status: str
    operating_model: str
    standards: list[str]

    @staticmethod
    def resolve_standards(obj: Any) -> list[str]:
        return sorted(obj.standards.values_list("key", flat=True))


FRIA_TEXT = {
    "processes": "Art. 27(1)(a): the deployer's processes in which the system is used.",
    "period_of_use": "Art. 27(1)(b): the period and frequency of use.",
    "affected_people": "Art. 27(1)(c): the categories of people and groups likely to be affected.",
    "risks_of_harm": "Art. 27(1)(d): the specific risks of harm to them.",
    "oversight_measures": "Art. 27(1)(e): the human oversight measures.",
    "mitigation": "Art. 27(1)(f): the measures if the risks materialise, with internal governance.",
    "complaints": "Art. 27(1)(f): the complaint mechanism.",
}


class FriaOut(VersionedOut):
    id: uuid.UUID
    ai_system: str = Field(description="The AI system's short name.")
    impact_assessment: uuid.UUID | None = Field(description="The AI system impact assessment it builds on.")
    impact_assessment_version: int | None
    required: bool = Field(
        description="Whether Art. 27 asks the organisation for it, as the system is classified."
    )
    status: FriaStatus
    processes: str = Field(description=FRIA_TEXT["processes"])
    period_of_use: str = Field(description=FRIA_TEXT["period_of_use"])
    affected_people: str = Field(description=FRIA_TEXT["affected_people"])
    risks_of_harm: str = Field(description=FRIA_TEXT["risks_of_harm"])
    oversight_measures: str = Field(description=FRIA_TEXT["oversight_measures"])
    mitigation: str = Field(description=FRIA_TEXT["mitigation"])
    complaints: str = Field(description=FRIA_TEXT["complaints"])
    note: str
    missing: list[str] = Field(description="The elements still empty.")
    completed_on: dt.date | None
    notified_on: dt.date | None = Field(description="When the market surveillance authority was notified.")
    updated_at: dt.datetime

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.ai_system.short_name)

    @staticmethod
    def resolve_impact_assessment_version(obj: Any) -> int | None:
        return obj.impact_assessment.version if obj.impact_assessment_id else None

    @staticmethod
    def resolve_impact_assessment(obj: Any) -> uuid.UUID | None:
        return obj.impact_assessment_id

    @staticmethod
    def resolve_missing(obj: Any) -> list[str]:
        return list(obj.missing())

    @staticmethod
    def resolve_required(obj: Any) -> bool:
        return bool(getattr(obj, "required", False))


@filters.schema_of(queries.FriaFilters)
class FriaFiltersIn(Filters):
    """Declared in :class:`keel.aiact.queries.FriaFilters`."""


class FriaIn(Body):
    ai_system: str = Field(
        description="The AI system's short name or id; its impact assessment pre-fills the rest."
    )
    processes: str | None = Field(None, description=FRIA_TEXT["processes"])
    period_of_use: str | None = Field(None, description=FRIA_TEXT["period_of_use"])
    affected_people: str | None = Field(None, description=FRIA_TEXT["affected_people"])
    risks_of_harm: str | None = Field(None, description=FRIA_TEXT["risks_of_harm"])
    oversight_measures: str | None = Field(None, description=FRIA_TEXT["oversight_measures"])
    mitigation: str | None = Field(None, description=FRIA_TEXT["mitigation"])
    complaints: str | None = Field(None, description=FRIA_TEXT["complaints"])
    note: str | None = None


class FriaPatch(Body):
    version: str | None = version_in()
    processes: str | None = Field(None, description=FRIA_TEXT["processes"])
    period_of_use: str | None = Field(None, description=FRIA_TEXT["period_of_use"])
    affected_people: str | None = Field(None, description=FRIA_TEXT["affected_people"])
    risks_of_harm: str | None = Field(None, description=FRIA_TEXT["risks_of_harm"])
    oversight_measures: str | None = Field(None, description=FRIA_TEXT["oversight_measures"])
    mitigation: str | None = Field(None, description=FRIA_TEXT["mitigation"])
    complaints: str | None = Field(None, description=FRIA_TEXT["complaints"])
    note: str | None = None
    status: FriaStatus | None = Field(None, description="complete needs every element written.")
    notified_on: dt.date | None = Field(None, description="Only for a complete assessment; null clears it.")
