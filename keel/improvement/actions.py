"""Corrective actions (CA-nnn) of a nonconformity: add, edit, complete, reopen.

Every write locks the nonconformity first, then the action (one order everywhere, so two
writers queue instead of deadlocking), so completing an action and closing its nonconformity
never interleave. Adding or editing needs ``manage_nonconformities`` or, for the
nonconformity's owner, ``work_own_nonconformities``; completing an action may also be done by
the action's own owner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import PermissionDenied, ValidationFailed
from keel.platform.permissions import Perm
from keel.platform.records import apply_fields, clean

from . import refs, services
from .choices import CorrectiveActionStatus
from .models import CorrectiveAction, Nonconformity

CA_PREFIX = "CA-"
EDIT_FIELDS = ("description", "owner", "due_on")
TRAIL_FIELDS = ("ref_id", "nonconformity", *EDIT_FIELDS, "status", "done_on", "done_note", "done_evidence")


def _locked_pair(
    actor: Actor, ref: Any, expected_version: str | None
) -> tuple[Nonconformity, CorrectiveAction]:
    found = refs.corrective_action(ref, actor)
    nc = refs.nonconformity(found.nonconformity_id, actor, lock=True)
    action = refs.corrective_action(found.pk, actor, lock=True)
    check_version(action, expected_version, action.ref_id)
    return nc, action


def _may_work(actor: Actor, nc: Nonconformity, action: CorrectiveAction | None = None) -> None:
    systems = services.systems_of(nc)
    try:
        services.check_on(actor, Perm.WORK_OWN_NONCONFORMITIES, systems, nc.owner_id)
    except PermissionDenied:
        if action is None:
            raise
        services.check_on(actor, Perm.WORK_OWN_NONCONFORMITIES, systems, action.owner_id)


def _save(
    actor: Actor, nc: Nonconformity, action: CorrectiveAction, before: dict[str, Any], verb: str
) -> None:
    action.revision += 1
    clean(action, "corrective action")
    action.save()
    changes = trail.diff(before, trail.snapshot(action, TRAIL_FIELDS))
    ids = [ms.pk for ms in services.systems_of(nc)]
    if changes or verb == TrailAction.CREATE:
        trail.record(actor, verb, action, changes=changes, management_system_ids=ids)
    nc_before = services.snapshot(nc)
    services.sync_status(nc)
    if nc_before != services.snapshot(nc):
        services.record(actor, TrailAction.UPDATE, nc, nc_before)


def _checked(nc: Nonconformity, action: CorrectiveAction) -> None:
    if not action.description.strip():
        raise ValidationFailed("Describe the action.", {"description": ["Required."]})
    if action.owner_id is None:
        raise ValidationFailed(
            "Name the action's owner (any person of the directory).", {"owner": ["Required."]}
        )
    if action.due_on is None:
        raise ValidationFailed("Give the action's due date.", {"due_on": ["Required."]})
    if action.due_on < nc.raised_on:
        raise ValidationFailed(
            f"The due date cannot be before {nc.ref_id} was raised ({nc.raised_on.isoformat()}).",
            {"due_on": ["Before the nonconformity was raised."]},
        )


def add_action(
    actor: Actor,
    nonconformity: Any,
    *,
    description: str,
    owner: Any,
    due_on: dt.date | None,
    expected_version: str | None = None,
) -> CorrectiveAction:
    """Add a corrective action (open) to a nonconformity whose root cause is recorded.
    ``expected_version`` is the nonconformity's version."""
    with transaction.atomic():
        nc = services.locked(actor, nonconformity, expected_version)
        _may_work(actor, nc)
        services.refuse_closed(nc, "take new actions")
        if not nc.root_cause.strip():
            raise ValidationFailed(
                f"Record the root cause of {nc.ref_id} first: corrective actions remove it.",
                {"root_cause": ["Not recorded yet."]},
            )
        action = CorrectiveAction(nonconformity=nc, status=CorrectiveActionStatus.OPEN)
        apply_fields(
            action,
            {
                "description": (description or "").strip(),
                "owner": refs.person(owner, "owner"),
                "due_on": due_on,
            },
            EDIT_FIELDS,
        )
        _checked(nc, action)
        action.ref_id = next_ref(CorrectiveAction, CA_PREFIX)
        _save(actor, nc, action, {}, TrailAction.CREATE)
    return action


