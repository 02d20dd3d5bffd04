"""Concurrent approvals of one change, on PostgreSQL: two approvers (or an approver and a
rejecter) at the same moment — exactly one decision is recorded, the other is refused as a
conflict, and the trail holds one decision. ``widen_race`` holds each writer between its change
and its trail entry, so without the row lock both would read "submitted" and both would write."""

from __future__ import annotations

from typing import Any

import pytest

from keel.changes import services
from keel.changes.models import Change
from keel.changes.tests import factories as f
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict
from keel.platform.models import TrailEntry

from .harness import postgres_only, run_at_once, widen_race
from .replay import library_back_after_flush

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]
ROUNDS = 10


def test_simultaneous_decisions_on_one_change_record_exactly_one(
    isms: ManagementSystem, make_user: Any
) -> None:
    requester = make_user(Role.CONTRIBUTOR, isms)
    first = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), "api")
    second = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), "api")
    for i in range(ROUNDS):
        change = f.it_change(isms, requester, kind="standard", title=f"Round {i}")
        services.submit(f.SYSTEM, change.pk)
        pk = change.pk
        other = (
            (lambda pk=pk: services.approve(second, pk, "second"))
            if i % 2
            else (lambda pk=pk: services.reject(second, pk, "too risky"))
        )
        with widen_race(0.05):
            results = run_at_once(lambda pk=pk: services.approve(first, pk, "first"), other)
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1 and isinstance(errors[0], Conflict), results
        stored = Change.objects.get(pk=change.pk)
        winner = next(r for r in results if not isinstance(r, BaseException))
        assert stored.status == winner.status and stored.approver_id == winner.approver_id
        # created, submitted, then exactly one decision
        assert TrailEntry.objects.filter(object_id=str(change.pk)).count() == 3
