"""What the AI-system app registers at start-up (AISystemsConfig.ready): approved lifecycle
records show on the requirement page of the 42001 controls they serve, as support beside the
evidence (keel.standards draws the panel without importing this app)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keel.platform import hooks
from keel.platform.views.common import current_user
from keel.standards.models import Requirement

from . import queries


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    return {"req": req, "records": queries.records_supporting(req, current_user(request))}


def register() -> None:
    hooks.register_panel(
        "requirement_detail", "aisystems/_requirement_panel.html", requirement_panel, order=40
    )
