"""Write-side services of the AI system inventory: AI systems and their lifecycle gate, models,
evaluations, datasets with lineage and quality checks, operating metrics, readings and flags.

One transaction each; each writes its trail entry. Inventory records are changed with
``edit_ai_systems`` over the system's management system; evaluations, quality checks and metric
readings are recorded with ``record_ai_results`` (contributors hold it: the engineers and the
pipelines that measure). Plain metric readings are telemetry and are not written to the trail
one by one (docs/adr/0011-ai-metric-readings-and-flags.md); the flags they open and close are.
Metrics, readings and flags live in :mod:`keel.aisystems.readings` and are re-exported here.
"""

from __future__ import annotations

import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.assets.models import ClassificationLevel
from keel.assets.services import get_level
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean, reject_control_characters

from . import gates, lineage
from .choices import AIRole, Comparison, LifecycleStage
from .models import (
    AIModel,
    AISystem,
    Dataset,
    DatasetDerivation,
    Evaluation,
    Metric,
    QualityCheck,
)

SYSTEM_FIELDS = (
    "short_name",
    "name",
    "purpose",
    "intended_use",
    "foreseeable_misuse",
    "origin",
    "ai_roles",
    "owner",
    "users_description",
    "affected_people",
    "deployment_regions",
    "human_oversight",
    "third_party_components",
)
MODEL_FIELDS = (
    "name",
    "version",
    "model_type",
    "base_model",
    "base_model_supplier",
    "training_date",
    "description",
)
DATASET_FIELDS = (
    "short_name",
    "name",
    "description",
    "owner",
    "source",
    "acquisition",
    "licence",
    "rights",
    "representativeness",
    "personal_data",
    "personal_data_notes",
    "may_train",
    "may_evaluate",
    "licence_scope",
    "deletion_method",
    "classification",
)
METRIC_FIELDS = ("short_name", "name", "unit", "direction", "threshold", "evaluation_window", "description")
MEASURE_FIELDS = (
    "metric",
    "comparison",
    "criterion_value",
    "criterion",
    "result_value",
    "result",
    "passed",
    "performed_by",
    "performed_by_name",
    "performed_at",
    "notes",
)
PLACES = decimal.Decimal("0.000001")
# Short names that are page paths (/ai-systems/new/, /datasets/new/): refused as names.
RESERVED = frozenset({"new", "flags"})


def _not_reserved(obj: Any) -> None:
    if getattr(obj, "short_name", "") in RESERVED:
        raise ValidationFailed(
            f"{obj.short_name!r} is a reserved word; choose another short name.",
            {"short_name": ["Reserved."]},
        )


STAGE_ORDER = [s.value for s in LifecycleStage]


# ---------------------------------------------------------------- look-ups


def get_system(ref: uuid.UUID | str, lock: bool = False) -> AISystem:
    """An AI system by id or short name; ``lock``: its row locked until the transaction ends."""
    qs = AISystem.objects.select_related("management_system", "owner")
    if lock:
        qs = qs.select_for_update(of=("self",))
    system = None
    try:
        system = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        system = qs.filter(short_name=str(ref).strip()).first()
    if system is None:
        raise NotFound(f"No AI system {ref!r}: give its id or short name (e.g. credit-scoring).")
    return system


def get_dataset(ref: uuid.UUID | str, lock: bool = False) -> Dataset:
    qs = Dataset.objects.select_related("management_system", "owner", "classification")
    if lock:
        qs = qs.select_for_update(of=("self",))
    dataset = None
    try:
        dataset = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        dataset = qs.filter(short_name=str(ref).strip()).first()
    if dataset is None:
        raise NotFound(f"No dataset {ref!r}: give its id or short name.")
    return dataset


def get_model(ref: uuid.UUID | str, lock: bool = False) -> AIModel:
    qs = AIModel.objects.select_related("ai_system__management_system")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, AIModel.DoesNotExist):
        raise NotFound(f"No AI model with id {ref}.") from None


