"""Evaluations of AI systems and their models, and quality checks of datasets: measurements
against an acceptance criterion, never edited (a new measurement is a new record). Recorded with
``record_ai_results``."""

from __future__ import annotations

import decimal
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean

from ..choices import Comparison
from ..models import Evaluation, QualityCheck
from .common import MEASURE_FIELDS, _decimal
from .lookups import find_model_version, get_dataset, get_system


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
    actor: Actor, system_ref: uuid.UUID | str, *, model_version: uuid.UUID | str, **data: Any
) -> Evaluation:
    """Record an evaluation of a model version of an AI system (``model_version``: an id,
    ``MODEL@LABEL`` or a label unique in the system). The deployment gate reads these."""
    with transaction.atomic():
        system = get_system(system_ref)
        check(actor, Perm.RECORD_AI_RESULTS, system.management_system)
        if not str(model_version or "").strip():
            raise ValidationFailed(
                "Name the model version that was evaluated: evaluations belong to a model version.",
                {"model_version": ["Required."]},
            )
        version = find_model_version(system, model_version)
        data = _measured(data, "evaluation")
        if data.get("performed_by") is None and not data.get("performed_by_name") and actor.user is not None:
            data["performed_by"] = actor.user
        evaluation = Evaluation(ai_system=system, model_version=version)
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
                "model_version": [None, str(version)],
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
