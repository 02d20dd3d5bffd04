"""Test helpers of the AI system inventory: records made through the services (so their trail
entries exist), with short defaults."""

from __future__ import annotations

from typing import Any

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor

from .. import services
from ..models import AIModel, AISystem, Dataset, LifecycleRecord, Metric, ModelVersion

SYSTEM = Actor.system("test")


def ai_system(ms: ManagementSystem, short_name: str = "credit-scoring", **kw: Any) -> AISystem:
    data: dict[str, Any] = {
        "name": short_name.replace("-", " ").title(),
        "origin": "in_house",
        "purpose": "Scores loan applications.",
        "ai_roles": ["provider", "producer"],
        **kw,
    }
    return services.create_system(SYSTEM, management_system=ms, short_name=short_name, **data)


def dataset(ms: ManagementSystem, short_name: str, sources: list[str] | None = None, **kw: Any) -> Dataset:
    data: dict[str, Any] = {"name": short_name.replace("-", " ").title(), "acquisition": "collected", **kw}
    return services.create_dataset(
        SYSTEM, management_system=ms, short_name=short_name, sources=sources or [], **data
    )


def metric(system: AISystem, short_name: str = "accuracy", **kw: Any) -> Metric:
    data: dict[str, Any] = {
        "name": short_name.title(),
        "direction": "higher",
        "threshold": "0.9",
        "unit": "ratio",
        **kw,
    }
    return services.create_metric(SYSTEM, system.pk, short_name=short_name, **data)


def model_version(system: AISystem, label: str = "1", name: str = "gbm", **kw: Any) -> ModelVersion:
    """A version ``label`` of the system's model ``name`` (the model made when missing)."""
    model = AIModel.objects.filter(ai_system=system, name=name).first()
    if model is None:
        model = services.create_model(SYSTEM, system.pk, name=name, model_type="regressor")
    return services.create_model_version(SYSTEM, model.pk, label=label, **kw)


def passing_evaluation(system: AISystem, version: ModelVersion | str | None = None, **kw: Any) -> Any:
    """A passing evaluation of ``version`` (default: the system's only or newest version, made
    when the system has none)."""
    if version is None:
        version = ModelVersion.objects.filter(model__ai_system=system).order_by(
            "-created_at"
        ).first() or model_version(system)
    data: dict[str, Any] = {
        "metric": "AUC",
        "comparison": "ge",
        "criterion_value": "0.75",
        "result_value": "0.81",
        **kw,
    }
    ref = version.pk if isinstance(version, ModelVersion) else version
    return services.record_evaluation(SYSTEM, system.pk, model_version=ref, **data)


def record(system: AISystem, kind: str = "event_logs", **kw: Any) -> LifecycleRecord:
    data: dict[str, Any] = {"title": "Decision logs", "body": "Every score is logged with its inputs.", **kw}
    return services.create_record(SYSTEM, system.pk, kind=kind, **data)
