"""What the AI system inventory registers at start-up: its consistency-check rule, models
deployed without an evaluation (docs/consistency-check.md)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse

from keel.platform import checks

from .gates import GATED_STAGES
from .models import AIModel, Evaluation


def models_without_evaluation(systems: checks.Systems) -> list[checks.Finding]:
    """Models of AI systems in deployment or operation that no passing evaluation covers.

    Today a model record has no deployment of its own, so every model of a deployed system
    counts as deployed, and an evaluation covers a model when it names that model. When model
    versions and deployments land, this is the one function to adapt."""
    passed = Evaluation.objects.filter(model=OuterRef("pk"), passed=True)
    qs = (
        AIModel.objects.filter(ai_system__lifecycle_stage__in=GATED_STAGES)
        .filter(**checks.in_systems(systems, "ai_system__management_system_id"))
        .annotate(evaluated=Exists(passed))
        .filter(evaluated=False)
        .select_related("ai_system")
        .order_by("ai_system__name", "name", "version")
    )
    return [
        checks.Finding(
            rule="model_deployed_without_evaluation",
            title=f"Model {m.name} {m.version} of {m.ai_system.name} is in service without a passing evaluation",
            detail=f"{m.ai_system.name} is in {m.ai_system.get_lifecycle_stage_display().lower()} and its model "
            f"{m.name} {m.version} has no evaluation that met its acceptance criterion. Record an evaluation "
            "of this model.",
            record_label=f"{m.ai_system.name}: {m.name} {m.version}",
            url=reverse("ai-evaluation-create", args=[m.ai_system.short_name]),
            management_system_id=m.ai_system.management_system_id,
        )
        for m in qs
    ]


def register() -> None:
    checks.register(
        checks.Rule(
            "model_deployed_without_evaluation",
            "Models deployed without an evaluation",
            "aisystems",
            models_without_evaluation,
            order=80,
        )
    )
