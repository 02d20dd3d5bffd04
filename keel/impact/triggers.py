"""When an AI system impact assessment is due for re-assessment, and what the deployment gate
asks of it (docs/ai-systems.md#impact-assessment, ADR 0013).

- :func:`note_change` is called (through the ``aisystem.changed`` hook, inside the AI system
  service's transaction) when something happened that may call for a re-assessment: a change of
  stage or intended use, a new model or model version, an operating metric's breach flag
  (drift), a failed data-quality check on a dataset the system uses. The approved version in
  force becomes due when its trigger for that kind of change is on.
- :func:`due_state` also makes it due by the calendar (the planned interval).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from keel.aisystems.choices import LifecycleStage
from keel.aisystems.models import AISystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction

from .choices import AssessmentStatus, Trigger
from .models import ImpactAssessment


def current_assessment(system: AISystem) -> ImpactAssessment | None:
    """The approved version in force (the latest approved; older ones are superseded)."""
    return (
        ImpactAssessment.objects.filter(ai_system=system, status=AssessmentStatus.APPROVED)
        .order_by("-version")
        .first()
    )


# ---------------------------------------------------------------- due for re-assessment


@dataclass(frozen=True)
class Due:
    due: bool
    reason: str = ""
    since: dt.datetime | None = None


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    month = when.month - 1 + months
    year, month = when.year + month // 12, month % 12 + 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return when.replace(year=year, month=month, day=min(when.day, days[month - 1]))


def due_state(a: ImpactAssessment, now: dt.datetime | None = None) -> Due:
    """Whether an approved version is due for re-assessment: flagged by a trigger, or its planned
    interval has elapsed since approval. Drafts and superseded versions are never due."""
    if a.status != AssessmentStatus.APPROVED:
        return Due(False)
    if a.due:
        return Due(True, a.due_reason, a.due_since)
    if a.next_review_at and a.next_review_at <= (now or timezone.now()):
        reason = f"{Trigger.INTERVAL.label}: {a.review_interval_months} months since approval"
        return Due(True, reason, a.next_review_at)
    return Due(False)


def gate_problem(system: AISystem) -> str:
    """Why the impact-assessment condition of the deployment gate fails, or ``""``."""
    current = current_assessment(system)
    if current is None:
        draft = ImpactAssessment.objects.filter(ai_system=system, status=AssessmentStatus.DRAFT).exists()
        return (
            "its impact assessment is a draft — approve it (someone allowed to approve AI system impact "
            "assessments, e.g. a compliance manager)"
            if draft
            else "it has no approved impact assessment — start one from the AI system page and have it approved"
        )
    state = due_state(current)
    if state.due:
        return (
            f"its impact assessment (version {current.version}) is due for re-assessment ({state.reason}) — "
            "start a re-assessment and have it approved"
        )
    return ""


_TRIGGER_FIELD = {
    Trigger.STAGE: "trigger_stage_change",
    Trigger.MODEL: "trigger_new_model",
    Trigger.INTENDED_USE: "trigger_intended_use",
    Trigger.DRIFT: "trigger_drift",
    Trigger.DATA_QUALITY: "trigger_data_quality",
}
_GATED = {LifecycleStage.DEPLOYMENT, LifecycleStage.OPERATION}


def stage_triggers(old: str, new: str) -> bool:
    """Whether a stage change triggers a re-assessment: every change except a forward move into
    deployment or operation — the moves the gate itself checks the assessment for."""
    order = [s.value for s in LifecycleStage]
    forward = order.index(new) > order.index(old)
    return not (forward and new in _GATED)


def note_change(actor: Actor, system: AISystem, trigger: str, detail: str) -> ImpactAssessment | None:
    """Called by the AI system services, inside their transaction, when something that may call
    for a re-assessment happened. Marks the approved version in force due (once; the first
    reason stays) when its trigger for ``trigger`` is on. Returns the assessment marked."""
    current = current_assessment(system)
    if current is None or current.due or not getattr(current, _TRIGGER_FIELD[Trigger(trigger)]):
        return None
    reason = f"{Trigger(trigger).label}: {detail}"[:300]
    current.due, current.due_reason, current.due_since = True, reason, timezone.now()
    # Only the due columns, and only while it is not due yet: of two concurrent triggers the
    # first one marks it (and writes the trail entry), the second finds it due and does nothing.
    marked = ImpactAssessment.objects.filter(pk=current.pk, due=False).update(
        due=True, due_reason=reason, due_since=current.due_since, updated_at=timezone.now()
    )
    if not marked:
        return None
    trail.record(
        actor,
        TrailAction.UPDATE,
        current,
        management_system_id=system.management_system_id,
        changes={"due": [False, True], "due_reason": [None, reason]},
    )
    return current
