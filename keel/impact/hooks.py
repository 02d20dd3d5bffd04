"""What the impact app registers at start-up (ImpactConfig.ready): the AI system services
announce changes and ask the gate; impact answers without aisystems importing impact."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse

from keel.aisystems.gates import GATED_STAGES
from keel.aisystems.models import AISystem
from keel.platform import checks, hooks
from keel.platform.actor import Actor
from keel.work import reminders

from . import due, queries, services
from .choices import AssessmentStatus
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


# ---------------------------------------------------------------- consistency-check rules


def in_service_without_assessment(systems: checks.Systems) -> list[checks.Finding]:
    """AI systems in deployment or operation with no approved impact assessment in force."""
    approved = ImpactAssessment.objects.filter(ai_system=OuterRef("pk"), status=AssessmentStatus.APPROVED)
    draft = ImpactAssessment.objects.filter(ai_system=OuterRef("pk"), status=AssessmentStatus.DRAFT)
    qs = (
        AISystem.objects.filter(lifecycle_stage__in=GATED_STAGES, **checks.in_systems(systems))
        .annotate(
            approved=Exists(approved),
            draft_id=Subquery(draft.order_by("-version").values("pk")[:1]),
        )
        .filter(approved=False)
        .order_by("name")
    )
    out = []
    for s in qs:
        stage = s.get_lifecycle_stage_display().lower()
        if s.draft_id:
            url = reverse("impact-assessment-detail", args=[s.draft_id])
            fix = "Its assessment is still a draft: complete it and have it approved."
        else:
            url = reverse("impact-assessment-start", args=[s.short_name])
            fix = "Start its impact assessment and have it approved."
        out.append(
            checks.Finding(
                rule="ai_system_without_impact_assessment",
                title=f"{s.name} is in {stage} without an approved impact assessment",
                detail=f"{s.name} ({s.short_name}) affects people in {stage}, and ISO/IEC 42001 6.1.4 and "
                f"8.4 ask for its impact assessment. {fix}",
                record_label=s.name,
                url=url,
                management_system_id=s.management_system_id,
            )
        )
    return out


def assessments_due(systems: checks.Systems) -> list[checks.Finding]:
    """Approved impact assessments due for re-assessment (a trigger fired or the planned
    interval elapsed)."""
    qs = (
        ImpactAssessment.objects.filter(queries.due_q())
        .filter(**checks.in_systems(systems, "ai_system__management_system_id"))
        .select_related("ai_system")
        .order_by("ai_system__name", "-version")
    )
    out = []
    for a in qs:
        state = services.due_state(a)
        out.append(
            checks.Finding(
                rule="impact_assessment_due",
                title=f"The impact assessment of {a.ai_system.name} (version {a.version}) is due for re-assessment",
                detail=f"Due because: {state.reason or 'a change called for it'}. Start a re-assessment from the "
                "assessment page and have it approved.",
                record_label=f"{a.ai_system.name}: impact assessment version {a.version}",
                url=reverse("impact-assessment-detail", args=[a.pk]),
                management_system_id=a.ai_system.management_system_id,
            )
        )
    return out


def register() -> None:
    reminders.register("impact_reassessment", due.reassessments_due)
    hooks.register("aisystem.changed", on_aisystem_changed)
    hooks.register("aisystem.gate_problem", gate_problem)
    hooks.register("aisystem.annotate_systems", annotate_systems)
    hooks.register_panel("aisystem_detail", "impact/_aisystem_panel.html", aisystem_panel)
    checks.register(
        checks.Rule(
            "ai_system_without_impact_assessment",
            "AI systems in service without an approved impact assessment",
            "impact",
            in_service_without_assessment,
            order=10,
        )
    )
    checks.register(
        checks.Rule(
            "impact_assessment_due",
            "Impact assessments due for re-assessment",
            "impact",
            assessments_due,
            order=70,
        )
    )
