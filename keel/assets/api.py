"""API router of the asset inventory and the classification scheme: ``assets`` and
``classification-levels``. Neither is deleted: they are retired (they stay on the records that
name them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation.resolvers import user_by_email
from keel.platform.api import (
    Page,
    actor,
    expected_version,
    paginate,
    permission,
    reject_nulls,
    responses,
    with_etag,
)
from keel.platform.api import enum_value as _value
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import queries, services
from .models import Asset, ClassificationLevel
from .schemas import AssetFilters, AssetIn, AssetOut, AssetPatch, LevelIn, LevelOut, LevelPatch

router = Router()
levels = Router(tags=["assets"])
assets = Router(tags=["assets"])


def level_by_key(key: str | None) -> ClassificationLevel | None:
    if key is None or not key.strip():
        return None
    return services.get_level(key.strip())


@levels.get(
    "",
    response=responses(list[LevelOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="The classification scheme, least sensitive first",
)
def list_levels(request: HttpRequest) -> QuerySet[ClassificationLevel]:
    check(actor(request), Perm.VIEW)
    return queries.levels()


@levels.get(
    "/{ref}",
    response=responses(LevelOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One classification level",
)
def get_level(request: HttpRequest, ref: str, response: HttpResponse) -> ClassificationLevel:
    check(actor(request), Perm.VIEW)
    return with_etag(response, queries.level_for(ref))


@levels.post(
    "",
    response=responses(LevelOut, 201),
    openapi_extra=permission(Perm.EDIT_ASSETS),
    summary="Add a classification level (edit_assets over the organisation)",
)
def create_level(request: HttpRequest, payload: LevelIn) -> Status[ClassificationLevel]:
    level = services.create_level(actor(request), **payload.model_dump())
    return Status(201, queries.level_for(level.pk))


@levels.patch(
    "/{ref}",
    response=responses(LevelOut),
    openapi_extra=permission(Perm.EDIT_ASSETS),
    summary="Change a classification level (only the fields sent)",
)
def update_level(
    request: HttpRequest, ref: str, payload: LevelPatch, response: HttpResponse
) -> ClassificationLevel:
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    version = expected_version(request, data.pop("version", None))
    level = services.update_level(actor(request), ref, expected_version=version, **data)
    return with_etag(response, queries.level_for(level.pk))


@levels.post(
    "/{ref}/retire",
    response=responses(LevelOut),
    openapi_extra=permission(Perm.EDIT_ASSETS),
    summary="Retire a level: it stays on the assets that carry it",
)
def retire_level(request: HttpRequest, ref: str) -> ClassificationLevel:
    level = services.retire_level(actor(request), ref)
    return queries.level_for(level.pk)


@assets.get(
    "",
    response=responses(Page[AssetOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List assets (of the systems the caller may read)",
)
def list_assets(request: HttpRequest, filters: Query[AssetFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.AssetFilters, filters)
    return paginate(queries.assets(who.user, f), filters.limit, filters.offset)


@assets.get(
    "/{ref}",
    response=responses(AssetOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One asset by id or reference",
)
def get_asset(request: HttpRequest, ref: str, response: HttpResponse) -> Asset:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, queries.asset_for(who.user, ref))


@assets.post(
    "",
    response=responses(AssetOut, 201),
    openapi_extra=permission(Perm.EDIT_ASSETS),
    summary="Create an asset (edit_assets over its management system)",
)
def create_asset(request: HttpRequest, payload: AssetIn) -> Status[Asset]:
    who = actor(request)
    data = {k: _value(v) for k, v in payload.model_dump().items()}
    data["owner"] = user_by_email(data.pop("owner"))
    data["classification"] = level_by_key(data.pop("classification"))
    ms = data.pop("management_system")
    if data.get("ref_id") is None:
        data.pop("ref_id")
    asset = services.create_asset(who, management_system=ms, **data)
    return Status(201, queries.asset_for(None, asset.pk))


@assets.patch(
    "/{ref}",
    response=responses(AssetOut),
    openapi_extra=permission(Perm.EDIT_ASSETS),
    summary="Change an asset (only the fields sent)",
)
def update_asset(request: HttpRequest, ref: str, payload: AssetPatch, response: HttpResponse) -> Asset:
    who = actor(request)
    data = {k: _value(v) for k, v in payload.model_dump(exclude_unset=True).items()}
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("name", "type", "ref_id", "management_system"))
    if "owner" in data:
        data["owner"] = user_by_email(data["owner"])
    if "classification" in data:
        data["classification"] = level_by_key(data["classification"])
    for name in ("description", "location"):
        if name in data and data[name] is None:
            data[name] = ""
    asset = services.update_asset(who, services.get_asset(ref).pk, expected_version=version, **data)
    return with_etag(response, queries.asset_for(None, asset.pk))


@assets.post(
    "/{ref}/retire",
    response=responses(AssetOut),
    openapi_extra=permission(Perm.EDIT_ASSETS),
    summary="Retire an asset (it stays on the risks that name it)",
)
def retire_asset(request: HttpRequest, ref: str) -> Asset:
    asset = services.retire_asset(actor(request), ref)
    return queries.asset_for(None, asset.pk)


router.add_router("/classification-levels", levels)
router.add_router("/assets", assets)
