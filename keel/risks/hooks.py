"""What the risks app registers at start-up: the risks card of the asset page, and its
consistency-check rules (risk owners without the authority to accept, acceptances that rely on
controls not yet implemented — docs/consistency-check.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse

from keel.assets.models import Asset
from keel.controls.choices import ImplementationStatus
from keel.controls.models import Control
from keel.platform import checks, hooks
from keel.platform.models import User
from keel.platform.views.common import current_user

from .choices import Acceptance, RiskStatus
from .models import Risk
from .queries import RiskFilters, risks
from .services import may_accept


def asset_panel(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    user = current_user(request)
    return {"asset": asset, "risks": list(risks(user, RiskFilters(status="all")).filter(asset=asset))}


# ---------------------------------------------------------------- consistency-check rules


def _open_risks(systems: checks.Systems) -> Any:
    return (
        Risk.objects.filter(status=RiskStatus.OPEN, **checks.in_systems(systems))
        .select_related("owner", "delegate", "management_system")
        .order_by("ref_id")
    )


def owners_without_authority(systems: checks.Systems) -> list[checks.Finding]:
    """Open risks whose owner — and named delegate, if any — may not accept risks in the
    risk's management system (the approval rule of :func:`keel.risks.services.may_accept`)."""
    people: dict[Any, User] = {}  # one User object per person: their roles are read once
    out = []
    for risk in _open_risks(systems):
        owner = people.setdefault(risk.owner_id, risk.owner)
        delegate = people.setdefault(risk.delegate_id, risk.delegate) if risk.delegate_id else None
        if may_accept(owner, risk) or (delegate is not None and may_accept(delegate, risk)):
            continue
        who = owner.display_name + (f" (delegate {delegate.display_name})" if delegate else "")
        out.append(
            checks.Finding(
                rule="risk_owner_cannot_accept",
                title=f"The owner of {risk.ref_id} may not accept risks in {risk.management_system.name}",
                detail=f"{who} holds no role that may accept risks in {risk.management_system.name}, so nobody "
                f"can approve the treatment of {risk.ref_id} {risk.title}. Choose an owner or a delegate "
                "who may, or give the owner such a role.",
                record_label=f"{risk.ref_id} {risk.title}",
                url=reverse("risk-edit", args=[risk.ref_id]),
                management_system_id=risk.management_system_id,
            )
        )
    return out


ACCEPTED = (Acceptance.ACCEPTED, Acceptance.EXCEPTION_PENDING, Acceptance.EXCEPTION)
NOT_YET = (ImplementationStatus.PLANNED, ImplementationStatus.IN_PROGRESS)


def acceptances_on_unimplemented_controls(systems: checks.Systems) -> list[checks.Finding]:
    """Open risks whose residual risk is accepted (or accepted by exception) while controls
    their treatment relies on are only planned or in progress: the residual level assumes
    controls that do not operate yet."""
    pending = Control.objects.filter(status__in=NOT_YET).order_by("ref_id")
    qs = (
        _open_risks(systems)
        .filter(acceptance__in=ACCEPTED, controls__status__in=NOT_YET)
        .distinct()
        .prefetch_related(Prefetch("controls", pending, to_attr="pending_controls"))
    )
    out = []
    for risk in qs:
        controls = "; ".join(
            f"{c.ref_id} {c.title} ({c.get_status_display().lower()})" for c in risk.pending_controls
        )
        out.append(
            checks.Finding(
                rule="acceptance_on_unimplemented_controls",
                title=f"{risk.ref_id} is accepted on controls that are not implemented yet",
                detail=f"The residual risk of {risk.ref_id} {risk.title} was accepted assuming {controls}. "
                "Implement the controls, or re-assess the residual risk without them and accept it again.",
                record_label=f"{risk.ref_id} {risk.title}",
                url=reverse("risk-detail", args=[risk.ref_id]),
                management_system_id=risk.management_system_id,
            )
        )
    return out


def register() -> None:
    hooks.register_panel("asset_detail", "risks/_asset_panel.html", asset_panel)
    checks.register(
        checks.Rule(
            "risk_owner_cannot_accept",
            "Risk owners without the authority to accept",
            "risks",
            owners_without_authority,
            order=20,
        )
    )
    checks.register(
        checks.Rule(
            "acceptance_on_unimplemented_controls",
            "Acceptances that rely on controls not yet implemented",
            "risks",
            acceptances_on_unimplemented_controls,
            order=30,
        )
    )
