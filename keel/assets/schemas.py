"""Schemas of the asset and classification API. Assets are named by id or reference (AS-004),
levels by id or key, people by email, management systems by id or short name."""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field

from keel.platform import filters
from keel.platform.api import VERSION_IN, VersionedOut
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters

from . import queries
from .choices import AssetType


class LevelOut(VersionedOut):
    id: uuid.UUID
    key: str
    name: str
    rank: int = Field(description="Order of sensitivity: 1 is the least sensitive.")
    description: str
    handling: str
    retention: str
    disposal: str
    ai_training_allowed: bool
    ai_evaluation_allowed: bool
    licence_scope: str
    training_data_deletion: str
    retired_at: IsoDateTime | None
    asset_count: int = 0


class LevelIn(Body):
    key: str = Field(max_length=40)
    name: str = Field(max_length=80)
    rank: int = Field(ge=1, le=100)
    description: str = ""
    handling: str = ""
    retention: str = ""
    disposal: str = ""
    ai_training_allowed: bool = False
    ai_evaluation_allowed: bool = False
    licence_scope: str = ""
    training_data_deletion: str = ""


class LevelPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    key: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=80)
    rank: int | None = Field(None, ge=1, le=100)
    description: str | None = None
    handling: str | None = None
    retention: str | None = None
    disposal: str | None = None
    ai_training_allowed: bool | None = None
    ai_evaluation_allowed: bool | None = None
    licence_scope: str | None = None
    training_data_deletion: str | None = None


class AssetOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    name: str
    description: str
    type: AssetType
    management_system: str = Field(description="Short name.")
    owner: str | None = Field(description="The owner's email.")
    classification: str | None = Field(description="The classification level's key.")
    location: str
    retired_at: IsoDateTime | None
    risk_count: int = 0
    updated_at: IsoDateTime

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner else None

    @staticmethod
    def resolve_classification(obj: Any) -> str | None:
        return obj.classification.key if obj.classification else None


@filters.schema_of(queries.AssetFilters)
class AssetFilters(Filters):
    """Declared in :class:`keel.assets.queries.AssetFilters`."""


class AssetIn(Body):
    ref_id: str | None = Field(None, max_length=32, description="Left out: the next free AS-nnn.")
    name: str = Field(max_length=200)
    description: str = ""
    type: AssetType
    management_system: str = Field(description=MS_REF)
    owner: str | None = Field(None, description="The owner's email.")
    classification: str | None = Field(None, description="A level's key.")
    location: str = ""


class AssetPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    ref_id: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=200)
    description: str | None = None
    type: AssetType | None = None
    management_system: str | None = Field(None, description=MS_REF)
    owner: str | None = None
    classification: str | None = None
    location: str | None = None
