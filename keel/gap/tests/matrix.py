"""How the permission matrix calls the gap analysis: everything targets management system A
(both standards); the CLI analyses the system the user holds a role over."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keel.controls.models import Control, ControlLink
from keel.gap.models import CoverageDecision, ScopeConfirmation
from keel.organisation.models import ManagementSystem
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


SCOPE_CLAUSE = "iso42001:2023:9.2.2"


def audit_control(ms: ManagementSystem) -> Control:
    """An ISMS internal audit programme of ``ms``, linked to 27001 9.2.2 (written directly)."""
    control, made = Control.objects.get_or_create(
        ref_id=f"KM-{ms.short_name[:20]}",
        defaults={"title": "Internal audit programme", "status": "implemented"},
    )
    if made:
        control.management_systems.add(ms)
        ControlLink.objects.create(
            control=control, requirement=Requirement.objects.get(key="iso27001:2022:9.2.2"), coverage="full"
        )
    return control


def scope_form(world: Any, user: User | None) -> dict[str, Any]:
    return {"control": audit_control(world.a).ref_id, "note": "The audit programme names the AIMS."}


def scope_body(world: Any, user: User | None) -> dict[str, Any]:
    return {
        "management_system": world.a.short_name,
        "control": audit_control(world.a).ref_id,
        "requirement": SCOPE_CLAUSE,
        "note": "The audit programme names the AIMS.",
    }


def existing_scope(world: Any, user: User | None) -> dict[str, Any]:
    """A scope confirmation on A to remove (written directly)."""
    ScopeConfirmation.objects.get_or_create(
        management_system=world.a,
        control=audit_control(world.a),
        requirement=Requirement.objects.get(key=SCOPE_CLAUSE),
        defaults={"note": "Matrix.", "confirmed_at": timezone.now()},
    )
    return {}


def scope_query(world: Any) -> str:
    return f"management_system=sys-a&control=KM-{world.a.short_name[:20]}&requirement={SCOPE_CLAUSE}"


def cli_scope_argv(world: Any, user: User | None) -> list[str]:
    argv = cli_argv(world, user)
    ms = ManagementSystem.objects.get(short_name=argv[argv.index("--management-system") + 1])
    control = audit_control(ms)
    return [
        *argv,
        "--confirm-scope",
        f"{control.ref_id}:9.2.2",
        "--scope-note",
        "The audit programme names the AIMS.",
    ]
