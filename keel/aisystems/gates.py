"""The lifecycle gate of an AI system: it cannot move to deployment (or operation) without a
passing evaluation and an approved AI system impact assessment (ISO/IEC 42001 6.1.4, 8.4).

The impact-assessment condition (:func:`impact_assessment_approved`) holds when the system has
an approved impact assessment in force that is not due for re-assessment (keel.impact). Systems
that were already deployed before Keel are recorded as they are (``create_system(...,
existing_reason=...)``), which the trail shows as recorded history, not as a gate passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keel.platform import hooks

from .choices import LifecycleStage

if TYPE_CHECKING:
    from .models import AISystem

GATED_STAGES = frozenset({LifecycleStage.DEPLOYMENT, LifecycleStage.OPERATION})


def impact_assessment_approved(system: AISystem) -> bool:
    """Whether ``system`` has an approved AI system impact assessment in force that is not due
    for re-assessment (a trigger fired, or its planned interval elapsed). One or two queries."""
    return not impact_assessment_problem(system)


def impact_assessment_problem(system: AISystem) -> str:
    """Why the impact-assessment condition fails, in words, or ``""`` when it holds."""
    problems = [p for p in hooks.call("aisystem.gate_problem", system=system) if p]
    return problems[0] if problems else ""


def evaluation_problem(system: AISystem) -> str:
    """Why the evaluations of ``system`` do not pass the gate, or ``""`` when they do: at least
    one evaluation of the system or its models, and the latest of each (model, metric) passed
    (a failed re-evaluation closes the gate again). Two queries."""
    from .models import Evaluation

    latest: dict[tuple[object, str], Evaluation] = {}
    for e in (
        Evaluation.objects.filter(ai_system=system)
        .select_related("model")
        .order_by("-performed_at", "-created_at")
    ):
        latest.setdefault((e.model_id, e.metric.lower()), e)
    if not latest:
        return (
            "it has no passing evaluation — record an evaluation of the system or one of its models "
            "that meets its acceptance criterion"
        )
    failed = [e for e in latest.values() if not e.passed]
    if failed:
        names = ", ".join(f"{e.metric}{f' ({e.model})' if e.model_id else ''}" for e in failed)
        return (
            f"its latest evaluation of {names} failed — it needs a passing evaluation: record a new "
            "evaluation that meets the acceptance criterion"
        )
    return ""


def deployment_blockers(system: AISystem) -> list[str]:
    """What stops ``system`` from moving to deployment or operation, in words (empty: nothing)."""
    blockers = []
    problem = evaluation_problem(system)
    if problem:
        blockers.append(problem)
    problem = impact_assessment_problem(system)
    if problem:
        blockers.append(problem)
    return blockers
