"""Schemas of the AI-lifecycle API: ``model-versions`` (with the datasets each version was
trained and evaluated on), the deployment gate of a version, and ``ai-lifecycle-records``."""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VERSION_IN, VersionedOut
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.schemas import Body, Filters

from . import list_filters
from .choices import LifecycleRecordKind, LifecycleRecordStatus, ModelVersionStatus

SYSTEM_REF = "An AI system's id or short name."
VERSION_REF = (
    "A model version: its id, MODEL@VERSION (e.g. helix-gbm@3.2), or a version label unique in the system."
)
DATASETS = "Short names (or ids) of datasets"


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


# ---------------------------------------------------------------- model versions


class ModelVersionOut(VersionedOut):
    id: uuid.UUID
    ai_system: str = Field(description="The AI system's short name.")
    model: str = Field(description="The model's name.")
    model_id: uuid.UUID
    label: str
    status: ModelVersionStatus
    training_date: IsoDate | None
    notes: str
    trained_on: list[str] = Field(description="Short names of the datasets this version was trained on.")
    evaluated_on: list[str] = Field(description="Short names of the datasets this version was evaluated on.")
    evaluation_count: int
    failed_evaluation_count: int
    deployed_at: IsoDateTime | None
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.model.ai_system.short_name)

    @staticmethod
    def resolve_model(obj: Any) -> str:
        return str(obj.model.name)

    @staticmethod
    def resolve_trained_on(obj: Any) -> list[str]:
        return [d.short_name for d in obj.trained_on.all()]

    @staticmethod
    def resolve_evaluated_on(obj: Any) -> list[str]:
        return [d.short_name for d in obj.evaluated_on.all()]


@filters.schema_of(list_filters.VersionFilters)
class ModelVersionFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.VersionFilters`."""


class ModelVersionIn(Body):
    model: uuid.UUID = Field(description="The model's id (see models).")
    label: str = Field(max_length=60, description="The version label, unique per model.")
    training_date: IsoDate | None = None
    notes: str = ""
    trained_on: list[str] = Field([], description=f"{DATASETS} it was trained on (each marked may_train).")
    evaluated_on: list[str] = Field(
        [], description=f"{DATASETS} it was evaluated on (each marked may_evaluate)."
    )
    status: ModelVersionStatus = Field(
        ModelVersionStatus.DEVELOPMENT,
        description="development; deployed or retired only to record a version in service before Keel "
        "(with existing_reason) — otherwise deploy it through the gate.",
    )
    existing_reason: str = Field("", max_length=2000)


class ModelVersionPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    label: str | None = Field(None, max_length=60)
    training_date: IsoDate | None = None
    notes: str | None = None
    trained_on: list[str] | None = Field(
        None, description=f"{DATASETS} it was trained on (replaces them all)."
    )
    evaluated_on: list[str] | None = Field(
        None, description=f"{DATASETS} it was evaluated on (replaces them all)."
    )


class GateFilters(Schema):
    model_version: str = Field(max_length=300, description=VERSION_REF)


class GateOut(Schema):
    ai_system: str
    model: str
    model_version: str = Field(description="The version label.")
    model_version_id: uuid.UUID
    status: ModelVersionStatus
    passed: bool = Field(description="True: the gate lets this version be deployed now.")
    blockers: list[str] = Field(description="Why it is refused, in words (empty when it passes).")


class DeployIn(Body):
    model_version: str = Field(max_length=300, description=VERSION_REF)
    note: str = Field("", max_length=2000)


class NoteIn(Body):
    note: str = Field("", max_length=2000)


# ---------------------------------------------------------------- lifecycle records


class LifecycleRecordOut(VersionedOut):
    id: uuid.UUID
    ai_system: str
    kind: LifecycleRecordKind
    title: str
    body: str = Field(description="Markdown.")
    owner: str | None = Field(description="The owner's email.")
    revision: int = Field(description="Content revision (+1 on each change of title or text).")
    status: LifecycleRecordStatus
    approved_by: str | None
    approved_at: IsoDateTime | None
    requirements: list[str] = Field(description="Keys of the 42001 controls it serves.")
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.ai_system.short_name)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return _email(obj.approved_by)

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return [r.key for r in obj.requirements.all()]


@filters.schema_of(list_filters.RecordFilters)
class LifecycleRecordFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.RecordFilters`."""


class LifecycleRecordIn(Body):
    ai_system: str = Field(description=SYSTEM_REF)
    kind: LifecycleRecordKind
    title: str = Field(max_length=200)
    body: str = Field("", description="Markdown.")
    owner: str | None = Field(None, description="The owner's email.")
    requirements: list[str] | None = Field(
        None, description="42001 controls it serves (keys or bare ids); default: the control of its kind."
    )


class LifecycleRecordPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    kind: LifecycleRecordKind | None = None
    title: str | None = Field(None, max_length=200)
    body: str | None = None
    owner: str | None = None
    requirements: list[str] | None = None
