"""The evidence row as the services see it: its reference, trail snapshot, row lock and edit check."""

from __future__ import annotations

import uuid
from typing import Any

from keel.controls.services import _check_on_systems
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.concurrency import next_ref
from keel.platform.errors import Conflict
from keel.platform.permissions import Perm

from .. import queries
from ..choices import EvidenceStatus
from ..models import Evidence

EVIDENCE_FIELDS = ("title", "description", "owner")


def next_ref_id() -> str:
    """Reserve the next free ``EV-nnn`` (inside the service's transaction; concurrent creates queue)."""
    return next_ref(Evidence, "EV-")


def _snapshot(evidence: Evidence) -> dict[str, Any]:
    data = trail.snapshot(evidence, ["ref_id", "title", "description", "kind", "status", "owner"])
    data["management_systems"] = sorted(str(m.short_name) for m in evidence.management_systems.all())
    return data


def _locked(ref: uuid.UUID | str) -> Evidence:
    """The evidence row, locked for the rest of the transaction (version numbers stay unique)."""
    evidence = queries.get_evidence(ref)
    return Evidence.objects.select_for_update().get(pk=evidence.pk)


def _editable(actor: Actor, evidence: Evidence) -> None:
    _check_on_systems(actor, Perm.EDIT_EVIDENCE, evidence.management_systems.all())
    if evidence.status == EvidenceStatus.WITHDRAWN:
        raise Conflict(f"{evidence.ref_id} is withdrawn: it can be read but no longer changed.")
