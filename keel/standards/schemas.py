"""Schemas of the standards API: what goes in (filters) and what comes out."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.schemas import Filters

from . import queries
from .choices import EntryKind, HSRelation

REQUIREMENT_ORDER = {
    "document": ("standard__key", "sort_order"),
    "-document": ("-standard__key", "-sort_order"),
    "key": ("key",),
    "-key": ("-key",),
    "ref_id": ("standard__key", "ref_id"),
    "-ref_id": ("-standard__key", "-ref_id"),
    "title": ("title", "key"),
    "-title": ("-title", "-key"),
}


class StandardOut(Schema):
    key: str = Field(examples=["iso27001:2022"])
    name: str
    edition: str
    title: str
    version: int = Field(description="Keel's data revision of the standard (the edition is part of the key).")
    revision: int
    amendments: list[str | None] = Field(description="Amendments recorded on the standard, e.g. Amd1:2024.")
    counts: dict[str, int] = Field(description="Live entries by kind.")
    total: int


class StandardDetailOut(StandardOut):
    publisher: str
    description: str
    amendment_details: list[dict[str, Any]] = Field(description="Each amendment: id, title, year, summary.")


@filters.schema_of(queries.RequirementFilters)
class RequirementFilters(Filters):
    """Declared in :class:`keel.standards.queries.RequirementFilters`."""


class RequirementOut(Schema):
    key: str = Field(examples=["iso27001:2022:A.5.12"])
    standard: str
    ref_id: str
    title: str
    kind: EntryKind
    parent: str | None
    depth: int
    documented_information: bool
    hs_key: str
    hs_relation: HSRelation | Literal[""]
    withdrawn: bool

    @staticmethod
    def resolve_standard(obj: Any) -> str:
        return str(obj.standard.key)

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.key if obj.parent_id else None

    @staticmethod
    def resolve_withdrawn(obj: Any) -> bool:
        return obj.withdrawn_at is not None


class RequirementDetailOut(RequirementOut):
    intent: str
    auditor_focus: str
    typical_evidence: list[str]
    documented_information_note: str
    customarily_documented_note: str
    amendments: list[str]
    introduced_in_revision: int
    withdrawn_in_revision: int | None
    children: list[str] = Field(description="Keys of the direct children, in document order.")

    @staticmethod
    def resolve_children(obj: Any) -> list[str]:
        return list(obj.children_keys)
