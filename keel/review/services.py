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
from django.utils import timezone

from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm
from keel.platform.records import reject_control_characters

from . import charts
from .choices import ReviewStatus
from .inputs import BY_KEY, INPUTS, Ctx
from .models import ManagementReview, ReviewItem
from .records import (
    MAX_TITLE,
    _ids,
    check_every,
    day_of,
    get_review,
    person_of,
    required_person,
    systems_of,
    text_of,
)


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
    day = day_of(held_on, "held_on")
    title = text_of(data, "title", limit=MAX_TITLE)
    ref_id = text_of(data, "ref_id", limit=32)
    chair_user = required_person(chair, "chair")
    people = [required_person(p, "attendees") for p in attendees or () if p not in (None, "")]
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
            review.title = text_of(data, "title", required=True, limit=MAX_TITLE)
        if "conclusions" in data:
            review.conclusions = text_of(data, "conclusions")
        if "chair" in data:
            review.chair = required_person(data["chair"], "chair")
        if "held_on" in data:
            day = day_of(data["held_on"], "held_on")
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
                [required_person(p, "attendees") for p in data["attendees"] or () if p not in (None, "")]
            )
        changes = trail.diff(before, _snapshot(review))
        if changes:
            trail.record(
                actor, TrailAction.UPDATE, review, changes=changes, management_system_ids=_ids(review)
            )
    return review


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
            day = day_of(held_on, "held_on")
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
        review.approved_by = person_of(approved_by, "approved_by", required=False) or review.chair
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


# the decisions and actions of a review live in keel/review/actions.py, the shared lookups in
# keel/review/records.py; re-exported so that pages, the API and tests call services.* only
from .actions import add_action as add_action  # noqa: E402
from .actions import add_decision as add_decision  # noqa: E402
from .actions import raise_nonconformity as raise_nonconformity  # noqa: E402
from .actions import update_action as update_action  # noqa: E402
from .actions import update_item as update_item  # noqa: E402
from .records import get_action as get_action  # noqa: E402
from .records import get_item as get_item  # noqa: E402
