"""Write-side services of management review: one transaction each, a permission check over every
management system the review covers, a row lock (and a version check on edits), a trail entry
(docs/management-review.md).

- :func:`create_review` plans a review and generates its agenda: one item per input of 9.3.2
  (:mod:`keel.review.inputs`), each tagged; the figures are read live until the review is held.
- :func:`hold_review` marks it held and freezes every item: the provider's figures as JSON and
  the chart as SVG. From then on the minutes show the frozen copy only.
- :func:`approve_minutes` closes the minutes; decisions and notes no longer change.
- Decisions and actions: :func:`add_decision`, :func:`add_action`, :func:`update_action`;
  :func:`raise_nonconformity` puts an action's subject in the nonconformity queue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keel.improvement import services as improvement_services
from keel.improvement.choices import NonconformitySource
from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

from . import charts
from .choices import ReviewActionStatus, ReviewStatus
from .inputs import BY_KEY, INPUTS, Ctx
from .models import ManagementReview, ReviewAction, ReviewDecision, ReviewItem

MAX_TITLE = 200
MAX_TEXT = 20_000


# ---------------------------------------------------------------- references


def get_review(ref: uuid.UUID | str, *, lock: bool = False) -> ManagementReview:
    """A review by id or reference (no permission check)."""
    qs = ManagementReview.objects.all()
    if lock:
        qs = qs.select_for_update()
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(ref_id=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No management review {str(ref)[:60]!r}: give its id or reference (e.g. MR-2026-01).")
    return found


def get_item(ref: uuid.UUID | str, *, lock: bool = False) -> ReviewItem:
    qs = ReviewItem.objects.select_related("review")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotFound(f"No review item {str(ref)[:60]!r}: give its id.")
    return found


def get_action(ref: uuid.UUID | str, *, lock: bool = False) -> ReviewAction:
    qs = ReviewAction.objects.select_related("review", "owner")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(ref_id=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No review action {str(ref)[:60]!r}: give its id or reference (e.g. RA-004).")
    return found


def systems_of(review: ManagementReview) -> list[ManagementSystem]:
    return list(review.management_systems.order_by("short_name"))


def check_every(actor: Actor, perm: str, systems: Iterable[ManagementSystem]) -> None:
    """A review is changed only by someone who holds ``perm`` over every system it covers."""
    for ms in systems:
        check(actor, perm, ms)


# ---------------------------------------------------------------- input checks


def _text(data: dict[str, Any], name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = data.get(name)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationFailed(f"Give the {name.replace('_', ' ')}.", {name: ["Required."]})
    if len(text) > limit:
        raise ValidationFailed(
            f"The {name.replace('_', ' ')} is longer than {limit} characters.", {name: ["Too long."]}
        )
    return text


def _day(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or not str(value).strip():
        raise ValidationFailed(f"Give the {name.replace('_', ' ')} (YYYY-MM-DD).", {name: ["Required."]})
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(
            f"The {name.replace('_', ' ')} {str(value)[:40]!r} is not a date: give YYYY-MM-DD.",
            {name: ["Not a date."]},
        ) from None


def _person(value: Any, name: str, *, required: bool = True) -> User | None:
    person = resolvers.user_by_email(value, field=name) if value not in (None, "") else None
    if person is None and required:
        raise ValidationFailed(
            f"Name the {name.replace('_', ' ')} (an email of the people directory).", {name: ["Required."]}
        )
    return person


def _systems(refs: Any) -> list[ManagementSystem]:
    if isinstance(refs, str | uuid.UUID | ManagementSystem):
        refs = [refs]
    systems = resolvers.management_systems(refs or [], resolvers.TRUSTED)
    if not systems:
        raise ValidationFailed(
            "Choose the management systems the review covers.", {"management_systems": ["Required."]}
        )
    return systems


def _previous(
    organisation: Organisation, before: dt.date, exclude: uuid.UUID | None = None
) -> ManagementReview | None:
    qs = ManagementReview.objects.filter(
        organisation=organisation, status__in=[ReviewStatus.HELD, ReviewStatus.APPROVED], held_on__lt=before
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("-held_on", "-ref_id").first()


def ctx_of(review: ManagementReview, today: dt.date | None = None) -> Ctx:
    return Ctx(
        organisation=review.organisation,
        system_ids=[ms.pk for ms in review.management_systems.all()],
        period_start=review.period_start,
        today=today or timezone.localdate(),
        review_id=review.pk,
        held_on=review.held_on,
    )


def _snapshot(review: ManagementReview) -> dict[str, Any]:
    return {
        "ref_id": review.ref_id,
        "title": review.title,
        "held_on": review.held_on.isoformat(),
        "chair": review.chair.email,
        "status": review.status,
        "management_systems": sorted(ms.short_name for ms in review.management_systems.all()),
        "attendees": sorted(p.email for p in review.attendees.all()),
        "conclusions": review.conclusions,
    }


# ---------------------------------------------------------------- the review


def create_review(
    actor: Actor,
    *,
    management_systems: Any,
    held_on: Any,
    chair: Any,
    title: str = "",
    attendees: Iterable[Any] = (),
    ref_id: str = "",
) -> ManagementReview:
    """Plan a review and generate its agenda (every input of 9.3.2, tagged). Changes are reported
    since the previous review held before its date, or over the year before it."""
    data = {"title": title, "ref_id": ref_id}
    reject_control_characters(data)
    day = _day(held_on, "held_on")
    title = _text(data, "title", limit=MAX_TITLE)
    ref_id = _text(data, "ref_id", limit=32)
    chair_user = _person(chair, "chair")
    people = [_person(p, "attendees") for p in attendees or () if p not in (None, "")]
    with transaction.atomic():
        systems = _systems(management_systems)
        check_every(actor, Perm.EDIT_REVIEWS, systems)
        organisation = systems[0].organisation
        if ref_id:
            if ManagementReview.objects.filter(ref_id=ref_id).exists():
                raise Conflict(f"A management review {ref_id} already exists; choose another reference.")
        else:
            ref_id = next_ref(ManagementReview, f"MR-{day.year}-", width=2)
        previous = _previous(organisation, day)
        period_start = previous.held_on if previous else day - dt.timedelta(days=365)
        review = ManagementReview.objects.create(
            ref_id=ref_id,
            organisation=organisation,
            title=title or f"Management review {day.year}",
            held_on=day,
            chair=chair_user,
            period_start=period_start,
            previous=previous,
        )
        review.management_systems.set(systems)
        review.attendees.set([p for p in people if p is not None])
        ReviewItem.objects.bulk_create(
            [
                ReviewItem(
                    review=review, position=i, input=inp.key, title=inp.title, clause=inp.clause, tag=inp.tag
                )
                for i, inp in enumerate(INPUTS, start=1)
            ]
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            review,
            changes={k: [None, v] for k, v in _snapshot(review).items()}
            | {"agenda_items": [None, len(INPUTS)]},
            management_system_ids=[ms.pk for ms in systems],
        )
    return review


def update_review(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> ManagementReview:
    """Change the title, date, chair, attendees or conclusions. The date and the systems covered
    change only while the review is planned; nothing changes once the minutes are approved."""
    reject_control_characters({k: v for k, v in data.items() if isinstance(v, str)})
    allowed = {"title", "held_on", "chair", "attendees", "conclusions"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}.",
            {k: ["Not editable."] for k in unknown},
        )
    with transaction.atomic():
        review = get_review(ref, lock=True)
        check_every(actor, Perm.EDIT_REVIEWS, systems_of(review))
        check_version(review, expected_version, "management review")
        if review.status == ReviewStatus.APPROVED:
            raise Conflict(f"The minutes of {review.ref_id} are approved: the review no longer changes.")
        before = _snapshot(review)
        if "title" in data:
            review.title = _text(data, "title", required=True, limit=MAX_TITLE)
        if "conclusions" in data:
            review.conclusions = _text(data, "conclusions")
        if "chair" in data:
            review.chair = _person(data["chair"], "chair")  # type: ignore[assignment]
        if "held_on" in data:
            day = _day(data["held_on"], "held_on")
            if day != review.held_on and review.status != ReviewStatus.PLANNED:
                raise Conflict(f"{review.ref_id} has been held: its date no longer changes.")
            if day < review.period_start:
                raise ValidationFailed(
                    f"The date is before the start of the period reviewed ({review.period_start.isoformat()}).",
                    {"held_on": ["Before the period reviewed."]},
                )
            review.held_on = day
        review.save()
        if "attendees" in data:
            review.attendees.set(
                [_person(p, "attendees") for p in data["attendees"] or () if p not in (None, "")]
            )
        changes = trail.diff(before, _snapshot(review))
        if changes:
            trail.record(
                actor, TrailAction.UPDATE, review, changes=changes, management_system_ids=_ids(review)
            )
    return review


def _ids(review: ManagementReview) -> list[uuid.UUID]:
    return [ms.pk for ms in review.management_systems.all()]


def live_figures(review: ManagementReview, item: ReviewItem, today: dt.date | None = None) -> dict[str, Any]:
    """The figures of ``item`` read now from Keel's records (what holding the review would freeze)."""
    return BY_KEY[item.input].provider(ctx_of(review, today)).as_json(ctx_of(review, today))


