"""Test helpers of the improvement queue, made through the services (so trail entries exist)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from .. import actions, services
from ..models import CorrectiveAction, Nonconformity

SYSTEM = Actor.system("test")
RAISED = dt.date(2026, 3, 2)


def nonconformity(
    ms: ManagementSystem | None = None, title: str = "Access review skipped", **kw: Any
) -> Nonconformity:
    data: dict[str, Any] = {
        "organisation": None,
        "description": "The Q1 access review of the production cloud was not performed.",
        "source": "internal_audit",
        "source_ref": "AUD-2026-01 F-3",
        "kind": "minor",
        "management_systems": [ms] if ms is not None else [],
        "raised_on": RAISED,
        **kw,
    }
    return services.raise_nonconformity(SYSTEM, title=title, **data)


def analysed(ms: ManagementSystem | None = None, **kw: Any) -> Nonconformity:
    """A nonconformity with its correction and root cause recorded (ready for actions)."""
    nc = nonconformity(ms, **kw)
    services.record_correction(
        SYSTEM, nc.ref_id, correction="Reviewed the access list at once.", corrected_on=RAISED
    )
    return services.record_root_cause(
        SYSTEM,
        nc.ref_id,
        method="five_whys",
        whys=["The review was not done", "Nobody was reminded", "The review had no owner"],
        conclusion="The quarterly access review had no named owner.",
        analysed_on=RAISED,
    )


def action(
    nc: Nonconformity, owner: User, *, due_on: dt.date = dt.date(2026, 4, 30), **kw: Any
) -> CorrectiveAction:
    return actions.add_action(
        SYSTEM,
        nc.ref_id,
        description=kw.pop("description", "Name an owner for the access review."),
        owner=owner,
        due_on=due_on,
        **kw,
    )


def done(ca: CorrectiveAction, on: dt.date = dt.date(2026, 4, 10)) -> CorrectiveAction:
    return actions.complete_action(SYSTEM, ca.ref_id, done_on=on, note="Owner named in the RACI.")


def ready_to_close(ms: ManagementSystem | None, owner: User) -> Nonconformity:
    nc = analysed(ms)
    done(action(nc, owner))
    services.record_effectiveness(
        SYSTEM,
        nc.ref_id,
        effective=True,
        checked_by=owner,
        checked_on=dt.date(2026, 4, 20),
        evidence_note="Q2 review record",
    )
    nc.refresh_from_db()
    return nc
