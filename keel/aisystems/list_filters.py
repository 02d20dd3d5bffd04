"""The filters of the AI inventory's lists, each declared once (issue 10,
:mod:`keel.platform.filters`): the query objects of :mod:`keel.aisystems.queries`, the API's
query schemas (:mod:`keel.aisystems.schemas`, :mod:`keel.aisystems.lifecycle_schemas`) and the
page forms (:mod:`keel.aisystems.forms`) come from these dataclasses."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from keel.assets.queries import level_choices
from keel.organisation import options
from keel.organisation import resolvers as organisation_resolvers
from keel.platform import filters
from keel.platform.schemas import MS_REF

from .choices import (
    Acquisition,
    AIRole,
    AISystemOrigin,
    Direction,
    FlagStatus,
    LifecycleRecordKind,
    LifecycleRecordStatus,
    LifecycleStage,
    ModelType,
    ModelVersionStatus,
)
from .models import AISystem

MAX_TEXT = 100
SYSTEM_REF = "An AI system's id or short name."
SYSTEM_ORDER: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "-name": ("-name",),
    "short_name": ("short_name",),
    "stage": ("lifecycle_stage", "name"),
    "-updated_at": ("-updated_at", "name"),
}
DATASET_ORDER: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "-name": ("-name",),
    "short_name": ("short_name",),
    "-updated_at": ("-updated_at",),
}


def _management_system(**kwargs: Any) -> Any:
    return filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=organisation_resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
        **kwargs,
    )


def _ai_system_options(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return list(AISystem.objects.order_by("name").values_list("short_name", "name"))


def _level_options(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return level_choices(True)


@dataclass
class SystemFilters:
    stage: str = filters.choice(LifecycleStage, label="Stage", any="Any stage")
    origin: str = filters.choice(AISystemOrigin, label="Origin", any="Any origin")
    role: str = filters.choice(
        AIRole,
        label="Our role",
        any="Any role",
        help="Systems where the organisation holds this ISO/IEC 22989 role.",
    )
    management_system: str = _management_system()
    owner: str = filters.reference(
        label="Owner", any="Anyone", options=options.owners, help="The owner's email."
    )
    q: str = filters.text(label="Search", max_length=MAX_TEXT)
    # the sort order chosen by clicking a column header, kept when the filters change
    order: str = filters.choice(
        [(k, k) for k in SYSTEM_ORDER],
        default="name",
        hidden=True,
        api_type=Literal["name", "-name", "short_name", "stage", "-updated_at"],
    )


@dataclass
class ModelFilters:
    ai_system: str = filters.reference(help=SYSTEM_REF)
    model_type: str = filters.choice(ModelType)
    q: str = filters.text(max_length=MAX_TEXT)


@dataclass
class VersionFilters:
    ai_system: str = filters.reference(help=SYSTEM_REF)
    model: str = filters.reference(api_type=uuid.UUID, help="A model id.")
    status: str = filters.choice(ModelVersionStatus)
    # a dataset's short name
    trained_on: str = filters.reference(max_length=60, help="Versions trained on this dataset (short name).")
    evaluated_on: str = filters.reference(max_length=60, help="Versions evaluated on this dataset.")


@dataclass
class EvaluationFilters:
    ai_system: str = filters.reference(help=SYSTEM_REF)
    model: str = filters.reference(
        api_type=uuid.UUID, help="A model id: the evaluations of all its versions."
    )
    model_version: str = filters.reference(api_type=uuid.UUID)  # a model version id
    passed: bool | None = filters.boolean()
    metric: str = filters.text(max_length=120)


@dataclass
class DatasetFilters:
    management_system: str = _management_system()
    ai_system: str = filters.reference(
        label="AI system",
        any="Any AI system",
        options=_ai_system_options,
        help="Datasets used by this AI system.",
    )
    acquisition: str = filters.choice(Acquisition, any="Any acquisition")
    personal_data: bool | None = filters.boolean(form=False)
    may_train: bool | None = filters.boolean(form=False)
    classification: str = filters.reference(
        label="Classification",
        any="Any level",
        options=_level_options,
        max_length=40,
        help="Key of a classification level.",
    )
    q: str = filters.text(label="Search", max_length=MAX_TEXT)
    order: str = filters.choice(
        [(k, k) for k in DATASET_ORDER],
        default="name",
        form=False,
        api_type=Literal["name", "-name", "short_name", "-updated_at"],
    )


@dataclass
class MetricFilters:
    ai_system: str = filters.reference(help=SYSTEM_REF)
    direction: str = filters.choice(Direction)


@dataclass
class ReadingFilters:
    system: str = filters.reference(help=SYSTEM_REF)
    metric: str = filters.reference(help="A metric's short name or id.")  # short name (with system) or id
    breach: bool | None = filters.boolean()
    since: dt.datetime | None = filters.moment()
    until: dt.datetime | None = filters.moment()


@dataclass
class FlagFilters:
    system: str = filters.reference(help=SYSTEM_REF)
    status: str = filters.choice(FlagStatus)


@dataclass
class RecordFilters:
    ai_system: str = filters.reference(help=SYSTEM_REF)
    kind: str = filters.choice(LifecycleRecordKind)
    status: str = filters.choice(LifecycleRecordStatus)
    requirement: str = filters.reference(
        max_length=128, help="A requirement key, e.g. iso42001:2023:A.6.2.8."
    )
