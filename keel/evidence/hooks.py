"""What the evidence app registers at start-up: its card on the requirement page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keel.platform import hooks
from keel.platform.views.common import current_user
from keel.standards.models import Requirement

from .queries import for_requirement


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    return {"req": req, "evidence": for_requirement(req.pk, current_user(request))}


def register() -> None:
    hooks.register_panel(
        "requirement_detail", "evidence/_requirement_panel.html", requirement_panel, order=30
    )
