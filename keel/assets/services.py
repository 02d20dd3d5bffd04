"""Write-side services of the asset inventory and the classification scheme: one transaction
each, each records its trail entry. Levels and assets are retired, not deleted, once in use."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, likely_next_ref, next_ref
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean

from .models import Asset, ClassificationLevel

LEVEL_FIELDS = (
    "key",
    "name",
    "rank",
    "description",
    "handling",
    "retention",
    "disposal",
    "ai_training_allowed",
    "ai_evaluation_allowed",
    "licence_scope",
    "training_data_deletion",
)
ASSET_FIELDS = ("ref_id", "name", "description", "type", "owner", "classification", "location")


# ---------------------------------------------------------------- classification levels


def get_level(ref: uuid.UUID | str, lock: bool = False) -> ClassificationLevel:
    qs = ClassificationLevel.objects.select_for_update() if lock else ClassificationLevel.objects.all()
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, ClassificationLevel.DoesNotExist):
        pass
    level = qs.filter(key=str(ref)).first()
    if level is None:
        raise NotFound(f"No classification level {ref!r}: give its id or key (e.g. confidential).")
    return level


def create_level(actor: Actor, **data: Any) -> ClassificationLevel:
    check(actor, Perm.EDIT_ASSETS)
    with transaction.atomic():
        level = ClassificationLevel()
        apply_fields(level, data, LEVEL_FIELDS)
        clean(level, "classification level")
        try:
            with transaction.atomic():  # a concurrent create with the same key or rank: a conflict
                level.save()
        except IntegrityError:
            raise Conflict(
                f"A classification level with the key {level.key!r} or the rank {level.rank} was created "
                "just now by someone else: keys and ranks are unique. Nothing was saved.",
                {"key": ["Already used."], "rank": ["Already used."]},
            ) from None
        trail.record(
            actor, TrailAction.CREATE, level, changes=trail.diff({}, trail.snapshot(level, LEVEL_FIELDS))
        )
    return level


def update_level(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> ClassificationLevel:
    check(actor, Perm.EDIT_ASSETS)
    with transaction.atomic():
        level = get_level(ref, lock=True)
        check_version(level, expected_version, f"The classification level {level.name}")
        before = trail.snapshot(level, LEVEL_FIELDS)
        apply_fields(level, data, LEVEL_FIELDS)
        clean(level, "classification level")
        level.save()
        changes = trail.diff(before, trail.snapshot(level, LEVEL_FIELDS))
        if changes:
            trail.record(actor, TrailAction.UPDATE, level, changes=changes)
    return level


def retire_level(actor: Actor, ref: uuid.UUID | str) -> ClassificationLevel:
    """Retire a level: it stays on the assets that carry it but cannot be chosen any more."""
    check(actor, Perm.EDIT_ASSETS)
    with transaction.atomic():
        level = get_level(ref, lock=True)
        if level.retired_at is None:
            level.retired_at = timezone.now()
            level.save(update_fields=["retired_at", "updated_at"])
            trail.record(
                actor,
                TrailAction.UPDATE,
                level,
                changes={"retired_at": [None, trail.json_value(level.retired_at)]},
            )
    return level


# ---------------------------------------------------------------- assets


def next_ref_id() -> str:
    """Reserve the next ``AS-nnn`` (inside the service's transaction; concurrent creates queue)."""
    return next_ref(Asset, "AS-")


def likely_next_ref_id() -> str:
    """The ``AS-nnn`` a new asset would probably get: for a form's placeholder or a dry run."""
    return likely_next_ref(Asset, "AS-")


def get_asset(ref: uuid.UUID | str, lock: bool = False) -> Asset:
    qs = Asset.objects.select_related("owner", "classification", "management_system")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, Asset.DoesNotExist):
        pass
    asset = qs.filter(ref_id=str(ref)).first()
    if asset is None:
        raise NotFound(f"No asset {ref!r}: give its id or reference (e.g. AS-004).")
    return asset


def _check_level(asset: Asset, before: ClassificationLevel | None = None) -> None:
    level = asset.classification
    if level is not None and level.retired_at is not None and level != before:
        raise ValidationFailed(
            f"The classification level {level.name} is retired: choose a current level.",
            {"classification": ["Retired level."]},
        )


def _fields() -> tuple[str, ...]:
    return (*ASSET_FIELDS, "management_system", "retired_at")


def create_asset(
    actor: Actor, *, management_system: uuid.UUID | str | ManagementSystem, **data: Any
) -> Asset:
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_ASSETS, ms)
    with transaction.atomic():
        asset = Asset(management_system=ms)
        if not data.get("ref_id"):
            data["ref_id"] = next_ref_id()
        apply_fields(asset, data, ASSET_FIELDS)
        _check_level(asset)
        clean(asset, "asset")
        asset.save()
        trail.record(
            actor, TrailAction.CREATE, asset, changes=trail.diff({}, trail.snapshot(asset, _fields()))
        )
    return asset


def update_asset(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    management_system: uuid.UUID | str | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> Asset:
    with transaction.atomic():
        asset = get_asset(ref, lock=True)
        check(actor, Perm.EDIT_ASSETS, asset.management_system)
        check_version(asset, expected_version, asset.ref_id)
        before = trail.snapshot(asset, _fields())
        old_level = asset.classification
        apply_fields(asset, data, ASSET_FIELDS)
        if management_system is not None:
            ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
            check(actor, Perm.EDIT_ASSETS, ms)
            asset.management_system = ms
        _check_level(asset, old_level)
        clean(asset, "asset")
        asset.save()
        changes = trail.diff(before, trail.snapshot(asset, _fields()))
        if changes:
            trail.record(actor, TrailAction.UPDATE, asset, changes=changes)
    return asset


def retire_asset(actor: Actor, ref: uuid.UUID | str) -> Asset:
    """Retire an asset (it stays on the risks that name it and in the trail)."""
    with transaction.atomic():
        asset = get_asset(ref, lock=True)
        check(actor, Perm.EDIT_ASSETS, asset.management_system)
        if asset.retired_at is not None:
            raise Conflict(f"{asset.ref_id} is already retired.")
        asset.retired_at = timezone.now()
        asset.save(update_fields=["retired_at", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            asset,
            changes={"retired_at": [None, trail.json_value(asset.retired_at)]},
        )
    return asset
