"""API router of the AI system inventory: ``ai-systems``, ``models``, ``evaluations``,
``datasets``, ``metrics``, ``metric-readings`` and ``metric-flags``.

Thin handlers: lists come from :mod:`keel.aisystems.queries` (restricted to the caller's
management systems), changes go through :mod:`keel.aisystems.services`, which check the
permission over the record's management system.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation.resolvers import user_by_email as _user
from keel.platform.api import Page, actor, expected_version, paginate, permission, responses, with_etag
from keel.platform.api import enum_value as _value
from keel.platform.errors import ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import metric_queries, queries, services
from .api_lifecycle import _data, _no_nulls, add_lifecycle_routes
from .models import AIModel, AISystem, Dataset, Evaluation, Metric, MetricFlag, QualityCheck
from .schemas import (
    AIModelFilters,
    AIModelIn,
    AIModelOut,
    AIModelPatch,
    AISystemFilters,
    AISystemIn,
    AISystemOut,
    AISystemPatch,
    DatasetDetailOut,
    DatasetFilters,
    DatasetIn,
    DatasetOut,
    DatasetPatch,
    EvaluationFilters,
    EvaluationIn,
    EvaluationOut,
    FlagCloseIn,
    FlagFilters,
    FlagOut,
    MeasuredIn,
    MetricFilters,
    MetricIn,
    MetricOut,
    MetricPatch,
    PushOut,
    QualityCheckOut,
    ReadingFilters,
    ReadingIn,
    ReadingOut,
    StageIn,
)

router = Router()
systems = Router(tags=["ai systems"])
models = Router(tags=["ai systems"])
evaluations = Router(tags=["ai systems"])
datasets = Router(tags=["ai systems"])
metrics = Router(tags=["ai systems"])
readings = Router(tags=["ai systems"])
flags = Router(tags=["ai systems"])


# ---------------------------------------------------------------- AI systems


@systems.get(
    "", response=responses(Page[AISystemOut]), openapi_extra=permission(Perm.VIEW), summary="List AI systems"
)
def list_ai_systems(request: HttpRequest, filters: Query[AISystemFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.SystemFilters, filters)
    return paginate(queries.systems(who.user, f), filters.limit, filters.offset)


@systems.get(
    "/{ref}", response=responses(AISystemOut), openapi_extra=permission(Perm.VIEW), summary="One AI system"
)
def get_ai_system(request: HttpRequest, ref: str, response: HttpResponse) -> AISystem:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, queries.system_for(who.user, ref))


@systems.post(
    "",
    response=responses(AISystemOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Add an AI system (a system already in service is recorded with existing_reason)",
)
def create_ai_system(request: HttpRequest, payload: AISystemIn) -> Status[AISystem]:
    who = actor(request)
    data = _data(payload)
    data["owner"] = _user(data.pop("owner"))
    system = services.create_system(who, **data)
    return Status(201, queries.system_for(who.user, system.pk))


@systems.patch(
    "/{ref}",
    response=responses(AISystemOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change an AI system (only the fields sent; the stage has its own action)",
)
def update_ai_system(
    request: HttpRequest, ref: str, payload: AISystemPatch, response: HttpResponse
) -> AISystem:
    who = actor(request)
    data = _data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    _no_nulls(data, ("short_name", "name", "origin", "management_system"))
    if "owner" in data:
        data["owner"] = _user(data["owner"])
    for name in ("ai_roles", "deployment_regions"):
        if name in data and data[name] is None:
            data[name] = []
    system = services.update_system(who, services.get_system(ref).pk, expected_version=version, **data)
    return with_etag(response, queries.system_for(who.user, system.pk))


@systems.post(
    "/{ref}/stage",
    response=responses(AISystemOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Move an AI system to another lifecycle stage (deployment and operation pass the gate)",
)
def change_ai_system_stage(request: HttpRequest, ref: str, payload: StageIn) -> AISystem:
    who = actor(request)
    system = services.change_stage(
        who,
        services.get_system(ref).pk,
        _value(payload.stage),
        payload.note,
        model_version=payload.model_version,
    )
    return queries.system_for(who.user, system.pk)


# ---------------------------------------------------------------- models


@models.get(
    "", response=responses(Page[AIModelOut]), openapi_extra=permission(Perm.VIEW), summary="List models"
)
def list_models(request: HttpRequest, filters: Query[AIModelFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return paginate(
        queries.models(who.user, filters_of(queries.ModelFilters, filters)), filters.limit, filters.offset
    )


@models.get(
    "/{model_id}", response=responses(AIModelOut), openapi_extra=permission(Perm.VIEW), summary="One model"
)
def get_ai_model(request: HttpRequest, model_id: uuid.UUID, response: HttpResponse) -> AIModel:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, queries.model_for(who.user, model_id))


@models.post(
    "",
    response=responses(AIModelOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Add a model to an AI system",
)
def create_ai_model(request: HttpRequest, payload: AIModelIn) -> Status[AIModel]:
    who = actor(request)
    data = _data(payload)
    system = data.pop("ai_system")
    model = services.create_model(who, services.get_system(system).pk, **data)
    return Status(201, queries.model_for(who.user, model.pk))


@models.patch(
    "/{model_id}",
    response=responses(AIModelOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change a model (only the fields sent)",
)
def update_ai_model(
    request: HttpRequest, model_id: uuid.UUID, payload: AIModelPatch, response: HttpResponse
) -> AIModel:
    who = actor(request)
    data = _data(payload, exclude_unset=True)
    _no_nulls(data, ("name", "model_type"))
    # the record version is If-Match only (a model's versions are model-versions)
    services.update_model(who, model_id, expected_version=expected_version(request), **data)
    return with_etag(response, queries.model_for(who.user, model_id))


# ---------------------------------------------------------------- evaluations


def _measured(payload: MeasuredIn) -> dict[str, Any]:
    data = _data(payload)
    data["performed_by"] = _user(data.pop("performed_by"), "performed_by")
    return data


@evaluations.get(
    "",
    response=responses(Page[EvaluationOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List evaluations",
)
def list_evaluations(request: HttpRequest, filters: Query[EvaluationFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.EvaluationFilters, filters)
    return paginate(queries.evaluations(who.user, f), filters.limit, filters.offset)


@evaluations.get(
    "/{evaluation_id}",
    response=responses(EvaluationOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One evaluation",
)
def get_evaluation(request: HttpRequest, evaluation_id: uuid.UUID) -> Evaluation:
    who = actor(request)
    check(who, Perm.VIEW)
    return queries.evaluation_for(who.user, evaluation_id)


@evaluations.post(
    "",
    response=responses(EvaluationOut, 201),
    openapi_extra=permission(Perm.RECORD_AI_RESULTS),
    summary="Record an evaluation of an AI system or one of its models (pass/fail computed from a numeric criterion)",
)
def create_evaluation(request: HttpRequest, payload: EvaluationIn) -> Status[Evaluation]:
    who = actor(request)
    data = _measured(payload)
    system = data.pop("ai_system")
    version = data.pop("model_version")
    evaluation = services.record_evaluation(who, system, model_version=version, **data)
    return Status(201, queries.evaluation_for(who.user, evaluation.pk))


# ---------------------------------------------------------------- datasets


@datasets.get(
    "", response=responses(Page[DatasetOut]), openapi_extra=permission(Perm.VIEW), summary="List datasets"
)
def list_datasets(request: HttpRequest, filters: Query[DatasetFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.DatasetFilters, filters)
    return paginate(queries.datasets(who.user, f), filters.limit, filters.offset)


def _lineage_input(data: dict[str, Any]) -> dict[str, Any]:
    """``sources`` (the datasets this one was derived from), or its deprecated name
    ``derived_from``, which means the same; both with different lists is refused. Absent or
    null leaves the lineage as it is."""
    legacy = data.pop("derived_from", None)
    sources = data.pop("sources", None)
    if legacy is not None and sources is not None and sorted(legacy) != sorted(sources):
        message = (
            "sources and derived_from name the same thing (what this dataset was derived from): send one."
        )
        raise ValidationFailed(message, {"sources": [message], "derived_from": [message]})
    chosen = sources if sources is not None else legacy
    if chosen is not None:
        data["sources"] = chosen
    return data


def _dataset_detail(who: Any, ref: Any) -> Dataset:
    dataset = queries.dataset_for(who.user, ref)
    dataset.lineage = queries.dataset_lineage(dataset)  # type: ignore[attr-defined]
    return dataset


@datasets.get(
    "/{ref}",
    response=responses(DatasetDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One dataset with its quality checks and its lineage both ways",
)
def get_dataset(request: HttpRequest, ref: str, response: HttpResponse) -> Dataset:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, _dataset_detail(who, ref))


@datasets.post(
    "",
    response=responses(DatasetDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Add a dataset (its sources may not make a cycle)",
)
def create_dataset(request: HttpRequest, payload: DatasetIn) -> Status[Dataset]:
    who = actor(request)
    data = _lineage_input(_data(payload))
    data["owner"] = _user(data.pop("owner"))
    dataset = services.create_dataset(who, **data)
    return Status(201, _dataset_detail(who, dataset.pk))


@datasets.patch(
    "/{ref}",
    response=responses(DatasetDetailOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change a dataset (only the fields sent)",
)
def update_dataset(request: HttpRequest, ref: str, payload: DatasetPatch, response: HttpResponse) -> Dataset:
    who = actor(request)
    data = _data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    _no_nulls(
        data,
        (
            "short_name",
            "name",
            "acquisition",
            "management_system",
            "personal_data",
            "may_train",
            "may_evaluate",
        ),
    )
    data = _lineage_input(data)
    if "owner" in data:
        data["owner"] = _user(data["owner"])
    dataset = services.update_dataset(who, services.get_dataset(ref).pk, expected_version=version, **data)
    return with_etag(response, _dataset_detail(who, dataset.pk))


@datasets.post(
    "/{ref}/quality-checks",
    response=responses(QualityCheckOut, 201),
    openapi_extra=permission(Perm.RECORD_AI_RESULTS),
    summary="Record a quality check of a dataset",
)
def create_quality_check(request: HttpRequest, ref: str, payload: MeasuredIn) -> Status[QualityCheck]:
    who = actor(request)
    qc = services.record_quality_check(who, services.get_dataset(ref).pk, **_measured(payload))
    return Status(201, qc)


# ---------------------------------------------------------------- metrics


@metrics.get(
    "", response=responses(Page[MetricOut]), openapi_extra=permission(Perm.VIEW), summary="List metrics"
)
def list_metrics(request: HttpRequest, filters: Query[MetricFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.MetricFilters, filters)
    return paginate(metric_queries.metrics(who.user, f), filters.limit, filters.offset)


@metrics.get(
    "/{metric_id}", response=responses(MetricOut), openapi_extra=permission(Perm.VIEW), summary="One metric"
)
def get_metric(request: HttpRequest, metric_id: uuid.UUID, response: HttpResponse) -> Metric:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, metric_queries.metric_for(who.user, metric_id))


@metrics.post(
    "",
    response=responses(MetricOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Add an operating metric to an AI system",
)
def create_metric(request: HttpRequest, payload: MetricIn) -> Status[Metric]:
    who = actor(request)
    data = _data(payload)
    system = data.pop("ai_system")
    metric = services.create_metric(who, services.get_system(system).pk, **data)
    return Status(201, metric_queries.metric_for(who.user, metric.pk))


@metrics.patch(
    "/{metric_id}",
    response=responses(MetricOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change a metric (its threshold applies to readings from now on)",
)
def update_metric(
    request: HttpRequest, metric_id: uuid.UUID, payload: MetricPatch, response: HttpResponse
) -> Metric:
    who = actor(request)
    data = _data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    _no_nulls(data, ("name", "direction", "threshold"))
    services.update_metric(who, metric_id, expected_version=version, **data)
    return with_etag(response, metric_queries.metric_for(who.user, metric_id))


# ---------------------------------------------------------------- readings and flags


@readings.get(
    "",
    response=responses(Page[ReadingOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List metric readings, newest first",
)
def list_metric_readings(request: HttpRequest, filters: Query[ReadingFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.ReadingFilters, filters)
    f.since, f.until = services.parse_time(f.since, "since"), services.parse_time(f.until, "until")
    return paginate(metric_queries.readings(who.user, f), filters.limit, filters.offset)


@readings.post(
    "",
    response={**responses(PushOut, 201), 200: PushOut},
    openapi_extra=permission(Perm.RECORD_AI_RESULTS),
    summary="Push a reading (idempotent: the same reading again answers 200 with created=false)",
)
def push_metric_reading(request: HttpRequest, payload: ReadingIn) -> Status[dict[str, Any]]:
    who = actor(request)
    result = services.push_reading(who, payload.system, payload.metric, payload.value, payload.at)
    return Status(201 if result.created else 200, result.as_dict())


@flags.get(
    "", response=responses(Page[FlagOut]), openapi_extra=permission(Perm.VIEW), summary="List metric flags"
)
def list_metric_flags(request: HttpRequest, filters: Query[FlagFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.FlagFilters, filters)
    qs = metric_queries.flags(who.user, f.system, f.status)
    return paginate(qs, filters.limit, filters.offset)


@flags.get(
    "/{flag_id}", response=responses(FlagOut), openapi_extra=permission(Perm.VIEW), summary="One metric flag"
)
def get_metric_flag(request: HttpRequest, flag_id: uuid.UUID) -> MetricFlag:
    who = actor(request)
    check(who, Perm.VIEW)
    return metric_queries.flag_for(who.user, flag_id)


@flags.post(
    "/{flag_id}/close",
    response=responses(FlagOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Close a metric flag with a note (a person decides; recovery does not close it)",
)
def close_metric_flag(request: HttpRequest, flag_id: uuid.UUID, payload: FlagCloseIn) -> MetricFlag:
    who = actor(request)
    services.close_flag(who, flag_id, payload.note)
    return metric_queries.flag_for(who.user, flag_id)


add_lifecycle_routes(router, systems)
router.add_router("/ai-systems", systems)
router.add_router("/models", models)
router.add_router("/evaluations", evaluations)
router.add_router("/datasets", datasets)
router.add_router("/metrics", metrics)
router.add_router("/metric-readings", readings)
router.add_router("/metric-flags", flags)
