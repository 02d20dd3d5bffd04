"""Read-side queries of management review, shared by pages, the API and the CLI. A review is read
by anyone who may view one of the systems it covers; every list runs a fixed number of queries
whatever its length."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from keel.organisation import options, resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import filters
from keel.platform.errors import NotFound, PermissionDenied
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.schemas import MS_REF

from .choices import ReviewActionStatus, ReviewStatus, ReviewTag
from .models import ManagementReview, ReviewAction, ReviewDecision, ReviewItem

MAX_TEXT = 100


def member_of(system_ids: Iterable[uuid.UUID], ref: str = "pk") -> Q:
    members = ManagementReview.management_systems.through.objects
    return Q(
        Exists(members.filter(managementreview_id=OuterRef(ref), managementsystem_id__in=list(system_ids)))
    )


def visible(qs: QuerySet[Any], user: User | None, perm: str = Perm.VIEW, ref: str = "pk") -> QuerySet[Any]:
    """Rows of ``qs`` (reviews, or rows naming one through ``ref``) of a review covering a system
    ``user`` holds ``perm`` over."""
    ids = system_ids_with(user, perm)
    if ids is None:
        return qs
    return qs.filter(member_of(ids, ref))


def perimeter_of(
    review: ManagementReview, user: User | None, perm: str, every: bool = False
) -> ManagementSystem | None:
    """The system that decides ``perm`` on ``review`` for ``user`` (for ``@page``): reading needs
    one of its systems, changing it every one."""
    systems = list(review.management_systems.all())
    if not systems:
        return None
    allowed = [ms for ms in systems if has_perm(user, perm, ms)]
    if every:
        missing = [ms for ms in systems if ms not in allowed]
        return missing[0] if missing else systems[0]
    return allowed[0] if allowed else systems[0]


def can(user: User | None, perm: str, review: ManagementReview) -> bool:
    """Whether ``user`` may ``perm`` over every system the review covers (changing it)."""
    return all(has_perm(user, perm, ms) for ms in review.management_systems.all())


def can_any(user: User | None, perm: str, review: ManagementReview) -> bool:
    return any(has_perm(user, perm, ms) for ms in review.management_systems.all())


# ---------------------------------------------------------------- reviews


@dataclass
class ReviewFilters:
    """The filters of the review list (page and API)."""

    status: str = filters.choice(ReviewStatus, label="Status", any="Every status")
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    q: str = filters.text(label="Search", max_length=MAX_TEXT)


def base_reviews() -> QuerySet[ManagementReview]:
    return ManagementReview.objects.select_related("chair", "approved_by").prefetch_related(
        Prefetch("management_systems", ManagementSystem.objects.order_by("short_name")),
        Prefetch("attendees", User.objects.order_by("full_name")),
    )


def review_list(user: User | None, f: ReviewFilters | None = None) -> QuerySet[ManagementReview]:
    f = f or ReviewFilters()
    qs = visible(base_reviews(), user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.management_system:
        ms = resolvers.management_system(f.management_system, user)
        qs = qs.filter(management_systems=ms)
    if f.q:
        for word in f.q.split()[:10]:
            qs = qs.filter(Q(title__icontains=word) | Q(ref_id__icontains=word))
    return qs.order_by("-held_on", "-ref_id")


def review_for(user: User | None, ref: uuid.UUID | str) -> ManagementReview:
    """One review the user may read, with its items, decisions and actions."""
    qs = base_reviews().prefetch_related(
        Prefetch("items", ReviewItem.objects.order_by("position")),
        Prefetch("decisions", ReviewDecision.objects.select_related("item").order_by("number")),
        Prefetch(
            "actions", ReviewAction.objects.select_related("owner", "decision", "review").order_by("ref_id")
        ),
    )
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(ref_id=str(ref).strip()[:32]).first()
    if found is None:
        raise NotFound(f"No management review {str(ref)[:60]!r}: give its id or reference (e.g. MR-2026-01).")
    _readable(user, found)
    return found


def _readable(user: User | None, review: ManagementReview) -> None:
    if not can_any(user, Perm.VIEW, review):
        raise PermissionDenied("Your roles do not let you read this review's management systems.")


# ---------------------------------------------------------------- items


@dataclass
class ItemFilters:
    """The filters of the agenda items (API)."""

    review: str = filters.reference(max_length=64, help="The review's id or reference (MR-2026-01).")
    tag: str = filters.choice(ReviewTag, label="Standard", any="Either standard")


def item_list(user: User | None, f: ItemFilters | None = None) -> QuerySet[ReviewItem]:
    f = f or ItemFilters()
    qs = visible(ReviewItem.objects.select_related("review"), user, ref="review_id")
    if f.review:
        pk = resolvers.as_uuid(f.review)
        qs = qs.filter(review_id=pk) if pk is not None else qs.filter(review__ref_id=f.review.strip()[:32])
    if f.tag:
        qs = qs.filter(tag=f.tag)
    return qs.order_by("-review__held_on", "review__ref_id", "position")


def item_for(user: User | None, ref: uuid.UUID | str) -> ReviewItem:
    pk = resolvers.as_uuid(ref)
    found = ReviewItem.objects.select_related("review").filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"No review item {str(ref)[:60]!r}: give its id.")
    _readable(user, found.review)
    return found


# ---------------------------------------------------------------- actions


@dataclass
class ActionFilters:
    """The filters of the review actions (page and API)."""

    status: str = filters.choice(ReviewActionStatus, label="Status", any="Every status")
    review: str = filters.reference(
        max_length=64, label="Review", help="The review's id or reference (MR-2026-01)."
    )
    owner: str = filters.reference(max_length=254, help="The owner's email.", form=False)
    overdue: bool | None = filters.boolean(label="Overdue", help="Only open actions past their due date.")


def action_list(user: User | None, f: ActionFilters | None = None) -> QuerySet[ReviewAction]:
    f = f or ActionFilters()
    qs = visible(ReviewAction.objects.select_related("review", "owner", "decision"), user, ref="review_id")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.review:
        pk = resolvers.as_uuid(f.review)
        qs = qs.filter(review_id=pk) if pk is not None else qs.filter(review__ref_id=f.review.strip()[:32])
    if f.owner:
        qs = qs.filter(owner__email__iexact=f.owner.strip()[:254])
    if f.overdue:
        qs = qs.filter(status=ReviewActionStatus.OPEN, due_on__lt=timezone.localdate())
    return qs.order_by(F("due_on").asc(), "ref_id")


def action_for(user: User | None, ref: uuid.UUID | str) -> ReviewAction:
    qs = ReviewAction.objects.select_related("review", "owner", "decision", "item")
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(ref_id=str(ref).strip()[:32]).first()
    if found is None:
        raise NotFound(f"No review action {str(ref)[:60]!r}: give its id or reference (e.g. RA-004).")
    _readable(user, found.review)
    return found


def history(review: ManagementReview, limit: int = 200) -> list[TrailEntry]:
    """Trail entries of the review, its items, decisions and actions, newest first."""
    ids = [str(review.pk)]
    ids += [str(pk) for pk in review.items.values_list("pk", flat=True)]
    ids += [str(pk) for pk in review.decisions.values_list("pk", flat=True)]
    ids += [str(pk) for pk in review.actions.values_list("pk", flat=True)]
    return list(TrailEntry.objects.filter(object_id__in=ids).order_by("-seq")[:limit])


def action_history(action: ReviewAction, limit: int = 100) -> list[TrailEntry]:
    return list(TrailEntry.objects.filter(object_id=str(action.pk)).order_by("-seq")[:limit])
