"""API of mapping suggestions: ``GET /mapping-suggestions`` (the ranked list, the same shape as
``keel map suggest --format json``) and ``POST /mapping-suggestions/decisions`` (accept or
reject one suggestion)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from keel.platform.api import actor, permission, responses
from keel.platform.errors import ValidationFailed
from keel.platform.permissions import Perm, check

from . import engine
from .semantic import SemanticUnavailable
from .services import decide

router = Router(tags=["mapping"])

Method = Literal["lexical", "semantic", "hybrid"]


class SuggestionFilters(Schema):
    source: str
    target: str
    top: int = engine.DEFAULT_TOP
    method: Method | None = None  # default: hybrid with the semantic extra, else lexical
    no_crosswalk: bool = False


class MatchedTerm(Schema):
    term: str
    fields: list[str]


class SuggestionOut(Schema):
    source: str
    target: str
    rank: int
    score: float
    method: str
    explanation: str
    matched: list[MatchedTerm]
    nearest: str


class SuggestionDecisionIn(Schema):
    source: str
    target: str
    decision: Literal["accepted", "rejected"]
    # needed to accept: how the source relates to the target (NIST IR 8477)
    relation: Literal["equal", "subset", "superset", "intersects", ""] = ""
    method: Method = "lexical"
    score: float = 0.0
    explanation: str = ""


class SuggestionDecisionOut(Schema):
    id: str
    source: str
    target: str
    decision: str
    relation: str
    method: str
    score: float


@router.get(
    "/mapping-suggestions",
    response=responses(list[SuggestionOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="Ranked target requirements for each source item (org: the controls you may read)",
)
def list_suggestions(request: HttpRequest, filters: Query[SuggestionFilters]) -> list[dict[str, Any]]:
    who = actor(request)
    check(who, Perm.VIEW)
    try:
        rows = engine.suggest(
            who.user,
            filters.source,
            filters.target,
            top=filters.top,
            method=filters.method or "",
            no_crosswalk=filters.no_crosswalk,
        )
    except SemanticUnavailable as exc:
        raise ValidationFailed(exc.message, {"method": ["Not installed on this server."]}) from None
    return [r.as_api() for r in rows]


@router.post(
    "/mapping-suggestions/decisions",
    response=responses(SuggestionDecisionOut, 201),
    openapi_extra=permission(Perm.EDIT_CONTROLS),
    summary="Accept (becomes a link or a crosswalk relation) or reject (never suggested again)",
)
def post_decision(request: HttpRequest, payload: SuggestionDecisionIn) -> Status[dict[str, Any]]:
    who = actor(request)
    d = decide(
        who,
        payload.source,
        payload.target,
        payload.decision,
        method=payload.method,
        score=payload.score,
        explanation=payload.explanation,
        relation=payload.relation,
    )
    return Status(
        201,
        {
            "id": str(d.pk),
            "source": payload.source.strip(),
            "target": payload.target.strip(),
            "decision": d.decision,
            "relation": d.relation,
            "method": d.method,
            "score": d.score,
        },
    )
