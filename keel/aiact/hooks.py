"""What the EU AI Act app registers at start-up (AIActConfig.ready): the AI system services
announce a change of intended use and the classification in force becomes due for redoing,
without aisystems importing this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keel.aisystems.models import AISystem
from keel.platform import hooks
from keel.platform.actor import Actor
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import current_user

from . import queries, services


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


def register() -> None:
    hooks.register("aisystem.changed", on_aisystem_changed)
    hooks.register_panel("aisystem_detail", "aiact/_aisystem_panel.html", aisystem_panel, order=20)
