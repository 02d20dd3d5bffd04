"""Approval, acceptance and exceptions of a risk, and the voiding of an approval whose grounds
changed.

Approval rules (docs/risks.md, docs/adr/0012):

- the risk owner or the named delegate approves the treatment plan and accepts the residual
  risk (with ``accept_risks`` over the risk's management system);
- the approval records the residual values, the plan version and the controls it relied on;
  any later change to one of them voids it;
- a residual level above the acceptance criteria is accepted only through an exception with a
  reason, an expiry date and a second approver — a different person with ``edit_risks``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check, has_perm
from keel.platform.records import reject_control_characters

from ..choices import Acceptance, ApprovalState, RiskStatus
from ..models import Risk, RiskApproval
from ..policies import may_accept, may_name_delegate
from .lookups import get_risk

# ---------------------------------------------------------------- approval fingerprint


def fingerprint(risk: Risk, control_refs: Iterable[str] | None = None) -> dict[str, Any]:
    """What an approval relies on: the residual values, the plan version and the controls."""
    refs = control_refs if control_refs is not None else risk.controls.values_list("ref_id", flat=True)
    return {
        "methodology_version": risk.methodology.version,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "residual_level": risk.residual_level,
        "plan_version": risk.plan_version,
        "controls": sorted(refs),
    }


def approval_fingerprint(a: RiskApproval) -> dict[str, Any]:
    return {
        "methodology_version": a.methodology_version,
        "residual_likelihood": a.residual_likelihood,
        "residual_impact": a.residual_impact,
        "residual_level": a.residual_level,
        "plan_version": a.plan_version,
        "controls": sorted(a.controls),
    }


def _void(actor: Actor, risk: Risk, a: RiskApproval, reason: str) -> None:
    old_state, a.state = a.state, ApprovalState.VOIDED
    a.voided_at = timezone.now()
    a.void_reason = reason
    a.save(update_fields=["state", "voided_at", "void_reason"])
    trail.record(
        actor,
        TrailAction.UPDATE,
        a,
        management_system_id=risk.management_system_id,
        changes={"state": [old_state, ApprovalState.VOIDED], "void_reason": [None, a.void_reason]},
    )
    Risk.objects.filter(pk=risk.pk).update(acceptance=Acceptance.VOIDED)
    risk.acceptance = Acceptance.VOIDED


def _void_if_changed(actor: Actor, risk: Risk) -> RiskApproval | None:
    """Void the approval in force (or awaiting its second approver) when what it relied on changed."""
    current = fingerprint(risk)
    voided = None
    for a in risk.approvals.filter(state__in=[ApprovalState.ACTIVE, ApprovalState.PENDING]):
        relied = approval_fingerprint(a)
        changed = sorted(k for k in relied if relied[k] != current[k])
        if not changed:
            continue
        _void(
            actor, risk, a, "Changed since approval: " + ", ".join(k.replace("_", " ") for k in changed) + "."
        )
        voided = a
    return voided


def _void_approvals(actor: Actor, risk: Risk, reason: str) -> list[RiskApproval]:
    """Void the approval in force (or awaiting its second approver) for ``reason`` — a change
    that is not in the fingerprint, such as a new owner."""
    voided = list(risk.approvals.filter(state__in=[ApprovalState.ACTIVE, ApprovalState.PENDING]))
    for a in voided:
        _void(actor, risk, a, reason)
    return voided


# ---------------------------------------------------------------- approval, acceptance, exception


def _check_delegate(actor: Actor, risk: Risk, owner: User | None, old_delegate_id: Any) -> None:
    if risk.delegate_id == old_delegate_id:
        return
    if not may_name_delegate(actor, owner, risk.delegate, risk):
        whose = owner.email if owner is not None else "the owner"
        raise PermissionDenied(
            f"Only the risk owner ({whose}), or another person who may accept risks in "
            f"{risk.management_system.short_name}, may name or change the delegate of "
            f"{risk.ref_id or 'a risk'}; nobody names themselves the delegate of another person's risk. "
            "Nothing was changed."
        )


def _check_authority(risk: Risk) -> None:
    """The owner must be able to accept the risk in its management system (``accept_risks``
    there), or a delegate who can must be named; a named delegate must be able to (issue 12
    item 4). Checked when the owner or the delegate is named or changed."""
    ms = risk.management_system
    delegate = risk.delegate
    if delegate is not None and not has_perm(delegate, Perm.ACCEPT_RISKS, ms):
        raise ValidationFailed(
            f"{delegate.email} cannot accept risks in {ms.short_name}: their role there does not include "
            "accepting risks, and a delegate is named to accept for the owner. Name someone who may "
            "(for example a contributor or compliance manager there), or no delegate. Nothing was saved.",
            {"delegate": [f"Cannot accept risks in {ms.short_name}."]},
        )
    if delegate is None and not has_perm(risk.owner, Perm.ACCEPT_RISKS, ms):
        raise ValidationFailed(
            f"{risk.owner.email} cannot accept risks in {ms.short_name}: their role there does not include "
            "accepting risks. Choose an owner who may, or name a delegate who may accept for them. "
            "Nothing was saved.",
            {
                "owner": [f"Cannot accept risks in {ms.short_name}."],
                "delegate": ["Name a delegate who may accept, or choose another owner."],
            },
        )


def _check_approver(actor: Actor, risk: Risk) -> User:
    check(actor, Perm.ACCEPT_RISKS, risk.management_system)
    user = actor.user
    if user is None or not may_accept(user, risk):
        who = risk.owner.email + (f" or the delegate {risk.delegate.email}" if risk.delegate else "")
        raise PermissionDenied(
            f"Only the risk owner ({who}) may approve the treatment plan and accept the residual risk of {risk.ref_id}."
        )
    return user


def _ready(risk: Risk) -> None:
    if risk.status == RiskStatus.CLOSED:
        raise Conflict(f"{risk.ref_id} is closed: there is nothing to accept.")
    if not risk.treatment_option:
        raise ValidationFailed(
            f"Choose a treatment option for {risk.ref_id} before approving its plan.",
            {"treatment_option": ["Required."]},
        )
    if risk.residual_likelihood is None or risk.residual_impact is None:
        raise ValidationFailed(
            f"Assess the residual likelihood and impact of {risk.ref_id} before accepting it.",
            {"residual_likelihood": ["Required."], "residual_impact": ["Required."]},
        )


def _supersede(actor: Actor, risk: Risk, reason: str) -> None:
    for a in risk.approvals.filter(state__in=[ApprovalState.ACTIVE, ApprovalState.PENDING]):
        a.state, a.voided_at, a.void_reason = ApprovalState.VOIDED, timezone.now(), reason
        a.save(update_fields=["state", "voided_at", "void_reason"])


def _new_approval(risk: Risk, user: User, state: str, **extra: Any) -> RiskApproval:
    fp = fingerprint(risk)
    return RiskApproval.objects.create(
        risk=risk,
        state=state,
        approved_by=user,
        approved_at=timezone.now(),
        methodology_version=fp["methodology_version"],
        residual_likelihood=fp["residual_likelihood"],
        residual_impact=fp["residual_impact"],
        residual_level=fp["residual_level"],
        plan_version=fp["plan_version"],
        controls=fp["controls"],
        **extra,
    )


def approve_risk(actor: Actor, ref: uuid.UUID | str) -> RiskApproval:
    """The owner (or delegate) approves the plan and accepts the residual risk. Refused, with
    nothing changed, when the residual level is above the acceptance criteria."""
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        user = _check_approver(actor, risk)
        _ready(risk)
        m = risk.methodology
        if not m.acceptable(risk.residual_level):
            acceptable = ", ".join(lv["label"] for lv in m.levels if lv["acceptable"])
            raise Conflict(
                f"The residual risk of {risk.ref_id} is {m.level(risk.residual_level)['label']}, above the acceptance "
                f"criteria (acceptable: {acceptable}). Treat it further, or request an exception with a reason, "
                "an expiry date and a second approver."
            )
        _supersede(actor, risk, "Superseded by a new approval.")
        approval = _new_approval(risk, user, ApprovalState.ACTIVE)
        old, risk.acceptance = risk.acceptance, Acceptance.ACCEPTED
        risk.save(update_fields=["acceptance", "updated_at"])
        trail.record(
            actor,
            TrailAction.APPROVE,
            risk,
            changes={
                "acceptance": [old, risk.acceptance],
                "relied_on": [None, approval_fingerprint(approval)],
            },
        )
    return approval


def request_exception(
    actor: Actor, ref: uuid.UUID | str, *, reason: str, expires: dt.date | None
) -> RiskApproval:
    """The owner (or delegate) accepts a residual risk above the criteria by exception: it is
    in force only once a second approver, a different person, approves it."""
    reason = (reason or "").strip()
    reject_control_characters({"reason": reason})
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Say why the risk is accepted above the criteria."]
    if expires is None:
        errors["expires"] = ["Give the date the exception ends."]
    elif expires <= timezone.localdate():
        errors["expires"] = ["The expiry date must be in the future."]
    if errors:
        raise ValidationFailed("An exception needs a reason and a future expiry date.", errors)
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        user = _check_approver(actor, risk)
        _ready(risk)
        longest = risk.methodology.max_exception_days
        if expires is not None and expires > timezone.localdate() + dt.timedelta(days=longest):
            latest = (timezone.localdate() + dt.timedelta(days=longest)).isoformat()
            raise ValidationFailed(
                f"An exception may run at most {longest} days under methodology version "
                f"{risk.methodology.version}: choose an expiry date on or before {latest}.",
                {"expires": [f"At most {longest} days from today (on or before {latest})."]},
            )
        if risk.methodology.acceptable(risk.residual_level):
            raise Conflict(
                f"The residual risk of {risk.ref_id} is within the acceptance criteria: approve it directly, no exception is needed."
            )
        lapsed = risk.approvals.filter(
            state=ApprovalState.ACTIVE, is_exception=True, exception_expires__lte=timezone.localdate()
        ).first()
        _supersede(
            actor,
            risk,
            f"The exception expired on {lapsed.exception_expires.isoformat()}; superseded by a new exception request."
            if lapsed is not None and lapsed.exception_expires
            else "Superseded by an exception request.",
        )
        approval = _new_approval(
            risk,
            user,
            ApprovalState.PENDING,
            is_exception=True,
            exception_reason=reason,
            exception_expires=expires,
        )
        old, risk.acceptance = risk.acceptance, Acceptance.EXCEPTION_PENDING
        risk.save(update_fields=["acceptance", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            risk,
            changes={
                "acceptance": [old, risk.acceptance],
                "exception_reason": [None, reason],
                "exception_expires": [None, expires.isoformat() if expires else None],
            },
        )
    return approval


def approve_exception(actor: Actor, ref: uuid.UUID | str) -> RiskApproval:
    """The second approver of an exception: someone with ``edit_risks`` over the risk's
    management system who is not the person who requested it."""
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        pending = risk.approvals.filter(state=ApprovalState.PENDING).first()
        if pending is None:
            raise Conflict(f"{risk.ref_id} has no exception awaiting a second approver.")
        if actor.user is None:
            raise PermissionDenied("The second approver must be a named person (use --as EMAIL).")
        if actor.user.pk == pending.approved_by_id:
            raise PermissionDenied(
                f"The second approver must be a different person from the one who requested the exception ({pending.approved_by.email})."
            )
        pending.state, pending.second_approver, pending.second_approved_at = (
            ApprovalState.ACTIVE,
            actor.user,
            timezone.now(),
        )
        pending.save(update_fields=["state", "second_approver", "second_approved_at"])
        old, risk.acceptance = risk.acceptance, Acceptance.EXCEPTION
        risk.save(update_fields=["acceptance", "updated_at"])
        trail.record(
            actor,
            TrailAction.APPROVE,
            risk,
            changes={"acceptance": [old, risk.acceptance], "second_approver": [None, actor.user.email]},
        )
    return pending
