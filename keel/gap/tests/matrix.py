"""How the permission matrix calls the gap analysis: everything targets management system A
(both standards); the CLI analyses the system the user holds a role over."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keel.gap.models import CoverageDecision
from keel.platform.models import User
from keel.standards.models import Requirement

TARGET = "iso42001:2023"
REQUIREMENT = "iso42001:2023:A.7.4"


def page_requirement(world: Any, user: User | None) -> dict[str, Any]:
    return {"ms_id": world.a.pk, "key": REQUIREMENT}


def page_system(world: Any, user: User | None) -> dict[str, Any]:
    return {"ms_id": world.a.pk}


def decide_form(world: Any, user: User | None) -> dict[str, Any]:
    return {"status": "partial", "reason": "Checked by hand."}


def draft_form(world: Any, user: User | None) -> dict[str, Any]:
    return {"target": TARGET}


def query(world: Any) -> str:
    return f"target={TARGET}&management_system={world.a.short_name}"


def decision_body(world: Any, user: User | None) -> dict[str, Any]:
    return {
        "management_system": world.a.short_name,
        "requirement": REQUIREMENT,
        "status": "gap",
        "reason": "No AI.",
    }


def existing_decision(world: Any, user: User | None) -> dict[str, Any]:
    """A decision on A to remove (written directly)."""
    CoverageDecision.objects.get_or_create(
        management_system=world.a,
        requirement=Requirement.objects.get(key=REQUIREMENT),
        defaults={"confirmed_status": "gap", "reason": "Matrix.", "decided_at": timezone.now()},
    )
    return {}


def draft_body(world: Any, user: User | None) -> dict[str, Any]:
    return {"target": TARGET, "management_system": world.a.short_name}


def cli_argv(world: Any, user: User | None) -> list[str]:
    assignment = user.role_assignments.select_related("management_system").first() if user else None
    ms = assignment.management_system if assignment and assignment.management_system else world.a
    return ["gap", "--target", TARGET, "--management-system", ms.short_name, "--format", "json"]
