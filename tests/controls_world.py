"""Control-catalogue records for the permission matrix: one control of management system A
with one requirement link, made on demand (directly, without the services, to stay fast)."""

from __future__ import annotations

from typing import Any

from keel.controls.models import Control, ControlLink, ControlTemplate
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.standards.models import Requirement

from .permission_world import Owned, World

CONTROL_REF = "KC-900"
OWNED_REF = "KC-901"  # a control of system A owned by the principal under test
LINKED = "iso27001:2022:A.5.19"
UNLINKED = "iso42001:2023:A.10.3"


def control_a(world: World) -> Control:
    control = Control.objects.filter(ref_id=CONTROL_REF).first()
    if control is None:
        control = Control.objects.create(
            ref_id=CONTROL_REF, title="Supplier due diligence", type="process", frequency="per_event"
        )
        control.management_systems.set([world.a])
        ControlLink.objects.create(
            control=control, requirement=Requirement.objects.get(key=LINKED), coverage="full"
        )
    return control


def control_a_target(world: World) -> Owned:
    """Control A as the target of a rule over one's own records: nobody owns it."""
    return Owned(world.a, control_a(world).owner_id)


def owned_control(world: World, user: User | None) -> Control:
    """A control of system A owned by ``user`` (by nobody for an anonymous caller)."""
    control = Control.objects.filter(ref_id=OWNED_REF).first()
    if control is None:
        control = Control.objects.create(
            ref_id=OWNED_REF, title="Access reviews", type="process", frequency="quarterly", owner=user
        )
        control.management_systems.set([world.a])
    return control


def owned_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": owned_control(world, user).ref_id}


def owned_target(world: World) -> Owned:
    """Where the owned control lives and who owns it, read back (built by ``owned_kwargs``)."""
    control = Control.objects.get(ref_id=OWNED_REF)
    return Owned(world.a, control.owner_id)


def owned_edit_data(world: World, user: User | None) -> dict[str, Any]:
    """A valid post of the control form; an owner's form keeps its four fields of it."""
    return {
        "ref_id": OWNED_REF,
        "title": "Access reviews",
        "type": "process",
        "frequency": "monthly",
        "status": "implemented",
        "effectiveness": "effective",
        "owner": user.email if user else "",
        "management_systems": [world.a.short_name],
    }


def link_a(world: World) -> ControlLink:
    return ControlLink.objects.get(control=control_a(world), requirement__key=LINKED)


def editable_system(world: World, user: User | None) -> str:
    """A system the user may edit controls of (A when none: the answer is then a refusal)."""
    for ms in (world.a, world.b):
        if has_perm(user, Perm.EDIT_CONTROLS, ms):
            return ms.short_name
    return world.a.short_name


def template_key() -> str:
    template = ControlTemplate.objects.order_by("sort_order").first()
    assert template is not None, "the template library is loaded in the test database"
    return template.key


def only_visible_controls(world: World, user: User, body: Any) -> None:
    refs = {i["ref_id"] for i in body["items"]}
    visible = system_ids_with(user, Perm.VIEW)
    sees_a = visible is None or world.a.pk in visible
    assert (CONTROL_REF in refs) == sees_a, f"{user.email} listed {refs}; sees system A: {sees_a}"


def control_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": control_a(world).ref_id}


def link_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"link_id": link_a(world).pk}
