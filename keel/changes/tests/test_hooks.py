"""What keel.changes registers: the management_system.restructured answer (split and merge), the
reminders (a planned change past its date, a review due) and the review-overdue check rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.changes import services
from keel.changes.hooks import reminders_due, reviews_overdue
from keel.changes.models import Change
from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.work import reminders

from . import factories as f

pytestmark = pytest.mark.django_db


def test_split_moves_model_changes_with_their_system_and_merge_moves_everything(
    isms: Any, aims: Any, admin: Any
) -> None:
    system, version = f.system_with_version(isms)
    model = f.retraining(system, version, admin)
    it = f.it_change(isms, admin)
    ms = f.ms_change(isms, admin)
    AISystem.objects.filter(pk=system.pk).update(management_system=aims)  # aiact's split moved it
    with transaction.atomic():
        entries = [
            e
            for found in hooks.call(
                "management_system.restructured",
                actor=f.SYSTEM,
                kind="split",
                source=isms,
                target=aims,
                standard=None,
            )
            for e in found
        ]
        trail.record_many(f.SYSTEM, entries)
    assert Change.objects.get(pk=model.pk).management_system == aims
    assert Change.objects.get(pk=it.pk).management_system == isms
    assert sorted(m.short_name for m in Change.objects.get(pk=ms.pk).management_systems.all()) == sorted(
        [isms.short_name, aims.short_name]
    )
    assert len(entries) == 2
    with transaction.atomic():
        entries = [
            e
            for found in hooks.call(
                "management_system.restructured",
                actor=f.SYSTEM,
                kind="merge",
                source=isms,
                target=aims,
                standard=None,
            )
            for e in found
        ]
    assert set(Change.objects.values_list("management_system", flat=True)) == {aims.pk}
    assert [m.short_name for m in Change.objects.get(pk=ms.pk).management_systems.all()] == [aims.short_name]


def test_reminders_and_the_review_overdue_rule(isms: Any, admin: Any, make_user: Any) -> None:
    today = timezone.localdate()
    planned = f.it_change(isms, admin, kind="standard", planned_on=today - dt.timedelta(days=2))
    later = f.it_change(isms, admin, kind="standard", planned_on=today + dt.timedelta(days=60))
    done = f.it_change(isms, admin, kind="standard")
    services.submit(f.SYSTEM, done.pk)
    services.approve(Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), "web"), done.pk)
    services.implement(f.SYSTEM, done.pk)
    assert "change" in reminders.sources()
    due = {
        d.key.split(":")[0] + ":" + d.key.split(":")[1]: d
        for d in reminders_due(None, today, dt.timedelta(days=14))
    }
    assert set(due) == {f"change_planned:{planned.ref_id}"} and due[
        f"change_planned:{planned.ref_id}"
    ].overdue(today)
    assert later.ref_id not in str(due) and reviews_overdue(None) == []
    Change.objects.filter(pk=done.pk).update(implemented_at=timezone.now() - dt.timedelta(days=31))
    due = [
        d for d in reminders_due(None, today, dt.timedelta(days=14)) if d.kind == "Post-implementation review"
    ]
    assert [d.title for d in due] == [f"{done.title} ({done.ref_id})"] and due[0].overdue(today)
    findings = reviews_overdue({isms.pk})
    assert [x.rule for x in findings] == ["change_review_overdue"] and "31 days ago" in findings[0].title
    assert reviews_overdue(set()) == []