def get_metric(system: AISystem, short_name: str) -> Metric:
    metric = Metric.objects.filter(ai_system=system, short_name=str(short_name).strip()).first()
    if metric is None:
        known = ", ".join(Metric.objects.filter(ai_system=system).values_list("short_name", flat=True))
        raise NotFound(
            f"{system.short_name} has no metric {short_name!r}. Its metrics: {known or 'none yet'}."
        )
    return metric


def get_metric_by_id(ref: uuid.UUID | str, lock: bool = False) -> Metric:
    qs = Metric.objects.select_related("ai_system__management_system")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, Metric.DoesNotExist):
        raise NotFound(f"No metric with id {ref}.") from None


def _list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in (p.strip() for p in value.replace("\n", ",").split(",")) if v]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"{field} is a list of words.", {field: ["A list of text values."]})
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def _roles(value: Any) -> list[str]:
    roles = _list(value, "ai_roles")
    unknown = [r for r in roles if r not in AIRole.values]
    if unknown:
        raise ValidationFailed(
            f"Unknown AI role(s): {', '.join(unknown)}. Known (ISO/IEC 22989): {', '.join(AIRole.values)}.",
            {"ai_roles": ["Unknown role."]},
        )
    return roles


def _same_set(data: dict[str, Any], obj: Any, *fields: str) -> None:
    """A list field given with the same values in another order (a form posts them in its own
    order) is no change: keep the stored list, so saving unchanged writes nothing."""
    for name in fields:
        if name in data and sorted(data[name]) == sorted(getattr(obj, name)):
            data[name] = getattr(obj, name)


# ---------------------------------------------------------------- AI systems


def _system_snapshot(system: AISystem) -> dict[str, Any]:
    data = trail.snapshot(system, [*SYSTEM_FIELDS, "management_system", "lifecycle_stage"])
    return data


def create_system(
    actor: Actor,
    *,
    management_system: uuid.UUID | str | ManagementSystem,
    lifecycle_stage: str = LifecycleStage.DESIGN,
    existing_reason: str = "",
    **data: Any,
) -> AISystem:
    """Add an AI system to the inventory. A system is born in design, development or
    verification; one already in service before Keel is recorded in its stage (deployment,
    operation or retired) only with ``existing_reason`` — the trail marks it as recorded
    history, not as a passed gate."""
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_AI_SYSTEMS, ms)
    if lifecycle_stage not in STAGE_ORDER:
        raise ValidationFailed(
            f"lifecycle_stage must be one of: {', '.join(STAGE_ORDER)}.",
            {"lifecycle_stage": ["Unknown stage."]},
        )
    existing_reason = (existing_reason or "").strip()
    late = lifecycle_stage in gates.GATED_STAGES or lifecycle_stage == LifecycleStage.RETIRED
    if late and not existing_reason:
        message = (
            f"A new AI system cannot start in {LifecycleStage(lifecycle_stage).label.lower()}: create it "
            "in design, development or verification and move it through the deployment gate, or, for "
            "a system already in service before Keel, record it as existing with a reason."
        )
        raise ValidationFailed(message, {"lifecycle_stage": [message]})
    if existing_reason and not late:
        raise ValidationFailed(
            "A reason for recording an existing system is only for systems already in deployment, "
            "operation or retired.",
            {"existing_reason": ["Leave empty for a new system."]},
        )
    reject_control_characters({"existing_reason": existing_reason})
    data = dict(data)
    if "ai_roles" in data:
        data["ai_roles"] = _roles(data["ai_roles"])
    if "deployment_regions" in data:
        data["deployment_regions"] = _list(data["deployment_regions"], "deployment_regions")
    with transaction.atomic():
        system = AISystem(management_system=ms, lifecycle_stage=lifecycle_stage)
        apply_fields(system, data, SYSTEM_FIELDS)
        if lifecycle_stage == LifecycleStage.RETIRED:
            system.retired_at = timezone.now()
        _not_reserved(system)
        clean(system, "AI system")
        system.save()
        changes: dict[str, Any] = trail.diff({}, _system_snapshot(system))
        if existing_reason:
            changes["recorded_as_existing"] = [None, existing_reason]
        trail.record(actor, TrailAction.CREATE, system, changes=changes)
    return system


