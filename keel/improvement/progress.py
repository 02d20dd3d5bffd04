"""Where a nonconformity stands: which steps are done, what comes next, and what still blocks
closure. Pure functions over the nonconformity, its actions and its checks, shared by the
services (status, the closure refusal), the detail page and the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .choices import CorrectiveActionStatus, NonconformityStatus
from .models import CorrectiveAction, EffectivenessCheck, Nonconformity


@dataclass(frozen=True)
class Step:
    key: str  # correction, root_cause, actions, effectiveness, close
    label: str
    done: bool
    detail: str = ""


def current_check(
    actions: Sequence[CorrectiveAction], checks: Sequence[EffectivenessCheck]
) -> EffectivenessCheck | None:
    """The effectiveness check that speaks for the current actions: the latest one, unless an
    action was added after it (then the actions changed and need a new check)."""
    if not checks:
        return None
    last = max(checks, key=lambda c: (c.created_at, c.checked_on))
    if any(a.created_at > last.created_at for a in actions):
        return None
    return last


def missing_for_closure(
    nc: Nonconformity, actions: Sequence[CorrectiveAction], checks: Sequence[EffectivenessCheck]
) -> list[str]:
    """Every step still missing before ``nc`` may close, in order, in words a person acts on."""
    missing: list[str] = []
    if not nc.correction.strip():
        missing.append("correction not recorded")
    if not nc.root_cause.strip():
        missing.append("root cause not recorded")
    if not actions:
        missing.append("no corrective action")
    missing += [f"{a.ref_id} is not done" for a in actions if a.status != CorrectiveActionStatus.DONE]
    check = current_check(actions, checks)
    if check is None:
        missing.append("effectiveness not recorded")
    elif not check.effective:
        missing.append(
            "the last effectiveness check found the actions not effective: add new corrective actions"
        )
    return missing


def status_of(
    nc: Nonconformity, actions: Sequence[CorrectiveAction], checks: Sequence[EffectivenessCheck]
) -> str:
    """The step the nonconformity is at (closed stays closed)."""
    if nc.status == NonconformityStatus.CLOSED:
        return NonconformityStatus.CLOSED
    if not nc.correction.strip():
        return NonconformityStatus.OPEN
    if not nc.root_cause.strip():
        return NonconformityStatus.ROOT_CAUSE
    check = current_check(actions, checks)
    if not actions or any(a.status != CorrectiveActionStatus.DONE for a in actions):
        return NonconformityStatus.ACTIONS
    if check is not None and not check.effective:
        return NonconformityStatus.ACTIONS  # not effective: new actions are needed
    return NonconformityStatus.EFFECTIVENESS


def steps(
    nc: Nonconformity, actions: Sequence[CorrectiveAction], checks: Sequence[EffectivenessCheck]
) -> list[Step]:
    """The five steps for the detail page, each done or not, with a short detail."""
    open_actions = [a for a in actions if a.status != CorrectiveActionStatus.DONE]
    check = current_check(actions, checks)
    closed = nc.status == NonconformityStatus.CLOSED
    return [
        Step(
            "correction",
            "Correction",
            bool(nc.correction.strip()),
            f"on {nc.corrected_on.isoformat()}" if nc.corrected_on else "contain and correct it",
        ),
        Step(
            "root_cause",
            "Root cause",
            bool(nc.root_cause.strip()),
            nc.get_root_cause_method_display() if nc.root_cause_method else "why did it happen?",
        ),
        Step(
            "actions",
            "Corrective actions",
            bool(actions) and not open_actions and not (check is not None and not check.effective),
            f"{len(actions) - len(open_actions)} of {len(actions)} done" if actions else "none yet",
        ),
        Step(
            "effectiveness",
            "Effectiveness",
            check is not None and check.effective,
            (
                f"{'effective' if check.effective else 'not effective'} on {check.checked_on.isoformat()}"
                if check is not None
                else "not checked"
            ),
        ),
        Step("close", "Closed", closed, f"on {nc.closed_on.isoformat()}" if nc.closed_on else ""),
    ]


def next_step(items: Sequence[Step]) -> Step | None:
    return next((s for s in items if not s.done), None)
