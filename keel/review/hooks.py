"""What keel.review registers at start-up (ReviewConfig.ready): which management systems a
trail entry about a review record concerns, the reminder source for review actions (my work and
``keel jobs run``), the answer to ``management_system.restructured`` (a split keeps a review
shared with the new system; a merge moves it to the target), and the consistency-check rule
``review_action_overdue``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform import checks, hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.work import reminders

from .choices import ReviewActionStatus
from .models import ManagementReview, ReviewAction, ReviewDecision, ReviewItem

ACTION_KIND = "Management review action"


def _of_review(obj: ManagementReview) -> Iterable[uuid.UUID]:
    return list(obj.management_systems.values_list("pk", flat=True))


def _of_child(obj: ReviewItem | ReviewDecision | ReviewAction) -> Iterable[uuid.UUID]:
    return _of_review(obj.review)


def actions_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> list[reminders.Due]:
    """Open review actions due by ``today + horizon`` (overdue ones included), for their owner."""
    qs = (
        ReviewAction.objects.filter(
            review__organisation=organisation, status=ReviewActionStatus.OPEN, due_on__lte=today + horizon
        )
        .select_related("review")
        .prefetch_related("review__management_systems")
        .order_by("due_on", "ref_id")
    )
    out = []
    for a in qs:
        systems = list(a.review.management_systems.all())
        out.append(
            reminders.Due(
                key=f"review_action:{a.ref_id}:{a.due_on.isoformat()}",
                kind=ACTION_KIND,
                title=f"{a.title} ({a.ref_id}, {a.review.ref_id})",
                url=reverse("review-action-detail", args=[a.ref_id]),
                due=a.due_on,
                person_id=a.owner_id,  # Due says int; people have UUID keys
                management_system_id=systems[0].pk if len(systems) == 1 else None,
                detail="owner",
            )
        )
    return out


def actions_overdue(systems: checks.Systems) -> list[checks.Finding]:
    today = timezone.localdate()
    qs = (
        ReviewAction.objects.filter(status=ReviewActionStatus.OPEN, due_on__lt=today)
        .select_related("review", "owner")
        .prefetch_related("review__management_systems")
        .order_by("due_on", "ref_id")
    )
    out = []
    for a in qs:
        ids = [ms.pk for ms in a.review.management_systems.all()]
        visible = ids if systems is None else [i for i in ids if i in systems]
        if not visible:
            continue
        out.append(
            checks.Finding(
                rule="review_action_overdue",
                title=f"{a.ref_id} {a.title} was due on {a.due_on.isoformat()}",
                detail=f"An action decided at management review {a.review.ref_id}, owned by {a.owner.display_name}, "
                "is still open after its due date. Record what was done, agree a new date with its owner, or "
                "cancel it with the reason; the next review will ask.",
                record_label=f"{a.ref_id} {a.title}",
                url=reverse("review-action-detail", args=[a.ref_id]),
                management_system_id=visible[0],
            )
        )
    return out


def restructured(
    actor: Actor, kind: str, source: ManagementSystem, target: ManagementSystem, standard: Any = None
) -> list[trail.Pending]:
    """A split: a review of the source reviewed the part now split off too, so it covers the
    target as well. A merge: reviews of the source cover the target instead."""
    out: list[trail.Pending] = []
    for review in ManagementReview.objects.filter(management_systems=source).order_by("ref_id"):
        before = sorted(ms.short_name for ms in review.management_systems.all())
        if kind == "merge":
            review.management_systems.remove(source)
        review.management_systems.add(target)
        after = sorted(ms.short_name for ms in review.management_systems.all())
        if before != after:
            out.append(
                trail.Pending(
                    TrailAction.UPDATE,
                    review,
                    changes={"management_systems": [before, after]},
                    management_system_ids=[source.pk, target.pk],
                )
            )
    return out


def register() -> None:
    trail.register_systems("review.managementreview", _of_review)
    trail.register_systems("review.reviewitem", _of_child)
    trail.register_systems("review.reviewdecision", _of_child)
    trail.register_systems("review.reviewaction", _of_child)
    reminders.register("review_action", actions_due)
    hooks.register("management_system.restructured", restructured)
    checks.register(
        checks.Rule(
            "review_action_overdue",
            "Management review actions past their due date",
            "review",
            actions_overdue,
            order=130,
        )
    )


__all__ = ["register"]
