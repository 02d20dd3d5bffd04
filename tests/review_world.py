"""Management reviews of system A for the permission matrix, made directly (without the services,
to stay fast) and rolled back with each case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm
from keel.review.models import ManagementReview, ReviewAction, ReviewDecision, ReviewItem

from .permission_world import World

DAY = dt.date(2026, 1, 5)


def review_a(w: World, ref: str = "MR-2026-90", status: str = "planned") -> ManagementReview:
    review, made = ManagementReview.objects.get_or_create(
        ref_id=ref,
        defaults={
            "organisation": w.a.organisation,
            "title": "Review of A",
            "held_on": DAY,
            "chair": w.target,
            "period_start": DAY - dt.timedelta(days=365),
            "status": status,
        },
    )
    if made:
        review.management_systems.set([w.a])
        ReviewItem.objects.create(
            review=review, position=1, input="context_issues", title="Issues", clause="9.3.2 b", tag="both"
        )
    return review


def held_a(w: World) -> ManagementReview:
    review = review_a(w, "MR-2026-91", "held")
    ReviewDecision.objects.get_or_create(review=review, number=1, defaults={"text": "Carry on."})
    return review


def item_a(w: World) -> ReviewItem:
    return review_a(w).items.get(position=1)


def action_a(w: World) -> ReviewAction:
    return ReviewAction.objects.get_or_create(
        ref_id="RA-900",
        defaults={"review": held_a(w), "title": "Brief the board", "owner": w.target, "due_on": DAY},
    )[0]


def review_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": review_a(w).ref_id}


def held_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": held_a(w).ref_id}


def item_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": str(item_a(w).pk)}


def action_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": action_a(w).ref_id}


def editable_system(w: World, u: User | None) -> str:
    for ms in (w.a, w.b):
        if has_perm(u, Perm.EDIT_REVIEWS, ms):
            return ms.short_name
    return w.a.short_name


def new_review_form(w: World, u: User | None) -> dict[str, Any]:
    return {
        "held_on": DAY.isoformat(),
        "management_systems": [editable_system(w, u)],
        "chair": w.target.email,
    }


def new_review_body(w: World, u: User | None) -> dict[str, Any]:
    return {"management_systems": [w.a.short_name], "held_on": DAY.isoformat(), "chair": w.target.email}


def new_action_body(w: World, u: User | None) -> dict[str, Any]:
    return {"review": held_a(w).ref_id, "title": "Renew", "owner": w.target.email, "due_on": DAY.isoformat()}
