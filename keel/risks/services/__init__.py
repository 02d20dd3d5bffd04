"""Write-side services of risk management: one transaction each, each records its trail entry.

The package splits them by concern; import them from here (``keel.risks.services``):

- :mod:`.methodology` — the versioned methodology;
- :mod:`.lookups` — field lists, lookups, reference resolution, scoring;
- :mod:`.register` — creating and changing risks, their status and treatment actions;
- :mod:`.approval` — approval, acceptance, exceptions and voiding (docs/risks.md, ADR 0012);
- :mod:`.snapshots` — a register frozen for an assessment cycle.

Approval rules (docs/risks.md, docs/adr/0012):

- the risk owner or the named delegate approves the treatment plan and accepts the residual
  risk (with ``accept_risks`` over the risk's management system);
- the approval records the residual values, the plan version and the controls it relied on;
  any later change to one of them voids it;
- a residual level above the acceptance criteria is accepted only through an exception with a
  reason, an expiry date and a second approver — a different person with ``edit_risks``.
"""

from .approval import (
    approval_fingerprint,
    approve_exception,
    approve_risk,
    fingerprint,
    request_exception,
)
from .lookups import (
    AI_FIELDS,
    COMMON_FIELDS,
    IS_FIELDS,
    PLAN_FIELDS,
    PREFIX,
    TRAIL_FIELDS,
    get_risk,
    next_ref_id,
)
from .methodology import create_methodology, current_methodology, get_methodology
from .register import (
    ACTION_FIELDS,
    SCORE_FIELDS,
    add_action,
    create_risk,
    mark_reassessment_due,
    set_status,
    update_action,
    update_risk,
)
from .snapshots import take_snapshot

__all__ = [
    "ACTION_FIELDS",
    "AI_FIELDS",
    "COMMON_FIELDS",
    "IS_FIELDS",
    "PLAN_FIELDS",
    "PREFIX",
    "SCORE_FIELDS",
    "TRAIL_FIELDS",
    "add_action",
    "approval_fingerprint",
    "approve_exception",
    "approve_risk",
    "create_methodology",
    "create_risk",
    "current_methodology",
    "fingerprint",
    "get_methodology",
    "get_risk",
    "mark_reassessment_due",
    "next_ref_id",
    "request_exception",
    "set_status",
    "take_snapshot",
    "update_action",
    "update_risk",
]
