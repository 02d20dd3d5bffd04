"""The gates of a change, per kind, in one place: what must hold before a change may be
approved, and the answer a deployment pipeline gets (``keel change gate``, ``GET
/changes/{ref}/gate``).

- Model lifecycle changes (ISO/IEC 42001 A.6.2, 6.1.4, A.6.2.4): the AI system's impact
  assessment reviewed for the change (an approved version linked to the change, or one approved
  after the change was submitted), its AI risks reviewed (every open AI risk of the system
  assessed after the change was submitted), and verification and validation evidence for the
  model version released (passing evaluations of that very version, or, for a version never
  evaluated in Keel, evidence linked to the change). A retirement releases no version: no
  verification gate.
- Information-system changes (ISO/IEC 27001 A.8.32): a normal change has a test plan, a rollback
  plan and its risk and impact notes; an emergency change a rollback plan; a standard change is
  pre-agreed and has none.
- Management-system changes (clause 6.3 of both standards): the purpose, the consequences, the
  resources and the responsibilities written down.

Who may approve (``approve_changes``, not the requester) is checked by the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from keel.aisystems import gates as deployment_gates
from keel.impact.choices import AssessmentStatus
from keel.impact.models import ImpactAssessment
from keel.risks.choices import Register, RiskStatus
from keel.risks.models import Risk

from .choices import RELEASABLE, ChangeFamily, ChangeType
from .models import Change


@dataclass(frozen=True)
class Gate:
    """One gate's answer; ``link`` (a URL name and its arguments, reversed only when a page
    asks for :attr:`url`) is where the missing thing is done (empty when it holds)."""

    name: str
    ok: bool
    detail: str
    link: tuple[str, tuple[Any, ...], str] | None = None

    @property
    def url(self) -> str:
        if self.link is None:
            return ""
        route, args, query = self.link
        return reverse(route, args=args) + query

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def _when(change: Change) -> str:
    return timezone.localtime(change.submitted_at).date().isoformat() if change.submitted_at else ""


def _since(change: Change) -> str:
    return (
        f"since the change was submitted ({_when(change)})" if change.submitted_at else "(not submitted yet)"
    )


def impact_assessment(change: Change) -> Gate:
    name = "impact assessment"
    system = change.ai_system
    if system is None:
        return Gate(name, False, "no AI system is named on the change")
    system_url = ("ai-system-detail", (system.short_name,), "")
    linked = change.impact_assessment
    if linked is not None and linked.ai_system_id == system.pk and linked.status == AssessmentStatus.APPROVED:
        return Gate(
            name,
            True,
            f"version {linked.version} of {system.short_name}'s impact assessment, reviewed "
            "for this change, is approved",
        )
    current = (
        ImpactAssessment.objects.filter(ai_system=system, status=AssessmentStatus.APPROVED)
        .order_by("-version")
        .first()
    )
    if (
        current is not None
        and change.submitted_at
        and current.approved_at
        and current.approved_at >= change.submitted_at
    ):
        return Gate(
            name,
            True,
            f"version {current.version} of {system.short_name}'s impact assessment was "
            f"approved on {timezone.localtime(current.approved_at).date().isoformat()}, after submission",
        )
    if current is None:
        return Gate(
            name,
            False,
            f"{system.short_name} has no approved impact assessment — assess it and have "
            "the assessment approved",
            system_url,
        )
    url = ("impact-assessment-detail", (current.pk,), "")
    return Gate(
        name,
        False,
        f"{system.short_name}'s impact assessment has not been reviewed for this change: no version was approved "
        f"{_since(change)} and none is linked to it — re-assess the system for the change and approve the new "
        "version, or link the approved version reviewed for it",
        url,
    )


def ai_risks(change: Change) -> Gate:
    name = "AI risks"
    system = change.ai_system
    if system is None:
        return Gate(name, False, "no AI system is named on the change")
    risks = list(Risk.objects.filter(register=Register.AI, ai_system=system).order_by("ref_id"))
    url = ("risk-list", (), "?register=ai")
    if not risks:
        return Gate(name, False, f"no AI risk of {system.short_name} is recorded — assess its AI risks", url)
    open_risks = [r for r in risks if r.status == RiskStatus.OPEN]
    stale = [r for r in open_risks if change.submitted_at is None or r.assessed_at < change.submitted_at]
    if stale:
        refs = ", ".join(r.ref_id for r in stale)
        return Gate(
            name,
            False,
            f"{len(stale)} open AI risk{'s' if len(stale) != 1 else ''} of {system.short_name} "
            f"not re-assessed {_since(change)}: {refs} — re-assess {'them' if len(stale) != 1 else 'it'} "
            "for the change",
            url,
        )
    return Gate(
        name,
        True,
        f"every open AI risk of {system.short_name} ({len(open_risks)}) was re-assessed {_since(change)}",
    )


def verification_validation(change: Change) -> Gate:
    name = "verification and validation"
    version = change.model_version
    if version is None:
        return Gate(name, False, "no model version is named: name the version the change releases")
    system_url = ("ai-system-detail", (change.ai_system.short_name,), "") if change.ai_system else None
    problem = deployment_gates.version_evaluation_problem(version)
    if not problem:
        count = len(deployment_gates.latest_evaluations(version))
        return Gate(
            name,
            True,
            f"model version {version} passed its latest evaluation{'s' if count != 1 else ''} "
            f"({count} metric{'s' if count != 1 else ''})",
        )
    evaluated = version.evaluations.exists()
    if not evaluated and change.evidence.exists():
        refs = ", ".join(e.ref_id for e in change.evidence.order_by("ref_id"))
        return Gate(name, True, f"verification and validation evidence linked to the change: {refs}")
    return Gate(
        name,
        False,
        problem
        + (" (or link the verification and validation evidence to the change)" if not evaluated else ""),
        system_url,
    )


def _filled(field: str, name: str, what: str) -> Callable[[Change], Gate]:
    def gate(change: Change) -> Gate:
        if str(getattr(change, field) or "").strip():
            return Gate(name, True, f"{what} written")
        return Gate(name, False, f"write {what}", ("change-edit", (change.ref_id,), ""))

    gate.__name__ = field
    return gate


test_plan = _filled("test_plan", "test plan", "the test plan")
rollback_plan = _filled("rollback_plan", "rollback plan", "the rollback plan")
risk_notes = _filled("risk_notes", "risk and impact notes", "the risks and expected impact of the change")
purpose = _filled("purpose", "purpose", "the purpose of the change and what it should achieve")
consequences = _filled("consequences", "consequences", "its potential consequences")
resources = _filled("resources", "resources", "the resources it needs")
responsibilities = _filled("responsibilities", "responsibilities", "who is responsible for what")

GateFn = Callable[[Change], Gate]
_MODEL = (impact_assessment, ai_risks, verification_validation)
_MS = (purpose, consequences, resources, responsibilities)

# The gates of each kind of change (every kind is listed; an empty tuple: no gate).
GATES: dict[str, tuple[GateFn, ...]] = {
    ChangeType.STANDARD: (),
    ChangeType.NORMAL: (test_plan, rollback_plan, risk_notes),
    ChangeType.EMERGENCY: (rollback_plan,),
    ChangeType.RETRAINING: _MODEL,
    ChangeType.FINE_TUNING: _MODEL,
    ChangeType.ARCHITECTURE: _MODEL,
    ChangeType.TRAINING_DATA: _MODEL,
    ChangeType.THRESHOLD_PROMPT: _MODEL,
    ChangeType.RETIREMENT: (impact_assessment, ai_risks),
    ChangeType.SCOPE: _MS,
    ChangeType.STRUCTURE: _MS,
    ChangeType.POLICY_PROCESS: _MS,
    ChangeType.ROLES_RESOURCES: _MS,
    ChangeType.OTHER: _MS,
}


def gates_of(change: Change) -> list[Gate]:
    """Every gate of the change's kind, each with its answer now (a few queries)."""
    return [fn(change) for fn in GATES.get(change.kind, ())]


