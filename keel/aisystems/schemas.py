"""Schemas of the AI-system API: ``ai-systems``, ``models``, ``evaluations``, ``datasets``,
``metrics``, ``metric-readings`` and ``metric-flags``.

AI systems and datasets are named by id or short name, metrics by id (or, when pushing a
reading, by the system's and the metric's short names), people by email. Bodies refuse unknown
fields. Numbers (thresholds, criteria, results, readings) are decimals with up to 6 places.
"""

from __future__ import annotations

import decimal
import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VERSION_IN, VersionedOut
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters

from . import list_filters
from .choices import (
    Acquisition,
    AIRole,
    AISystemOrigin,
    Comparison,
    Direction,
    FlagStatus,
    LifecycleStage,
    ModelType,
    ModelVersionStatus,
)

SYSTEM_REF = "An AI system's id or short name."


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


# ---------------------------------------------------------------- AI systems


class AISystemOut(VersionedOut):
    id: uuid.UUID
    short_name: str
    name: str
    management_system: str = Field(description="Short name of its management system.")
    purpose: str
    intended_use: str
    foreseeable_misuse: str
    lifecycle_stage: LifecycleStage
    origin: AISystemOrigin
    ai_roles: list[str]
    owner: str | None = Field(description="The owner's email.")
    users_description: str
    affected_people: str
    deployment_regions: list[str]
    human_oversight: str
    third_party_components: str
    supplier: str | None = Field(None, description="The supplier's reference (SUP-nnn), if any.")

    @staticmethod
    def resolve_supplier(obj: Any) -> str | None:
        return obj.supplier.ref_id if obj.supplier_id else None

    model_count: int
    dataset_count: int
    open_flag_count: int
    impact_assessment_status: str | None = Field(
        None,
        description="Status of the latest impact assessment version (draft, approved, superseded); null: none.",
    )
    impact_assessment_due: bool = Field(
        False, description="Its approved impact assessment is due for re-assessment (see impact-assessments)."
    )
    created_at: IsoDateTime
    updated_at: IsoDateTime
    retired_at: IsoDateTime | None

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)


