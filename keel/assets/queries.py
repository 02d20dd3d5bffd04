"""Read-side queries of the asset inventory and the classification scheme (fixed query counts)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet

from keel.organisation import options
from keel.organisation import resolvers as organisation_resolvers
from keel.platform import filters
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


def level_choices(include_retired: bool = False) -> list[tuple[str, str]]:
    qs = ClassificationLevel.objects.order_by("rank")
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return list(qs.values_list("key", "name"))


def _every_level(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return level_choices(True)


@dataclass
class AssetFilters:
    """The filters of the asset inventory: its API parameters and its page form (issue 10)."""

    type: str = filters.choice(AssetType, any="Any type")
    owner: str = filters.reference(any="Anyone", options=options.owners, help="The owner's email.")
    management_system: str = filters.reference(
        label="Management system",
        any="Any system",
        options=options.systems_of_user,
        invalid_choice=organisation_resolvers.UNKNOWN_SYSTEM,
        help="Short name.",
    )
    classification: str = filters.reference(
        any="Any classification", options=_every_level, help="A level's key."
    )
    q: str = filters.text(label="Search", max_length=100)
    # "" current only, "yes" retired only, "all"
    retired: str = filters.choice(
        [("yes", "Retired"), ("all", "All")],
        any="Current",
        api_type=Literal["", "yes", "all"],
        api_default="",
        help="Empty: current assets; yes: retired; all.",
    )
    # the sort order chosen by clicking a column header, kept when the filters change
    order: str = filters.choice([(k, k) for k in ORDERS], default="ref_id", hidden=True)


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
