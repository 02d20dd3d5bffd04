"""The JSON API of keel.changes: ``/changes`` (list, filter, get, create, update), the workflow
actions (``submit``, ``approve``, ``reject``, ``implement``, ``close``) and ``/changes/{ref}/gate``,
the answer a deployment pipeline asks for (the same as ``keel change gate``)."""

# no "from __future__ import annotations": _action builds handlers whose body type is a local variable

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.platform.api import (
    Page,
    actor,
    expected_version,
    paginate,
    payload_data,
    permission,
    responses,
    with_etag,
)
from keel.platform.errors import ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import gates, queries, services
from .schemas import (
    ChangeDecisionIn,
    ChangeGateAnswer,
    ChangeIn,
    ChangeListFilters,
    ChangeOut,
    ChangePatch,
    ChangeStepIn,
)

router = Router(tags=["changes"])
changes_router = Router(tags=["changes"])


def _read(request: HttpRequest, ref: Any) -> Any:
    return queries.change_for(actor(request).user, ref)


@changes_router.get(
    "", response=responses(Page[ChangeOut]), openapi_extra=permission(Perm.VIEW), summary="List changes"
)
def list_changes(request: HttpRequest, filters: Query[ChangeListFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.ChangeFilters, filters)
    return paginate(queries.changes(who.user, f), filters.limit, filters.offset)


@changes_router.post(
    "",
    response=responses(ChangeOut, 201),
    openapi_extra=permission(Perm.EDIT_CHANGES),
    summary="Draft a change (information system, model lifecycle or management system)",
)
def create_change(request: HttpRequest, payload: ChangeIn) -> Status[Any]:
    data = payload_data(payload)
    data = {k: v for k, v in data.items() if v is not None and not (k in ("requester", "owner") and v == "")}
    change = services.create(actor(request), **data)
    return Status(201, queries.change_for(None, change.pk))


@changes_router.get(
    "/{ref}", response=responses(ChangeOut), openapi_extra=permission(Perm.VIEW), summary="One change"
)
def get_change(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    check(actor(request), Perm.VIEW)
    return with_etag(response, _read(request, ref))


@changes_router.patch(
    "/{ref}",
    response=responses(ChangeOut),
    openapi_extra=permission(Perm.EDIT_CHANGES),
    summary="Change a draft or submitted change",
)
def update_change(request: HttpRequest, ref: str, payload: ChangePatch, response: HttpResponse) -> Any:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    for name in ("title", "kind", "requester", "owner"):
        if name in data and not data[name]:
            raise ValidationFailed(f"{name} cannot be empty.", {name: ["Required."]})
    for name in (
        "description",
        "risk_notes",
        "test_plan",
        "rollback_plan",
        "purpose",
        "consequences",
        "resources",
        "responsibilities",
    ):
        if name in data and data[name] is None:
            data[name] = ""
    change = services.update(actor(request), services.get(ref).pk, expected_version=version, **data)
    return with_etag(response, queries.change_for(None, change.pk))


@changes_router.get(
    "/{ref}/gate",
    response=responses(ChangeGateAnswer),
    openapi_extra=permission(Perm.VIEW),
    summary="May this change go ahead? approved is true only for an approved or implemented change; every gate answered",
)
def change_gate(request: HttpRequest, ref: str) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    return gates.answer(_read(request, ref)).as_dict()


def _action(name: str, perm: str, summary: str, body: Any, call: Any) -> None:
    @changes_router.post(
        f"/{{ref}}/{name}",
        response=responses(ChangeOut),
        openapi_extra=permission(perm),
        summary=summary,
        operation_id=f"change_{name}",
    )
    def act(request: HttpRequest, ref: str, payload: body) -> Any:
        change = call(actor(request), services.get(ref).pk, payload.note)
        return queries.change_for(None, change.pk)


_action(
    "submit",
    Perm.EDIT_CHANGES,
    "Submit a draft change for approval",
    ChangeStepIn,
    lambda a, pk, note: services.submit(a, pk),
)
_action(
    "approve",
    Perm.APPROVE_CHANGES,
    "Approve a submitted change: refused, naming every missing gate, unless all hold; not by its requester",
    ChangeDecisionIn,
    services.approve,
)
_action(
    "reject",
    Perm.APPROVE_CHANGES,
    "Reject a submitted change, with the reason",
    ChangeDecisionIn,
    services.reject,
)
_action(
    "implement",
    Perm.EDIT_CHANGES,
    "Record that an approved change was implemented",
    ChangeStepIn,
    services.implement,
)
_action(
    "close",
    Perm.EDIT_CHANGES,
    "Close an implemented change with its post-implementation review",
    ChangeStepIn,
    services.close,
)

router.add_router("/changes", changes_router)