def missing(gates: list[Gate]) -> list[Gate]:
    return [g for g in gates if not g.ok]


def refusal(change: Change, gates: list[Gate]) -> str:
    """The message naming every missing gate (empty when all hold)."""
    lacking = missing(gates)
    if not lacking:
        return ""
    names = "; ".join(f"{g.name}: {g.detail}" for g in lacking)
    return (
        f"{change.ref_id} cannot be approved: {len(lacking)} gate{'s' if len(lacking) != 1 else ''} "
        f"not met — {names}."
    )


@dataclass(frozen=True)
class GateAnswer:
    """What a deployment pipeline asks: may this change go ahead?"""

    ref: str
    status: str
    approved: bool
    gates: list[Gate]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "status": self.status,
            "approved": self.approved,
            "gates": [g.as_dict() for g in self.gates],
        }


def answer(change: Change) -> GateAnswer:
    """Approved (or implemented) changes may go ahead; any other state says why not."""
    gates = gates_of(change)
    approved = change.status in RELEASABLE
    if approved:
        reason = ""
    elif change.status == "closed":
        reason = f"{change.ref_id} is closed: it was implemented and reviewed; request a new change"
    elif change.status == "rejected":
        reason = f"{change.ref_id} was rejected: {change.decision_note or 'no reason given'}"
    else:
        lacking = missing(gates)
        reason = f"{change.ref_id} is {change.get_status_display().lower()}, not approved"
        if lacking:
            reason += "; missing gates: " + "; ".join(f"{g.name} ({g.detail})" for g in lacking)
    return GateAnswer(change.ref_id, change.status, approved, gates, reason)


__all__ = ["GATES", "ChangeFamily", "Gate", "GateAnswer", "answer", "gates_of", "missing", "refusal"]
