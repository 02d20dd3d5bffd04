"""What the risks app registers at start-up: the risks card of the asset, AI system and control
pages, and its answer to a significant change of an AI system (its AI risks become due for
re-assessment when the methodology says so)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keel.aisystems.choices import LifecycleStage
from keel.aisystems.gates import GATED_STAGES
from keel.aisystems.models import AISystem
from keel.assets.models import Asset
from keel.controls.models import Control
from keel.platform import hooks
from keel.platform.actor import Actor
from keel.platform.views.common import current_user

from . import services
from .models import Methodology
from .queries import RiskFilters, risks


def asset_panel(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    user = current_user(request)
    return {"asset": asset, "risks": list(risks(user, RiskFilters(status="all")).filter(asset=asset))}


def aisystem_panel(request: HttpRequest, system: AISystem) -> dict[str, Any]:
    """The AI risks of the system, open and closed, with the impact each was raised from."""
    user = current_user(request)
    rows = list(
        risks(user, RiskFilters(status="all"))
        .filter(ai_system=system)
        .select_related("impact__assessment")
        .order_by("status", "ref_id")
    )
    return {"system": system, "risks": rows}


def control_panel(request: HttpRequest, control: Control) -> dict[str, Any]:
    """The risks the control treats (open first)."""
    user = current_user(request)
    rows = list(risks(user, RiskFilters(status="all")).filter(controls=control).order_by("status", "ref_id"))
    return {"control": control, "risks": rows}


def significant(what: str, old_stage: str, new_stage: str) -> bool:
    """Which AI system changes are significant for its AI risks: a change of intended use, a new
    or changed model, a metric breach (drift) or a failed data-quality check, and a change of
    stage other than a forward move into deployment or operation (the go-live the gate checks)
    or retirement."""
    if what != "stage":
        return True
    order = [s.value for s in LifecycleStage]
    if new_stage == LifecycleStage.RETIRED:
        return False
    forward = order.index(new_stage) > order.index(old_stage)
    return not (forward and new_stage in GATED_STAGES)


def on_aisystem_changed(
    *, actor: Actor, system: AISystem, what: str, detail: str, old_stage: str = "", new_stage: str = ""
) -> None:
    m = Methodology.objects.order_by("-version").first()
    if m is None or not m.assess_on_significant_change or not significant(what, old_stage, new_stage):
        return
    services.mark_reassessment_due(
        actor,
        ai_system_id=system.pk,
        reason=f"Significant change to {system.name}: {detail}.",
        management_system_id=system.management_system_id,
    )


def register() -> None:
    hooks.register("aisystem.changed", on_aisystem_changed)
    hooks.register_panel("asset_detail", "risks/_asset_panel.html", asset_panel)
    hooks.register_panel("aisystem_detail", "risks/_aisystem_panel.html", aisystem_panel, order=110)
    hooks.register_panel("control_detail", "risks/_control_panel.html", control_panel, order=110)
