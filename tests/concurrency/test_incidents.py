"""Concurrent writers on incidents, on PostgreSQL: two handlers recording the same notification
at once — one is recorded, the other is told it was already made; two reports at once get two
references."""

from __future__ import annotations

import pytest

from keel.incidents import services
from keel.incidents.models import Incident
from keel.incidents.tests import factories as f
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import Conflict

from .harness import postgres_only, run_at_once, widen_race
from .replay import library_back_after_flush

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]
A, B = Actor.system("handler-a"), Actor.system("handler-b")


def test_a_notification_recorded_twice_at_once_is_recorded_once(isms: ManagementSystem) -> None:
    for _ in range(5):
        incident = f.incident(isms, personal_data_breach=True)
        clock = incident.clocks.get()
        with widen_race(0.02):
            results = run_at_once(
                lambda ref=incident.ref_id, pk=clock.pk: services.meet_clock(A, ref, pk, note="by A"),
                lambda ref=incident.ref_id, pk=clock.pk: services.meet_clock(B, ref, pk, note="by B"),
            )
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(conflicts) == 1, results
        assert incident.timeline.filter(kind="notification").count() == 1


def test_two_reports_at_once_get_two_references(isms: ManagementSystem) -> None:
    f.incident(isms)
    results = run_at_once(lambda: f.incident(isms, title="One"), lambda: f.incident(isms, title="Two"))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(Incident.objects.values_list("ref_id", flat=True)) == ["INC-001", "INC-002", "INC-003"]