def update_system(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    management_system: uuid.UUID | str | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> AISystem:
    """Change an AI system's description (not its stage: :func:`change_stage`). Its row is
    locked first; ``expected_version`` (the version the person saw) makes a stale edit a
    conflict."""
    if "lifecycle_stage" in data:
        raise ValidationFailed(
            "Change the lifecycle stage with the stage action (it passes the deployment gate).",
            {"lifecycle_stage": ["Use the stage action."]},
        )
    data = dict(data)
    if "ai_roles" in data:
        data["ai_roles"] = _roles(data["ai_roles"])
    if "deployment_regions" in data:
        data["deployment_regions"] = _list(data["deployment_regions"], "deployment_regions")
    with transaction.atomic():
        system = get_system(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        check_version(system, expected_version, system.name)
        _same_set(data, system, "ai_roles", "deployment_regions")
        before = _system_snapshot(system)
        apply_fields(system, data, SYSTEM_FIELDS)
        if management_system is not None:
            ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
            check(actor, Perm.EDIT_AI_SYSTEMS, ms)
            system.management_system = ms
        _not_reserved(system)
        clean(system, "AI system")
        system.save()
        changes = trail.diff(before, _system_snapshot(system))
        if changes:
            trail.record(actor, TrailAction.UPDATE, system, changes=changes)
        if "intended_use" in changes:
            hooks.call(
                "aisystem.changed",
                actor=actor,
                system=system,
                what="intended_use",
                detail="the intended use was changed",
            )
    return system


def change_stage(actor: Actor, ref: uuid.UUID | str, stage: str, note: str = "") -> AISystem:
    """Move an AI system to another lifecycle stage. Into deployment or operation it passes the
    gate (a passing evaluation and an approved impact assessment); retirement is final."""
    if stage not in STAGE_ORDER:
        raise ValidationFailed(
            f"stage must be one of: {', '.join(STAGE_ORDER)}.", {"stage": ["Unknown stage."]}
        )
    reject_control_characters({"note": note})
    with transaction.atomic():
        system = get_system(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        current = system.lifecycle_stage
        if stage == current:
            raise Conflict(f"{system.name} is already in {LifecycleStage(stage).label.lower()}.")
        if current == LifecycleStage.RETIRED:
            raise Conflict(
                f"{system.name} is retired, and retirement is final: add a new AI system to the "
                "inventory if it comes back into use."
            )
        if stage in gates.GATED_STAGES:
            blockers = gates.deployment_blockers(system)
            if blockers:
                raise Conflict(
                    f"{system.name} cannot move to {LifecycleStage(stage).label.lower()}: "
                    + "; and ".join(blockers)
                    + ". Nothing was changed.",
                    {"stage": blockers},
                )
        system.lifecycle_stage = stage
        system.retired_at = timezone.now() if stage == LifecycleStage.RETIRED else None
        system.save(update_fields=["lifecycle_stage", "retired_at", "updated_at"])
        changes: dict[str, Any] = {"lifecycle_stage": [current, stage]}
        if note.strip():
            changes["note"] = [None, note.strip()]
        trail.record(actor, TrailAction.UPDATE, system, changes=changes)
        hooks.call(
            "aisystem.changed",
            actor=actor,
            system=system,
            what="stage",
            detail=f"moved from {LifecycleStage(current).label.lower()} to {LifecycleStage(stage).label.lower()}",
            old_stage=current,
            new_stage=stage,
        )
    return system


def retire_system(actor: Actor, ref: uuid.UUID | str, note: str = "") -> AISystem:
    return change_stage(actor, ref, LifecycleStage.RETIRED, note)


# ---------------------------------------------------------------- models


def create_model(actor: Actor, system_ref: uuid.UUID | str, **data: Any) -> AIModel:
    with transaction.atomic():
        system = get_system(system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        model = AIModel(ai_system=system)
        apply_fields(model, data, MODEL_FIELDS)
        clean(model, "model")
        model.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            model,
            management_system_id=system.management_system_id,
            changes={
                "ai_system": [None, system.short_name],
                **trail.diff({}, trail.snapshot(model, MODEL_FIELDS)),
            },
        )
        hooks.call(
            "aisystem.changed", actor=actor, system=system, what="model", detail=f"model {model} was added"
        )
    return model


def update_model(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> AIModel:
    with transaction.atomic():
        model = get_model(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, model.ai_system.management_system)
        check_version(model, expected_version, f"Model {model}")
        before = trail.snapshot(model, MODEL_FIELDS)
        apply_fields(model, data, MODEL_FIELDS)
        clean(model, "model")
        model.save()
        changes = trail.diff(before, trail.snapshot(model, MODEL_FIELDS))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                model,
                management_system_id=model.ai_system.management_system_id,
                changes=changes,
            )
        if "version" in changes:
            hooks.call(
                "aisystem.changed",
                actor=actor,
                system=model.ai_system,
                what="model",
                detail=f"model {model.name} changed version from {changes['version'][0]} to {changes['version'][1]}",
            )
    return model


# ---------------------------------------------------------------- evaluations and quality checks


def _decimal(value: Any, field: str) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValidationFailed(
            f"{field} must be a number, not {value!r}.", {field: ["Not a number."]}
        ) from None
    if not number.is_finite():
        raise ValidationFailed(f"{field} must be a finite number.", {field: ["Not a finite number."]})
    if abs(number) >= decimal.Decimal(10) ** 14:
        raise ValidationFailed(
            f"{field} is too large (at most 14 digits before the point).", {field: ["Too large."]}
        )
    return number.quantize(PLACES, rounding=decimal.ROUND_HALF_EVEN)


def meets(comparison: str, result: decimal.Decimal, criterion: decimal.Decimal) -> bool:
    return {
        Comparison.AT_LEAST: result >= criterion,
        Comparison.AT_MOST: result <= criterion,
        Comparison.ABOVE: result > criterion,
        Comparison.BELOW: result < criterion,
    }[Comparison(comparison)]


def _measured(data: dict[str, Any], what: str) -> dict[str, Any]:
    """Validate a measurement and decide pass or fail: computed from a numeric criterion with a
    comparison, else as recorded (then ``passed`` is required)."""
    data = dict(data)
    comparison = data.get("comparison") or Comparison.RECORDED
    if comparison not in Comparison.values:
        raise ValidationFailed(
            f"comparison must be one of: {', '.join(Comparison.values)}.",
            {"comparison": ["Unknown comparison."]},
        )
    data["comparison"] = comparison
    data["criterion_value"] = _decimal(data.get("criterion_value"), "criterion_value")
    data["result_value"] = _decimal(data.get("result_value"), "result_value")
    if not str(data.get("metric") or "").strip():
        raise ValidationFailed(f"Name the metric the {what} measured.", {"metric": ["Required."]})
    if comparison != Comparison.RECORDED:
        missing = [f for f in ("criterion_value", "result_value") if data[f] is None]
        if missing:
            raise ValidationFailed(
                f"A criterion compared '{Comparison(comparison).label}' needs a numeric criterion value and "
                "result value (or choose 'judged by the evaluator' and record pass or fail).",
                {f: ["Required for a numeric criterion."] for f in missing},
            )
        computed = meets(comparison, data["result_value"], data["criterion_value"])
        if data.get("passed") is not None and bool(data["passed"]) != computed:
            raise ValidationFailed(
                f"The result {data['result_value'].normalize()} {'meets' if computed else 'does not meet'} the "
                f"criterion ({Comparison(comparison).label} {data['criterion_value'].normalize()}), so the "
                f"{what} {'passed' if computed else 'failed'}: leave pass/fail out to have it computed.",
                {"passed": ["Contradicts the criterion."]},
            )
        data["passed"] = computed
        if not str(data.get("criterion") or "").strip():
            data["criterion"] = (
                f"{data['metric']} {Comparison(comparison).label} {data['criterion_value'].normalize()}"
            )
    elif data.get("passed") is None:
        raise ValidationFailed(
            f"Say whether the {what} passed: the criterion is not numeric, so pass or fail is recorded.",
            {"passed": ["Required when the criterion is judged."]},
        )
    if not str(data.get("criterion") or "").strip():
        raise ValidationFailed("State the acceptance criterion.", {"criterion": ["Required."]})
    data["performed_at"] = data.get("performed_at") or timezone.now()
    return data


def _measure_changes(record: Any) -> dict[str, Any]:
    return trail.diff({}, trail.snapshot(record, MEASURE_FIELDS))


def record_evaluation(
    actor: Actor, system_ref: uuid.UUID | str, *, model: uuid.UUID | str | None = None, **data: Any
) -> Evaluation:
    """Record an evaluation of an AI system or of one of its models."""
    with transaction.atomic():
        system = get_system(system_ref)
        check(actor, Perm.RECORD_AI_RESULTS, system.management_system)
        ai_model = None
        if model:
            ai_model = get_model(model)
            if ai_model.ai_system_id != system.pk:
                raise ValidationFailed(
                    f"Model {ai_model} belongs to another AI system, not {system.short_name}.",
                    {"model": ["Not a model of this system."]},
                )
        data = _measured(data, "evaluation")
        if data.get("performed_by") is None and not data.get("performed_by_name") and actor.user is not None:
            data["performed_by"] = actor.user
        evaluation = Evaluation(ai_system=system, model=ai_model)
        apply_fields(evaluation, data, MEASURE_FIELDS)
        clean(evaluation, "evaluation")
        evaluation.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            evaluation,
            object_repr=f"{system.short_name}: {evaluation}",
            management_system_id=system.management_system_id,
            changes={
                "ai_system": [None, system.short_name],
                "model": [None, str(ai_model) if ai_model else None],
                **_measure_changes(evaluation),
            },
        )
    return evaluation


def record_quality_check(actor: Actor, dataset_ref: uuid.UUID | str, **data: Any) -> QualityCheck:
    with transaction.atomic():
        dataset = get_dataset(dataset_ref)
        check(actor, Perm.RECORD_AI_RESULTS, dataset.management_system)
        data = _measured(data, "quality check")
        if data.get("performed_by") is None and not data.get("performed_by_name") and actor.user is not None:
            data["performed_by"] = actor.user
        qc = QualityCheck(dataset=dataset)
        apply_fields(qc, data, MEASURE_FIELDS)
        clean(qc, "quality check")
        qc.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            qc,
            object_repr=f"{dataset.short_name}: {qc}",
            management_system_id=dataset.management_system_id,
            changes={"dataset": [None, dataset.short_name], **_measure_changes(qc)},
        )
        if not qc.passed:
            # the systems that use the dataset may need their impact assessment and risks revisited
            for system in dataset.ai_systems.order_by("short_name"):
                hooks.call(
                    "aisystem.changed",
                    actor=actor,
                    system=system,
                    what="data_quality",
                    detail=f"the data-quality check {qc.metric} on the dataset {dataset.short_name} failed",
                )
    return qc


# ---------------------------------------------------------------- datasets and lineage


def _datasets(
    refs: Iterable[uuid.UUID | str], field: str, actor: Actor, ms: ManagementSystem
) -> list[Dataset]:
    """Datasets by id or short name within the actor's perimeter, each of the management
    system ``ms`` of the dataset that names them."""
    qs = organisation_resolvers.in_perimeter(Dataset.objects.all(), actor)
    out: dict[uuid.UUID, Dataset] = {}
    for ref in dict.fromkeys(str(r).strip() for r in refs if str(r).strip()):
        found = organisation_resolvers.record(
            qs, ref, label="dataset", example="raw-data", field=field, ref_field="short_name"
        )
        organisation_resolvers.same_system(
            ms, [found.management_system_id], what=f"dataset {found.short_name}", field=field
        )
        out.setdefault(found.pk, found)
    return list(out.values())


def _systems(refs: Iterable[uuid.UUID | str], actor: Actor, ms: ManagementSystem) -> list[AISystem]:
    """AI systems by id or short name within the actor's perimeter, each of ``ms``."""
    qs = organisation_resolvers.in_perimeter(AISystem.objects.all(), actor)
    out: dict[uuid.UUID, AISystem] = {}
    for ref in dict.fromkeys(str(r).strip() for r in refs if str(r).strip()):
        found = organisation_resolvers.record(
            qs, ref, label="AI system", example="credit-scoring", field="ai_systems", ref_field="short_name"
        )
        organisation_resolvers.same_system(
            ms, [found.management_system_id], what=f"AI system {found.short_name}", field="ai_systems"
        )
        out.setdefault(found.pk, found)
    return list(out.values())


def _dataset_snapshot(dataset: Dataset) -> dict[str, Any]:
    data = trail.snapshot(dataset, [*DATASET_FIELDS, "management_system"])
    data["classification"] = dataset.classification.key if dataset.classification else None
    data["sources"] = sorted(
        DatasetDerivation.objects.filter(derived=dataset).values_list("source__short_name", flat=True)
    )
    data["ai_systems"] = sorted(dataset.ai_systems.values_list("short_name", flat=True))
    return data


def _set_sources(dataset: Dataset, sources: list[Dataset]) -> None:
    """Set what ``dataset`` was derived from, refusing a cycle with a message naming it."""
    if any(s.pk == dataset.pk for s in sources):
        raise ValidationFailed(
            f"{dataset.short_name} cannot be derived from itself.",
            {"sources": ["A dataset is not its own source."]},
        )
    below = lineage.descendants(dataset.pk)
    looping = [s for s in sources if s.pk in below]
    if looping:
        names = ", ".join(s.short_name for s in looping)
        message = (
            f"{dataset.short_name} cannot be derived from {names}: {names} is itself built from "
            f"{dataset.short_name} (directly or through other datasets), and lineage cannot go in a "
            "circle. Nothing was changed."
        )
        raise ValidationFailed(message, {"sources": [message]})
    wanted = {s.pk for s in sources}
    DatasetDerivation.objects.filter(derived=dataset).exclude(source_id__in=wanted).delete()
    have = set(DatasetDerivation.objects.filter(derived=dataset).values_list("source_id", flat=True))
    DatasetDerivation.objects.bulk_create(
        [DatasetDerivation(source_id=pk, derived=dataset) for pk in wanted - have]
    )


def _classification(data: dict[str, Any]) -> None:
    """Turn ``classification`` (a level, its key or id, or None/"" for none) into the level."""
    if "classification" not in data:
        return
    ref = data["classification"]
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        data["classification"] = None
        return
    if isinstance(ref, ClassificationLevel):
        return
    try:
        data["classification"] = get_level(str(ref).strip())
    except NotFound as exc:
        raise ValidationFailed(exc.message, {"classification": ["Unknown classification level."]}) from None


def _check_classification(dataset: Dataset, before: ClassificationLevel | None = None) -> None:
    """The level is the organisation's rule, the flags the dataset's decision within it: a
    retired level cannot be newly chosen, and a dataset may not be marked for training
    (evaluation) when its level forbids AI training (evaluation)."""
    level = dataset.classification
    if level is None:
        return
    if level.retired_at is not None and (before is None or level.pk != before.pk):
        raise ValidationFailed(
            f"The classification level {level.name} is retired: choose a current level.",
            {"classification": ["Retired level."]},
        )
    fields: dict[str, list[str]] = {}
    if dataset.may_train and not level.ai_training_allowed:
        fields["may_train"] = [f"The classification level {level.name} does not allow AI training."]
    if dataset.may_evaluate and not level.ai_evaluation_allowed:
        fields["may_evaluate"] = [f"The classification level {level.name} does not allow AI evaluation."]
    if fields:
        uses = " or ".join(
            u for f, u in (("may_train", "training"), ("may_evaluate", "evaluation")) if f in fields
        )
        raise ValidationFailed(
            f"{dataset.short_name or 'The dataset'} is classified {level.name}, which does not allow AI "
            f"{uses}: untick {' and '.join(sorted(fields))}, or choose a level that allows it. "
            "Nothing was changed.",
            fields,
        )


def create_dataset(
    actor: Actor,
    *,
    management_system: uuid.UUID | str | ManagementSystem,
    sources: Iterable[uuid.UUID | str] = (),
    ai_systems: Iterable[uuid.UUID | str] = (),
    **data: Any,
) -> Dataset:
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_AI_SYSTEMS, ms)
    with transaction.atomic():
        source_sets = _datasets(sources, "sources", actor, ms)
        systems = _systems(ai_systems, actor, ms)
        dataset = Dataset(management_system=ms)
        _classification(data)
        apply_fields(dataset, data, DATASET_FIELDS)
        _check_classification(dataset)
        _not_reserved(dataset)
        clean(dataset, "dataset")
        dataset.save()
        _set_sources(dataset, source_sets)
        dataset.ai_systems.set(systems)
        trail.record(actor, TrailAction.CREATE, dataset, changes=trail.diff({}, _dataset_snapshot(dataset)))
    return dataset


