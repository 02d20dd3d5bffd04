"""Who may act on a risk (issue 10: "who may" rules live in each app's ``policies.py``): the
approval rule, the second approver of an exception and who may name a delegate. Pages ask
these to show or hide a button; the services in :mod:`keel.risks.services` enforce them with
the same functions. The permission itself (``accept_risks``, ``edit_risks`` over the risk's
management system) is the role table's (:mod:`keel.platform.permissions`)."""

from __future__ import annotations

from keel.platform.actor import Actor
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from .choices import ApprovalState
from .models import Risk, RiskApproval


def may_accept(user: User | None, risk: Risk) -> bool:
    """The approval rule: the risk's owner or named delegate, holding ``accept_risks`` over its
    system, approves the plan and accepts the residual risk. Pages ask this to show the button;
    :func:`approve` enforces it."""
    return (
        user is not None
        and user.pk in {risk.owner_id, risk.delegate_id}
        and has_perm(user, Perm.ACCEPT_RISKS, risk.management_system)
    )


def may_second_approve(user: User | None, risk: Risk, pending: RiskApproval | None) -> bool:
    """The second approver of a pending exception: ``edit_risks`` over the risk's system and not
    the person who requested it (:func:`approve_exception` enforces it)."""
    return (
        user is not None
        and pending is not None
        and pending.state == ApprovalState.PENDING
        and pending.approved_by_id != user.pk
        and has_perm(user, Perm.EDIT_RISKS, risk.management_system)
    )


def may_name_delegate(actor: Actor, owner: User | None, delegate: User | None, risk: Risk) -> bool:
    """Naming, changing or removing a risk's delegate is the owner's act, or that of an
    authorised approver (``accept_risks`` over the risk's management system) naming someone
    other than themselves: nobody makes themselves the delegate of another person's risk.
    ``owner`` is the owner as stored before the change (the one being named, on create).
    Operators without a user (the CLI's operating-system user, system jobs) may."""
    user = actor.user
    if user is None:
        return True
    if not has_perm(user, Perm.ACCEPT_RISKS, risk.management_system):
        return False
    if owner is not None and user.pk == owner.pk:
        return True
    return delegate is None or delegate.pk != user.pk
