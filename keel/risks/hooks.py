"""What the risks app registers at start-up: the risks card of the asset, AI system and control
pages, its answer to a significant change of an AI system (its AI risks become due for
re-assessment when the methodology says so), and its consistency-check rules (risk owners without
the authority to accept, acceptances that rely on controls not yet implemented —
docs/consistency-check.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.urls import reverse

from keel.aisystems.choices import LifecycleStage
from keel.aisystems.gates import GATED_STAGES
from keel.aisystems.models import AISystem
from keel.assets.models import Asset
from keel.controls.choices import ImplementationStatus
from keel.controls.models import Control
from keel.organisation.resolvers import in_perimeter
from keel.platform import checks, hooks
from keel.platform.actor import Actor
from keel.platform.models import User
from keel.platform.views.common import current_user
from keel.work import reminders

from . import due, services
from .choices import Acceptance, RiskStatus
from .models import Methodology, Risk, TreatmentAction
from .policies import may_accept
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


# ---------------------------------------------------------------- consistency-check rules


def _open_risks(systems: checks.Systems) -> Any:
    return (
        Risk.objects.filter(status=RiskStatus.OPEN, **checks.in_systems(systems))
        .select_related("owner", "delegate", "management_system")
        .order_by("ref_id")
    )


def owners_without_authority(systems: checks.Systems) -> list[checks.Finding]:
    """Open risks whose owner — and named delegate, if any — may not accept risks in the
    risk's management system (the approval rule of :func:`keel.risks.policies.may_accept`)."""
    people: dict[Any, User] = {}  # one User object per person: their roles are read once
    out = []
    # every owner's and delegate's roles in two queries (not one per person)
    for risk in _open_risks(systems).prefetch_related(
        "owner__role_assignments", "delegate__role_assignments"
    ):
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


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    """The risks ``person`` owns or is the delegate of, and the treatment actions they own,
    that ``viewer`` may see (the person page)."""
    qs = in_perimeter(Risk.objects.filter(Q(owner=person) | Q(delegate=person)), viewer).order_by("ref_id")
    out = [
        hooks.Owned(
            "Risks",
            r.ref_id,
            r.title,
            reverse("risk-detail", args=[r.ref_id]),
            "owner" if r.owner_id == person.pk else "delegate",
        )
        for r in qs
    ]
    actions = in_perimeter(
        TreatmentAction.objects.filter(owner=person).select_related("risk"), viewer, "risk__management_system"
    ).order_by("risk__ref_id", "title")
    out += [
        hooks.Owned(
            "Treatment actions",
            a.risk.ref_id,
            a.title,
            reverse("risk-detail", args=[a.risk.ref_id]),
            a.get_status_display(),
        )
        for a in actions
    ]
    return out


def register() -> None:
    reminders.register("risk_review", due.reviews_due)
    reminders.register("risk_action", due.treatment_actions_due)
    hooks.register("aisystem.changed", on_aisystem_changed)
    hooks.register("person.owned", owned)
    hooks.register_panel("asset_detail", "risks/_asset_panel.html", asset_panel)
    hooks.register_panel("aisystem_detail", "risks/_aisystem_panel.html", aisystem_panel, order=110)
    hooks.register_panel("control_detail", "risks/_control_panel.html", control_panel, order=110)
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
