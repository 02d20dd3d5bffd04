"""What the controls app registers at start-up: its card on the requirement page."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.urls import reverse

from keel.platform import hooks, trail
from keel.platform.models import User
from keel.platform.views.common import current_user
from keel.standards.models import Requirement

from .choices import ImplementationStatus
from .models import Control
from .queries import implemented_by, visible


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    return {"req": req, "implemented": implemented_by(req, current_user(request))}


def choices(kind: str) -> type[models.TextChoices] | None:
    return ImplementationStatus if kind == "control_status" else None


def _control_systems(control: Any) -> list[Any]:
    return list(control.management_systems.values_list("pk", flat=True))


def _link_systems(link: Any) -> list[Any]:
    return _control_systems(link.control)


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    """The controls ``person`` owns that ``viewer`` may see (the person page)."""
    qs = visible(Control.objects.filter(owner=person), viewer).order_by("ref_id")
    return [
        hooks.Owned(
            "Controls", c.ref_id, c.title, reverse("control-detail", args=[c.ref_id]), c.get_status_display()
        )
        for c in qs
    ]


def register() -> None:
    hooks.register("person.owned", owned)
    # The systems a trail entry concerns: a control belongs to several; a link concerns its
    # control's systems.
    trail.register_systems("controls.control", _control_systems)
    trail.register_systems("controls.controllink", _link_systems)
    hooks.register("choice_labels", choices)
    hooks.register_panel(
        "requirement_detail", "controls/_requirement_panel.html", requirement_panel, order=10
    )
