"""What the risks app registers at start-up: the risks card of the asset page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

from keel.assets.models import Asset
from keel.organisation.resolvers import in_perimeter
from keel.platform import hooks
from keel.platform.models import User
from keel.platform.views.common import current_user

from .models import Risk, TreatmentAction
from .queries import RiskFilters, risks


def asset_panel(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    user = current_user(request)
    return {"asset": asset, "risks": list(risks(user, RiskFilters(status="all")).filter(asset=asset))}


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    """The risks ``person`` owns or is the delegate of, and the treatment actions they own,
    that ``viewer`` may see (the person page)."""
    qs = in_perimeter(Risk.objects.filter(Q(owner=person) | Q(delegate=person)), viewer).order_by("ref_id")
    out = [
        hooks.Owned(
            "Risks",
            r.ref_id,
            r.title,
            reverse("risk-detail", args=[r.ref_id]),
            "owner" if r.owner_id == person.pk else "delegate",
        )
        for r in qs
    ]
    actions = in_perimeter(
        TreatmentAction.objects.filter(owner=person).select_related("risk"), viewer, "risk__management_system"
    ).order_by("risk__ref_id", "title")
    out += [
        hooks.Owned(
            "Treatment actions",
            a.risk.ref_id,
            a.title,
            reverse("risk-detail", args=[a.risk.ref_id]),
            a.get_status_display(),
        )
        for a in actions
    ]
    return out


def register() -> None:
    hooks.register("person.owned", owned)
    hooks.register_panel("asset_detail", "risks/_asset_panel.html", asset_panel)
