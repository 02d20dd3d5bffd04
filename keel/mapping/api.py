"""API router of crosswalks: ``crosswalks`` (list, detail, create, CSV export) and
``crosswalk-relations`` (list with filters, detail, create, update, delete = withdraw).

Crosswalks are organisation-level records: anyone with a role reads them (``view``); changing
them needs ``edit_mappings`` at organisation level.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.platform.api import Page, actor, expected_version, paginate, permission, responses, set_etag
from keel.platform.api import enum_value as _value
from keel.platform.errors import Conflict
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import queries, services
from .csvio import export_csv
from .models import Crosswalk, CrosswalkRelation
from .schemas import CrosswalkIn, CrosswalkOut, RelationFilters, RelationIn, RelationOut, RelationPatch

router = Router()
crosswalks = Router(tags=["crosswalks"])
relations = Router(tags=["crosswalks"])


@crosswalks.get(
    "",
    response=responses(Page[CrosswalkOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List crosswalks with their relation counts and completeness",
)
def list_crosswalks(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    return paginate(queries.crosswalks(), limit, offset)


@crosswalks.get(
    "/{key}",
    response=responses(CrosswalkOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One crosswalk (its relations: GET /crosswalk-relations?crosswalk=KEY)",
)
def get_crosswalk(request: HttpRequest, key: str) -> Crosswalk:
    check(actor(request), Perm.VIEW)
    return queries.get_crosswalk(key)


@crosswalks.post(
    "",
    response=responses(CrosswalkOut, 201),
    openapi_extra=permission(Perm.EDIT_MAPPINGS),
    summary="Create an empty crosswalk between two loaded standards",
)
def create_crosswalk(request: HttpRequest, payload: CrosswalkIn) -> Status[Crosswalk]:
    cw = services.create_crosswalk(actor(request), **payload.model_dump())
    return Status(201, queries.get_crosswalk(cw.key))


@crosswalks.get(
    "/{key}/export",
    response=responses(None),
    openapi_extra={
        **permission(Perm.VIEW),
        "responses": {200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}},
    },
    summary="The crosswalk's live relations as CSV (source, target, relation, rationale, extension)",
)
def export_crosswalk(request: HttpRequest, key: str) -> HttpResponse:
    check(actor(request), Perm.VIEW)
    cw = services.get_crosswalk(key)
    response = HttpResponse(export_csv(cw), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cw.key}.csv"'
    return response


# ---------------------------------------------------------------- relations


@relations.get(
    "",
    response=responses(Page[RelationOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List crosswalk relations (filters: crosswalk, source, target, relation, q)",
)
def list_relations(request: HttpRequest, filters: Query[RelationFilters]) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    f = filters_of(queries.RelationFilters, filters)
    return paginate(queries.relations(f), filters.limit, filters.offset)


@relations.get(
    "/{relation_id}",
    response=responses(RelationOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One crosswalk relation",
)
def get_relation(request: HttpRequest, relation_id: uuid.UUID, response: HttpResponse) -> CrosswalkRelation:
    check(actor(request), Perm.VIEW)
    row = queries.get_relation(relation_id)
    set_etag(response, row)
    return row


@relations.post(
    "",
    response=responses(RelationOut, 201),
    openapi_extra=permission(Perm.EDIT_MAPPINGS),
    summary="Add a relation (a related entry replaces the target's not_related marker)",
)
def create_relation(request: HttpRequest, payload: RelationIn) -> Status[CrosswalkRelation]:
    who = actor(request)
    check(who, Perm.EDIT_MAPPINGS)
    cw = services.get_crosswalk(payload.crosswalk)
    if payload.source and payload.source.strip():
        src = payload.source.strip()
        src_key = src if src.startswith(f"{cw.source.key}:") else f"{cw.source.key}:{src}"
    else:
        src_key = None
    tgt = payload.target.strip()
    tgt_key = tgt if tgt.startswith(f"{cw.target.key}:") else f"{cw.target.key}:{tgt}"
    if (
        CrosswalkRelation.objects.filter(
            crosswalk=cw, source__key=src_key, target__key=tgt_key, withdrawn_at__isnull=True
        ).exists()
        if src_key
        else CrosswalkRelation.objects.filter(
            crosswalk=cw, source__isnull=True, target__key=tgt_key, withdrawn_at__isnull=True
        ).exists()
    ):
        raise Conflict(
            "This crosswalk already has a relation between these entries; change that relation instead."
        )
    row = services.save_relation(
        who, cw, src_key, tgt_key, _value(payload.relation), payload.rationale, payload.extension
    )
    return Status(201, queries.get_relation(row.pk))


@relations.patch(
    "/{relation_id}",
    response=responses(RelationOut),
    openapi_extra=permission(Perm.EDIT_MAPPINGS),
    summary="Change a relation's type, rationale or extension (a shipped one becomes 'edited')",
)
def update_relation(
    request: HttpRequest, relation_id: uuid.UUID, payload: RelationPatch, response: HttpResponse
) -> CrosswalkRelation:
    data = {k: _value(v) for k, v in payload.model_dump(exclude_unset=True).items()}
    version = expected_version(request, data.pop("version", None))
    services.update_relation(actor(request), relation_id, expected_version=version, **data)
    row = queries.get_relation(relation_id)
    set_etag(response, row)
    return row


@relations.delete(
    "/{relation_id}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_MAPPINGS),
    summary="Withdraw a relation (kept with withdrawn_at; reloading the data does not bring a shipped one back)",
)
def withdraw_relation(request: HttpRequest, relation_id: uuid.UUID) -> Status[None]:
    services.withdraw_relation(actor(request), relation_id)
    return Status(204, None)


router.add_router("/crosswalks", crosswalks)
router.add_router("/crosswalk-relations", relations)
