"""What the SoA app registers at start-up: the card of the control page that lists the SoA rows
citing the control (issue 13 item 4)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from keel.controls.models import Control, ControlLink
from keel.platform import hooks
from keel.platform.permissions import Perm, restrict
from keel.platform.views.common import current_user

from .models import SoARow


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


def register() -> None:
    hooks.register_panel("control_detail", "soa/_control_panel.html", control_panel, order=120)