@filters.schema_of(list_filters.SystemFilters)
class AISystemFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.SystemFilters`."""


class AISystemIn(Body):
    short_name: str = Field(
        max_length=60, description="Lowercase letters, digits and dashes; scripts use it."
    )
    name: str = Field(max_length=200)
    management_system: str = Field(description=MS_REF)
    purpose: str = ""
    intended_use: str = ""
    foreseeable_misuse: str = ""
    lifecycle_stage: LifecycleStage = LifecycleStage.DESIGN
    existing_reason: str = Field(
        "",
        max_length=2000,
        description="Only to record a system already in deployment, operation or retired before Keel.",
    )
    origin: AISystemOrigin
    ai_roles: list[AIRole] = []
    owner: str | None = Field(None, description="The owner's email.")
    users_description: str = ""
    affected_people: str = ""
    deployment_regions: list[str] = []
    human_oversight: str = ""
    third_party_components: str = ""
    supplier: str | None = Field(
        None, max_length=60, description="A supplier's id or SUP-nnn; null for none."
    )


class AISystemPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    short_name: str | None = Field(None, max_length=60)
    name: str | None = Field(None, max_length=200)
    management_system: str | None = Field(None, description=MS_REF)
    purpose: str | None = None
    intended_use: str | None = None
    foreseeable_misuse: str | None = None
    origin: AISystemOrigin | None = None
    ai_roles: list[AIRole] | None = None
    owner: str | None = Field(None, description="The owner's email; null removes the owner.")
    users_description: str | None = None
    affected_people: str | None = None
    deployment_regions: list[str] | None = None
    human_oversight: str | None = None
    third_party_components: str | None = None
    supplier: str | None = Field(
        None, max_length=60, description="A supplier's id or SUP-nnn; null for none."
    )


class StageIn(Body):
    stage: LifecycleStage
    note: str = Field("", max_length=2000)
    model_version: str | None = Field(
        None,
        max_length=300,
        description="Into deployment or operation: the model version the gate checks and deploys "
        "(id, MODEL@VERSION or a version label unique in the system). Default: the versions the system "
        "already runs, else its only version.",
    )


# ---------------------------------------------------------------- models


class VersionRefOut(Schema):
    id: uuid.UUID
    label: str
    status: ModelVersionStatus


class AIModelOut(Schema):
    id: uuid.UUID
    ai_system: str = Field(description="The AI system's short name.")
    name: str
    model_type: ModelType
    base_model: str
    base_model_supplier: str
    supplier: str | None = Field(None, description="The supplier's reference (SUP-nnn), if any.")

    @staticmethod
    def resolve_supplier(obj: Any) -> str | None:
        return obj.supplier.ref_id if obj.supplier_id else None

    description: str
    versions: list[VersionRefOut] = Field(description="Its versions, newest first (see model-versions).")
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.ai_system.short_name)

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return list(obj.versions.all())


@filters.schema_of(list_filters.ModelFilters)
class AIModelFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.ModelFilters`."""


class AIModelIn(Body):
    ai_system: str = Field(description=SYSTEM_REF)
    name: str = Field(max_length=200, description="Unique within the system.")
    model_type: ModelType
    base_model: str = Field("", max_length=200)
    base_model_supplier: str = Field("", max_length=200)
    supplier: str | None = Field(
        None, max_length=60, description="A supplier's id or SUP-nnn; null for none."
    )
    description: str = ""
    version: str = Field(
        "",
        max_length=60,
        description="Label of a first version to create with it (optional; see model-versions).",
    )
    training_date: IsoDate | None = Field(None, description="Training date of that first version.")


class AIModelPatch(Body):
    name: str | None = Field(None, max_length=200)
    model_type: ModelType | None = None
    base_model: str | None = Field(None, max_length=200)
    base_model_supplier: str | None = Field(None, max_length=200)
    supplier: str | None = Field(
        None, max_length=60, description="A supplier's id or SUP-nnn; null for none."
    )
    description: str | None = None


# ---------------------------------------------------------------- evaluations and checks


class MeasuredOut(Schema):
    id: uuid.UUID
    metric: str
    comparison: Comparison
    criterion_value: decimal.Decimal | None
    criterion: str
    result_value: decimal.Decimal | None
    result: str
    passed: bool
    performed_by: str | None = Field(description="Email of the Keel user who performed it.")
    performed_by_name: str
    performed_at: IsoDateTime
    notes: str
    created_at: IsoDateTime

    @staticmethod
    def resolve_performed_by(obj: Any) -> str | None:
        return _email(obj.performed_by)


class EvaluationOut(MeasuredOut):
    ai_system: str
    model_version: uuid.UUID = Field(description="Id of the model version evaluated.")
    model: str = Field(description="Name of that version's model.")
    version: str = Field(description="That version's label.")

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.ai_system.short_name)

    @staticmethod
    def resolve_model_version(obj: Any) -> uuid.UUID:
        return obj.model_version_id

    @staticmethod
    def resolve_model(obj: Any) -> str:
        return str(obj.model_version.model.name)

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return str(obj.model_version.label)


@filters.schema_of(list_filters.EvaluationFilters)
class EvaluationFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.EvaluationFilters`."""


class MeasuredIn(Body):
    metric: str = Field(max_length=120)
    comparison: Comparison = Comparison.RECORDED
    criterion_value: decimal.Decimal | None = None
    criterion: str = Field(
        "", max_length=300, description="In words; generated from a numeric criterion when empty."
    )
    result_value: decimal.Decimal | None = None
    result: str = Field("", max_length=300)
    passed: bool | None = Field(None, description="Computed for a numeric criterion; required when judged.")
    performed_by: str | None = Field(None, description="Email of the Keel user; default: the caller.")
    performed_by_name: str = Field("", max_length=200, description="Who performed it, when not a Keel user.")
    performed_at: IsoDateTime | None = Field(None, description="Default: now.")
    notes: str = ""


class EvaluationIn(MeasuredIn):
    ai_system: str = Field(description=SYSTEM_REF)
    model_version: str = Field(
        max_length=300,
        description="The model version evaluated: its id, MODEL@VERSION (e.g. helix-gbm@3.2), or a version "
        "label unique in the system.",
    )


class QualityCheckOut(MeasuredOut):
    pass


