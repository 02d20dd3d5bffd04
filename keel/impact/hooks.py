"""What the impact app registers at start-up (ImpactConfig.ready): the AI system services
announce changes and ask the gate; impact answers without aisystems importing impact."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from keel.aisystems.models import AISystem
from keel.platform import hooks
from keel.platform.actor import Actor

from . import queries, services
from .models import ImpactAssessment


def on_aisystem_changed(
    *, actor: Actor, system: AISystem, what: str, detail: str, old_stage: str = "", new_stage: str = ""
) -> None:
    """A change that may call for a re-assessment (intended use, stage, a new model)."""
    if what == "stage" and not services.stage_triggers(old_stage, new_stage):
        return
    services.note_change(actor, system, what, detail)


def gate_problem(*, system: AISystem) -> str:
    return services.gate_problem(system)


def annotate_systems(qs: QuerySet[AISystem]) -> QuerySet[AISystem]:
    versions = ImpactAssessment.objects.filter(ai_system=OuterRef("pk"))
    return qs.annotate(
        impact_assessment_status=Subquery(versions.order_by("-version").values("status")[:1]),
        impact_assessment_due=Exists(versions.filter(queries.due_q())),
    )


def aisystem_panel(request: HttpRequest, system: AISystem) -> dict[str, Any]:
    return {"system": system, **queries.system_panel(system.pk)}


def register() -> None:
    hooks.register("aisystem.changed", on_aisystem_changed)
    hooks.register("aisystem.gate_problem", gate_problem)
    hooks.register("aisystem.annotate_systems", annotate_systems)
    hooks.register_panel("aisystem_detail", "impact/_aisystem_panel.html", aisystem_panel)
