"""Creating and changing risks, their status and their treatment actions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.organisation import resolvers as organisation_resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean, reject_control_characters

from ..choices import Register, RiskStatus
from ..models import Risk, TreatmentAction
from .approval import _check_authority, _check_delegate, _void_approvals, _void_if_changed
from .lookups import (
    AI_FIELDS,
    COMMON_FIELDS,
    IS_FIELDS,
    PLAN_FIELDS,
    _check_register,
    _controls,
    _is_uuid,
    _resolve,
    _score,
    _snapshot,
    get_risk,
    next_ref_id,
)
from .methodology import current_methodology

# ---------------------------------------------------------------- risks


def create_risk(
    actor: Actor,
    *,
    register: str,
    management_system: uuid.UUID | str,
    controls: Iterable[str | uuid.UUID] = (),
    ref_id: str = "",
    **data: Any,
) -> Risk:
    if register not in Register.values:
        raise ValidationFailed(
            "register is is (information security) or ai.", {"register": ["Choose is or ai."]}
        )
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_RISKS, ms)
    allowed = (*COMMON_FIELDS, *(IS_FIELDS if register == Register.IS else AI_FIELDS))
    data = _resolve(data, actor, ms)
    with transaction.atomic():
        risk = Risk(register=register, management_system=ms, methodology=current_methodology())
        risk.ref_id = ref_id.strip().upper() or next_ref_id(register)
        apply_fields(risk, data, allowed)
        if risk.owner_id is None:
            raise ValidationFailed("Every risk has an owner: choose one.", {"owner": ["Required."]})
        _check_delegate(actor, risk, risk.owner, None)
        _check_authority(risk)
        _score(risk)
        _check_register(risk)
        clean(risk, "risk")
        risk.save()
        risk.controls.set(_controls(controls, actor))
        trail.record(actor, TrailAction.CREATE, risk, changes=trail.diff({}, _snapshot(risk)))
    return risk


def update_risk(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    controls: Iterable[str | uuid.UUID] | None = None,
    reassess: bool = False,
    expected_version: str | None = None,
    **data: Any,
) -> Risk:
    """Change a risk. A change of the plan bumps its version; a change of what an approval
    relied on voids that approval. ``reassess`` moves the risk to the current methodology
    version (its scores are then checked against the new scales). The risk's row is locked
    first; ``expected_version`` (the version the person saw) makes a stale edit a conflict."""
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        check_version(risk, expected_version, risk.ref_id)
        if risk.status == RiskStatus.CLOSED:
            raise Conflict(f"{risk.ref_id} is closed: reopen it before changing it.")
        before = _snapshot(risk)
        allowed = (*COMMON_FIELDS, *(IS_FIELDS if risk.register == Register.IS else AI_FIELDS))
        data = _resolve(data, actor, risk.management_system)
        if "owner" in data and data["owner"] is None:
            raise ValidationFailed("Every risk has an owner: choose one.", {"owner": ["Required."]})
        owner_before, delegate_before = risk.owner, risk.delegate_id
        apply_fields(risk, data, allowed)
        _check_delegate(actor, risk, owner_before, delegate_before)
        owner_changed = risk.owner_id != owner_before.pk
        if owner_changed or risk.delegate_id != delegate_before:
            _check_authority(risk)
        if reassess:
            risk.methodology = current_methodology()
        _score(risk)
        _check_register(risk)
        if any(before[f] != trail.json_value(getattr(risk, f)) for f in PLAN_FIELDS):
            risk.plan_version += 1
        if reassess or any(before[f] != trail.json_value(getattr(risk, f)) for f in SCORE_FIELDS):
            # re-scored or re-assessed: the assessment is current again, any due event answered
            risk.assessed_at = timezone.now()
            risk.reassessment_reason, risk.reassessment_since = "", None
        clean(risk, "risk")
        risk.save()
        if controls is not None:
            risk.controls.set(_controls(controls, actor))
        if owner_changed:
            # the new owner has not accepted anything (issue 12 item 4; ADR 0012)
            _void_approvals(
                actor, risk, f"The owner changed from {owner_before.email} to {risk.owner.email}."
            )
        _void_if_changed(actor, risk)
        changes = trail.diff(before, _snapshot(risk))
        if changes:
            trail.record(actor, TrailAction.UPDATE, risk, changes=changes)
    return risk


SCORE_FIELDS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")


def set_status(actor: Actor, ref: uuid.UUID | str, status: str, reason: str = "") -> Risk:
    """Close a risk (it leaves the heat maps and the SoA) or reopen it. Closing needs a reason
    (why the risk no longer needs treating), kept on the risk and in the trail."""
    if status not in RiskStatus.values:
        raise ValidationFailed("status is open or closed.", {"status": ["Choose open or closed."]})
    reason = (reason or "").strip()
    reject_control_characters({"reason": reason})
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        if risk.status == status:
            return risk
        if status == RiskStatus.CLOSED and not reason:
            raise ValidationFailed(
                f"Say why {risk.ref_id} is closed (for example: the asset was retired, the threat no "
                "longer applies).",
                {"reason": ["Give the reason for closing the risk."]},
            )
        old, risk.status = risk.status, status
        changes: dict[str, Any] = {"status": [old, status]}
        if status == RiskStatus.CLOSED:
            risk.close_reason, risk.closed_at = reason, timezone.now()
            changes["close_reason"] = [None, reason]
        else:
            changes["close_reason"] = [risk.close_reason or None, None]
            if reason:
                changes["reopen_reason"] = [None, reason]
            risk.close_reason, risk.closed_at = "", None
        risk.save(update_fields=["status", "close_reason", "closed_at", "updated_at"])
        trail.record(actor, TrailAction.UPDATE, risk, changes=changes)
    return risk


def mark_reassessment_due(
    actor: Actor, *, ai_system_id: uuid.UUID, reason: str, management_system_id: uuid.UUID | None = None
) -> list[Risk]:
    """An event (a significant change to an AI system, an approved impact assessment) makes the
    open AI risks of ``ai_system_id`` due for re-assessment. Called inside the caller's
    transaction; a risk already due keeps its first reason. Returns the risks marked."""
    reason = reason[:300]
    now = timezone.now()
    marked = []
    for risk in (
        Risk.objects.select_for_update()
        .filter(ai_system_id=ai_system_id, status=RiskStatus.OPEN, reassessment_reason="")
        .order_by("ref_id")
    ):
        risk.reassessment_reason, risk.reassessment_since = reason, now
        risk.save(update_fields=["reassessment_reason", "reassessment_since", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            risk,
            management_system_id=management_system_id or risk.management_system_id,
            changes={"reassessment_reason": [None, reason]},
        )
        marked.append(risk)
    return marked


# ---------------------------------------------------------------- treatment actions


def _bump_plan(actor: Actor, risk: Risk, what: str) -> None:
    risk.plan_version += 1
    risk.save(update_fields=["plan_version", "updated_at"])
    trail.record(
        actor,
        TrailAction.UPDATE,
        risk,
        changes={"plan_version": [risk.plan_version - 1, risk.plan_version], "plan": [None, what]},
    )
    _void_if_changed(actor, risk)


ACTION_FIELDS = ("title", "owner", "due_date", "status")


def add_action(actor: Actor, ref: uuid.UUID | str, **data: Any) -> TreatmentAction:
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        data = _resolve(data, actor, risk.management_system)
        action = TreatmentAction(risk=risk)
        apply_fields(action, data, ACTION_FIELDS)
        clean(action, "treatment action")
        action.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            action,
            management_system_id=risk.management_system_id,
            changes=trail.diff({}, trail.snapshot(action, ACTION_FIELDS)),
        )
        _bump_plan(actor, risk, f"action added: {action.title}")
    return action


def update_action(
    actor: Actor, action_id: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> TreatmentAction:
    with transaction.atomic():
        found = TreatmentAction.objects.filter(pk=action_id).first() if _is_uuid(action_id) else None
        if found is None:
            raise NotFound(f"No treatment action {action_id}.")
        # the risk first (every plan write locks it), then the action read again under its lock
        risk = get_risk(found.risk_id, lock=True)
        action = TreatmentAction.objects.select_for_update().get(pk=found.pk)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        check_version(action, expected_version, f"The action {action.title}")
        before = trail.snapshot(action, ACTION_FIELDS)
        apply_fields(action, _resolve(data, actor, risk.management_system), ACTION_FIELDS)
        clean(action, "treatment action")
        action.save()
        changes = trail.diff(before, trail.snapshot(action, ACTION_FIELDS))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                action,
                management_system_id=risk.management_system_id,
                changes=changes,
            )
            # Progress on an action (its status) is not a change of the plan; anything else is.
            if set(changes) - {"status"}:
                _bump_plan(actor, risk, f"action changed: {action.title}")
    return action
