"""The deployment gate of an AI system: a model version goes into service (and the system into
deployment or operation) only with passing evaluations of that very version and an approved AI
system impact assessment (ISO/IEC 42001 6.1.4, 8.4, A.6.2.4, A.6.2.5).

The gate is asked for a specific model version (:func:`check`): a version never evaluated, or
whose latest evaluation of some metric failed, is refused with the reason, whatever the other
versions of the model achieved. The impact-assessment condition holds when the system has an
approved impact assessment in force that is not due for re-assessment (keel.impact, through the
``aisystem.gate_problem`` hook). Systems and versions that were in service before Keel are
recorded as they are (``existing_reason``), which the trail shows as recorded history, not as a
gate passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from keel.platform import hooks

from .choices import LifecycleStage, ModelVersionStatus

if TYPE_CHECKING:
    from .models import AISystem, Evaluation, ModelVersion

GATED_STAGES = frozenset({LifecycleStage.DEPLOYMENT, LifecycleStage.OPERATION})


def impact_assessment_approved(system: AISystem) -> bool:
    """Whether ``system`` has an approved AI system impact assessment in force that is not due
    for re-assessment (a trigger fired, or its planned interval elapsed). One or two queries."""
    return not impact_assessment_problem(system)


def impact_assessment_problem(system: AISystem) -> str:
    """Why the impact-assessment condition fails, in words, or ``""`` when it holds."""
    problems = [p for p in hooks.call("aisystem.gate_problem", system=system) if p]
    return problems[0] if problems else ""


def latest_evaluations(
    version: ModelVersion, evaluations: list[Evaluation] | None = None
) -> list[Evaluation]:
    """The latest evaluation of each metric (case-insensitive) of ``version``, newest first
    (from ``evaluations`` when given, else one query)."""
    from .models import Evaluation

    if evaluations is None:
        evaluations = list(
            Evaluation.objects.filter(model_version=version).order_by("-performed_at", "-created_at")
        )
    latest: dict[str, Evaluation] = {}
    for e in sorted(evaluations, key=lambda e: (e.performed_at, e.created_at), reverse=True):
        if e.model_version_id == version.pk:
            latest.setdefault(e.metric.lower(), e)
    return list(latest.values())


def version_evaluation_problem(version: ModelVersion, evaluations: list[Evaluation] | None = None) -> str:
    """Why ``version``'s evaluations do not pass the gate, or ``""`` when they do: at least one
    evaluation of this version, and the latest of each metric passed (a failed re-evaluation
    closes the gate again). One query, none when ``evaluations`` are given."""
    latest = latest_evaluations(version, evaluations)
    if not latest:
        return (
            f"model version {version} has never been evaluated — record an evaluation of this version "
            "that meets its acceptance criterion"
        )
    failed = [e for e in latest if not e.passed]
    if failed:
        names = ", ".join(e.metric for e in failed)
        return (
            f"the latest evaluation of model version {version} on {names} failed — record a new "
            "evaluation of this version that meets the acceptance criterion"
        )
    return ""


def evaluation_problem(system: AISystem) -> str:
    """Why the model versions ``system`` runs do not pass the gate, or ``""``: each deployed
    version must pass (:func:`version_evaluation_problem`); a system in deployment or operation
    with no deployed version is a problem too."""
    from .models import ModelVersion

    deployed = list(
        ModelVersion.objects.filter(
            model__ai_system=system, status=ModelVersionStatus.DEPLOYED
        ).select_related("model")
    )
    problems = [p for p in (version_evaluation_problem(v) for v in deployed) if p]
    if not deployed and system.lifecycle_stage in GATED_STAGES:
        problems.append("no model version is recorded as deployed — deploy one through the gate")
    return "; and ".join(problems)


def no_version_problem(system: AISystem) -> str:
    """Why a system with no deployed version cannot pass the gate without naming one."""
    from .models import ModelVersion

    if ModelVersion.objects.filter(model__ai_system=system).exists():
        return ""
    return (
        "it has no model version to deploy — add its model and version, and record a passing "
        "evaluation of that version"
    )


@dataclass
class GateResult:
    """The gate's answer for one model version of one system."""

    system: AISystem
    version: ModelVersion
    blockers: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.blockers

    def as_dict(self) -> dict[str, Any]:
        return {
            "ai_system": self.system.short_name,
            "model": self.version.model.name,
            "model_version": self.version.label,
            "model_version_id": str(self.version.pk),
            "status": self.version.status,
            "passed": self.passed,
            "blockers": list(self.blockers),
        }


def check(
    system: AISystem,
    version: ModelVersion,
    *,
    evaluations: list[Evaluation] | None = None,
    impact_problem: str | None = None,
) -> GateResult:
    """Ask the gate whether ``version`` of ``system`` may be deployed (nothing is changed).
    ``evaluations`` / ``impact_problem``: already read, for a page that asks for every version."""
    blockers = []
    if version.model.ai_system_id != system.pk:
        blockers.append(f"model version {version} belongs to another AI system")
    if system.lifecycle_stage == LifecycleStage.RETIRED:
        blockers.append(f"{system.name} is retired")
    problem = version_evaluation_problem(version, evaluations)
    if problem:
        blockers.append(problem)
    problem = impact_assessment_problem(system) if impact_problem is None else impact_problem
    if problem:
        blockers.append(problem)
    return GateResult(system, version, blockers)


def check_all(
    system: AISystem, versions: list[ModelVersion], evaluations: list[Evaluation]
) -> list[GateResult]:
    """The gate's answer for each of ``versions`` (the impact assessment asked once)."""
    impact_problem = impact_assessment_problem(system)
    return [check(system, v, evaluations=evaluations, impact_problem=impact_problem) for v in versions]


def deployment_blockers(system: AISystem, version: ModelVersion | None = None) -> list[str]:
    """What stops ``system`` from moving to deployment or operation with ``version`` (or, when
    none is named, with the versions it already runs), in words (empty: nothing)."""
    if version is not None:
        return check(system, version).blockers
    blockers = []
    problem = no_version_problem(system) or evaluation_problem(system)
    if problem:
        blockers.append(problem)
    problem = impact_assessment_problem(system)
    if problem:
        blockers.append(problem)
    return blockers
