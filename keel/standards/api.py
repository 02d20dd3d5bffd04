"""API router of the standards library: ``standards`` and ``requirements`` (read-only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from keel.platform.api import Page, actor, paginate, permission, responses
from keel.platform.errors import ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check
from keel.standards.records import standards_by_key

from . import queries
from .models import Requirement
from .schemas import (
    REQUIREMENT_ORDER,
    RequirementDetailOut,
    RequirementFilters,
    RequirementOut,
    StandardDetailOut,
    StandardOut,
)

router = Router(tags=["standards"])


@router.get(
    "/standards",
    response=responses(list[StandardOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List the loaded standards with their entry counts by kind",
)
def list_standards(request: HttpRequest) -> list[dict[str, Any]]:
    check(actor(request), Perm.VIEW)
    return queries.standards_with_counts()


@router.get(
    "/standards/{key}",
    response=responses(StandardDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One standard by key, e.g. iso27001:2022",
)
def get_standard(request: HttpRequest, key: str) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    std = queries.get_standard(key)
    row = next(r for r in queries.standards_with_counts() if r["key"] == std.key)
    return {
        **row,
        "publisher": std.publisher,
        "description": std.description,
        "amendment_details": list(std.amendments),
    }


@router.get(
    "/requirements",
    response=responses(Page[RequirementOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List the entries of the standards (clauses, controls, objectives, Annex C items)",
)
def list_requirements(request: HttpRequest, filters: Query[RequirementFilters]) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    f = filters_of(queries.RequirementFilters, filters)
    if f.standard:
        standards_by_key([f.standard], field="standard")
    if f.parent and not Requirement.objects.filter(key=f.parent).exists():
        raise ValidationFailed(
            f"No requirement with key {f.parent!r} to use as parent.",
            {"parent": ["Unknown requirement key."]},
        )
    qs = queries.requirements(
        standard=f.standard or None,
        kind=f.kind or None,
        parent=f.parent or None,
        text=f.text or f.q or None,
        include_withdrawn=bool(f.include_withdrawn),
    )
    qs = qs.order_by(*REQUIREMENT_ORDER[f.order])
    return paginate(qs, filters.limit, filters.offset)


@router.get(
    "/requirements/{key}",
    response=responses(RequirementDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One entry by key, e.g. iso42001:2023:A.6.2.4, with its guidance",
)
def get_requirement(request: HttpRequest, key: str) -> Requirement:
    check(actor(request), Perm.VIEW)
    req = queries.get_requirement(key)
    req.children_keys = list(  # type: ignore[attr-defined]
        req.children.filter(withdrawn_at__isnull=True).order_by("sort_order").values_list("key", flat=True)
    )
    return req