# ---------------------------------------------------------------- datasets


class LineageNodeOut(Schema):
    short_name: str
    name: str
    depth: int
    via: list[str] = Field(description="Short names of the datasets one step nearer it links through.")

    @staticmethod
    def resolve_short_name(obj: Any) -> str:
        return str(obj.dataset.short_name)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.dataset.name)


class DatasetOut(VersionedOut):
    id: uuid.UUID
    short_name: str
    name: str
    management_system: str
    description: str
    owner: str | None
    source: str
    supplier: str | None = Field(None, description="The supplier's reference (SUP-nnn), if any.")

    @staticmethod
    def resolve_supplier(obj: Any) -> str | None:
        return obj.supplier.ref_id if obj.supplier_id else None

    acquisition: Acquisition
    licence: str
    rights: str
    representativeness: str
    personal_data: bool
    personal_data_notes: str
    may_train: bool
    may_evaluate: bool
    licence_scope: str
    deletion_method: str
    classification: str | None = Field(description="Key of its classification level (keel assets).")
    ai_systems: list[str]
    sources: list[str] = Field(description="Short names of the datasets this one was derived from directly.")
    derivatives: list[str] = Field(description="Short names of the datasets derived directly from this one.")
    derived_from: list[str] = Field(
        description="Deprecated: the same as `sources` (the datasets this one was derived from)."
    )
    check_count: int
    failed_check_count: int
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)

    @staticmethod
    def resolve_ai_systems(obj: Any) -> list[str]:
        return [s.short_name for s in obj.ai_systems.all()]

    @staticmethod
    def resolve_sources(obj: Any) -> list[str]:
        return [d.short_name for d in obj.sources.all()]

    @staticmethod
    def resolve_derivatives(obj: Any) -> list[str]:
        return [d.short_name for d in obj.derivatives.all()]

    @staticmethod
    def resolve_derived_from(obj: Any) -> list[str]:
        return [d.short_name for d in obj.sources.all()]

    @staticmethod
    def resolve_classification(obj: Any) -> str | None:
        return obj.classification.key if obj.classification_id else None


class DatasetDetailOut(DatasetOut):
    quality_checks: list[QualityCheckOut]
    upstream: list[LineageNodeOut] = Field(description="What it came from, transitively (depth 1: direct).")
    downstream: list[LineageNodeOut] = Field(description="What was built from it, transitively.")

    @staticmethod
    def resolve_quality_checks(obj: Any) -> list[Any]:
        return list(obj.quality_checks.all())

    @staticmethod
    def resolve_upstream(obj: Any) -> list[Any]:
        return [n for level in obj.lineage.upstream for n in level]

    @staticmethod
    def resolve_downstream(obj: Any) -> list[Any]:
        return [n for level in obj.lineage.downstream for n in level]


