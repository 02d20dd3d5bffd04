"""API schemas of the gap analysis (the JSON contract of issue 4).

The report's schemas are plain pydantic models: they validate plain dicts, and skip ninja's
per-object attribute resolver, which costs seconds on reports with thousands of chains."""

from __future__ import annotations

import uuid
from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel

from keel.platform.isodates import IsoDateTime

StatusName = Literal["covered", "partial", "gap", "not_applicable"]


class GapQuery(Schema):
    target: str = Field(description="The target standard's key, e.g. iso42001:2023.")
    management_system: str | None = Field(
        default=None, description="Id or short name; optional when one visible system covers the target."
    )


class ExportQuery(GapQuery):
    format: Literal["json", "xlsx", "pdf"] = "xlsx"


class StepOut(BaseModel):
    key: str = Field(description="The control's reference (first element), then requirement keys.")
    relation: str = Field(
        description="'control' for the first element; 'implements' or 'implements_partially' for the "
        "control's link; then the crosswalk relation read from the element before: equal, superset, "
        "subset or intersects."
    )


class SummaryOut(BaseModel):
    covered: int
    partial: int
    gap: int
    not_applicable: int
    coverage_ratio: float = Field(description="covered / applicable (applicable = total − not_applicable).")
    partial_ratio: float = Field(description="partial / applicable.")
    backbone_reuse: float = Field(
        description="Applicable backbone clauses (4–10) covered through the shared harmonised structure, "
        "over applicable backbone clauses."
    )


class GapRequirementOut(BaseModel):
    key: str
    ref_id: str
    title: str
    status: StatusName = Field(description="The effective status: confirmed if any, else inferred.")
    inferred_status: StatusName
    confirmed_status: StatusName | None
    via: list[list[StepOut]] = Field(description="Every counting chain from a control to the requirement.")
    extension: str | None = Field(description="For partial coverage: what must be added.")
    why: str = Field(
        description="Why the status, in words: the chain that decides it and what holds it back, or for a "
        "gap what reaches the requirement without counting (a theme-only pair, a part lost along a chain, "
        "only planned controls); then a person's decision if any."
    )


class GapAnalysisOut(BaseModel):
    target: str
    summary: SummaryOut
    requirements: list[GapRequirementOut]


class DecisionIn(Schema):
    management_system: str
    requirement: str = Field(description="The requirement's key, e.g. iso42001:2023:A.7.4.")
    status: StatusName
    reason: str


class DecisionOut(Schema):
    id: uuid.UUID
    management_system: uuid.UUID = Field(alias="management_system_id")
    requirement: str = Field(alias="requirement.key")
    confirmed_status: StatusName
    inferred_status: str
    reason: str
    decided_by: str | None = Field(default=None, alias="decided_by.email")
    decided_at: IsoDateTime


class DecisionDeleteQuery(Schema):
    management_system: str
    requirement: str


class DraftIn(Schema):
    target: str
    management_system: str


class DraftOut(Schema):
    soa_id: uuid.UUID
    rows_written: list[str] = Field(description="Annex A rows given machine-written reasons (to review).")
    rows_kept: list[str] = Field(description="Rows a person had already written: left as they were.")
    links_added: list[str] = Field(description="Control links added from the chains.")


class ScopeIn(Schema):
    management_system: str
    control: str = Field(description="The control's reference (KC-012) or id, in the management system.")
    requirement: str | None = Field(
        default=None,
        description="The harmonised clause of the target (key, e.g. iso42001:2023:9.2.2). Without it, "
        "every clause of `target` where a chain of the control waits for a confirmation.",
    )
    target: str | None = Field(default=None, description="The target standard, needed without `requirement`.")
    note: str = Field(description="What shows the scope includes the management system.")


class ScopeOut(Schema):
    id: uuid.UUID
    management_system: uuid.UUID = Field(alias="management_system_id")
    control: str = Field(alias="control.ref_id")
    requirement: str = Field(alias="requirement.key")
    note: str
    confirmed_by: str | None = Field(default=None, alias="confirmed_by.email")
    confirmed_at: IsoDateTime


class ScopeDeleteQuery(Schema):
    management_system: str
    control: str
    requirement: str
