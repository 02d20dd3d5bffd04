"""What the review services share: finding a review, item or action by reference, the permission
over every system a review covers, and the parsing of text, dates and people."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import check

from .models import ManagementReview, ReviewAction, ReviewItem

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


def text_of(data: dict[str, Any], name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = data.get(name)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationFailed(f"Give the {name.replace('_', ' ')}.", {name: ["Required."]})
    if len(text) > limit:
        raise ValidationFailed(
            f"The {name.replace('_', ' ')} is longer than {limit} characters.", {name: ["Too long."]}
        )
    return text


def day_of(value: Any, name: str) -> dt.date:
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


def person_of(value: Any, name: str, *, required: bool = True) -> User | None:
    person = resolvers.user_by_email(value, field=name) if value not in (None, "") else None
    if person is None and required:
        raise ValidationFailed(
            f"Name the {name.replace('_', ' ')} (an email of the people directory).", {name: ["Required."]}
        )
    return person


def _ids(review: ManagementReview) -> list[uuid.UUID]:
    return [ms.pk for ms in review.management_systems.all()]


def required_person(value: Any, name: str) -> User:
    """The person named, or a 422 on ``name`` when none is."""
    person = person_of(value, name)
    assert person is not None  # person_of refuses an empty one when required
    return person
