"""Schemas of the management review API. Component names carry the domain (``ManagementReviewOut``,
``ReviewItemOut``, ``ReviewActionOut``): they are unique across Keel's OpenAPI document."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters, version_in

from . import queries
from .choices import ReviewActionStatus, ReviewStatus, ReviewTag

PERSON = "A person's email (anyone in the people directory)."


class ReviewItemOut(VersionedOut):
    id: uuid.UUID
    review: str = Field(description="The review's reference.")
    position: int
    input: str = Field(description="The input's key, e.g. previous_actions, risks.")
    title: str
    clause: str
    tag: ReviewTag
    frozen: bool = Field(description="True once the review is held: figures are the frozen copy.")
    figures: dict[str, Any] | None = Field(
        description="The figures frozen at the meeting (summary, facts, table, chart, notes); "
        "null until the review is held (GET /management-reviews/{ref} shows the live ones)."
    )
    notes: str

    @staticmethod
    def resolve_review(obj: Any) -> str:
        return str(obj.review.ref_id)

    @staticmethod
    def resolve_frozen(obj: Any) -> bool:
        return obj.figures is not None


class ReviewDecisionOut(Schema):
    id: uuid.UUID
    number: int
    text: str
    item: int | None = Field(description="The agenda item's position, if the decision is on one.")

    @staticmethod
    def resolve_item(obj: Any) -> int | None:
        return obj.item.position if obj.item_id else None


class ReviewActionOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    review: str
    decision: int | None = Field(description="The number of the decision it follows (D2 → 2).")
    title: str
    detail: str
    owner: str = Field(description=PERSON)
    due_on: dt.date
    status: ReviewActionStatus
    done_on: dt.date | None
    outcome: str
    updated_at: IsoDateTime

    @staticmethod
    def resolve_review(obj: Any) -> str:
        return str(obj.review.ref_id)

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.email)

    @staticmethod
    def resolve_decision(obj: Any) -> int | None:
        return obj.decision.number if obj.decision_id else None


class ReviewAgendaItemOut(Schema):
    position: int
    input: str
    title: str
    clause: str
    tag: ReviewTag
    frozen: bool
    figures: dict[str, Any]
    notes: str


class ManagementReviewOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    title: str
    held_on: dt.date
    status: ReviewStatus
    management_systems: list[str] = Field(description="Short names of the systems it covers.")
    chair: str = Field(description=PERSON)
    attendees: list[str]
    period_start: dt.date
    previous: str | None = Field(description="The previous review's reference.")
    frozen_at: IsoDateTime | None
    conclusions: str
    approved_by: str | None
    approved_on: dt.date | None
    updated_at: IsoDateTime

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return [ms.short_name for ms in obj.management_systems.all()]

    @staticmethod
    def resolve_chair(obj: Any) -> str:
        return str(obj.chair.email)

    @staticmethod
    def resolve_attendees(obj: Any) -> list[str]:
        return [p.email for p in obj.attendees.all()]

    @staticmethod
    def resolve_previous(obj: Any) -> str | None:
        return obj.previous.ref_id if obj.previous_id else None

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.email if obj.approved_by_id else None


class ManagementReviewDetailOut(ManagementReviewOut):
    agenda: list[ReviewAgendaItemOut]
    decisions: list[ReviewDecisionOut]
    actions: list[ReviewActionOut]


@filters.schema_of(queries.ReviewFilters)
class ManagementReviewFilters(Filters):
    """Declared in :class:`keel.review.queries.ReviewFilters`."""


@filters.schema_of(queries.ItemFilters)
class ReviewItemFilters(Filters):
    """Declared in :class:`keel.review.queries.ItemFilters`."""


@filters.schema_of(queries.ActionFilters)
class ReviewActionFilters(Filters):
    """Declared in :class:`keel.review.queries.ActionFilters`."""


class ManagementReviewIn(Body):
    management_systems: list[str] = Field(description=MS_REF + " One or more.")
    held_on: dt.date = Field(description="The planned day of the meeting.")
    chair: str = Field(description=PERSON)
    title: str = Field("", max_length=200)
    attendees: list[str] = Field(default_factory=list, description="Emails.")
    ref_id: str = Field("", max_length=32, description="Left out: MR-<year>-nn.")


class ManagementReviewPatch(Body):
    version: str | None = version_in()
    title: str | None = Field(None, max_length=200)
    held_on: dt.date | None = None
    chair: str | None = None
    attendees: list[str] | None = None
    conclusions: str | None = None


class ManagementReviewHoldIn(Body):
    held_on: dt.date | None = Field(None, description="Left out: the planned day.")


class ReviewDecisionIn(Body):
    text: str
    item: str | None = Field(None, description="The agenda item: its id, number or input key.")


class ReviewItemPatch(Body):
    version: str | None = version_in()
    notes: str


class ReviewActionIn(Body):
    review: str = Field(description="The review's id or reference.")
    title: str = Field(max_length=200)
    owner: str = Field(description=PERSON)
    due_on: dt.date
    detail: str = ""
    decision: str | None = Field(None, description="The decision it follows: its number (D2) or id.")
    item: str | None = Field(None, description="The agenda item: its id, number or input key.")


class ReviewActionPatch(Body):
    version: str | None = version_in()
    title: str | None = Field(None, max_length=200)
    detail: str | None = None
    owner: str | None = None
    due_on: dt.date | None = None
    status: ReviewActionStatus | None = None
    outcome: str | None = None
