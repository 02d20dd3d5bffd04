"""Schemas of the standards API: what goes in (filters) and what comes out."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema

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
RequirementOrder = Literal["document", "-document", "key", "-key", "ref_id", "-ref_id", "title", "-title"]


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


class RequirementFilters(Schema):
    standard: str | None = Field(None, description="A standard key, e.g. iso42001:2023.")
    kind: EntryKind | None = None
    parent: str | None = Field(None, description="The key of the parent entry: its direct children.")
    text: str | None = Field(
        None, description="Free text: every word must match the reference, title or guidance."
    )
    q: str | None = Field(None, description="The same as `text` (the name the other collections use).")
    include_withdrawn: bool = Field(False, description="Also list entries a newer data revision withdrew.")
    order: RequirementOrder = "document"
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


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
