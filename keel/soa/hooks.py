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

from . import queries
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
    (:func:`keel.soa.rules.approval_findings`), shown before anyone tries to approve."""
    out = []
    # only an SoA that excludes something can contradict the registers this way
    excluding = SoARow.objects.filter(applicable=False).values("soa_id")
    for soa in (
        queries.soas()
        .filter(pk__in=excluding, **checks.in_systems(systems))
        .order_by("management_system__name", "standard__key")
    ):
        for r in queries.rows(soa):
            if r["applicable"]:
                continue
            reasons = []
            if r["risks"]:
                reasons.append(
                    "open risks rely on it: " + ", ".join(f"{k['ref_id']} {k['title']}" for k in r["risks"])
                )
            operating = [c for c in r["controls"] if c["status"] in OPERATING]
            if operating:
                reasons.append(
                    "controls that operate are linked to it: "
                    + ", ".join(
                        f"{c['ref_id']} {c['title']} ({c['status'].replace('_', ' ')})" for c in operating
                    )
                )
            if not reasons:
                continue
            out.append(
                checks.Finding(
                    rule="soa_row_contradicts_registers",
                    title=f"{r['ref_id']} is excluded from the {soa.standard.name} SoA but the registers rely on it",
                    detail=f"{r['ref_id']} {r['title']} is excluded in the SoA of {soa.management_system.name}, yet "
                    + "; ".join(reasons)
                    + ". Include the control again, or change the risks' treatment or the linked controls.",
                    record_label=f"SoA {soa.standard.name} row {r['ref_id']}",
                    url=reverse("soa-row-edit", args=[r["id"]]),
                    management_system_id=soa.management_system_id,
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
