"""Schemas of the risk API: ``risk-methodologies``, ``risks`` (both registers, told apart by
``register``) and ``risk-snapshots``. Risks are named by id or reference (IS-004), people by
email, assets by reference, AI systems by short name, Annex C entries by requirement key."""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from typing import Any, Literal

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VERSION_IN, VersionedOut
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters

from . import queries
from .choices import AcceptanceState, ActionStatus, Register, RiskStatus, TreatmentOption

# A field named "register" shadows pydantic's ABC ``register`` classmethod: harmless for a schema
# (each such field is declared with an explicit default), so the warning is silenced here.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class ScaleEntry(Schema):
    value: int | None = Field(None, description="Ignored on input: entries are numbered 1..n in order.")
    label: str
    description: str


class LevelEntry(Schema):
    key: str
    label: str
    acceptable: bool = Field(description="A residual risk at this level may be accepted by its owner.")
    appetite: str = ""


class MethodologyOut(Schema):
    id: uuid.UUID
    version: int
    name: str
    note: str
    likelihood: list[ScaleEntry]
    impact: list[ScaleEntry]
    levels: list[LevelEntry] = Field(description="Lowest first.")
    matrix: list[list[str]] = Field(description="matrix[likelihood-1][impact-1] is a level key.")
    max_exception_days: int = Field(description="The longest an exception may run, in days.")
    assessment_interval_months: int | None = Field(
        description="The planned interval between risk assessments, in months (null: none)."
    )
    assess_on_significant_change: bool = Field(
        description="A significant change to an AI system makes its AI risks due for re-assessment."
    )
    assess_on_new_ai_system: bool = Field(description="A new AI system is due until it has AI risks.")
    assess_on_impact_assessment: bool = Field(
        description="An approved impact assessment makes the system's AI risks due for re-assessment."
    )
    significant_changes: str = Field(description="What counts as a significant change, in words.")
    created_by: str | None
    created_at: IsoDateTime
    risk_count: int = 0

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.email if obj.created_by else None


class MethodologyIn(Body):
    name: str = Field(max_length=200)
    note: str = ""
    likelihood: list[ScaleEntry] = Field(min_length=3, max_length=5)
    impact: list[ScaleEntry] = Field(min_length=3, max_length=5)
    levels: list[LevelEntry] = Field(min_length=2, max_length=6)
    matrix: list[list[str]]
    max_exception_days: int | None = Field(
        None, description="The longest an exception may run, in days (1 to 1098; default 365)."
    )
    assessment_interval_months: int | None = Field(
        12, description="The planned interval between risk assessments, in months (1 to 60; null: none)."
    )
    assess_on_significant_change: bool = True
    assess_on_new_ai_system: bool = True
    assess_on_impact_assessment: bool = True
    significant_changes: str = ""


class ControlRef(Schema):
    ref_id: str
    title: str


class ActionOut(VersionedOut):
    id: uuid.UUID
    title: str
    owner: str | None
    due_date: IsoDate | None
    status: ActionStatus

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner else None


class ApprovalOut(Schema):
    id: uuid.UUID
    state: str
    approved_by: str
    approved_at: IsoDateTime
    methodology_version: int
    residual_likelihood: int
    residual_impact: int
    residual_level: str
    plan_version: int
    controls: list[str]
    is_exception: bool
    exception_reason: str
    exception_expires: IsoDate | None
    second_approver: str | None
    second_approved_at: IsoDateTime | None
    voided_at: IsoDateTime | None
    void_reason: str

    @staticmethod
    def resolve_approved_by(obj: Any) -> str:
        return str(obj.approved_by.email)

    @staticmethod
    def resolve_second_approver(obj: Any) -> str | None:
        return obj.second_approver.email if obj.second_approver else None


class AssessmentDueOut(Schema):
    """Why a risk (or a new AI system) is due for a risk assessment."""

    trigger: Literal["event", "review_date", "interval", "new_ai_system"] = Field(
        description="event: a significant change or an approved impact assessment marked it; review_date: "
        "its review date has come; interval: the planned interval has elapsed; new_ai_system: an AI system "
        "with no AI risk yet."
    )
    reason: str
    since: IsoDate


class AssessmentDueItemOut(AssessmentDueOut):
    kind: Literal["risk", "ai_system"]
    ref: str = Field(description="The risk's reference, or the AI system's short name.")
    title: str
    management_system: uuid.UUID
    url: str = Field(description="The page that answers it.")

    @staticmethod
    def resolve_management_system(obj: Any) -> uuid.UUID:
        return obj.management_system_id


class RiskOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    register: Register = Field(..., description="is (information security) or ai.")
    title: str
    description: str
    management_system: str
    methodology_version: int
    owner: str
    delegate: str | None
    status: RiskStatus
    asset: str | None = Field(description="IS register: the asset's reference.")
    process: str
    threat: str
    vulnerability: str
    affects_confidentiality: bool
    affects_integrity: bool
    affects_availability: bool
    ai_system: str | None = Field(description="AI register: the AI system's short name.")
    risk_source: str | None = Field(description="AI register: an ISO/IEC 42001 Annex C risk source key.")
    objective: str | None = Field(description="AI register: an Annex C objective key.")
    affected_people: str
    impact: uuid.UUID | None = Field(
        None, description="The impact (of an AI system impact assessment) this risk was raised from."
    )
    inherent_likelihood: int
    inherent_impact: int
    inherent_level: str
    treatment_option: str
    treatment_plan: str
    plan_version: int
    controls: list[ControlRef]
    residual_likelihood: int | None
    residual_impact: int | None
    residual_level: str
    review_date: IsoDate | None
    acceptance: AcceptanceState = Field(
        description="The acceptance today: `lapsed` once an approved exception's expiry date has come "
        "(the expiry date is exclusive); the risk then needs a new decision."
    )
    exception_expires: IsoDate | None = Field(
        None, description="The expiry date of the current exception (in force, awaiting approval or lapsed)."
    )
    close_reason: str = Field("", description="Why the risk was closed (empty while open).")
    closed_at: IsoDateTime | None = None
    assessed_at: IsoDateTime = Field(description="When the risk was last assessed.")
    assessment_due: AssessmentDueOut | None = Field(
        None,
        description="Set when the risk is due for re-assessment (docs/risks.md#when-risks-are-assessed).",
    )
    updated_at: IsoDateTime

    @staticmethod
    def resolve_assessment_due(obj: Any) -> dict[str, Any] | None:
        due = obj.assessment_due
        return None if due is None else {"trigger": due[0], "reason": due[1], "since": due[2]}

    @staticmethod
    def resolve_acceptance(obj: Any) -> str:
        return str(obj.current_acceptance)

    @staticmethod
    def resolve_exception_expires(obj: Any) -> dt.date | None:
        return getattr(obj, "exception_until", None)

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_methodology_version(obj: Any) -> int:
        return int(obj.methodology.version)

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.email)

    @staticmethod
    def resolve_delegate(obj: Any) -> str | None:
        return obj.delegate.email if obj.delegate else None

    @staticmethod
    def resolve_asset(obj: Any) -> str | None:
        return obj.asset.ref_id if obj.asset else None

    @staticmethod
    def resolve_impact(obj: Any) -> uuid.UUID | None:
        return obj.impact_id

    @staticmethod
    def resolve_ai_system(obj: Any) -> str | None:
        return obj.ai_system.short_name if obj.ai_system else None

    @staticmethod
    def resolve_risk_source(obj: Any) -> str | None:
        return obj.risk_source.key if obj.risk_source else None

    @staticmethod
    def resolve_objective(obj: Any) -> str | None:
        return obj.objective.key if obj.objective else None

    @staticmethod
    def resolve_controls(obj: Any) -> list[dict[str, str]]:
        return [{"ref_id": c.ref_id, "title": c.title} for c in obj.controls.all()]


class RiskDetailOut(RiskOut):
    register: Register = Field(..., description="is (information security) or ai.")
    actions: list[ActionOut]
    approvals: list[ApprovalOut] = Field(description="Newest first, voided ones included.")

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())

    @staticmethod
    def resolve_approvals(obj: Any) -> list[Any]:
        return list(obj.approvals.all())


@filters.schema_of(queries.RiskFilters)
class RiskFilters(Filters):
    """Declared in :class:`keel.risks.queries.RiskFilters`."""


class _RiskFields(Body):
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    owner: str | None = Field(None, description="The owner's email.")
    delegate: str | None = Field(None, description="A named delegate's email (empty to clear).")
    asset: str | None = Field(None, description="IS: an asset reference.")
    process: str | None = Field(None, max_length=200)
    threat: str | None = None
    vulnerability: str | None = None
    affects_confidentiality: bool | None = None
    affects_integrity: bool | None = None
    affects_availability: bool | None = None
    ai_system: str | None = Field(None, description="AI: the AI system's short name.")
    risk_source: str | None = Field(
        None, description="AI: Annex C risk source key, e.g. iso42001:2023:C.3.4."
    )
    objective: str | None = Field(None, description="AI: Annex C objective key, e.g. iso42001:2023:C.2.5.")
    affected_people: str | None = None
    inherent_likelihood: int | None = None
    inherent_impact: int | None = None
    treatment_option: TreatmentOption | Literal[""] | None = None
    treatment_plan: str | None = None
    controls: list[str] | None = Field(None, description="Control references that treat the risk.")
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    review_date: IsoDate | None = None


class RiskIn(_RiskFields):
    register: Register = Field(..., description="is (information security) or ai.")
    management_system: str = Field(description=MS_REF)
    ref_id: str | None = Field(None, max_length=32, description="Left out: the next free IS-nnn / AI-nnn.")
    title: str = Field(max_length=200)
    owner: str = Field(description="The owner's email.")
    inherent_likelihood: int
    inherent_impact: int


class RiskPatch(_RiskFields):
    version: str | None = Field(None, description=VERSION_IN)
    reassess: bool = Field(False, description="Move the risk to the current methodology version.")


class StatusIn(Body):
    status: RiskStatus
    reason: str = Field("", description="Why the risk is closed: required to close it.")


class ExceptionIn(Body):
    reason: str
    expires: IsoDate


class ActionIn(Body):
    title: str = Field(max_length=200)
    owner: str | None = None
    due_date: IsoDate | None = None
    status: ActionStatus = ActionStatus.PLANNED


class ActionPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    title: str | None = Field(None, max_length=200)
    owner: str | None = None
    due_date: IsoDate | None = None
    status: ActionStatus | None = None


class SnapshotOut(Schema):
    id: uuid.UUID
    cycle: str
    register: Register = Field(..., description="is (information security) or ai.")
    taken_by: str | None
    taken_at: IsoDateTime
    risk_count: int

    @staticmethod
    def resolve_taken_by(obj: Any) -> str | None:
        return obj.taken_by.email if obj.taken_by else None


class SnapshotDetailOut(SnapshotOut):
    register: Register = Field(..., description="is (information security) or ai.")
    rows: list[dict[str, Any]]


class SnapshotIn(Body):
    register: Register = Field(..., description="is (information security) or ai.")
    cycle: str = Field(max_length=120)
