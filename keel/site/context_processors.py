from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keel import __version__
from keel.site.navigation import navigation


def keel(request: HttpRequest) -> dict[str, Any]:
    """Navigation and version for every page."""
    return {"keel_version": __version__, "nav": navigation(request)}
