"""Schemas of the crosswalk API: filters, request bodies and responses.

Crosswalks are named by key; entries by key (``iso27001:2022:A.5.19``) or, inside a
crosswalk, by ref id (``A.5.19``). Bodies refuse unknown fields.
"""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import Body, Filters, version_in

from . import queries
from .choices import Origin, Relation


class RelationCounts(Schema):
    equal: int
    subset: int
    superset: int
    intersects: int
    not_related: int


class CrosswalkOut(Schema):
    key: str
    name: str
    description: str
    source: str = Field(description="The source standard's key.")
    target: str = Field(description="The target standard's key.")
    origin: Origin
    revision: int
    data_source: str
    relations: int = Field(description="Live (not withdrawn) relations.")
    counts: RelationCounts
    targets_covered: int = Field(description="Target entries named by at least one live relation.")
    targets_total: int = Field(description="Live entries of the target standard.")
    completeness: float = Field(description="targets_covered / targets_total.")
    updated_at: IsoDateTime

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return obj.source.key

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return obj.target.key

    @staticmethod
    def resolve_relations(obj: Any) -> int:
        return int(obj.n_live)

    @staticmethod
    def resolve_counts(obj: Any) -> dict[str, int]:
        from .queries import counts

        return counts(obj)

    @staticmethod
    def resolve_completeness(obj: Any) -> float:
        from .queries import completeness

        return completeness(obj)


class CrosswalkIn(Body):
    key: str = Field(description="A slug: lower-case letters, digits and hyphens.", max_length=120)
    name: str = Field(max_length=200)
    source: str = Field(description="The source standard's key, e.g. iso27001:2022.")
    target: str = Field(description="The target standard's key.")
    description: str = Field("", max_length=4000)


class RelationOut(VersionedOut):
    id: uuid.UUID
    crosswalk: str = Field(description="The crosswalk's key.")
    source: str | None = Field(description="The source entry's key; null for not_related.")
    source_ref: str | None
    source_title: str | None
    target: str = Field(description="The target entry's key.")
    target_ref: str
    target_title: str
    relation: Relation = Field(description="Read 'source <relation> target'.")
    rationale: str
    extension: str
    origin: Origin
    edited: bool = Field(description="A person changed this shipped relation; reloads keep their version.")
    withdrawn_at: IsoDateTime | None
    updated_at: IsoDateTime

    @staticmethod
    def resolve_crosswalk(obj: Any) -> str:
        return obj.crosswalk.key

    @staticmethod
    def resolve_source(obj: Any) -> str | None:
        return obj.source.key if obj.source is not None else None

    @staticmethod
    def resolve_source_ref(obj: Any) -> str | None:
        return obj.source.ref_id if obj.source is not None else None

    @staticmethod
    def resolve_source_title(obj: Any) -> str | None:
        return obj.source.title if obj.source is not None else None

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return obj.target.key

    @staticmethod
    def resolve_target_ref(obj: Any) -> str:
        return obj.target.ref_id

    @staticmethod
    def resolve_target_title(obj: Any) -> str:
        return obj.target.title


@filters.schema_of(queries.RelationFilters)
class RelationFilters(Filters):
    """Declared in :class:`keel.mapping.queries.RelationFilters`."""


class RelationIn(Body):
    crosswalk: str = Field(description="The crosswalk's key.")
    source: str | None = Field(None, description="Source entry (key or ref id); empty for not_related.")
    target: str = Field(description="Target entry (key or ref id).")
    relation: Relation
    rationale: str = Field(max_length=4000)
    extension: str = Field("", max_length=4000)


class RelationPatch(Body):
    version: str | None = version_in()
    relation: Relation | None = None
    rationale: str | None = Field(None, max_length=4000)
    extension: str | None = Field(None, max_length=4000)