def update_dataset(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    management_system: uuid.UUID | str | None = None,
    sources: Iterable[uuid.UUID | str] | None = None,
    ai_systems: Iterable[uuid.UUID | str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> Dataset:
    with transaction.atomic():
        dataset = get_dataset(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, dataset.management_system)
        check_version(dataset, expected_version, dataset.name)
        before = _dataset_snapshot(dataset)
        old_level = dataset.classification
        _classification(data)
        apply_fields(dataset, data, DATASET_FIELDS)
        _check_classification(dataset, old_level)
        if management_system is not None:
            ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
            check(actor, Perm.EDIT_AI_SYSTEMS, ms)
            dataset.management_system = ms
        _not_reserved(dataset)
        clean(dataset, "dataset")
        dataset.save()
        if sources is not None:
            _set_sources(dataset, _datasets(sources, "sources", actor, dataset.management_system))
        if ai_systems is not None:
            dataset.ai_systems.set(_systems(ai_systems, actor, dataset.management_system))
        changes = trail.diff(before, _dataset_snapshot(dataset))
        if changes:
            trail.record(actor, TrailAction.UPDATE, dataset, changes=changes)
    return dataset


# Operating metrics, readings and flags live in their own module; re-exported here so that
# callers use one services namespace.
from .readings import (  # noqa: E402
    PushResult,
    close_flag,
    create_metric,
    parse_time,
    push_reading,
    update_metric,
)

__all__ = [
    "PushResult",
    "change_stage",
    "close_flag",
    "create_dataset",
    "create_metric",
    "create_model",
    "create_system",
    "get_dataset",
    "get_metric",
    "get_metric_by_id",
    "get_model",
    "get_system",
    "parse_time",
    "push_reading",
    "record_evaluation",
    "record_quality_check",
    "retire_system",
    "update_dataset",
    "update_metric",
    "update_model",
    "update_system",
]