def hold_review(actor: Actor, ref: uuid.UUID | str, *, held_on: Any = None) -> ManagementReview:
    """Mark the review held (on ``held_on``, default its planned date) and freeze every agenda
    item: its figures as JSON and its chart as SVG. Holding twice is refused."""
    with transaction.atomic():
        review = get_review(ref, lock=True)
        check_every(actor, Perm.EDIT_REVIEWS, systems_of(review))
        if review.status != ReviewStatus.PLANNED:
            raise Conflict(
                f"{review.ref_id} is already {review.get_status_display().lower()}: its inputs are frozen."
            )
        if held_on not in (None, ""):
            day = _day(held_on, "held_on")
            if day < review.period_start:
                raise ValidationFailed(
                    f"The date is before the start of the period reviewed ({review.period_start.isoformat()}).",
                    {"held_on": ["Before the period reviewed."]},
                )
            review.held_on = day
        if review.held_on > timezone.localdate():
            raise ValidationFailed(
                f"{review.ref_id} is planned for {review.held_on.isoformat()}: a review is held on or after its day.",
                {"held_on": ["In the future."]},
            )
        ctx = ctx_of(review)
        items = list(review.items.select_for_update().order_by("position"))
        for item in items:
            figures = BY_KEY[item.input].provider(ctx).as_json(ctx)
            item.figures = figures
            item.chart_svg = charts.bar_chart(figures.get("chart"))
        ReviewItem.objects.bulk_update(items, ["figures", "chart_svg"])
        review.status = ReviewStatus.HELD
        review.frozen_at = timezone.now()
        review.save(update_fields=["status", "held_on", "frozen_at", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            review,
            changes={
                "status": [ReviewStatus.PLANNED, ReviewStatus.HELD],
                "held_on": [None, review.held_on.isoformat()],
                "inputs_frozen": [None, len(items)],
            },
            management_system_ids=_ids(review),
        )
    return review


def approve_minutes(actor: Actor, ref: uuid.UUID | str, *, approved_by: Any = None) -> ManagementReview:
    """Approve the minutes of a held review (by the chair unless someone else is named)."""
    with transaction.atomic():
        review = get_review(ref, lock=True)
        check_every(actor, Perm.EDIT_REVIEWS, systems_of(review))
        if review.status == ReviewStatus.PLANNED:
            raise Conflict(
                f"{review.ref_id} has not been held yet: hold it (which freezes its inputs) first."
            )
        if review.status == ReviewStatus.APPROVED:
            raise Conflict(f"The minutes of {review.ref_id} are already approved.")
        if not review.decisions.exists():
            raise ValidationFailed(
                f"{review.ref_id} records no decision: record at least one (9.3.3) before approving the minutes.",
                {"decisions": ["None recorded."]},
            )
        review.status = ReviewStatus.APPROVED
        review.approved_by = _person(approved_by, "approved_by", required=False) or review.chair
        review.approved_on = timezone.localdate()
        review.save(update_fields=["status", "approved_by", "approved_on", "updated_at"])
        trail.record(
            actor,
            TrailAction.APPROVE,
            review,
            changes={
                "status": [ReviewStatus.HELD, ReviewStatus.APPROVED],
                "approved_by": [None, review.approved_by.email],
            },
            management_system_ids=_ids(review),
        )
    return review


# ---------------------------------------------------------------- items, decisions, actions


def _open_for_minutes(review: ManagementReview) -> None:
    if review.status == ReviewStatus.APPROVED:
        raise Conflict(f"The minutes of {review.ref_id} are approved: they no longer change.")


def update_item(
    actor: Actor, ref: uuid.UUID | str, *, notes: Any, expected_version: str | None = None
) -> ReviewItem:
    """Record what was discussed on an agenda item (until the minutes are approved)."""
    text = _text({"notes": notes}, "notes")
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
    body = _text({"text": text}, "text", required=True)
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
        "title": _text({"title": title}, "title", required=True, limit=MAX_TITLE),
        "detail": _text({"detail": detail}, "detail"),
    }
    reject_control_characters(data)
    who = _person(owner, "owner")
    due = _day(due_on, "due_on")
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
            action.title = _text(data, "title", required=True, limit=MAX_TITLE)
        if "detail" in data:
            action.detail = _text(data, "detail")
        if "outcome" in data:
            action.outcome = _text(data, "outcome")
        if "owner" in data:
            action.owner = _person(data["owner"], "owner")  # type: ignore[assignment]
        if "due_on" in data:
            action.due_on = _day(data["due_on"], "due_on")
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
        text = _text({"description": description}, "description") or action.detail or action.title
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
