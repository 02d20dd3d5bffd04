"""Snapshots: a register frozen for an assessment cycle."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

from ..choices import Register
from ..models import RiskSnapshot
from ..queries import export_rows, risks
from .methodology import _serialise

# ---------------------------------------------------------------- snapshots


def take_snapshot(actor: Actor, register: str, cycle: str) -> RiskSnapshot:
    """Freeze a register (every risk, open or closed) for an assessment cycle."""
    check(actor, Perm.EDIT_RISKS)
    if register not in Register.values:
        raise ValidationFailed("register is is or ai.", {"register": ["Choose is or ai."]})
    cycle = " ".join((cycle or "").split())
    reject_control_characters({"cycle": cycle})
    if not cycle:
        raise ValidationFailed("Name the assessment cycle (e.g. 2026 Q4).", {"cycle": ["Required."]})
    with transaction.atomic():
        # two snapshots at once: the second finds the first and gets the conflict below
        _serialise(f"snapshot-{register}")
        if RiskSnapshot.objects.filter(register=register, cycle=cycle).exists():
            raise Conflict(
                f"There is already a snapshot of this register for {cycle!r}: snapshots never change."
            )
        rows = export_rows(risks(None, register=register, include_closed=True))
        snap = RiskSnapshot.objects.create(
            register=register,
            cycle=cycle,
            taken_by=actor.user,
            taken_at=timezone.now(),
            risk_count=len(rows),
            rows=rows,
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            snap,
            changes={"register": [None, register], "cycle": [None, cycle], "risks": [None, len(rows)]},
        )
    return snap
