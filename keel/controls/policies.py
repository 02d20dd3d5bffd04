"""Who may change a control, and how much (issue 10: "who may" rules live in each app's
``policies.py``). Pages ask :func:`edit_reach` to offer the edit form, the owner-only form or
nothing; :mod:`keel.controls.services` and the control import enforce the same rule. (Called
``update_scope`` before: "scope" is the management system's scope statement in this domain.)"""

from __future__ import annotations

from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.platform.permissions import Perm, has_owner_perm, has_perm

from .models import Control

# What a control's owner may change with ``edit_own_controls`` alone: how the control is
# implemented and how well it works — not what it is (reference, title, type), who owns it,
# where it belongs (management systems, tags), its requirement links, nor whether it exists.
OWNER_FIELDS = ("description", "frequency", "status", "effectiveness")
ALL = "all"  # edit_reach: every field (edit_controls)
OWN = "own"  # edit_reach: OWNER_FIELDS only (the owner, with edit_own_controls)


def edit_reach(user: User | None, control: Control) -> str | None:
    """What ``user`` may update on ``control`` — the one rule the services, pages and API share:

    - :data:`ALL` with ``edit_controls`` over every system of the control;
    - :data:`OWN` (:data:`OWNER_FIELDS`) when the user is the control's owner and holds
      ``edit_own_controls`` over every one of its systems (or over the organisation, for a
      control that belongs to none) — a role over one of them is not enough, as for edits;
    - ``None`` otherwise."""
    systems: list[ManagementSystem | None] = [*control.management_systems.all()] or [None]
    if all(has_perm(user, Perm.EDIT_CONTROLS, ms) for ms in systems):
        return ALL
    if all(has_owner_perm(user, Perm.EDIT_OWN_CONTROLS, ms, control.owner_id) for ms in systems):
        return OWN
    return None
