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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
