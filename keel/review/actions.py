"""Services of what a review records: the discussion of each agenda item, its decisions (9.3.3)
and its actions with owner and due date, and a nonconformity raised from an action. Re-exported
by :mod:`keel.review.services`."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keel.improvement import services as improvement_services
from keel.improvement.choices import NonconformitySource
from keel.organisation import resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm
from keel.platform.records import reject_control_characters

from .choices import ReviewActionStatus, ReviewStatus
from .models import ManagementReview, ReviewAction, ReviewDecision, ReviewItem
from .records import (
    MAX_TITLE,
    _ids,
    check_every,
    day_of,
    get_action,
    get_item,
    get_review,
    required_person,
    systems_of,
    text_of,
)


def _open_for_minutes(review: ManagementReview) -> None:
    if review.status == ReviewStatus.APPROVED:
        raise Conflict(f"The minutes of {review.ref_id} are approved: they no longer change.")


def update_item(
    actor: Actor, ref: uuid.UUID | str, *, notes: Any, expected_version: str | None = None
) -> ReviewItem:
    """Record what was discussed on an agenda item (until the minutes are approved)."""
    text = text_of({"notes": notes}, "notes")
    reject_control_characters({"notes": text})
    with transaction.atomic():
        item = get_item(ref, lock=True)
        review = item.review
        check_every(actor, Perm.EDIT_REVIEWS, systems_of(review))
        check_version(item, expected_version, "review item")
        _open_for_minutes(review)
        if item.notes != text:
            before = item.notes
            item.notes = text
            item.save(update_fields=["notes", "updated_at"])
            trail.record(
                actor,
                TrailAction.UPDATE,
                item,
                changes={"notes": [before, text]},
                management_system_ids=_ids(review),
            )
    return item


def add_decision(actor: Actor, review_ref: uuid.UUID | str, *, text: Any, item: Any = None) -> ReviewDecision:
    """Record a decision of the review (9.3.3), optionally on one agenda item."""
    body = text_of({"text": text}, "text", required=True)
    reject_control_characters({"text": body})
    with transaction.atomic():
        review = get_review(review_ref, lock=True)
        check_every(actor, Perm.EDIT_REVIEWS, systems_of(review))
        _open_for_minutes(review)
        on_item = _item_of(review, item)
        number = (review.decisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        decision = ReviewDecision.objects.create(review=review, item=on_item, number=number, text=body)
        trail.record(
            actor,
            TrailAction.CREATE,
            decision,
            changes={"review": [None, review.ref_id], "number": [None, number], "text": [None, body]},
            management_system_ids=_ids(review),
        )
    return decision


def _item_of(review: ManagementReview, item: Any) -> ReviewItem | None:
    if item in (None, ""):
        return None
    qs = review.items.all()
    pk = resolvers.as_uuid(item)
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(input=str(item).strip()).first()
    if found is None and str(item).strip().isdigit():
        found = qs.filter(position=int(str(item).strip())).first()
    if found is None:
        raise ValidationFailed(
            f"{review.ref_id} has no agenda item {str(item)[:40]!r}: give its id, number or input key.",
            {"item": ["Unknown agenda item."]},
        )
    return found


def _decision_of(review: ManagementReview, decision: Any) -> ReviewDecision | None:
    if decision in (None, ""):
        return None
    qs = review.decisions.all()
    pk = resolvers.as_uuid(decision)
    text = str(decision).strip().lstrip("Dd")
    found = (
        qs.filter(pk=pk).first()
        if pk is not None
        else (qs.filter(number=int(text)).first() if text.isdigit() else None)
    )
    if found is None:
        raise ValidationFailed(
            f"{review.ref_id} has no decision {str(decision)[:40]!r}: give its id or number (D2).",
            {"decision": ["Unknown decision."]},
        )
    return found


def add_action(
    actor: Actor,
    review_ref: uuid.UUID | str,
    *,
    title: Any,
    owner: Any,
    due_on: Any,
    detail: Any = "",
    decision: Any = None,
    item: Any = None,
) -> ReviewAction:
    """Record an action decided at the review, with its owner (anyone in the people directory)
    and due date."""
    data = {
        "title": text_of({"title": title}, "title", required=True, limit=MAX_TITLE),
        "detail": text_of({"detail": detail}, "detail"),
    }
    reject_control_characters(data)
    who = required_person(owner, "owner")
    due = day_of(due_on, "due_on")
    with transaction.atomic():
        review = get_review(review_ref, lock=True)
        check_every(actor, Perm.EDIT_REVIEWS, systems_of(review))
        _open_for_minutes(review)
        if due < review.held_on:
            raise ValidationFailed(
                f"The due date is before the review ({review.held_on.isoformat()}).",
                {"due_on": ["Before the review."]},
            )
        action = ReviewAction.objects.create(
            ref_id=next_ref(ReviewAction, "RA-"),
            review=review,
            decision=_decision_of(review, decision),
            item=_item_of(review, item),
            title=data["title"],
            detail=data["detail"],
            owner=who,
            due_on=due,
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            action,
            changes={
                "review": [None, review.ref_id],
                "title": [None, action.title],
                "owner": [None, who.email if who else None],
                "due_on": [None, due.isoformat()],
            },
            management_system_ids=_ids(review),
        )
    return action


ACTION_FIELDS = ("title", "detail", "owner", "due_on", "status", "outcome")


def _action_snapshot(a: ReviewAction) -> dict[str, Any]:
    return {
        "title": a.title,
        "detail": a.detail,
        "owner": a.owner.email,
        "due_on": a.due_on.isoformat(),
        "status": a.status,
        "done_on": a.done_on.isoformat() if a.done_on else None,
        "outcome": a.outcome,
    }


def update_action(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> ReviewAction:
    """Change an action: its title, detail, owner, due date, or status (done needs what was done;
    cancelled needs why). Actions are followed up after the minutes are approved too."""
    unknown = set(data) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"These fields cannot be changed: {', '.join(sorted(unknown))}.",
            {k: ["Not editable."] for k in unknown},
        )
    reject_control_characters({k: v for k, v in data.items() if isinstance(v, str)})
    with transaction.atomic():
        action = get_action(ref, lock=True)
        check_every(actor, Perm.EDIT_REVIEWS, systems_of(action.review))
        check_version(action, expected_version, "review action")
        before = _action_snapshot(action)
        if "title" in data:
            action.title = text_of(data, "title", required=True, limit=MAX_TITLE)
        if "detail" in data:
            action.detail = text_of(data, "detail")
        if "outcome" in data:
            action.outcome = text_of(data, "outcome")
        if "owner" in data:
            action.owner = required_person(data["owner"], "owner")
        if "due_on" in data:
            action.due_on = day_of(data["due_on"], "due_on")
            if action.due_on < action.review.held_on:
                raise ValidationFailed(
                    f"The due date is before the review ({action.review.held_on.isoformat()}).",
                    {"due_on": ["Before the review."]},
                )
        if "status" in data:
            status = str(data["status"] or "").strip()
            if status not in ReviewActionStatus.values:
                raise ValidationFailed(
                    f"Unknown status {status[:20]!r}: give one of {', '.join(ReviewActionStatus.values)}.",
                    {"status": ["Unknown status."]},
                )
            if status != action.status:
                if status in (ReviewActionStatus.DONE, ReviewActionStatus.CANCELLED) and not action.outcome:
                    word = "what was done" if status == ReviewActionStatus.DONE else "why it is cancelled"
                    message = f"Say {word} in the outcome before marking {action.ref_id} {status}."
                    raise ValidationFailed(message, {"outcome": [message]})
                action.status = status
                action.done_on = timezone.localdate() if status == ReviewActionStatus.DONE else None
        action.save()
        changes = trail.diff(before, _action_snapshot(action))
        if changes:
            trail.record(
                actor, TrailAction.UPDATE, action, changes=changes, management_system_ids=_ids(action.review)
            )
    return action


def raise_nonconformity(actor: Actor, ref: uuid.UUID | str, *, description: Any = "") -> ReviewAction:
    """Raise a nonconformity (keel.improvement's queue, source "management review") from an
    action whose subject is one: the review's systems, the action's owner, a link back. Once."""
    with transaction.atomic():
        action = get_action(ref, lock=True)
        review = action.review
        systems = systems_of(review)
        check_every(actor, Perm.EDIT_REVIEWS, systems)
        if action.nonconformity_ref:
            raise Conflict(f"{action.ref_id} already raised {action.nonconformity_ref}.")
        text = text_of({"description": description}, "description") or action.detail or action.title
        nc = improvement_services.raise_nonconformity(
            actor,
            organisation=review.organisation,
            title=action.title,
            description=text,
            source=NonconformitySource.MANAGEMENT_REVIEW,
            source_ref=f"{review.ref_id} {action.ref_id}",
            source_url=reverse("review-action-detail", args=[action.ref_id]),
            management_systems=systems,
            owner=action.owner,
        )
        action.nonconformity_ref = nc.ref_id
        action.save(update_fields=["nonconformity_ref", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            action,
            changes={"nonconformity_ref": ["", nc.ref_id]},
            management_system_ids=_ids(review),
        )
    return action
