"""Schemas of the Statement of Applicability API."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.schemas import MS_REF, USER_REF, Body, Filters, version_in

from . import queries

StatusName = Literal[
    "implemented", "implemented_no_evidence", "partly_implemented", "planned", "not_started", "not_applicable"
]
OverrideName = Literal["", "implemented", "partly_implemented", "planned", "not_started", "not_applicable"]


@filters.schema_of(queries.SoAFilters)
class SoAFilters(Filters):
    """Declared in :class:`keel.soa.queries.SoAFilters`."""


class SoAOut(Schema):
    id: uuid.UUID
    management_system: uuid.UUID
    management_system_name: str
    standard: str
    owner: str | None
    rows: int
    latest_version: int | None
    updated_at: IsoDateTime

    @staticmethod
    def resolve_management_system(obj: Any) -> uuid.UUID:
        return obj.management_system_id

    @staticmethod
    def resolve_management_system_name(obj: Any) -> str:
        return str(obj.management_system.name)

    @staticmethod
    def resolve_standard(obj: Any) -> str:
        return str(obj.standard.key)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_rows(obj: Any) -> int:
        return int(getattr(obj, "row_count", 0))


class SoAControlRef(Schema):
    ref_id: str
    title: str
    status: str
    coverage: str


class EvidenceRef(Schema):
    ref_id: str
    title: str
    kind: str
    version: int | None
    collected_on: IsoDate | None
    valid_until: IsoDate | None
    validity: str = Field(description="expired, expiring, valid or no_expiry (of the current version).")


class RiskRef(Schema):
    ref_id: str
    title: str


class SoALegalRef(Schema):
    ref_id: str
    title: str
    source: str


class SoARowOut(Schema):
    id: uuid.UUID
    ref_id: str
    title: str
    kind: Literal["annex", "additional"]
    applicable: bool
    risks: list[RiskRef] = Field(description="Open risks of the register treated by the row's controls.")
    obligations: str
    business_need: str
    justification: str
    accountable: str
    review_date: IsoDate | None
    status: StatusName = Field(description="The status shown: the override if any, else the rule's.")
    derived_status: StatusName = Field(description="The status the documented rule gives.")
    status_override: str
    override_reason: str
    combined_coverage: str
    target_date: IsoDate | None
    controls: list[SoAControlRef]
    evidence: list[EvidenceRef] = Field(
        description="Current evidence of the implementing controls and evidence linked to the requirement."
    )
    owner: str
    ai_systems: list[str] = Field(
        description="Names of the AI systems (of the SoA's management system) it applies to."
    )
    legal_requirements: list[SoALegalRef] = Field(
        default=[], description="The legal, regulatory or contractual requirements behind the row."
    )
    machine_written: bool = Field(
        default=False,
        description="Reasons written by the gap analysis, not reviewed yet: saving the row reviews them.",
    )
    version: str = Field(
        description="The row's current version (PATCH answers it as ETag): send it as If-Match or `version`."
    )


class SoADetailOut(SoAOut):
    header: dict[str, Any] = Field(description="Version, date and approver as exports show them.")
    items: list[SoARowOut]


class SoARowPatch(Body):
    version: str | None = version_in()
    applicable: bool | None = None
    obligations: str | None = None
    business_need: str | None = None
    justification: str | None = None
    accountable: str | None = Field(None, description=USER_REF + " Empty to clear.")
    review_date: IsoDate | None = None
    combined_coverage: str | None = None
    status_override: OverrideName | None = Field(None, description="A manual status; empty to remove it.")
    override_reason: str | None = None
    target_date: IsoDate | None = None
    owner: str | None = Field(None, description=USER_REF + " Empty to clear.")
    legal_requirements: list[str] | None = Field(
        None,
        description="References (LR-004) of legal requirements of the SoA's management system behind the row; "
        "the whole list (empty or null to clear).",
    )
    ai_systems: list[str] | None = Field(
        None,
        description="The AI systems of the SoA's management system the row applies to, by short name, name or "
        "id; the whole list (empty or null to clear). An unknown one is a 422 naming it.",
    )


class SoACreateIn(Body):
    management_system: str = Field(description=MS_REF)
    standard: str = Field(description="A standard key the management system covers.")


class ApproveIn(Body):
    note: str = ""


class SoAVersionOut(Schema):
    id: uuid.UUID
    number: int
    approved_by: str
    approved_at: IsoDateTime
    note: str
    rows: int

    @staticmethod
    def resolve_approved_by(obj: Any) -> str:
        return str(obj.approved_by.email)

    @staticmethod
    def resolve_rows(obj: Any) -> int:
        return len(obj.rows)


class RowChange(Schema):
    ref_id: str
    change: Literal["added", "removed", "changed"]
    title: str
    fields: dict[str, list[Any]]


class CompareOut(Schema):
    from_version: int | str
    to_version: int | str
    changes: list[RowChange]
