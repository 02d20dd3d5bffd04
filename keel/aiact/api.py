"""API router of the EU AI Act app: ``ai-act-classifications`` (list, detail, classify),
``obligations`` (the catalogue with its dates and their history), ``obligation-statuses`` (per AI
system, the obligations that fall on it with their status; set one), ``operating-model`` (the
advice in force, its history; ask for a new one) and ``fundamental-rights-assessments`` (Art. 27,
one per AI system: list, get, start, change).

Thin handlers: lists come from :mod:`keel.aiact.queries`; changes go through
:mod:`keel.aiact.services`, which check the permission.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.platform.api import Page, actor, expected_version, paginate, permission, responses, with_etag
from keel.platform.api import enum_value as _value
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import advisor, fria, queries, restructure, services
from .catalogue import Obligation, Timeline, catalogue
from .models import Classification
from .schemas import (
    ClassificationFiltersIn,
    ClassificationIn,
    ClassificationOut,
    FriaFiltersIn,
    FriaIn,
    FriaOut,
    FriaPatch,
    ManagementSystemRefOut,
    MergeIn,
    ObligationOut,
    ObligationStatusFiltersIn,
    ObligationStatusIn,
    ObligationStatusOut,
    OperatingModelIn,
    OperatingModelOut,
    OperatingModelStateOut,
    SplitIn,
)

router = Router()
classifications = Router(tags=["EU AI Act"])
obligations = Router(tags=["EU AI Act"])
statuses = Router(tags=["EU AI Act"])
operating = Router(tags=["EU AI Act"])


@classifications.get(
    "",
    response=responses(Page[ClassificationOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List AI Act classification versions (filter by ai_system, tier, current, redo_due)",
)
def list_classifications(request: HttpRequest, filters: Query[ClassificationFiltersIn]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.ClassificationFilters, filters)
    return paginate(queries.classifications(who.user, f), filters.limit, filters.offset)


@classifications.get(
    "/{classification_id}",
    response=responses(ClassificationOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One classification version with its answers and reasons",
)
def get_classification(request: HttpRequest, classification_id: uuid.UUID) -> Classification:
    who = actor(request)
    check(who, Perm.VIEW)
    return queries.classification_for(who.user, classification_id)


@classifications.post(
    "",
    response=responses(ClassificationOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Classify an AI system from the questionnaire's answers (a new version)",
)
def create_classification(request: HttpRequest, payload: ClassificationIn) -> Status[Classification]:
    who = actor(request)
    c = services.classify_system(
        who, payload.ai_system, role=_value(payload.role), answers=payload.answers, note=payload.note
    )
    return Status(201, queries.classification_for(who.user, c.pk))


def _timeline(t: Timeline) -> dict[str, Any]:
    return {
        "key": t.key,
        "original_date": t.original.date,
        "current_date": t.current.date,
        "changed_by": t.current.act_label,
        "history": t.history,
    }


def _obligation(o: Obligation) -> dict[str, Any]:
    return {
        "key": o.key,
        "ref": o.ref,
        "title": o.title,
        "summary": o.summary,
        "roles": list(o.roles),
        "tiers": list(o.tiers),
        "condition": o.when,
        "timelines": [_timeline(t) for t in o.timelines()],
        "supports": list(o.supports),
        "beyond": o.beyond,
    }


@obligations.get(
    "",
    response=responses(list[ObligationOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="The obligation catalogue: roles, tiers, dates with their history, 42001 support",
)
def list_obligations(request: HttpRequest) -> list[dict[str, Any]]:
    check(actor(request), Perm.VIEW)
    return [_obligation(o) for o in catalogue().obligations]


def _status_rows(user: Any, ai_system: str, status: str) -> list[dict[str, Any]]:
    out = []
    for v in queries.systems_obligations(user, ai_system):
        for r in v.rows:
            if status and r.status != status:
                continue
            out.append(
                {
                    "ai_system": v.system.short_name,
                    "obligation": r.obligation.key,
                    "ref": r.obligation.ref,
                    "title": r.obligation.title,
                    "status": r.status,
                    "note": r.note,
                    "evidence": [e.ref_id for e in r.evidence],
                    "applies_from": r.timeline.current.date,
                    "original_date": r.timeline.original.date,
                    "date_set_by": r.timeline.current.act_label,
                    "supports": list(r.obligation.supports),
                    "beyond": r.obligation.beyond,
                    "version": r.version,
                }
            )
    return out


@statuses.get(
    "",
    response=responses(Page[ObligationStatusOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="Per AI system, the obligations that fall on it as classified, with status and dates",
)
def list_statuses(request: HttpRequest, filters: Query[ObligationStatusFiltersIn]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.ObligationStatusFilters, filters)
    rows = _status_rows(who.user, f.ai_system, f.status)
    return paginate(rows, filters.limit, filters.offset)


@statuses.put(
    "/{ai_system}/{obligation}",
    response=responses(ObligationStatusOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Set an AI system's status, note and evidence on one obligation (If-Match or version)",
)
def set_status(
    request: HttpRequest, ai_system: str, obligation: str, payload: ObligationStatusIn, response: HttpResponse
) -> dict[str, Any]:
    who = actor(request)
    data = payload.model_dump(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    row = services.set_obligation_status(
        who,
        ai_system,
        obligation,
        status=_value(data.get("status")),
        note=data.get("note"),
        evidence=data.get("evidence"),
        expected_version=version,
    )
    found = [
        r for r in _status_rows(who.user, str(row.ai_system_id), "") if r["obligation"] == row.obligation
    ]
    response["ETag"] = f'"{found[0]["version"]}"'
    return found[0]


@operating.get(
    "",
    response=responses(OperatingModelStateOut),
    openapi_extra=permission(Perm.VIEW),
    summary="The operating-model advice in force, its history, the questions and suggested answers",
)
def get_operating_model(request: HttpRequest) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    history = advisor.history()
    return {
        "current": history[0] if history else None,
        "history": history,
        "questions": [
            {"key": q.key, "text": q.text, "options": [v for v, _ in q.options]} for q in advisor.QUESTIONS
        ],
        "suggested": advisor.derived_answers(),
    }


@operating.post(
    "",
    response=responses(OperatingModelOut, 201),
    openapi_extra=permission(Perm.MANAGE_SYSTEMS),
    summary="Answer the advisor's questions: a new version of the advice (unified or federated) with reasons",
)
def create_operating_model(request: HttpRequest, payload: OperatingModelIn) -> Status[Any]:
    a = services.advise_operating_model(actor(request), payload.answers, note=payload.note)
    return Status(201, a)


@operating.post(
    "/split",
    response=responses(ManagementSystemRefOut, 201),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="Split a system covering ISO/IEC 27001 and 42001 into an ISMS and a new AIMS sharing the backbone",
)
def split_system(request: HttpRequest, payload: SplitIn) -> Status[Any]:
    aims = restructure.split(
        actor(request),
        payload.management_system,
        name=payload.name,
        short_name=payload.short_name,
        note=payload.note,
    )
    return Status(201, aims)


@operating.post(
    "/merge",
    response=responses(ManagementSystemRefOut),
    openapi_extra=permission(Perm.MANAGE_USERS),
    summary="Merge a management system into another: every record moves, the source is retired",
)
def merge_systems(request: HttpRequest, payload: MergeIn) -> Any:
    return restructure.merge(actor(request), payload.target, payload.source, note=payload.note)


frias = Router(tags=["EU AI Act"])


def _fria_out(record: Any) -> Any:
    """The record with ``required`` set, from its AI system's newest classification (prefetched
    by :func:`keel.aiact.fria.listing`: no query per row)."""
    versions = list(record.ai_system.act_classifications.all())
    record.required = fria.needed(max(versions, key=lambda c: c.version) if versions else None)
    return record


@frias.get(
    "",
    response=responses(Page[FriaOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List fundamental rights impact assessments (Art. 27) of the AI systems the caller may read",
)
def list_frias(request: HttpRequest, filters: Query[FriaFiltersIn]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.FriaFilters, filters)
    qs = fria.listing(who.user, f.ai_system, f.status)
    return paginate(qs, filters.limit, filters.offset, _fria_out)


@frias.get(
    "/{ref}",
    response=responses(FriaOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One fundamental rights impact assessment, by its id or its AI system's short name",
)
def get_fria(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    who = actor(request)
    check(who, Perm.VIEW)
    found = fria.visible(who.user, ref)
    return with_etag(response, _fria_out(fria.listing(who.user).get(pk=found.pk)))


@frias.post(
    "",
    response=responses(FriaOut, 201),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Start the assessment of an AI system, pre-filled from its AI system impact assessment",
)
def create_fria(request: HttpRequest, payload: FriaIn) -> Status[Any]:
    data = {k: v for k, v in payload.dict().items() if v is not None}
    record = fria.start(actor(request), data.pop("ai_system"), **data)
    return Status(201, _fria_out(fria.listing(None).get(pk=record.pk)))


@frias.patch(
    "/{ref}",
    response=responses(FriaOut),
    openapi_extra=permission(Perm.EDIT_AI_SYSTEMS),
    summary="Change its elements, complete it, record the notification to the authority",
)
def update_fria(request: HttpRequest, ref: str, payload: FriaPatch, response: HttpResponse) -> Any:
    data = {k: _value(v) for k, v in payload.dict(exclude_unset=True).items()}
    version = expected_version(request, data.pop("version", None))
    record = fria.update(
        actor(request), fria.visible(actor(request).user, ref).pk, expected_version=version, **data
    )
    return with_etag(response, _fria_out(fria.listing(None).get(pk=record.pk)))


router.add_router("/fundamental-rights-assessments", frias)
router.add_router("/ai-act-classifications", classifications)
router.add_router("/obligations", obligations)
router.add_router("/obligation-statuses", statuses)
router.add_router("/operating-model", operating)
