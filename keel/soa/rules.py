"""The implementation-status rule of an SoA row (documented in docs/soa.md, tested by hand-worked
cases in tests/test_rules.py).

Inputs: whether the row is applicable, and the *linked controls*: the controls of the SoA's
management system linked to the row's Annex A control, each with its status and coverage
(an additional row's only linked control is the control itself, with full coverage). Controls
whose own status is "not applicable" are left out.

1. An excluded row (not applicable) is ``not_applicable``.
2. No linked control: ``not_started``.
3. Every linked control implemented, and coverage complete — at least one link is full, or the
   row documents why its partial links together cover the whole control
   (``combined_coverage``): ``implemented``.
4. At least one linked control implemented (but rule 3 does not hold): ``partly_implemented``.
5. Otherwise (linked controls exist, none implemented yet): ``planned``.

A manual override replaces the derived status; it needs a reason and is always shown as an
override next to the status the rule gives.

Evidence: an ``implemented`` status — derived or overridden — with no *current* evidence behind
the row (evidence linked to its requirement or to its implementing controls whose validity has
not expired) is shown as ``implemented_no_evidence`` ("Implemented — no evidence"), and the
readiness figure counts it apart from the implemented rows (:func:`evidence_aware`).

Approval (:func:`approval_findings`): an SoA is approved only when every row states why it is
there — a reason for inclusion (risks treated, an obligation, or a business need; "best practice"
is written as the business need) or a complete exclusion — every applicable row has an owner
(the person accountable for it), and no exclusion contradicts the registers: an excluded control
that open risks rely on, or that has operating controls linked (implemented or in progress), is refused until the row is
included again or the risks and controls are changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from keel.controls.choices import Coverage, ImplementationStatus

from .choices import SoAStatus


@dataclass(frozen=True)
class LinkedControl:
    status: str  # keel.controls.choices.ImplementationStatus
    coverage: str  # keel.controls.choices.Coverage


def derive_status(applicable: bool, links: Iterable[LinkedControl], combined_coverage: bool = False) -> str:
    """The status the rule gives (see the module docstring)."""
    if not applicable:
        return SoAStatus.NOT_APPLICABLE
    considered = [lk for lk in links if lk.status != ImplementationStatus.NOT_APPLICABLE]
    if not considered:
        return SoAStatus.NOT_STARTED
    implemented = [lk for lk in considered if lk.status == ImplementationStatus.IMPLEMENTED]
    full = combined_coverage or any(lk.coverage == Coverage.FULL for lk in considered)
    if len(implemented) == len(considered) and full:
        return SoAStatus.IMPLEMENTED
    if implemented:
        return SoAStatus.PARTLY_IMPLEMENTED
    return SoAStatus.PLANNED


def effective_status(derived: str, override: str) -> str:
    """The status shown: the override when there is one, else the derived status."""
    return override or derived


def evidence_aware(status: str, has_current_evidence: bool) -> str:
    """``implemented`` without current evidence becomes ``implemented_no_evidence``."""
    if status == SoAStatus.IMPLEMENTED and not has_current_evidence:
        return SoAStatus.IMPLEMENTED_NO_EVIDENCE
    return status


@dataclass(frozen=True)
class ApprovalFinding:
    """One reason an SoA cannot be approved, with the rows it concerns (``ref — detail``)."""

    kind: str
    message: str
    rows: list[str]

    @property
    def text(self) -> str:
        return f"{self.message}: {', '.join(self.rows)}."


# Control statuses that mean the organisation runs (or is putting in place) the control.
OPERATING = (ImplementationStatus.IMPLEMENTED, ImplementationStatus.IN_PROGRESS)


def approval_findings(rows: Iterable[Mapping[str, Any]]) -> list[ApprovalFinding]:
    """What stands in the way of approving an SoA whose rows (as :func:`keel.soa.queries.rows`
    gives them) are ``rows``; empty when it may be approved."""
    no_reason: list[str] = []
    no_owner: list[str] = []
    incomplete: list[str] = []
    risk_conflict: list[str] = []
    control_conflict: list[str] = []
    unreviewed: list[str] = []
    for r in rows:
        ref = r["ref_id"]
        if r["applicable"]:
            if not (r["risks"] or r["obligations"].strip() or r["business_need"].strip()):
                no_reason.append(ref)
            if not r["owner"]:
                no_owner.append(ref)
        else:
            missing = [
                name
                for name, value in (
                    ("justification", r["justification"].strip()),
                    ("accountable person", r["accountable"]),
                    ("review date", r["review_date"]),
                )
                if not value
            ]
            if missing:
                incomplete.append(f"{ref} (no {', no '.join(missing)})")
            if r["risks"]:
                risk_conflict.append(f"{ref} (relied on by {', '.join(k['ref_id'] for k in r['risks'])})")
            operating = [
                f"{c['ref_id']} {c['status'].replace('_', ' ')}"
                for c in r["controls"]
                if c["status"] in OPERATING
            ]
            if operating:
                control_conflict.append(f"{ref} (linked: {', '.join(operating)})")
        if r.get("machine_written"):
            unreviewed.append(ref)
    found = [
        (
            "no_reason",
            "Rows with no reason for inclusion — name the risks treated, an obligation or a "
            "business need (best practice counts), or exclude the control with a justification",
            no_reason,
        ),
        ("no_owner", "Applicable rows with no owner accountable for them — choose an owner", no_owner),
        (
            "incomplete_exclusion",
            "Every exclusion needs a justification, an accountable person and a review date",
            incomplete,
        ),
        (
            "excluded_but_risks",
            "Excluded controls that open risks rely on — include the control again, "
            "or change the risks' treatment",
            risk_conflict,
        ),
        (
            "excluded_but_operating",
            "Excluded controls with operating controls linked (implemented or in "
            "progress) — include the control again, or unlink those controls or mark them not applicable",
            control_conflict,
        ),
        (
            "machine_written",
            "Rows still carry reasons machine-written by the gap analysis that no person "
            "has reviewed — open each row, check or rewrite the text, and save it",
            unreviewed,
        ),
    ]
    return [ApprovalFinding(kind, message, refs) for kind, message, refs in found if refs]
