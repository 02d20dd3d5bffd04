"""The demo's AI system inventory: Tessellate Labs' credit-scoring model, support assistant on a
third-party foundation model, fraud model, and the CV-screening feature embedded in the HR tool
it buys — with models and their versions (each with the datasets it was trained and evaluated
on; helix-gbm 3.3 never evaluated, so the deployment gate refuses it), evaluations (one failed),
lifecycle records (requirements, design, event logs, data preparation, information for users;
one draft), datasets with a lineage chain four levels deep,
quality checks, and operating metrics whose readings include a run of breaches.

The three production systems were in service before Tessellate adopted Keel, so they are
recorded in their stage as existing systems (``existing_reason``: the trail marks them as
recorded history), not moved through the deployment gate. Their impact assessments are recorded
after the risk registers (keel/impact/demo.py).

:func:`ensure_demo_ai_systems` is idempotent: records are found by short name (systems,
datasets, metrics), by name and version (models), by metric and time (evaluations, quality
checks and readings), and only what is missing is written.
"""

from __future__ import annotations

import datetime as dt
import decimal

from django.db import transaction
from django.utils import timezone

from keel.assets.demo import ensure_demo_levels
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import services
from .demo_content import (
    DATASET_LEVELS,
    DATASETS,
    DOMAIN,
    EVALUATIONS,
    EXISTING_VERSION,
    METRICS,
    MODELS,
    QUALITY_CHECKS,
    RECORDS,
    RETRAINED_MODEL,
    SYSTEMS,
    VERSIONS,
)
from .models import (
    AIModel,
    AISystem,
    Dataset,
    Evaluation,
    LifecycleRecord,
    Metric,
    MetricReading,
    ModelVersion,
    QualityCheck,
)


def _owner(people: dict[str, User], local: str) -> User | None:
    user = people.get(local)
    if user is None:
        user = User.objects.filter(email=f"{local}@{DOMAIN}").first()
    return user


