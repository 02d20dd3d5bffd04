"""Read-side queries of the asset inventory and the classification scheme (fixed query counts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from keel.organisation import resolvers as organisation_resolvers
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, restrict

from .choices import AssetType
from .models import Asset, ClassificationLevel

ORDERS = {
    "ref_id": ("ref_id",),
    "-ref_id": ("-ref_id",),
    "name": ("name", "ref_id"),
    "classification": ("-classification__rank", "ref_id"),
}


def levels(include_retired: bool = True) -> QuerySet[ClassificationLevel]:
    qs = ClassificationLevel.objects.annotate(asset_count=Count("assets")).order_by("rank")
    return qs if include_retired else qs.filter(retired_at__isnull=True)


def level_for(ref: uuid.UUID | str) -> ClassificationLevel:
    qs = levels()
    try:
        found = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        found = qs.filter(key=str(ref)).first()
    if found is None:
        raise NotFound(f"No classification level {ref!r}: give its id or key.")
    return found


@dataclass
class AssetFilters:
    type: str = ""
    owner: str = ""
    management_system: str = ""
    classification: str = ""  # key
    q: str = ""
    retired: str = ""  # "" current only, "yes" retired only, "all"
    order: str = "ref_id"


def assets(user: User | None, f: AssetFilters | None = None) -> QuerySet[Asset]:
    f = f or AssetFilters()
    qs = Asset.objects.select_related("owner", "classification", "management_system").annotate(
        risk_count=Count("risks")
    )
    if user is not None:
        qs = restrict(qs, user, Perm.VIEW)
    if f.type:
        if f.type not in AssetType.values:
            raise ValidationFailed(
                f"type is one of: {', '.join(AssetType.values)}.", {"type": ["Unknown type."]}
            )
        qs = qs.filter(type=f.type)
    if f.owner:
        qs = qs.filter(owner__email__iexact=f.owner)
    if f.management_system:
        qs = qs.filter(
            management_system=organisation_resolvers.management_system(
                f.management_system, organisation_resolvers.TRUSTED if user is None else user
            )
        )
    if f.classification:
        qs = qs.filter(classification__key=f.classification)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(ref_id__icontains=f.q) | Q(description__icontains=f.q))
    if f.retired == "yes":
        qs = qs.filter(retired_at__isnull=False)
    elif f.retired != "all":
        qs = qs.filter(retired_at__isnull=True)
    if f.order not in ORDERS:
        raise ValidationFailed(f"order is one of: {', '.join(ORDERS)}.", {"order": ["Unknown order."]})
    return qs.order_by(*ORDERS[f.order])


def asset_for(user: User | None, ref: uuid.UUID | str) -> Asset:
    qs = assets(user, AssetFilters(retired="all"))
    try:
        found = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        found = qs.filter(ref_id=str(ref)).first()
    if found is None:
        raise NotFound(f"No asset {ref!r} that you may read: give its id or reference (e.g. AS-004).")
    return found
