"""Changes of system A (and B) for the permission matrix, made on demand directly (without the
services, to stay fast) and rolled back with each case: one per workflow state, each a standard
information-system change (no gate) requested by the target person (never a principal), so an
allowed approver always succeeds."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keel.changes.models import Change
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from .permission_world import World

REFS = {"draft": "CHG-901", "submitted": "CHG-902", "approved": "CHG-903", "implemented": "CHG-904"}


def change(world: World, status: str, ms: ManagementSystem | None = None) -> Any:
    ms = ms or world.a
    ref = REFS[status] if ms == world.a else REFS[status].replace("CHG-9", "CHG-8")
    now = timezone.now()
    stamps: dict[str, Any] = {}
    if status != "draft":
        stamps["submitted_at"] = now
    if status in ("approved", "implemented"):
        stamps["approved_at"] = now
    if status == "implemented":
        stamps["implemented_at"] = now
    return Change.objects.get_or_create(
        ref_id=ref,
        defaults={
            "management_system": ms,
            "family": "information_system",
            "kind": "standard",
            "title": f"Matrix change {status}",
            "requester": world.target,
            "owner": world.target,
            "status": status,
            **stamps,
        },
    )[0]


def kwargs(status: str) -> Any:
    return lambda w, u: {"ref": change(w, status).ref_id}


def _system_for(world: World, user: User | None, perm: str) -> ManagementSystem:
    """B when the user holds ``perm`` over B and not over A, else A."""
    if user is not None and not has_perm(user, perm, world.a) and has_perm(user, perm, world.b):
        return world.b
    return world.a


def create_form(world: World, user: User | None) -> dict[str, Any]:
    """The create page's form, in a system the user may create changes in (A when none)."""
    return {
        "family": "information_system",
        "management_system": _system_for(world, user, Perm.EDIT_CHANGES).short_name,
        "title": "Matrix change",
        "kind": "standard",
        "requester": world.target.email,
        "owner": world.target.email,
    }


def create_body(world: World, user: User | None) -> dict[str, Any]:
    return {
        "family": "information_system",
        "management_system": world.a.short_name,
        "title": "Matrix change",
        "kind": "standard",
        "requester": world.target.email,
    }


def edit_form(world: World, user: User | None) -> dict[str, Any]:
    data = {**create_form(world, user), "title": "Matrix change, edited"}
    del data["management_system"]
    return data


def gate_argv(world: World, user: User | None) -> list[str]:
    """An approved change of a system the user may view (A when none)."""
    return ["change", "gate", change(world, "approved", _system_for(world, user, Perm.VIEW)).ref_id, "--json"]
