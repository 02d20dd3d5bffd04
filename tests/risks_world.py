"""Risk-management records for the permission matrix, made on demand (directly, without the
services, to stay fast): the methodology, a classification level, an asset of system A, and
risks of system A owned by the principal under test (so that an allowed owner's approval
goes through: the approval rule also needs the owner or a named delegate)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from keel.assets.models import Asset, ClassificationLevel
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm
from keel.risks.defaults import default_methodology
from keel.risks.forms import MethodologyForm
from keel.risks.methodology import clean_methodology

__all__ = ["default_methodology"]
from keel.risks.models import Methodology, Risk, RiskApproval, RiskSnapshot, TreatmentAction

from .permission_world import World


def methodology() -> Methodology:
    m = Methodology.objects.order_by("-version").first()
    if m is None:
        m = Methodology.objects.create(version=1, **clean_methodology(default_methodology()))
    return m


def level() -> ClassificationLevel:
    lv, _ = ClassificationLevel.objects.get_or_create(
        key="internal", defaults={"name": "Internal", "rank": 2}
    )
    return lv


def asset_a(world: World) -> Asset:
    asset, _ = Asset.objects.get_or_create(
        ref_id="AS-900",
        defaults={"name": "Customer database", "type": "information", "management_system": world.a},
    )
    return asset


def risk_a(world: World, user: User | None, ref: str = "IS-900", residual: int = 2) -> Risk:
    """A risk of system A owned by ``user`` (the target user when anonymous)."""
    risk = Risk.objects.filter(ref_id=ref).first()
    if risk is None:
        m = methodology()
        risk = Risk.objects.create(
            ref_id=ref,
            register="is",
            title="Stolen laptop",
            management_system=world.a,
            methodology=m,
            owner=user or world.target,
            process="Remote work",
            inherent_likelihood=4,
            inherent_impact=4,
            inherent_level=m.level_of(4, 4),
            treatment_option="modify",
            residual_likelihood=residual,
            residual_impact=residual,
            residual_level=m.level_of(residual, residual),
        )
    return risk


def risk_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": risk_a(world, user).ref_id}


def high_risk_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": risk_a(world, user, "IS-901", residual=4).ref_id}


def pending_kwargs(world: World, user: User | None) -> dict[str, Any]:
    """A risk of A with an exception requested by the target user, awaiting a second approver."""
    risk = risk_a(world, world.target, "IS-902", residual=4)
    if not risk.approvals.exists():
        RiskApproval.objects.create(
            risk=risk,
            state="pending",
            approved_by=world.target,
            approved_at=timezone.now(),
            methodology_version=risk.methodology.version,
            residual_likelihood=4,
            residual_impact=4,
            residual_level=risk.residual_level,
            plan_version=risk.plan_version,
            controls=[],
            is_exception=True,
            exception_reason="Budget next quarter",
            exception_expires=timezone.localdate().replace(year=timezone.localdate().year + 1),
        )
        Risk.objects.filter(pk=risk.pk).update(acceptance="exception_pending")
    return {"ref": risk.ref_id}


def action_a(world: World, user: User | None) -> TreatmentAction:
    risk = risk_a(world, user)
    action = risk.actions.first()
    return action or TreatmentAction.objects.create(risk=risk, title="Roll out disk encryption")


def action_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"action_id": action_a(world, user).pk}


def api_action_kwargs(world: World, user: User | None) -> dict[str, Any]:
    action = action_a(world, user)
    return {"ref": action.risk.ref_id, "action_id": action.pk}


def snapshot_kwargs(world: World, user: User | None) -> dict[str, Any]:
    snap = RiskSnapshot.objects.first() or RiskSnapshot.objects.create(
        register="is", cycle="2026 Q3", taken_at=timezone.now(), risk_count=0, rows=[]
    )
    return {"snapshot_id": snap.pk}


def asset_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": asset_a(world).ref_id}


def level_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"key": level().key}


def editable_system(world: World, user: User | None, perm: str) -> str:
    for ms in (world.a, world.b):
        if has_perm(user, perm, ms):
            return ms.short_name
    return world.a.short_name


def risk_form(world: World, user: User | None) -> dict[str, Any]:
    methodology()
    return {
        "register": "is",
        "title": "Ransomware",
        "management_system": editable_system(world, user, Perm.EDIT_RISKS),
        "owner": (user or world.target).email,
        "process": "Builds",
        "inherent_likelihood": "3",
        "inherent_impact": "3",
    }


def risk_body(world: World, user: User | None) -> dict[str, Any]:
    methodology()
    return {
        "register": "is",
        "management_system": world.a.short_name,
        "title": "Ransomware",
        "owner": (user or world.target).email,
        "process": "Builds",
        "inherent_likelihood": 3,
        "inherent_impact": 3,
    }


def asset_form(world: World, user: User | None) -> dict[str, Any]:
    return {
        "name": "Model registry",
        "type": "software",
        "management_system": editable_system(world, user, Perm.EDIT_ASSETS),
    }


def methodology_form(world: World, user: User | None) -> dict[str, Any]:
    return MethodologyForm.data_for(default_methodology("Ours"))


def import_assets_argv(world: World, user: User | None) -> list[str]:
    path = Path(tempfile.mkdtemp(prefix="keel-import-")) / "assets.csv"
    path.write_text("Name,Type,Management system\nModel registry,software,sys-a\n", encoding="utf-8")
    return ["import", "assets", str(path), "--format", "json"]


def export_risks_argv(world: World, user: User | None) -> list[str]:
    risk_a(world, user)
    return ["risks", "export", "--register", "is", "--format", "json", "--out", "-"]


def only_visible_risks(world: World, user: User, body: Any) -> None:
    from keel.platform.permissions import system_ids_with

    refs = {i["ref_id"] for i in body["items"]}
    visible = system_ids_with(user, Perm.VIEW)
    sees_a = visible is None or world.a.pk in visible
    assert ("IS-900" in refs) == sees_a, f"{user.email} listed {refs}; sees system A: {sees_a}"
