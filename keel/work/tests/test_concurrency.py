"""Two ``keel jobs run`` at once (cron overlapping a slow run) never send an item twice, on
PostgreSQL (SQLite serialises writers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.support.tests import factories as sf
from keel.work import jobs
from keel.work.models import Notification
from tests.concurrency.harness import postgres_only, run_at_once, widen_race
from tests.concurrency.replay import library_back_after_flush

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]


def test_two_runs_at_once_send_each_item_once(isms: Any, make_user: Any) -> None:
    today = timezone.localdate()
    people = [make_user(Role.CONTRIBUTOR, isms, email=f"p{i}@example.com") for i in range(4)]
    for p in people:
        sf.competence_record(isms, p, title="Lead auditor", expires_on=today + dt.timedelta(days=3))
    with widen_race(0.05):
        results = run_at_once(lambda: jobs.run(Actor.system("a")), lambda: jobs.run(Actor.system("b")))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r.items_sent for r in results) == 4, [str(r.as_dict()) for r in results]
    assert len(mail.outbox) == 4 and sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Notification.objects.count() == 4
