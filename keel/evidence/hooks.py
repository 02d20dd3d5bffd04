"""What the evidence app registers at start-up: its card on the requirement page."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.urls import reverse

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform import hooks, trail
from keel.platform.models import User
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import current_user
from keel.standards.models import Requirement

from .choices import Validity
from .models import Evidence
from .queries import for_control, for_requirement, visible


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    return {"req": req, "evidence": for_requirement(req.pk, current_user(request))}


def choices(kind: str) -> type[models.TextChoices] | None:
    return Validity if kind == "evidence_validity" else None


def control_panel(request: HttpRequest, control: Control) -> dict[str, Any]:
    user = current_user(request)
    return {
        "control": control,
        "evidence": for_control(control, user),
        "can_add_evidence": system_ids_with(user, Perm.EDIT_EVIDENCE) != set(),
    }


def _evidence_systems(evidence: Any) -> set[Any]:
    """The systems the evidence names and those of every control it is linked to."""
    own = set(evidence.management_systems.values_list("pk", flat=True))
    via_controls = ManagementSystem.objects.filter(controls__evidence_links__evidence=evidence)
    return own | set(via_controls.values_list("pk", flat=True))


def _of_evidence(record: Any) -> set[Any]:
    return _evidence_systems(record.evidence)


def _control_link_systems(link: Any) -> set[Any]:
    return _evidence_systems(link.evidence) | set(
        link.control.management_systems.values_list("pk", flat=True)
    )


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    """The evidence ``person`` owns that ``viewer`` may see (the person page)."""
    qs = visible(Evidence.objects.filter(owner=person), viewer).order_by("ref_id")
    return [
        hooks.Owned(
            "Evidence", e.ref_id, e.title, reverse("evidence-detail", args=[e.ref_id]), e.get_status_display()
        )
        for e in qs
    ]


def register() -> None:
    hooks.register("person.owned", owned)
    # The systems a trail entry concerns (docs/audit-trail.md).
    trail.register_systems("evidence.evidence", _evidence_systems)
    trail.register_systems("evidence.evidenceversion", _of_evidence)
    trail.register_systems("evidence.evidencecontrol", _control_link_systems)
    trail.register_systems("evidence.evidencerequirement", _of_evidence)
    hooks.register_panel("control_detail", "evidence/_control_panel.html", control_panel)
    hooks.register("choice_labels", choices)
    hooks.register_panel(
        "requirement_detail", "evidence/_requirement_panel.html", requirement_panel, order=30
    )
