"""Test helpers of the SoA: SoAs built through the services (as the system actor)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keel.controls import services as controls
from keel.controls.models import ControlTemplate
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User
from keel.soa import queries, services
from keel.soa.models import SoARow, SoAVersion, StatementOfApplicability

SYSTEM = Actor.system("soa-tests")


def soa_for(ms: ManagementSystem, standard: str = "iso27001:2022") -> StatementOfApplicability:
    """The SoA of ``ms`` for ``standard`` (created on first call)."""
    return services.create_soa(SYSTEM, ms.pk, standard)


def row(soa: StatementOfApplicability, ref_id: str) -> SoARow:
    return soa.rows.select_related("requirement").get(requirement__ref_id=ref_id)


def complete_rows(soa: StatementOfApplicability, owner: User) -> None:
    """Give every applicable row of ``soa`` a reason for inclusion and an owner, so that it
    passes the approval checks (written directly: a test's given, not the behaviour tested)."""
    soa.rows.filter(applicable=True, business_need="", obligations="").update(business_need="Best practice.")
    soa.rows.filter(applicable=True, owner=None).update(owner=owner)


def fix_demo_rows(soa: StatementOfApplicability, owner: User) -> None:
    """What a person does to the demo's flawed 27001 draft, row by row through the editor's
    service: an owner on every row, a reason on every applicable row, and the three exclusions
    the registers contradict (A.7.11, A.7.12, A.8.30) included again."""
    for r in soa.rows.select_related("requirement"):
        ref = r.requirement.ref_id if r.requirement else ""
        fields: dict[str, Any] = {} if r.owner_id else {"owner": owner}
        if ref in ("A.7.11", "A.7.12", "A.8.30"):
            fields |= {"applicable": True, "business_need": "Kept after the audit review."}
        elif r.applicable and not (r.business_need or r.obligations):
            fields["business_need"] = "Best practice for a lender-facing service."
        if fields:
            services.update_row(SYSTEM, r.pk, **fields)


def adopt_all(ms: ManagementSystem) -> None:
    """Adopt the whole template library into ``ms`` (controls linked to both standards)."""
    keys = list(ControlTemplate.objects.filter(withdrawn_at__isnull=True).values_list("key", flat=True))
    controls.adopt_templates(SYSTEM, keys, ms.pk)


def matrix_soa(ms: ManagementSystem, approver: User | None = None) -> StatementOfApplicability:
    """For the permission matrix: the ISO 27001 SoA of ``ms``, with an approved version 1 when
    ``approver`` is given (written directly: the matrix builds many worlds)."""
    soa = soa_for(ms)
    if approver is not None and not soa.versions.exists():
        SoAVersion.objects.create(
            soa=soa,
            number=1,
            approved_by=approver,
            approved_at=timezone.now(),
            rows=queries.snapshot(queries.rows(soa)),
        )
    return soa


def export_argv(ms_a: ManagementSystem, user: User | None, out: str) -> list[str]:
    """For the permission matrix: export the SoA of the system the user holds a role over (A
    for the operator and organisation-wide roles)."""
    assignment = user.role_assignments.select_related("management_system").first() if user else None
    ms = assignment.management_system if assignment and assignment.management_system else ms_a
    soa_for(ms)
    return [
        "export",
        "soa",
        "--standard",
        "iso27001:2022",
        "--management-system",
        ms.short_name,
        "--format",
        "json",
        "--out",
        out,
    ]


def _users_system(ms_a: ManagementSystem, user: User | None) -> ManagementSystem:
    assignment = user.role_assignments.select_related("management_system").first() if user else None
    return assignment.management_system if assignment and assignment.management_system else ms_a


def create_argv(world: Any, user: User | None) -> list[str]:
    """For the permission matrix: ``keel soa create`` for the system the user holds a role over."""
    ms = _users_system(world.a, user)
    return ["soa", "create", "--standard", "iso27001:2022", "--management-system", ms.short_name]


def create_form(world: Any, user: User | None) -> dict[str, Any]:
    """For the permission matrix: the SoA create page's form, for the system the user holds a
    role over."""
    return {
        "management_system": _users_system(world.a, user).pk,
        "standard": "iso27001:2022",
        "source": "empty",
    }


def approve_argv(world: Any, user: User | None) -> list[str]:
    """For the permission matrix: ``keel soa approve`` of a complete SoA of the user's system; the
    operator names the organisation's administrator with ``--as`` (approving needs a named person)."""
    ms = _users_system(world.a, user)
    complete_rows(soa_for(ms), world.target)
    argv = ["soa", "approve", "--standard", "iso27001:2022", "--management-system", ms.short_name]
    return argv if user is not None else [*argv, "--as", world.users["admin@org"].email]


def matrix_params(world: Any, user: User | None) -> dict[str, Any]:
    """Path parameters of the SoA operations in the permission matrix: the SoA of system A
    (with an approved version 1) and one of its rows; system B gets an SoA too, for the list."""
    soa = matrix_soa(world.a, approver=world.target)
    matrix_soa(world.b)
    first = soa.rows.order_by("sort_order").first()
    assert first is not None
    return {"soa_id": soa.pk, "row_id": first.pk}


def matrix_params_unapproved(world: Any, user: User | None) -> dict[str, Any]:
    """As :func:`matrix_params`, with no approved version yet (for approving), every row ready."""
    soa = matrix_soa(world.a)
    complete_rows(soa, world.target)
    return {"soa_id": soa.pk}


def only_visible_soas(world: Any, user: User, body: Any) -> None:
    """The SoA list shows exactly the SoAs of the systems the user may view."""
    from keel.platform.permissions import Perm, system_ids_with

    visible = system_ids_with(user, Perm.VIEW)
    listed = {str(i["management_system"]) for i in body["items"]}
    expected = {str(world.a.pk), str(world.b.pk)} if visible is None else {str(i) for i in visible}
    assert listed == expected, f"listed SoAs of {listed}, expected {expected}"


def page_soa(world: Any, user: User | None) -> dict[str, Any]:
    """URL kwargs of the SoA pages in the permission matrix: system A's SoA (approved v1)."""
    return {"soa_id": matrix_params(world, user)["soa_id"]}


def page_version(world: Any, user: User | None) -> dict[str, Any]:
    """URL kwargs of an approved version's page: version 1 of system A's SoA."""
    return {"soa_id": matrix_params(world, user)["soa_id"], "number": 1}


def page_soa_unapproved(world: Any, user: User | None) -> dict[str, Any]:
    return matrix_params_unapproved(world, user)


def page_row(world: Any, user: User | None) -> dict[str, Any]:
    return {"row_id": matrix_params(world, user)["row_id"]}


def row_form(world: Any, user: User | None) -> dict[str, Any]:
    return {"applicable": "on", "business_need": "Lenders ask for it."}
