"""The JSON API of keel.improvement: ``/nonconformities`` and ``/corrective-actions``
(docs/improvement.md). Thin handlers: read with :mod:`keel.improvement.queries` (narrowed to the
caller's perimeter) or call the same services as the pages and the CLI; every step of a
nonconformity is a POST (``/nonconformities/{ref}/close``…)."""

from __future__ import annotations

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
    reject_nulls,
    responses,
    with_etag,
)
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import actions, queries, services
from .models import CorrectiveAction, Nonconformity
from .schemas import (
    CorrectionIn,
    CorrectiveActionCreateIn,
    CorrectiveActionDoneIn,
    CorrectiveActionFilters,
    CorrectiveActionIn,
    CorrectiveActionOut,
    CorrectiveActionPatch,
    CorrectiveActionReopenIn,
    EffectivenessCheckOut,
    EffectivenessIn,
    NonconformityCloseIn,
    NonconformityFilters,
    NonconformityIn,
    NonconformityOut,
    NonconformityPatch,
    NonconformitySummaryOut,
    RootCauseIn,
)

router = Router(tags=["improvement"])


def _nc(request: HttpRequest, ref: Any, response: HttpResponse | None = None) -> Nonconformity:
    nc = queries.nonconformity_for(actor(request).user, ref)
    return with_etag(response, nc) if response is not None else nc


def _ca(request: HttpRequest, ref: Any, response: HttpResponse | None = None) -> CorrectiveAction:
    ca = queries.action_for(actor(request).user, ref)
    return with_etag(response, ca) if response is not None else ca


# ---------------------------------------------------------------- nonconformities


