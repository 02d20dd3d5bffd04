"""AI-system records for the permission matrix: one AI system of management system A with a
model, an evaluation, a metric with an open flag, and a dataset, made on demand (directly,
without the services, to stay fast)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.aisystems.models import (
    AIModel,
    AISystem,
    Dataset,
    Evaluation,
    LifecycleRecord,
    Metric,
    MetricFlag,
    ModelVersion,
)
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from .permission_world import World

SYSTEM = "sys-a-ai"
DATASET = "sys-a-data"
T0 = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def system_a(world: World) -> AISystem:
    system = AISystem.objects.filter(short_name=SYSTEM).first()
    if system is None:
        system = AISystem.objects.create(
            short_name=SYSTEM, name="Scoring A", management_system=world.a, origin="in_house"
        )
        model = AIModel.objects.create(ai_system=system, name="gbm", model_type="regressor")
        version = ModelVersion.objects.create(model=model, label="1")
        Evaluation.objects.create(
            ai_system=system,
            model_version=version,
            metric="AUC",
            criterion="AUC ≥ 0.7",
            passed=True,
            performed_at=T0,
        )
        LifecycleRecord.objects.create(
            ai_system=system, kind="event_logs", title="Decision logs", body="Every score is logged."
        )
        metric = Metric.objects.create(
            ai_system=system, short_name="accuracy", name="Accuracy", direction="higher", threshold=0.9
        )
        MetricFlag.objects.create(
            ai_system=system,
            metric=metric,
            threshold=0.9,
            direction="higher",
            first_breach_at=T0,
            last_breach_at=T0,
            worst_value=0.5,
        )
        dataset = Dataset.objects.create(
            short_name=DATASET, name="Data A", management_system=world.a, acquisition="collected"
        )
        dataset.ai_systems.set([system])
    return system


def editable_system(world: World, user: User | None) -> str:
    """A management system the user may edit the AI inventory of (A when none)."""
    for ms in (world.a, world.b):
        if has_perm(user, Perm.EDIT_AI_SYSTEMS, ms):
            return ms.short_name
    return world.a.short_name


def system_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": system_a(world).short_name}


def dataset_kwargs(world: World, user: User | None) -> dict[str, Any]:
    system_a(world)
    return {"ref": DATASET}


def model_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"model_id": AIModel.objects.get(ai_system=system_a(world)).pk}


def version_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"version_id": ModelVersion.objects.get(model__ai_system=system_a(world)).pk}


def system_version_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": SYSTEM, **version_kwargs(world, user)}


def record_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"record_id": LifecycleRecord.objects.get(ai_system=system_a(world)).pk}


def system_record_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": SYSTEM, **record_kwargs(world, user)}


GATE_SYSTEM = "sys-a-gate"


def gate_system(world: World, ms: Any = None) -> AISystem:
    """An AI system (of A, or of ``ms``) whose version gbm@1 passes the deployment gate (a
    passing evaluation and an approved impact assessment), made through the services."""
    from keel.aisystems.tests import factories as af
    from keel.impact.tests import factories as impact_factories

    ms = ms or world.a
    short_name = "sys-a-gate" if ms == world.a else "sys-b-gate"
    system = AISystem.objects.filter(short_name=short_name).first()
    if system is None:
        system = af.ai_system(ms, short_name, lifecycle_stage="verification")
        version = af.model_version(system, "1")
        af.passing_evaluation(system, version)
        impact_factories.approved(system)
    return system


def gate_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": gate_system(world).short_name}


def _gate_for(world: World, user: User | None, perm: str) -> str:
    """The gate system of a management system the user holds ``perm`` over (A when none)."""
    ms = (
        world.b
        if user is not None and not has_perm(user, perm, world.a) and has_perm(user, perm, world.b)
        else world.a
    )
    return gate_system(world, ms).short_name


def gate_argv(world: World, user: User | None) -> list[str]:
    return ["ai", "gate", _gate_for(world, user, Perm.VIEW), "--model-version", "gbm@1", "--format", "json"]


def deploy_argv(world: World, user: User | None) -> list[str]:
    system = _gate_for(world, user, Perm.EDIT_AI_SYSTEMS)
    return ["ai", "deploy", system, "--model-version", "gbm@1", "--note", "Matrix."]


def evaluation_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"evaluation_id": Evaluation.objects.get(ai_system=system_a(world)).pk}


def metric_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"metric_id": Metric.objects.get(ai_system=system_a(world)).pk}


def flag_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"flag_id": MetricFlag.objects.get(ai_system=system_a(world)).pk}


def none_but_built(world: World, user: User | None) -> dict[str, Any]:
    system_a(world)
    return {}


def system_form(world: World, user: User | None, ms: str | None = None) -> dict[str, Any]:
    return {
        "short_name": "new-ai" if ms else SYSTEM,
        "name": "New AI",
        "management_system": ms or world.a.short_name,
        "origin": "in_house",
        "lifecycle_stage": "design",
    }


def dataset_form(world: World, user: User | None, ms: str | None = None) -> dict[str, Any]:
    return {
        "short_name": "new-data" if ms else DATASET,
        "name": "New data",
        "management_system": ms or world.a.short_name,
        "acquisition": "collected",
    }


MEASURE = {"metric": "AUC", "comparison": "ge", "criterion_value": "0.7", "result_value": "0.8"}


def push_argv(world: World, user: User | None) -> list[str]:
    system_a(world)
    return ["ai", "metric", "push", SYSTEM, "accuracy", "0.95", "--at", "2026-05-02T00:00:00Z"]