def update_action(
    actor: Actor, ref: Any, *, expected_version: str | None = None, **data: Any
) -> CorrectiveAction:
    """Change an action's description, owner or due date."""
    with transaction.atomic():
        nc, action = _locked_pair(actor, ref, expected_version)
        _may_work(actor, nc)
        services.refuse_closed(nc, "have its actions changed")
        before = trail.snapshot(action, TRAIL_FIELDS)
        if "owner" in data:
            data["owner"] = refs.person(data["owner"], "owner")
        if "description" in data:
            data["description"] = (data["description"] or "").strip()
        apply_fields(action, data, EDIT_FIELDS)
        _checked(nc, action)
        _save(actor, nc, action, before, TrailAction.UPDATE)
    return action


def complete_action(
    actor: Actor,
    ref: Any,
    *,
    done_on: dt.date | None = None,
    note: str = "",
    evidence: Any = None,
    expected_version: str | None = None,
) -> CorrectiveAction:
    """Mark an action done, with what was done (a note) and, optionally, an evidence record.
    The action's owner may do it as well as the nonconformity's handlers."""
    with transaction.atomic():
        nc, action = _locked_pair(actor, ref, expected_version)
        _may_work(actor, nc, action)
        services.refuse_closed(nc, "have its actions changed")
        if action.status == CorrectiveActionStatus.DONE:
            raise ValidationFailed(f"{action.ref_id} is already done.", {"status": ["Already done."]})
        found = refs.evidence(evidence, "done_evidence")
        if not (note or "").strip() and found is None:
            raise ValidationFailed(
                "Say what was done (a note) or link the evidence that shows it.",
                {"done_note": ["Required: a note or evidence."]},
            )
        day = done_on or timezone.localdate()
        if day > timezone.localdate():
            raise ValidationFailed("The done date cannot be in the future.", {"done_on": ["In the future."]})
        if day < nc.raised_on:
            raise ValidationFailed(
                f"The done date cannot be before {nc.ref_id} was raised ({nc.raised_on.isoformat()}).",
                {"done_on": ["Before the nonconformity was raised."]},
            )
        before = trail.snapshot(action, TRAIL_FIELDS)
        apply_fields(action, {"done_note": (note or "").strip()}, ("done_note",))
        action.status = CorrectiveActionStatus.DONE
        action.done_on = day
        action.done_evidence = found
        _save(actor, nc, action, before, TrailAction.UPDATE)
    return action


def reopen_action(
    actor: Actor, ref: Any, *, reason: str, expected_version: str | None = None
) -> CorrectiveAction:
    """Mark a done action open again (it was not really done); the reason is kept in the trail.
    Refused once an effectiveness check counted it (add a new action instead)."""
    with transaction.atomic():
        nc, action = _locked_pair(actor, ref, expected_version)
        _may_work(actor, nc)
        services.refuse_closed(nc, "have its actions changed")
        if action.status != CorrectiveActionStatus.DONE:
            raise ValidationFailed(f"{action.ref_id} is not done.", {"status": ["Not done."]})
        if not (reason or "").strip():
            raise ValidationFailed("Say why the action is reopened.", {"reason": ["Required."]})
        if nc.effectiveness_checks.filter(created_at__gt=action.created_at).exists():
            raise ValidationFailed(
                f"An effectiveness check already counted {action.ref_id}: add a new corrective action instead.",
                {"status": ["Already checked."]},
            )
        before = trail.snapshot(action, TRAIL_FIELDS)
        before["reason"] = None
        action.status = CorrectiveActionStatus.OPEN
        action.done_on = None
        after = {**trail.snapshot(action, TRAIL_FIELDS), "reason": reason.strip()}
        action.revision += 1
        clean(action, "corrective action")
        action.save()
        trail.record(
            actor,
            TrailAction.UPDATE,
            action,
            changes=trail.diff(before, after),
            management_system_ids=[ms.pk for ms in services.systems_of(nc)],
        )
        nc_before = services.snapshot(nc)
        services.sync_status(nc)
        if nc_before != services.snapshot(nc):
            services.record(actor, TrailAction.UPDATE, nc, nc_before)
    return action
