"""What the SoA app registers at start-up: the card of the control page that lists the SoA rows
citing the control (issue 13 item 4), and its consistency-check rule, SoA rows that contradict
the risk register or the control catalogue (docs/consistency-check.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

from keel.controls.models import Control, ControlLink
from keel.platform import checks, hooks
from keel.platform.permissions import Perm, restrict
from keel.platform.views.common import current_user
from keel.risks.queries import risks_by_system_control

from .models import SoARow
from .rules import OPERATING


def rows_citing(control: Control, user: Any) -> list[SoARow]:
    """The SoA rows that cite ``control``, in the SoAs ``user`` may read: the rows of the
    requirements it implements (a link) in the SoAs of its management systems, and the
    additional row that declares it. One query."""
    requirement_ids = ControlLink.objects.filter(control=control).values("requirement_id")
    qs = SoARow.objects.filter(
        Q(control=control)
        | Q(requirement_id__in=requirement_ids, soa__management_system__in=control.management_systems.all())
    )
    return list(
        restrict(qs, user, Perm.VIEW, field="soa__management_system")
        .select_related("soa__standard", "soa__management_system", "requirement")
        .order_by("soa__standard__key", "soa__management_system__short_name", "sort_order")
    )


def control_panel(request: HttpRequest, control: Control) -> dict[str, Any]:
    return {"control": control, "soa_rows": rows_citing(control, current_user(request))}


def rows_contradicting_registers(systems: checks.Systems) -> list[checks.Finding]:
    """Excluded SoA rows that open risks rely on, or that have operating (implemented or in
    progress) controls linked — the same contradictions that refuse an approval
    (:func:`keel.soa.rules.approval_findings`), shown before anyone tries to approve.

    Three queries whatever the number of SoAs and rows: the excluded rows, the links of their
    requirements to controls of their systems, and the open risks of those systems by control
    (not the whole :func:`keel.soa.queries.rows` of each SoA, with its evidence)."""
    excluded = list(
        SoARow.objects.filter(applicable=False, **checks.in_systems(systems, "soa__management_system_id"))
        .select_related("soa__standard", "soa__management_system", "requirement", "control")
        .order_by("soa__management_system__name", "soa__standard__key", "sort_order", "pk")
    )
    if not excluded:
        return []
    system_ids = {r.soa.management_system_id for r in excluded}
    # (requirement, system) -> the system's controls linked to it, by reference
    linked: dict[tuple[Any, Any], list[tuple[Any, str, str, str]]] = {}
    for req_id, ms_id, control_id, ref, title, status in (
        ControlLink.objects.filter(
            requirement_id__in=[r.requirement_id for r in excluded if r.requirement_id is not None],
            control__management_systems__in=list(system_ids),
        )
        .order_by("control__ref_id")
        .values_list(
            "requirement_id",
            "control__management_systems",
            "control_id",
            "control__ref_id",
            "control__title",
            "control__status",
        )
    ):
        linked.setdefault((req_id, ms_id), []).append((control_id, ref, title, status))
    treated = risks_by_system_control(system_ids)
    out = []
    for row in excluded:
        soa, ms_id = row.soa, row.soa.management_system_id
        if row.requirement is not None:
            ref_id, row_title = row.requirement.ref_id, row.requirement.title
            controls = linked.get((row.requirement_id, ms_id), [])
        else:
            assert row.control is not None
            ref_id, row_title = row.control.ref_id, row.control.title
            controls = [(row.control.pk, row.control.ref_id, row.control.title, row.control.status)]
        risks = sorted(
            {k["ref_id"]: k for c in controls for k in treated.get((ms_id, c[0]), [])}.values(),
            key=lambda k: k["ref_id"],
        )
        reasons = []
        if risks:
            reasons.append(
                "open risks rely on it: " + ", ".join(f"{k['ref_id']} {k['title']}" for k in risks)
            )
        operating = [c for c in controls if c[3] in OPERATING]
        if operating:
            reasons.append(
                "controls that operate are linked to it: "
                + ", ".join(
                    f"{ref} {title} ({status.replace('_', ' ')})" for _, ref, title, status in operating
                )
            )
        if not reasons:
            continue
        out.append(
            checks.Finding(
                rule="soa_row_contradicts_registers",
                title=f"{ref_id} is excluded from the {soa.standard.name} SoA but the registers rely on it",
                detail=f"{ref_id} {row_title} is excluded in the SoA of {soa.management_system.name}, yet "
                + "; ".join(reasons)
                + ". Include the control again, or change the risks' treatment or the linked controls.",
                record_label=f"SoA {soa.standard.name} row {ref_id}",
                url=reverse("soa-row-edit", args=[row.pk]),
                management_system_id=ms_id,
            )
        )
    return out


def register() -> None:
    hooks.register_panel("control_detail", "soa/_control_panel.html", control_panel, order=120)
    checks.register(
        checks.Rule(
            "soa_row_contradicts_registers",
            "SoA rows that contradict risks or controls",
            "soa",
            rows_contradicting_registers,
            order=40,
        )
    )
