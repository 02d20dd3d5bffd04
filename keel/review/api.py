"""API router of management review: ``management-reviews``, ``review-items``, ``review-actions``
(docs/management-review.md). Lists are narrowed to the caller's perimeter and paged; writes go
through the same services as the pages."""

# no "from __future__ import annotations": ninja reads the schemas as types at definition
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
from keel.platform.permissions import Perm

from . import minutes, queries, services
from .schemas import (
    ManagementReviewDetailOut,
    ManagementReviewFilters,
    ManagementReviewHoldIn,
    ManagementReviewIn,
    ManagementReviewOut,
    ManagementReviewPatch,
    ReviewActionFilters,
    ReviewActionIn,
    ReviewActionOut,
    ReviewActionPatch,
    ReviewDecisionIn,
    ReviewDecisionOut,
    ReviewItemFilters,
    ReviewItemOut,
    ReviewItemPatch,
)

router = Router(tags=["review"])


def _detail(request: HttpRequest, ref: str) -> Any:
    review = queries.review_for(actor(request).user, ref)
    review.agenda = [  # type: ignore[attr-defined]  # what ManagementReviewDetailOut reads
        {
            "position": s.item.position,
            "input": s.item.input,
            "title": s.item.title,
            "clause": s.item.clause,
            "tag": s.item.tag,
            "frozen": s.frozen,
            "figures": s.figures,
            "notes": s.item.notes,
        }
        for s in minutes.agenda(review)
    ]
    return review


@router.get(
    "/management-reviews",
    response=responses(Page[ManagementReviewOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List management reviews",
)
def list_reviews(request: HttpRequest, f: Query[ManagementReviewFilters]) -> dict[str, Any]:
    return paginate(
        queries.review_list(actor(request).user, filters_of(queries.ReviewFilters, f)), f.limit, f.offset
    )


@router.post(
    "/management-reviews",
    response=responses(ManagementReviewDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_REVIEWS),
    summary="Plan a management review and generate its agenda (every input of 9.3.2, tagged)",
)
def create_review(request: HttpRequest, payload: ManagementReviewIn) -> Status[Any]:
    review = services.create_review(actor(request), **payload_data(payload))
    return Status(201, _detail(request, str(review.pk)))


@router.get(
    "/management-reviews/{ref}",
    response=responses(ManagementReviewDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One review with its agenda (frozen figures once held, live before), decisions and actions",
)
def get_review(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    return with_etag(response, _detail(request, ref))


@router.patch(
    "/management-reviews/{ref}",
    response=responses(ManagementReviewDetailOut),
    openapi_extra=permission(Perm.EDIT_REVIEWS),
    summary="Change a review's title, date (while planned), chair, attendees or conclusions",
)
def update_review(
    request: HttpRequest, ref: str, payload: ManagementReviewPatch, response: HttpResponse
) -> Any:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("title", "held_on", "chair"))
    review = services.update_review(
        actor(request), services.get_review(ref).pk, expected_version=version, **data
    )
    return with_etag(response, _detail(request, str(review.pk)))


@router.post(
    "/management-reviews/{ref}/hold",
    response=responses(ManagementReviewDetailOut),
    openapi_extra=permission(Perm.EDIT_REVIEWS),
    summary="Mark the review held and freeze every input's figures and chart",
)
def hold_review(request: HttpRequest, ref: str, payload: ManagementReviewHoldIn) -> Any:
    review = services.hold_review(actor(request), services.get_review(ref).pk, held_on=payload.held_on)
    return _detail(request, str(review.pk))


@router.post(
    "/management-reviews/{ref}/approve",
    response=responses(ManagementReviewDetailOut),
    openapi_extra=permission(Perm.EDIT_REVIEWS),
    summary="Approve the minutes of a held review",
)
def approve_review(request: HttpRequest, ref: str) -> Any:
    review = services.approve_minutes(actor(request), services.get_review(ref).pk)
    return _detail(request, str(review.pk))


@router.post(
    "/management-reviews/{ref}/decisions",
    response=responses(ReviewDecisionOut, 201),
    openapi_extra=permission(Perm.EDIT_REVIEWS),
    summary="Record a decision of the review",
)
def add_decision(request: HttpRequest, ref: str, payload: ReviewDecisionIn) -> Status[Any]:
    decision = services.add_decision(actor(request), services.get_review(ref).pk, **payload_data(payload))
    return Status(201, decision)


@router.get(
    "/review-items",
    response=responses(Page[ReviewItemOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List agenda items of management reviews",
)
def list_items(request: HttpRequest, f: Query[ReviewItemFilters]) -> dict[str, Any]:
    return paginate(
        queries.item_list(actor(request).user, filters_of(queries.ItemFilters, f)), f.limit, f.offset
    )


@router.get(
    "/review-items/{ref}",
    response=responses(ReviewItemOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One agenda item",
)
def get_item(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    return with_etag(response, queries.item_for(actor(request).user, ref))


@router.patch(
    "/review-items/{ref}",
    response=responses(ReviewItemOut),
    openapi_extra=permission(Perm.EDIT_REVIEWS),
    summary="Record the discussion of an agenda item",
)
def update_item(request: HttpRequest, ref: str, payload: ReviewItemPatch, response: HttpResponse) -> Any:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    item = services.update_item(
        actor(request), services.get_item(ref).pk, notes=data.get("notes", ""), expected_version=version
    )
    return with_etag(response, services.get_item(item.pk))


@router.get(
    "/review-actions",
    response=responses(Page[ReviewActionOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List management review actions",
)
def list_actions(request: HttpRequest, f: Query[ReviewActionFilters]) -> dict[str, Any]:
    return paginate(
        queries.action_list(actor(request).user, filters_of(queries.ActionFilters, f)), f.limit, f.offset
    )


@router.post(
    "/review-actions",
    response=responses(ReviewActionOut, 201),
    openapi_extra=permission(Perm.EDIT_REVIEWS),
    summary="Record an action decided at a review, with its owner and due date",
)
def create_action(request: HttpRequest, payload: ReviewActionIn) -> Status[Any]:
    data = payload_data(payload)
    review = services.get_review(data.pop("review")).pk
    action = services.add_action(actor(request), review, **data)
    return Status(201, services.get_action(action.pk))


@router.get(
    "/review-actions/{ref}",
    response=responses(ReviewActionOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One management review action",
)
def get_action(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    return with_etag(response, queries.action_for(actor(request).user, ref))


@router.patch(
    "/review-actions/{ref}",
    response=responses(ReviewActionOut),
    openapi_extra=permission(Perm.EDIT_REVIEWS),
    summary="Change an action: title, detail, owner, due date, status (with its outcome)",
)
def update_action(request: HttpRequest, ref: str, payload: ReviewActionPatch, response: HttpResponse) -> Any:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("title", "owner", "due_on", "status"))
    action = services.update_action(
        actor(request), services.get_action(ref).pk, expected_version=version, **data
    )
    return with_etag(response, services.get_action(action.pk))