@router.get(
    "/nonconformities",
    response=responses(Page[NonconformityOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List nonconformities (the one queue for both standards)",
)
def list_nonconformities(request: HttpRequest, filters: Query[NonconformityFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.NonconformityFilters, filters)
    return paginate(queries.nonconformity_list(who.user, f), filters.limit, filters.offset)


@router.post(
    "/nonconformities",
    response=responses(NonconformityOut, 201),
    openapi_extra=permission(Perm.RAISE_NONCONFORMITIES),
    summary="Raise a nonconformity",
)
def raise_nonconformity(
    request: HttpRequest, payload: NonconformityIn, response: HttpResponse
) -> Status[Nonconformity]:
    data = payload_data(payload)
    nc = services.raise_nonconformity(actor(request), organisation=None, **data)
    return Status(201, _nc(request, nc.pk, response))


@router.get(
    "/nonconformities/{ref}",
    response=responses(NonconformityOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One nonconformity with its actions and effectiveness checks",
)
def get_nonconformity(request: HttpRequest, ref: str, response: HttpResponse) -> Nonconformity:
    check(actor(request), Perm.VIEW)
    return _nc(request, ref, response)


@router.patch(
    "/nonconformities/{ref}",
    response=responses(NonconformityOut),
    openapi_extra=permission(Perm.MANAGE_NONCONFORMITIES),
    summary="Change a nonconformity's description and links (not its steps)",
)
def update_nonconformity(
    request: HttpRequest, ref: str, payload: NonconformityPatch, response: HttpResponse
) -> Nonconformity:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("title", "description", "source", "kind", "raised_on"))
    for name in ("source_ref", "source_url"):
        if name in data and data[name] is None:
            data[name] = ""
    for name in ("management_systems", "requirements", "controls"):
        if name in data and data[name] is None:
            data[name] = []
    nc = services.update_nonconformity(actor(request), _nc(request, ref).pk, expected_version=version, **data)
    return _nc(request, nc.pk, response)


@router.get(
    "/nonconformities/{ref}/recurrence-candidates",
    response=responses(list[NonconformitySummaryOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="Earlier nonconformities (12 months) naming one of its requirements or controls",
)
def nonconformity_recurrence_candidates(request: HttpRequest, ref: str) -> list[Nonconformity]:
    who = actor(request)
    check(who, Perm.VIEW)
    return queries.recurrence_candidates(_nc(request, ref), who.user)


def _step(request: HttpRequest, ref: str, response: HttpResponse, fn: Any, payload: Any) -> Nonconformity:
    data = payload_data(payload)
    version = expected_version(request, data.pop("version", None))
    nc = fn(actor(request), _nc(request, ref).pk, expected_version=version, **data)
    return _nc(request, nc.pk, response)


@router.post(
    "/nonconformities/{ref}/correction",
    response=responses(NonconformityOut),
    openapi_extra=permission(Perm.WORK_OWN_NONCONFORMITIES),
    summary="Record the correction (what was done at once to contain it)",
)
def nonconformity_correction(
    request: HttpRequest, ref: str, payload: CorrectionIn, response: HttpResponse
) -> Nonconformity:
    return _step(request, ref, response, services.record_correction, payload)


@router.post(
    "/nonconformities/{ref}/root-cause",
    response=responses(NonconformityOut),
    openapi_extra=permission(Perm.WORK_OWN_NONCONFORMITIES),
    summary="Record the root-cause analysis (five whys or free) and its conclusion",
)
def nonconformity_root_cause(
    request: HttpRequest, ref: str, payload: RootCauseIn, response: HttpResponse
) -> Nonconformity:
    return _step(request, ref, response, services.record_root_cause, payload)


@router.post(
    "/nonconformities/{ref}/actions",
    response=responses(CorrectiveActionOut, 201),
    openapi_extra=permission(Perm.WORK_OWN_NONCONFORMITIES),
    summary="Add a corrective action",
)
def nonconformity_add_action(
    request: HttpRequest, ref: str, payload: CorrectiveActionIn, response: HttpResponse
) -> Status[CorrectiveAction]:
    data = payload_data(payload)
    version = expected_version(request, data.pop("version", None))
    ca = actions.add_action(actor(request), _nc(request, ref).pk, expected_version=version, **data)
    return Status(201, _ca(request, ca.pk, response))


@router.post(
    "/nonconformities/{ref}/effectiveness",
    response=responses(EffectivenessCheckOut, 201),
    openapi_extra=permission(Perm.MANAGE_NONCONFORMITIES),
    summary="Record an effectiveness check (once every action is done)",
)
def nonconformity_effectiveness(request: HttpRequest, ref: str, payload: EffectivenessIn) -> Status[Any]:
    data = payload_data(payload)
    version = expected_version(request, data.pop("version", None))
    made = services.record_effectiveness(
        actor(request), _nc(request, ref).pk, expected_version=version, **data
    )
    return Status(201, made)


@router.post(
    "/nonconformities/{ref}/close",
    response=responses(NonconformityOut),
    openapi_extra=permission(Perm.MANAGE_NONCONFORMITIES),
    summary="Close: refused, naming every missing step, until actions are done and found effective",
)
def nonconformity_close(
    request: HttpRequest, ref: str, payload: NonconformityCloseIn, response: HttpResponse
) -> Nonconformity:
    return _step(request, ref, response, services.close_nonconformity, payload)


# ---------------------------------------------------------------- corrective actions


@router.get(
    "/corrective-actions",
    response=responses(Page[CorrectiveActionOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List corrective actions",
)
def list_corrective_actions(request: HttpRequest, filters: Query[CorrectiveActionFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.CorrectiveActionFilters, filters)
    return paginate(queries.action_list(who.user, f), filters.limit, filters.offset)


@router.post(
    "/corrective-actions",
    response=responses(CorrectiveActionOut, 201),
    openapi_extra=permission(Perm.WORK_OWN_NONCONFORMITIES),
    summary="Add a corrective action to a nonconformity",
)
def create_corrective_action(
    request: HttpRequest, payload: CorrectiveActionCreateIn, response: HttpResponse
) -> Status[CorrectiveAction]:
    data = payload_data(payload)
    version = expected_version(request, data.pop("version", None))
    nc = _nc(request, data.pop("nonconformity"))
    ca = actions.add_action(actor(request), nc.pk, expected_version=version, **data)
    return Status(201, _ca(request, ca.pk, response))


@router.get(
    "/corrective-actions/{ref}",
    response=responses(CorrectiveActionOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One corrective action",
)
def get_corrective_action(request: HttpRequest, ref: str, response: HttpResponse) -> CorrectiveAction:
    check(actor(request), Perm.VIEW)
    return _ca(request, ref, response)


@router.patch(
    "/corrective-actions/{ref}",
    response=responses(CorrectiveActionOut),
    openapi_extra=permission(Perm.WORK_OWN_NONCONFORMITIES),
    summary="Change a corrective action's description, owner or due date",
)
def update_corrective_action(
    request: HttpRequest, ref: str, payload: CorrectiveActionPatch, response: HttpResponse
) -> CorrectiveAction:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("description", "owner", "due_on"))
    ca = actions.update_action(actor(request), _ca(request, ref).pk, expected_version=version, **data)
    return _ca(request, ca.pk, response)


@router.post(
    "/corrective-actions/{ref}/complete",
    response=responses(CorrectiveActionOut),
    openapi_extra=permission(Perm.WORK_OWN_NONCONFORMITIES),
    summary="Mark a corrective action done, with a note or evidence",
)
def complete_corrective_action(
    request: HttpRequest, ref: str, payload: CorrectiveActionDoneIn, response: HttpResponse
) -> CorrectiveAction:
    data = payload_data(payload)
    version = expected_version(request, data.pop("version", None))
    ca = actions.complete_action(actor(request), _ca(request, ref).pk, expected_version=version, **data)
    return _ca(request, ca.pk, response)


@router.post(
    "/corrective-actions/{ref}/reopen",
    response=responses(CorrectiveActionOut),
    openapi_extra=permission(Perm.WORK_OWN_NONCONFORMITIES),
    summary="Mark a done corrective action open again, with the reason",
)
def reopen_corrective_action(
    request: HttpRequest, ref: str, payload: CorrectiveActionReopenIn, response: HttpResponse
) -> CorrectiveAction:
    data = payload_data(payload)
    version = expected_version(request, data.pop("version", None))
    ca = actions.reopen_action(actor(request), _ca(request, ref).pk, expected_version=version, **data)
    return _ca(request, ca.pk, response)
