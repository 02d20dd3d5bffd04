"""API of the AI lifecycle: ``model-versions`` (with the datasets each was trained and evaluated
on), the deployment gate of a model version (``GET /ai-systems/{ref}/gate``, ``POST
/ai-systems/{ref}/deploy``) and ``ai-lifecycle-records``. Thin handlers over
:mod:`keel.aisystems.services` and :mod:`keel.aisystems.queries`, like :mod:`keel.aisystems.api`
(which mounts these routes)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation.resolvers import user_by_email as _user
from keel.platform.api import Page, actor, expected_version, paginate, permission, responses, with_etag
from keel.platform.api import payload_data as _data
from keel.platform.api import reject_nulls as _no_nulls
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import gates, queries, services
from .lifecycle_schemas import (
    DeployIn,
    GateFilters,
    GateOut,
    LifecycleRecordFilters,
    LifecycleRecordIn,
    LifecycleRecordOut,
    LifecycleRecordPatch,
    ModelVersionFilters,
    ModelVersionIn,
    ModelVersionOut,
    ModelVersionPatch,
    NoteIn,
)
from .models import LifecycleRecord, ModelVersion

versions = Router(tags=["ai systems"])
records = Router(tags=["ai systems"])


def add_lifecycle_routes(router: Router, systems: Router) -> None:
    """Mount the lifecycle routes: the gate on the AI-system router, the rest on ``router``."""
    systems.add_api_operation(
        "/{ref}/gate",
        ["GET"],
        ask_gate,
        response=responses(GateOut),
        openapi_extra=permission(Perm.VIEW),
        summary="Ask the deployment gate about one model version (nothing is changed)",
    )
    systems.add_api_operation(
        "/{ref}/deploy",
        ["POST"],
        deploy_version,
        response=responses(GateOut),
        openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
        summary="Deploy a model version through the gate (409 with the reasons when it is refused)",
    )
    router.add_router("/model-versions", versions)
    router.add_router("/ai-lifecycle-records", records)


# ---------------------------------------------------------------- the gate


def ask_gate(request: HttpRequest, ref: str, filters: Query[GateFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    system = queries.system_for(who.user, ref)
    version = services.find_model_version(system, filters.model_version)
    return gates.check(system, version).as_dict()


def deploy_version(request: HttpRequest, ref: str, payload: DeployIn) -> dict[str, Any]:
    who = actor(request)
    result = services.deploy_model_version(
        who, services.get_system(ref).pk, payload.model_version, payload.note
    )
    return result.as_dict()


# ---------------------------------------------------------------- model versions


@versions.get(
    "",
    response=responses(Page[ModelVersionOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List model versions, with the datasets each was trained and evaluated on",
)
def list_model_versions(request: HttpRequest, filters: Query[ModelVersionFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.VersionFilters, filters)
    return paginate(queries.model_versions(who.user, f), filters.limit, filters.offset)


@versions.get(
    "/{version_id}",
    response=responses(ModelVersionOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One model version",
)
def get_model_version(request: HttpRequest, version_id: uuid.UUID, response: HttpResponse) -> ModelVersion:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, queries.model_version_for(who.user, version_id))


@versions.post(
    "",
    response=responses(ModelVersionOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Add a version to a model (it starts in development; deploy it through the gate)",
)
def create_model_version(request: HttpRequest, payload: ModelVersionIn) -> Status[ModelVersion]:
    who = actor(request)
    data = _data(payload)
    model = data.pop("model")
    version = services.create_model_version(who, model, **data)
    return Status(201, queries.model_version_for(who.user, version.pk))


@versions.patch(
    "/{version_id}",
    response=responses(ModelVersionOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change a model version's label, notes or datasets (not its status: deploy or retire it)",
)
def update_model_version(
    request: HttpRequest, version_id: uuid.UUID, payload: ModelVersionPatch, response: HttpResponse
) -> ModelVersion:
    who = actor(request)
    data = _data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    _no_nulls(data, ("label",))
    for name in ("trained_on", "evaluated_on"):
        if name in data and data[name] is None:
            data[name] = []
    services.update_model_version(who, version_id, expected_version=version, **data)
    return with_etag(response, queries.model_version_for(who.user, version_id))


@versions.post(
    "/{version_id}/retire",
    response=responses(ModelVersionOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Retire a model version (take it out of service)",
)
def retire_model_version(request: HttpRequest, version_id: uuid.UUID, payload: NoteIn) -> ModelVersion:
    who = actor(request)
    services.retire_model_version(who, version_id, payload.note)
    return queries.model_version_for(who.user, version_id)


# ---------------------------------------------------------------- lifecycle records


@records.get(
    "",
    response=responses(Page[LifecycleRecordOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List AI lifecycle records (requirements, design, technical documentation, event logs, "
    "data preparation, information for users)",
)
def list_lifecycle_records(request: HttpRequest, filters: Query[LifecycleRecordFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.RecordFilters, filters)
    return paginate(queries.lifecycle_records(who.user, f), filters.limit, filters.offset)


@records.get(
    "/{record_id}",
    response=responses(LifecycleRecordOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One AI lifecycle record",
)
def get_lifecycle_record(
    request: HttpRequest, record_id: uuid.UUID, response: HttpResponse
) -> LifecycleRecord:
    who = actor(request)
    check(who, Perm.VIEW)
    return with_etag(response, queries.lifecycle_record_for(who.user, record_id))


@records.post(
    "",
    response=responses(LifecycleRecordOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Write an AI lifecycle record (a draft, linked to the 42001 control of its kind by default)",
)
def create_lifecycle_record(request: HttpRequest, payload: LifecycleRecordIn) -> Status[LifecycleRecord]:
    who = actor(request)
    data = _data(payload)
    data["owner"] = _user(data.pop("owner"))
    system = data.pop("ai_system")
    record = services.create_record(who, system, **data)
    return Status(201, queries.lifecycle_record_for(who.user, record.pk))


@records.patch(
    "/{record_id}",
    response=responses(LifecycleRecordOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change an AI lifecycle record (a new text makes a new draft revision)",
)
def update_lifecycle_record(
    request: HttpRequest, record_id: uuid.UUID, payload: LifecycleRecordPatch, response: HttpResponse
) -> LifecycleRecord:
    who = actor(request)
    data = _data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    _no_nulls(data, ("kind", "title", "body"))
    if "owner" in data:
        data["owner"] = _user(data["owner"])
    if "requirements" in data and data["requirements"] is None:
        data["requirements"] = []
    services.update_record(who, record_id, expected_version=version, **data)
    return with_etag(response, queries.lifecycle_record_for(who.user, record_id))


@records.post(
    "/{record_id}/approve",
    response=responses(LifecycleRecordOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Approve the current revision of an AI lifecycle record",
)
def approve_lifecycle_record(request: HttpRequest, record_id: uuid.UUID, payload: NoteIn) -> LifecycleRecord:
    who = actor(request)
    services.approve_record(who, record_id, payload.note)
    return queries.lifecycle_record_for(who.user, record_id)


@records.post(
    "/{record_id}/withdraw",
    response=responses(LifecycleRecordOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Withdraw an AI lifecycle record that no longer applies",
)
def withdraw_lifecycle_record(request: HttpRequest, record_id: uuid.UUID, payload: NoteIn) -> LifecycleRecord:
    who = actor(request)
    services.withdraw_record(who, record_id, payload.note)
    return queries.lifecycle_record_for(who.user, record_id)