@filters.schema_of(list_filters.DatasetFilters)
class DatasetFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.DatasetFilters`."""


class DatasetIn(Body):
    short_name: str = Field(max_length=60)
    name: str = Field(max_length=200)
    management_system: str = Field(description=MS_REF)
    description: str = ""
    owner: str | None = None
    source: str = Field("", max_length=300)
    supplier: str | None = Field(
        None, max_length=60, description="A supplier's id or SUP-nnn; null for none."
    )
    acquisition: Acquisition
    licence: str = Field("", max_length=200)
    rights: str = ""
    representativeness: str = ""
    personal_data: bool = False
    personal_data_notes: str = ""
    may_train: bool = False
    may_evaluate: bool = False
    licence_scope: str = ""
    deletion_method: str = ""
    classification: str | None = Field(
        None, max_length=40, description="Key (or id) of a current classification level; null for none."
    )
    ai_systems: list[str] = Field([], description="Short names of the AI systems that use it.")
    sources: list[str] | None = Field(
        None, description="Short names of the datasets this one was derived from."
    )
    derived_from: list[str] | None = Field(
        None, description="Deprecated name of `sources` (the datasets this one was derived from)."
    )


class DatasetPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    short_name: str | None = Field(None, max_length=60)
    name: str | None = Field(None, max_length=200)
    management_system: str | None = None
    description: str | None = None
    owner: str | None = None
    source: str | None = Field(None, max_length=300)
    supplier: str | None = Field(
        None, max_length=60, description="A supplier's id or SUP-nnn; null for none."
    )
    acquisition: Acquisition | None = None
    licence: str | None = Field(None, max_length=200)
    rights: str | None = None
    representativeness: str | None = None
    personal_data: bool | None = None
    personal_data_notes: str | None = None
    may_train: bool | None = None
    may_evaluate: bool | None = None
    licence_scope: str | None = None
    deletion_method: str | None = None
    classification: str | None = Field(
        None, max_length=40, description="Key (or id) of a current classification level; null removes it."
    )
    ai_systems: list[str] | None = None
    sources: list[str] | None = Field(
        None, description="Short names of the datasets this one was derived from (replaces them all)."
    )
    derived_from: list[str] | None = Field(
        None, description="Deprecated name of `sources` (the datasets this one was derived from)."
    )


# ---------------------------------------------------------------- metrics, readings, flags


class MetricOut(VersionedOut):
    id: uuid.UUID
    ai_system: str
    short_name: str
    name: str
    unit: str
    direction: Direction
    threshold: decimal.Decimal
    evaluation_window: str
    description: str
    reading_count: int
    open_flag_count: int

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.ai_system.short_name)


@filters.schema_of(list_filters.MetricFilters)
class MetricFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.MetricFilters`."""


class MetricIn(Body):
    ai_system: str = Field(description=SYSTEM_REF)
    short_name: str = Field(
        max_length=60, description="Unique within the system; scripts push readings by it."
    )
    name: str = Field(max_length=200)
    unit: str = Field("", max_length=40)
    direction: Direction
    threshold: decimal.Decimal
    evaluation_window: str = Field("", max_length=100)
    description: str = ""


class MetricPatch(Body):
    version: str | None = Field(None, description=VERSION_IN)
    name: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=40)
    direction: Direction | None = None
    threshold: decimal.Decimal | None = None
    evaluation_window: str | None = Field(None, max_length=100)
    description: str | None = None


class ReadingOut(Schema):
    id: int
    system: str
    metric: str
    at: IsoDateTime
    value: decimal.Decimal
    breach: bool

    @staticmethod
    def resolve_system(obj: Any) -> str:
        return str(obj.metric.ai_system.short_name)

    @staticmethod
    def resolve_metric(obj: Any) -> str:
        return str(obj.metric.short_name)


@filters.schema_of(list_filters.ReadingFilters)
class ReadingFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.ReadingFilters`."""


class ReadingIn(Body):
    system: str = Field(description="The AI system's short name.")
    metric: str = Field(description="The metric's short name within that system.")
    value: decimal.Decimal
    at: IsoDateTime | None = Field(
        None, description="When it was measured; default: now. Give it to retry safely."
    )


class PushOut(Schema):
    system: str
    metric: str
    at: str
    value: str
    created: bool = Field(description="False: the same reading was already stored, nothing was added.")
    breach: bool
    flag: str | None = Field(description="The open flag this breach belongs to.")
    flag_opened: bool


class FlagOut(Schema):
    id: uuid.UUID
    ai_system: str
    metric: str
    status: FlagStatus
    threshold: decimal.Decimal
    direction: Direction
    first_breach_at: IsoDateTime
    last_breach_at: IsoDateTime
    breach_count: int
    worst_value: decimal.Decimal
    recovered_at: IsoDateTime | None
    opened_at: IsoDateTime
    closed_at: IsoDateTime | None
    closed_by: str | None
    close_note: str
    incident_ref: str

    @staticmethod
    def resolve_ai_system(obj: Any) -> str:
        return str(obj.ai_system.short_name)

    @staticmethod
    def resolve_metric(obj: Any) -> str:
        return str(obj.metric.short_name)

    @staticmethod
    def resolve_closed_by(obj: Any) -> str | None:
        return _email(obj.closed_by)


@filters.schema_of(list_filters.FlagFilters)
class FlagFilters(Filters):
    """Declared in :class:`keel.aisystems.list_filters.FlagFilters`."""


class FlagCloseIn(Body):
    note: str = Field(min_length=1, max_length=4000, description="What was found and done.")