def ensure_demo_ai_systems(
    actor: Actor | None = None,
    management_system: ManagementSystem | None = None,
    people: dict[str, User] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Create what is missing of the demo inventory (idempotent) in one transaction; returns how
    many records of each kind were created. Without an actor the trail names the system actor
    ``demo``; without a management system it uses the demo's integrated one (or the first)."""
    actor = actor or Actor.system("demo")
    ms = management_system or ManagementSystem.objects.filter(short_name="integrated").first()
    if ms is None:
        ms = ManagementSystem.objects.order_by("name").first()
    if ms is None:
        return {}
    people = people or {}
    now = now or timezone.now().replace(minute=0, second=0, microsecond=0)
    created = {
        "ai_systems": 0,
        "models": 0,
        "model_versions": 0,
        "evaluations": 0,
        "datasets": 0,
        "quality_checks": 0,
        "lifecycle_records": 0,
        "readings": 0,
    }
    with transaction.atomic():
        names = [x["short_name"] for x in SYSTEMS]
        systems: dict[str, AISystem] = {
            s.short_name: s for s in AISystem.objects.filter(short_name__in=names)
        }
        for spec in SYSTEMS:
            if spec["short_name"] in systems:
                continue
            data = dict(spec)
            data["owner"] = _owner(people, data.pop("owner"))
            systems[spec["short_name"]] = services.create_system(actor, management_system=ms, **data)
            created["ai_systems"] += 1

        ensure_demo_levels(actor)
        for spec in DATASETS:
            level = DATASET_LEVELS.get(spec["short_name"])
            existing = Dataset.objects.filter(short_name=spec["short_name"]).first()
            if existing is not None:
                if existing.classification_id is None and level:
                    services.update_dataset(actor, existing.pk, classification=level)
                continue
            data = dict(spec)
            services.create_dataset(
                actor,
                management_system=ms,
                ai_systems=data.pop("systems", []),
                sources=data.pop("sources", []),
                owner=_owner(people, "tomasz.nowak"),
                classification=level,
                **data,
            )
            created["datasets"] += 1

        for short, specs in MODELS.items():
            for spec in specs:
                if not AIModel.objects.filter(ai_system=systems[short], name=spec["name"]).exists():
                    services.create_model(actor, systems[short].pk, **spec)
                    created["models"] += 1
        for short, name, label, status, trained, trained_on, evaluated_on, notes in VERSIONS:
            model = AIModel.objects.get(ai_system=systems[short], name=name)
            if ModelVersion.objects.filter(model=model, label=label).exists():
                continue
            services.create_model_version(
                actor,
                model,
                label=label,
                training_date=trained,
                notes=notes,
                trained_on=trained_on,
                evaluated_on=evaluated_on,
                status=status,
                existing_reason=EXISTING_VERSION if status != "development" else "",
            )
            created["model_versions"] += 1

        evaluator = _owner(people, "tomasz.nowak")
        for short, version, metric, comparison, criterion, result, days in EVALUATIONS:
            system = systems[short]
            model_name, _, label = version.partition("@")
            if Evaluation.objects.filter(
                model_version__model__ai_system=system,
                model_version__model__name=model_name,
                model_version__label=label,
                metric=metric,
            ).exists():
                continue
            services.record_evaluation(
                actor,
                system.pk,
                model_version=version,
                metric=metric,
                comparison=comparison,
                criterion_value=criterion,
                result_value=result,
                performed_by=evaluator if short != "hr-cv-screening" else None,
                performed_by_name=""
                if short != "hr-cv-screening"
                else "People team with the vendor's test harness",
                performed_at=now - dt.timedelta(days=days),
            )
            created["evaluations"] += 1

        for short, check, comparison, criterion, result in QUALITY_CHECKS:
            dataset = Dataset.objects.get(short_name=short)
            if QualityCheck.objects.filter(dataset=dataset, metric=check).exists():
                continue
            services.record_quality_check(
                actor,
                dataset.pk,
                metric=check,
                comparison=comparison,
                criterion_value=criterion,
                result_value=result,
                performed_by=_owner(people, "tomasz.nowak"),
                performed_at=now - dt.timedelta(days=20),
            )
            created["quality_checks"] += 1

        for short, kind, title, owner, approve, body in RECORDS:
            system = systems[short]
            if LifecycleRecord.objects.filter(ai_system=system, title=title).exists():
                continue
            record = services.create_record(
                actor, system.pk, kind=kind, title=title, body=body, owner=_owner(people, owner)
            )
            if approve:
                services.approve_record(actor, record.pk)
            created["lifecycle_records"] += 1

        for short, metric_name, name, unit, direction, threshold, window, values in METRICS:
            system = systems[short]
            om = Metric.objects.filter(ai_system=system, short_name=metric_name).first()
            if om is None:
                om = services.create_metric(
                    actor,
                    system.pk,
                    short_name=metric_name,
                    name=name,
                    unit=unit,
                    direction=direction,
                    threshold=threshold,
                    evaluation_window=window,
                )
            if MetricReading.objects.filter(metric=om).exists():
                continue  # its history is already there (a later run has another "now")
            for i, value in enumerate(values):
                at = now - dt.timedelta(days=7 * (len(values) - 1 - i))
                services.push_reading(actor, short, metric_name, decimal.Decimal(value), at)
                created["readings"] += 1
    return created


def ensure_demo_retrained_model(actor: Actor) -> bool:
    """Record :data:`RETRAINED_MODEL` on the credit-scoring system unless it is there: a version in
    production that no evaluation covers (a finding of the consistency check) and, through the
    impact app's "new model" trigger, the credit-scoring impact assessment due again."""
    system = AISystem.objects.get(short_name="credit-scoring")
    spec = dict(RETRAINED_MODEL)
    model = AIModel.objects.get(ai_system=system, name=spec.pop("model"))
    if ModelVersion.objects.filter(model=model, label=spec["label"]).exists():
        return False
    services.create_model_version(actor, model, status="deployed", **spec)
    return True


# which supplier (a key of keel.suppliers.demo's SUPPLIERS) each demo record depends on
DEMO_SUPPLIERS: dict[str, dict[str, str]] = {
    "systems": {"hr-cv-screening": "hr", "support-assistant": "llm"},
    "models": {"atlas-rag": "llm", "vendor-ranker": "hr"},
    "datasets": {"bureau-raw": "bureau"},
}


def link_demo_suppliers(actor: Actor, refs: dict[str, str]) -> None:
    """Point the demo's AI systems, models and datasets at their suppliers (``refs``: supplier
    key → SUP-nnn), through the services."""
    for short_name, key in DEMO_SUPPLIERS["systems"].items():
        services.update_system(actor, short_name, supplier=refs[key])
    for name, key in DEMO_SUPPLIERS["models"].items():
        for model in AIModel.objects.filter(name=name):
            services.update_model(actor, model.pk, supplier=refs[key])
    for short_name, key in DEMO_SUPPLIERS["datasets"].items():
        services.update_dataset(actor, short_name, supplier=refs[key])
