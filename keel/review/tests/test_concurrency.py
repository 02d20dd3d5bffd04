"""Management review writes racing on PostgreSQL: two people holding the same review at once
freeze it once (the other gets a conflict), and decisions recorded at once get distinct numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keel.platform.actor import Actor
from keel.platform.errors import Conflict
from keel.platform.models import TrailEntry
from keel.review import services
from keel.review.models import ReviewDecision
from tests.concurrency.harness import postgres_only, run_at_once, widen_race

from . import factories as f

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
A, B = Actor.system("writer-a"), Actor.system("writer-b")


def test_two_holds_at_once_freeze_once_and_the_other_is_a_conflict(isms: Any, make_user: Any) -> None:
    chair = make_user()
    for i in range(3):
        review = f.review([isms], chair, held_on=timezone.localdate() - dt.timedelta(days=i + 1))
        with widen_race(0.05):
            results = run_at_once(
                lambda r=review: services.hold_review(A, r.pk), lambda r=review: services.hold_review(B, r.pk)
            )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1 and isinstance(errors[0], Conflict), results
        held = TrailEntry.objects.filter(object_id=str(review.pk), action="update")
        assert held.count() == 1


def test_decisions_recorded_at_once_get_distinct_numbers(isms: Any, make_user: Any) -> None:
    review = f.held([isms], make_user())
    with widen_race(0.05):
        results = run_at_once(
            lambda: services.add_decision(A, review.pk, text="One."),
            lambda: services.add_decision(B, review.pk, text="Two."),
        )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(ReviewDecision.objects.filter(review=review).values_list("number", flat=True)) == [1, 2]
