"""Nonconformities of system A for the permission matrix, made on demand directly (without the
services, to stay fast) and rolled back with each case:

- NC-900, analysed (correction and root cause), with one open action CA-900 of nobody's;
- NC-901, analysed and owned by the principal under test, with CA-901 also theirs;
- NC-902, its one action done: ready for an effectiveness check;
- NC-903, checked effective: ready to close.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keel.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from keel.organisation.models import Organisation
from keel.platform.concurrency import version_of
from keel.platform.models import User
from keel.platform.permissions import Perm, system_ids_with

from .permission_world import Owned, World


def _day(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def _nc(world: World, ref: str, owner: User | None = None, status: str = "actions") -> Nonconformity:
    nc = Nonconformity.objects.filter(ref_id=ref).first()
    if nc is None:
        nc = Nonconformity.objects.create(
            organisation=Organisation.objects.get(),
            ref_id=ref,
            title=f"Matrix nonconformity {ref}",
            description="Found in the matrix.",
            source="internal_audit",
            raised_on=_day(30),
            owner=owner,
            status=status,
            correction="Contained.",
            corrected_on=_day(29),
            root_cause_method="free",
            root_cause="No owner.",
            root_cause_on=_day(28),
        )
        nc.management_systems.set([world.a])
    return nc


def _action(nc: Nonconformity, ref: str, owner: User, done: bool = False) -> CorrectiveAction:
    found = CorrectiveAction.objects.filter(ref_id=ref).first()
    if found is None:
        found = CorrectiveAction.objects.create(
            ref_id=ref,
            nonconformity=nc,
            description="Name an owner.",
            owner=owner,
            due_on=_day(-30),
            status="done" if done else "open",
            done_on=_day(20) if done else None,
            done_note="Named." if done else "",
        )
    return found


def nc_a(world: World) -> Nonconformity:
    nc = _nc(world, "NC-900")
    _action(nc, "CA-900", world.target)
    return nc


def nc_a_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": nc_a(world).ref_id}


def owned_nc(world: World, user: User | None) -> Nonconformity:
    nc = _nc(world, "NC-901", owner=user)
    if user is not None:
        _action(nc, "CA-901", user)
    return nc


def owned_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": owned_nc(world, user).ref_id}


def owned_target(world: World) -> Owned:
    return Owned(world.a, Nonconformity.objects.get(ref_id="NC-901").owner_id)


def owned_action_kwargs(world: World, user: User | None) -> dict[str, Any]:
    owned_nc(world, user)
    return {"ref": "CA-901" if user is not None else "CA-900"}


def owned_action_target(world: World) -> Owned:
    found = CorrectiveAction.objects.filter(ref_id="CA-901").first()
    return Owned(world.a, found.owner_id if found is not None else None)


def ready_for_check_kwargs(world: World, user: User | None) -> dict[str, Any]:
    nc = _nc(world, "NC-902", status="effectiveness")
    _action(nc, "CA-902", world.target, done=True)
    return {"ref": nc.ref_id}


def ready_to_close_kwargs(world: World, user: User | None) -> dict[str, Any]:
    nc = _nc(world, "NC-903", status="effectiveness")
    _action(nc, "CA-903", world.target, done=True)
    if not nc.effectiveness_checks.exists():
        EffectivenessCheck.objects.create(
            nonconformity=nc,
            checked_by=world.target,
            checked_on=_day(10),
            effective=True,
            evidence_note="Seen.",
        )
    return {"ref": nc.ref_id}


# ---------------------------------------------------------------- bodies and form posts


def raise_body(world: World, user: User | None) -> dict[str, Any]:
    return {
        "title": "Backups not tested",
        "description": "No restore test this year.",
        "source": "internal_audit",
        "management_systems": [world.a.short_name],
    }


def correction_form(world: World, user: User | None) -> dict[str, Any]:
    return {"correction": "Contained again."}


def root_cause_form(world: World, user: User | None) -> dict[str, Any]:
    return {"method": "free", "conclusion": "No owner named.", "whys": ""}


def action_form(world: World, user: User | None) -> dict[str, Any]:
    return {"description": "Automate it.", "owner": world.target.email, "due_on": _day(-20).isoformat()}


def done_form(world: World, user: User | None) -> dict[str, Any]:
    return {"note": "Done.", "done_on": _day(1).isoformat()}


def effectiveness_form(world: World, user: User | None) -> dict[str, Any]:
    return {"effective": "yes", "evidence_note": "Checked the log.", "checked_by": world.target.email}


def edit_form(world: World, user: User | None) -> dict[str, Any]:
    nc = nc_a(world)
    return {
        "title": "Renamed",
        "description": nc.description,
        "kind": "minor",
        "source": "internal_audit",
        "management_systems": [world.a.short_name],
        "raised_on": nc.raised_on.isoformat(),
        "version": version_of(nc),
    }


def only_visible_nonconformities(world: World, user: User, body: Any) -> None:
    refs = {i["ref_id"] for i in body["items"]}
    visible = system_ids_with(user, Perm.VIEW)
    sees_a = visible is None or world.a.pk in visible
    assert ("NC-900" in refs) == sees_a, f"{user.email} listed {refs}; sees system A: {sees_a}"


def done_action_kwargs(world: World, user: User | None) -> dict[str, Any]:
    """CA-904, done, of the principal's own NC-901 (reopened by them or a manager)."""
    nc = owned_nc(world, user)
    if user is not None:
        _action(nc, "CA-904", user, done=True)
    return {"ref": "CA-904" if user is not None else "CA-900"}
