"""What the mapping app registers at start-up: its card on the requirement page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keel.platform import hooks
from keel.standards.models import Requirement

from .queries import related_for


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    return {"req": req, "related": related_for(req)}


def register() -> None:
    hooks.register_panel("requirement_detail", "mapping/_requirement_panel.html", requirement_panel, order=20)
