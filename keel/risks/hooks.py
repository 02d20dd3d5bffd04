"""What the risks app registers at start-up: the risks card of the asset page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from keel.assets.models import Asset
from keel.platform import hooks
from keel.platform.views.common import current_user

from .queries import RiskFilters, risks


def asset_panel(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    user = current_user(request)
    return {"asset": asset, "risks": list(risks(user, RiskFilters(status="all")).filter(asset=asset))}


def register() -> None:
    hooks.register_panel("asset_detail", "risks/_asset_panel.html", asset_panel)
