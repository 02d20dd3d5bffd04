"""Schemas of the EU AI Act API: ``ai-act-classifications``, ``obligations``,
``obligation-statuses`` and ``operating-model``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.schemas import Body, Filters, version_in

from . import queries
from .choices import GPAI, ActRole, HighRiskRoute, ObligationState, OperatingModel, Tier


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
