"""Test helpers of the AI system inventory: records made through the services (so their trail
entries exist), with short defaults."""

from __future__ import annotations

from typing import Any

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor

from .. import services
from ..models import AISystem, Dataset, Metric

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


def passing_evaluation(system: AISystem, **kw: Any) -> Any:
    data: dict[str, Any] = {
        "metric": "AUC",
        "comparison": "ge",
        "criterion_value": "0.75",
        "result_value": "0.81",
        **kw,
    }
    return services.record_evaluation(SYSTEM, system.pk, **data)
