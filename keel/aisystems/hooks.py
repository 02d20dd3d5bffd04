"""What the AI-system app registers at start-up (AISystemsConfig.ready): approved lifecycle
records show on the requirement page of the 42001 controls they serve, as support beside the
evidence (keel.standards draws the panel without importing this app); and its consistency-check
rules — model versions deployed without a passing evaluation, operating-metric breaches nobody
has closed (docs/consistency-check.md); and the AI systems and datasets a person owns, for the
person page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from keel.organisation.resolvers import in_perimeter
from keel.platform import checks, hooks
from keel.platform.models import User
from keel.platform.views.common import current_user
from keel.standards.models import Requirement

from . import metric_queries, queries
from .models import AIModel, AISystem, Dataset


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    return {"req": req, "records": queries.records_supporting(req, current_user(request))}


def supplier_panel(request: HttpRequest, supplier: Any) -> dict[str, Any]:
    """What depends on a supplier: the AI systems, models and datasets that name it."""
    user = current_user(request)
    return {
        "supplier": supplier,
        "systems": list(in_perimeter(AISystem.objects.filter(supplier=supplier), user).order_by("name")),
        "models": list(
            in_perimeter(
                AIModel.objects.filter(supplier=supplier).select_related("ai_system"),
                user,
                "ai_system__management_system",
            ).order_by("ai_system__name", "name")
        ),
        "datasets": list(in_perimeter(Dataset.objects.filter(supplier=supplier), user).order_by("name")),
    }


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    systems = in_perimeter(AISystem.objects.filter(owner=person), viewer).order_by("name")
    datasets = in_perimeter(Dataset.objects.filter(owner=person), viewer).order_by("name")
    return [
        *(
            hooks.Owned(
                "AI systems",
                s.short_name,
                s.name,
                reverse("ai-system-detail", args=[s.short_name]),
                s.get_lifecycle_stage_display(),
            )
            for s in systems
        ),
        *(
            hooks.Owned("Datasets", d.short_name, d.name, reverse("dataset-detail", args=[d.short_name]))
            for d in datasets
        ),
    ]


def models_without_evaluation(systems: checks.Systems) -> list[checks.Finding]:
    """Model versions recorded as deployed whose evaluations do not pass the deployment gate
    (never evaluated, or the latest evaluation of a metric failed)."""
    out = []
    for version, problem in metric_queries.deployed_versions_without_passing_evaluation():
        system = version.model.ai_system
        if systems is not None and system.management_system_id not in systems:
            continue
        out.append(
            checks.Finding(
                rule="model_deployed_without_evaluation",
                title=f"Model {version.model.name} {version.label} of {system.name} is deployed without a passing evaluation",
                detail=f"{problem} Record an evaluation of this version that meets its acceptance criterion, "
                "or deploy a version that has one.",
                record_label=f"{system.name}: {version.model.name} {version.label}",
                url=reverse("ai-evaluation-create", args=[system.short_name]),
                management_system_id=system.management_system_id,
            )
        )
    return out


def open_breaches(systems: checks.Systems) -> list[checks.Finding]:
    """Operating-metric breach flags still open: a drift nobody has dealt with (until AI
    incidents exist, the flag itself is the finding)."""
    out = []
    for flag in metric_queries.open_breach_flags():
        system = flag.ai_system
        if systems is not None and system.management_system_id not in systems:
            continue
        out.append(
            checks.Finding(
                rule="metric_breach_open",
                title=f"{system.name}: the metric {flag.metric.name} breached its threshold and the flag is open",
                detail=f"Open since {flag.first_breach_at:%Y-%m-%d}, {flag.breach_count} breach(es), worst value "
                f"{flag.worst_value}. Investigate the drift, record what was done and close the flag.",
                record_label=f"{system.name}: {flag.metric.name}",
                url=reverse("ai-system-detail", args=[system.short_name]),
                management_system_id=system.management_system_id,
            )
        )
    return out


def register() -> None:
    hooks.register("person.owned", owned)
    hooks.register_panel(
        "requirement_detail", "aisystems/_requirement_panel.html", requirement_panel, order=40
    )
    hooks.register_panel("supplier_detail", "aisystems/_supplier_panel.html", supplier_panel, order=10)
    checks.register(
        checks.Rule(
            "model_deployed_without_evaluation",
            "Models deployed without an evaluation",
            "aisystems",
            models_without_evaluation,
            order=80,
        )
    )
    checks.register(
        checks.Rule(
            "metric_breach_open",
            "Operating-metric breaches not dealt with",
            "aisystems",
            open_breaches,
            order=85,
        )
    )
