"""Schemas of the changes API. References as everywhere in Keel: a management system by id or
short name, a person by email, an AI system by short name, a model version as ``MODEL@LABEL``
(or its label or id), evidence by reference (EV-007), a change by id or reference (CHG-004)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters, version_in

from . import queries
from .choices import ChangeFamily, ChangeStatus, ChangeType

PERSON = "A person's email (they need not log in)."


class ChangeOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    management_system: str
    family: ChangeFamily
    kind: ChangeType
    title: str
    description: str
    requester: str = Field(description=PERSON)
    owner: str = Field(description=PERSON)
    planned_on: dt.date | None
    status: ChangeStatus
    risk_notes: str
    test_plan: str
    rollback_plan: str
    ai_system: str | None = Field(description="The AI system's short name (model lifecycle changes).")
    model_version: str | None = Field(description="MODEL@LABEL of the version the change releases.")
    impact_assessment: int | None = Field(description="The version of the impact assessment linked to it.")
    evidence: list[str] = Field(description="References of the verification and validation evidence.")
    purpose: str
    consequences: str
    resources: str
    responsibilities: str
    management_systems: list[str] = Field(
        description="Short names of the systems a management-system change changes."
    )
    submitted_at: IsoDateTime | None
    approver: str | None = Field(description="Who approved or rejected it.")
    approved_at: IsoDateTime | None
    rejected_at: IsoDateTime | None
    decision_note: str
    implemented_at: IsoDateTime | None
    implementation_note: str
    closed_at: IsoDateTime | None
    review_note: str
    updated_at: IsoDateTime

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_requester(obj: Any) -> str:
        return str(obj.requester.email)

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.email)

    @staticmethod
    def resolve_ai_system(obj: Any) -> str | None:
        return obj.ai_system.short_name if obj.ai_system_id else None

    @staticmethod
    def resolve_model_version(obj: Any) -> str | None:
        v = obj.model_version
        return f"{v.model.name}@{v.label}" if v is not None else None

    @staticmethod
    def resolve_impact_assessment(obj: Any) -> int | None:
        return obj.impact_assessment.version if obj.impact_assessment_id else None

    @staticmethod
    def resolve_evidence(obj: Any) -> list[str]:
        return [e.ref_id for e in obj.evidence.all()]

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return sorted(m.short_name for m in obj.management_systems.all())

    @staticmethod
    def resolve_approver(obj: Any) -> str | None:
        return obj.approver.email if obj.approver_id else None


@filters.schema_of(queries.ChangeFilters)
class ChangeListFilters(Filters):
    """Declared in :class:`keel.changes.queries.ChangeFilters`."""


class _ChangeFields(Body):
    title: str = Field(max_length=200)
    description: str = ""
    kind: ChangeType
    requester: str | None = Field(None, description=PERSON + " Left out: the caller.")
    owner: str | None = Field(None, description=PERSON + " Left out: the requester.")
    planned_on: dt.date | None = None
    risk_notes: str = ""
    test_plan: str = ""
    rollback_plan: str = ""
    ai_system: str | None = Field(None, description="The AI system's short name (model lifecycle changes).")
    model_version: str | None = Field(
        None, description="The version released: MODEL@LABEL, a label or an id."
    )
    impact_assessment: str | None = Field(
        None, description="The impact assessment reviewed for it: id or version."
    )
    evidence: list[str] = Field(default_factory=list, description="Evidence references (EV-007).")
    purpose: str = ""
    consequences: str = ""
    resources: str = ""
    responsibilities: str = ""


class ChangeIn(_ChangeFields):
    family: ChangeFamily
    management_system: str | None = Field(None, description=MS_REF + " Left out: the AI system's.")
    management_systems: list[str] = Field(
        default_factory=list, description="Management-system changes: the systems it changes (" + MS_REF + ")"
    )


class ChangePatch(Body):
    version: str | None = version_in()
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    kind: ChangeType | None = None
    requester: str | None = Field(None, description=PERSON)
    owner: str | None = Field(None, description=PERSON)
    planned_on: dt.date | None = None
    risk_notes: str | None = None
    test_plan: str | None = None
    rollback_plan: str | None = None
    ai_system: str | None = None
    model_version: str | None = None
    impact_assessment: str | None = None
    evidence: list[str] | None = None
    purpose: str | None = None
    consequences: str | None = None
    resources: str | None = None
    responsibilities: str | None = None
    management_systems: list[str] | None = None


class ChangeDecisionIn(Body):
    note: str = Field("", description="The approver's note (approve), or the reason (reject: required).")


class ChangeStepIn(Body):
    note: str = Field(
        "", description="Implement: what was done. Close: the post-implementation review (required)."
    )


class ChangeGateOut(Schema):
    name: str
    ok: bool
    detail: str


class ChangeGateAnswer(Schema):
    ref: str
    status: ChangeStatus
    approved: bool = Field(
        description="True only for an approved or implemented change: a pipeline may go on."
    )
    gates: list[ChangeGateOut]
