"""What the EU AI Act app registers at start-up (AIActConfig.ready): the AI system services
announce a change of intended use and the classification in force becomes due for redoing,
without aisystems importing this app."""

from __future__ import annotations

from keel.aisystems.models import AISystem
from keel.platform import hooks
from keel.platform.actor import Actor

from . import services


def on_aisystem_changed(
    *, actor: Actor, system: AISystem, what: str, detail: str, old_stage: str = "", new_stage: str = ""
) -> None:
    """A new intended use may change the tier: the classification is to be redone."""
    if what == "intended_use":
        services.note_change(actor, system, what, detail)


def register() -> None:
    hooks.register("aisystem.changed", on_aisystem_changed)
