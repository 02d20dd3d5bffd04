"""What the EU AI Act app registers at start-up (AIActConfig.ready): the AI system services
announce a change of intended use and the classification in force becomes due for redoing,
without aisystems importing this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.platform import checks, hooks
from keel.platform.actor import Actor
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import current_user
from keel.work import reminders

from . import due, queries, services
from .catalogue import catalogue
from .choices import ObligationState
from .models import ObligationStatus


def on_aisystem_changed(
    *, actor: Actor, system: AISystem, what: str, detail: str, old_stage: str = "", new_stage: str = ""
) -> None:
    """A new intended use may change the tier: the classification is to be redone."""
    if what == "intended_use":
        services.note_change(actor, system, what, detail)


def aisystem_panel(request: HttpRequest, system: AISystem) -> dict[str, Any]:
    user = current_user(request)
    view = queries.system_obligations(user, str(system.pk))
    return {
        "system": system,
        "c": view.classification,
        "readiness": view.readiness,
        "can_edit": has_perm(user, Perm.EDIT_AI_SYSTEMS, system.management_system),
    }


# ---------------------------------------------------------------- consistency-check rules


def obligations_overdue(systems: checks.Systems) -> list[checks.Finding]:
    """Obligations that fall on an AI system as currently classified, whose (current)
    application date has passed, and that are neither met nor marked not applicable."""
    today = timezone.localdate()
    current = (
        queries.latest_ids()
        .filter(**checks.in_systems(systems, "ai_system__management_system_id"))
        .select_related("ai_system")
        .order_by("ai_system__name")
    )
    done = {
        (a, o)
        for a, o in ObligationStatus.objects.filter(
            status__in=[ObligationState.MET, ObligationState.NOT_APPLICABLE]
        ).values_list("ai_system_id", "obligation")
    }
    out = []
    for c in current:
        for ob in catalogue().applicable(c):
            when = ob.timeline_for(c).current
            if when.date > today or (c.ai_system_id, ob.key) in done:
                continue
            out.append(
                checks.Finding(
                    rule="ai_act_obligation_overdue",
                    title=f"{c.ai_system.name}: {ob.ref} ({ob.title}) applies since {when.date:%-d %b %Y} and is not met",
                    detail=f"As classified ({c.get_tier_display().lower()}, {c.get_role_display().lower()}), "
                    f"{ob.ref} falls on {c.ai_system.name} from {when.date:%-d %b %Y} ({when.act_label}). "
                    "Meet it and record the evidence, or mark it not applicable with the reason.",
                    record_label=f"{c.ai_system.name}: {ob.ref}",
                    url=reverse("aiact-system", args=[c.ai_system.short_name]),
                    management_system_id=c.ai_system.management_system_id,
                )
            )
    return out


def register() -> None:
    reminders.register("ai_act_obligation", due.obligations_due)
    hooks.register("aisystem.changed", on_aisystem_changed)
    hooks.register_panel("aisystem_detail", "aiact/_aisystem_panel.html", aisystem_panel, order=105)
    checks.register(
        checks.Rule(
            "ai_act_obligation_overdue",
            "EU AI Act obligations past their application date and not met",
            "aiact",
            obligations_overdue,
            order=75,
        )
    )
