"""What the controls app registers at start-up: its card on the requirement page."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from keel.platform import hooks, trail
from keel.platform.views.common import current_user
from keel.standards.models import Requirement

from .choices import ImplementationStatus
from .queries import implemented_by


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    return {"req": req, "implemented": implemented_by(req, current_user(request))}


def choices(kind: str) -> type[models.TextChoices] | None:
    return ImplementationStatus if kind == "control_status" else None


def _control_systems(control: Any) -> list[Any]:
    return list(control.management_systems.values_list("pk", flat=True))


def _link_systems(link: Any) -> list[Any]:
    return _control_systems(link.control)


def register() -> None:
    # The systems a trail entry concerns: a control belongs to several; a link concerns its
    # control's systems.
    trail.register_systems("controls.control", _control_systems)
    trail.register_systems("controls.controllink", _link_systems)
    hooks.register("choice_labels", choices)
    hooks.register_panel(
        "requirement_detail", "controls/_requirement_panel.html", requirement_panel, order=10
    )
