"""Schemas of the ``impact-assessments`` API. Field names are neutral so that an EU AI Act
fundamental rights impact assessment and a GDPR DPIA can reuse them (docs/ai-systems.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VERSION_IN, VersionedOut
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import Body, Filters

from . import queries
from .choices import Affects, AssessmentStatus, Dimension, Nature, Occurrence
from .services import due_state


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class RaisedRiskOut(Schema):
    id: uuid.UUID
    ref_id: str
    title: str


class ImpactOut(VersionedOut):
    id: uuid.UUID
    assessment: uuid.UUID
    title: str
    description: str
    occurrence: Occurrence
    affects: Affects
    affected_who: str
    nature: Nature
    dimension: Dimension
    objective: str | None = Field(description="The ISO/IEC 42001 Annex C objective (key), when one fits.")
    severity: int
    likelihood: int
    level: str
    measures: str
    residual_severity: int | None
    residual_likelihood: int | None
    residual_level: str
    risks: list[RaisedRiskOut] = Field(description="AI risks raised from this impact.")

    @staticmethod
    def resolve_assessment(obj: Any) -> uuid.UUID:
        return obj.assessment_id

    @staticmethod
    def resolve_objective(obj: Any) -> str | None:
        return obj.objective.key if obj.objective_id else None

    @staticmethod
    def resolve_risks(obj: Any) -> list[Any]:
        return list(obj.risks.all())


class ImpactIn(Body):
    title: str = Field(max_length=200)
    description: str = ""
    occurrence: Occurrence = Occurrence.POTENTIAL
    affects: Affects
    affected_who: str = ""
    nature: Nature
    dimension: Dimension
    severity: int = Field(description="On the impact scale of the assessment's risk methodology version.")
    likelihood: int = Field(description="On the likelihood scale of the assessment's methodology version.")
    measures: str = ""
    residual_severity: int | None = None
    residual_likelihood: int | None = None


class ImpactPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    occurrence: Occurrence | None = None
    affects: Affects | None = None
    affected_who: str | None = None
    nature: Nature | None = None
    dimension: Dimension | None = None
    severity: int | None = None
    likelihood: int | None = None
    measures: str | None = None
    residual_severity: int | None = None
    residual_likelihood: int | None = None


class RaiseIn(Body):
    owner: str | None = Field(None, description="The risk owner's email (default: the AI system's owner).")
    title: str = Field("", max_length=200)
    risk_source: str | None = Field(
        None, description="An Annex C risk source key; default from the impact's dimension."
    )


class AssessmentOut(Schema):
    id: uuid.UUID
    ai_system: str = Field(description="The AI system's short name.")
    version: int
    status: AssessmentStatus
    methodology_version: int
    scope: str
    system_description: str
    capabilities: str
    purpose: str
    intended_uses: str
    unintended_uses: str
    data_description: str
    data_quality: str
    models_description: str
    deployment_environment: str
    affected_people: str
    parties_notes: str
    trigger_stage_change: bool
    trigger_new_model: bool
    trigger_intended_use: bool
    trigger_drift: bool
    trigger_data_quality: bool
    review_interval_months: int | None
    due: bool = Field(description="Due for re-assessment (a trigger fired or the planned interval elapsed).")
    due_reason: str
    due_since: IsoDateTime | None
    next_review_at: IsoDateTime | None
    impact_count: int
    author: str | None
    approved_by: str | None
    approved_at: IsoDateTime | None
    approval_note: str
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.ai_system.short_name)

    @staticmethod
    def resolve_methodology_version(obj: Any) -> int:
        return int(obj.methodology.version)

    @staticmethod
    def resolve_due(obj: Any) -> bool:
        return due_state(obj).due

    @staticmethod
    def resolve_due_reason(obj: Any) -> str:
        return due_state(obj).reason

    @staticmethod
    def resolve_due_since(obj: Any) -> dt.datetime | None:
        return due_state(obj).since

    @staticmethod
    def resolve_author(obj: Any) -> str | None:
        return _email(obj.author)

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return _email(obj.approved_by)


class AssessmentDetailOut(AssessmentOut):
    datasets: list[str]
    ai_models: list[uuid.UUID]
    interested_parties: list[uuid.UUID]
    impacts: list[ImpactOut]

    @staticmethod
    def resolve_datasets(obj: Any) -> list[str]:
        return [d.short_name for d in obj.datasets.all()]

    @staticmethod
    def resolve_ai_models(obj: Any) -> list[uuid.UUID]:
        return [m.pk for m in obj.ai_models.all()]

    @staticmethod
    def resolve_interested_parties(obj: Any) -> list[uuid.UUID]:
        return [p.pk for p in obj.interested_parties.all()]

    @staticmethod
    def resolve_impacts(obj: Any) -> list[Any]:
        return list(obj.impacts.all())


class _Sections(Body):
    scope: str | None = None
    system_description: str | None = None
    capabilities: str | None = None
    purpose: str | None = None
    intended_uses: str | None = None
    unintended_uses: str | None = None
    data_description: str | None = None
    data_quality: str | None = None
    models_description: str | None = None
    deployment_environment: str | None = None
    affected_people: str | None = None
    parties_notes: str | None = None
    trigger_stage_change: bool | None = None
    trigger_new_model: bool | None = None
    trigger_intended_use: bool | None = None
    trigger_drift: bool | None = None
    trigger_data_quality: bool | None = None
    review_interval_months: int | None = Field(None, ge=1, le=120)
    datasets: list[str] | None = Field(None, description="Dataset ids or short names.")
    ai_models: list[uuid.UUID] | None = None
    interested_parties: list[str] | None = Field(None, description="Interested party ids or names.")


class AssessmentIn(_Sections):
    ai_system: str = Field(
        description="The AI system (id or short name). Starts its next version: the first is prefilled "
        "from the system, a re-assessment copies the latest version."
    )


class AssessmentPatch(_Sections):
    pass


class ApproveIn(Body):
    note: str = ""


@filters.schema_of(queries.AssessmentFilters)
class AssessmentFiltersIn(Filters):
    """Declared in :class:`keel.impact.queries.AssessmentFilters`."""
