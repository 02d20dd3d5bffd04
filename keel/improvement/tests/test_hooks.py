"""What the app registers: reminders, consistency-check rules, the person page, split and merge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import transaction
from django.utils import timezone

from keel.improvement import hooks
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform import checks
from keel.platform import hooks as platform_hooks
from keel.platform.models import User
from keel.standards.models import Standard
from keel.work import reminders

from . import factories as f

pytestmark = pytest.mark.django_db


def test_reminders_of_actions_and_effectiveness_checks(
    make_user: Callable[..., User], org: Organisation, isms: ManagementSystem
) -> None:
    owner = make_user(None, email="owner@example.com")
    today = timezone.localdate()
    nc = f.analysed(isms, owner=owner.email)
    due = f.action(nc, owner, due_on=today + dt.timedelta(days=3))
    f.action(nc, owner, due_on=today + dt.timedelta(days=60), description="Later")
    items = [d for d in reminders.due_items(org, today) if d.kind == "Corrective action"]
    assert [d.key for d in items] == [f"corrective_action:{due.ref_id}:{due.due_on.isoformat()}"]
    assert items[0].person_id == owner.pk and items[0].management_system_id == isms.pk
    # once every action is done, the effectiveness check falls due a month after the last one
    other = f.analysed(isms, owner=owner.email, title="Other")
    f.done(f.action(other, owner), on=today - dt.timedelta(days=40))
    checks_due = [d for d in reminders.due_items(org, today) if d.kind == "Effectiveness check"]
    assert [d.title.split()[0] for d in checks_due] == [other.ref_id]
    assert checks_due[0].due == today - dt.timedelta(days=10) and checks_due[0].person_id == owner.pk


def test_check_rules_flag_overdue_actions_and_missing_root_causes(
    make_user: Callable[..., User], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    owner = make_user(None, email="owner@example.com")
    today = timezone.localdate()
    late = f.analysed(isms, raised_on=today - dt.timedelta(days=90))
    f.action(late, owner, due_on=today - dt.timedelta(days=5))
    f.nonconformity(aims, title="No analysis", raised_on=today - dt.timedelta(days=45))
    f.nonconformity(aims, title="Fresh", raised_on=today - dt.timedelta(days=5))
    found = checks.run(None, only=("corrective_action_overdue", "nonconformity_without_root_cause"))
    titles = sorted(x.title for x in found)
    assert any(t.startswith("CA-001 of NC-001 is 5 days overdue") for t in titles)
    assert any("No analysis has had no root cause for 45 days" in t for t in titles)
    assert not any("Fresh" in t for t in titles)
    # the perimeter narrows them
    only_isms = checks.run({isms.pk}, only=("corrective_action_overdue", "nonconformity_without_root_cause"))
    assert [x.rule for x in only_isms] == ["corrective_action_overdue"]


def test_the_person_page_lists_what_they_own(make_user: Callable[..., User], isms: ManagementSystem) -> None:
    owner = make_user(None, email="owner@example.com")
    nc = f.analysed(isms, owner=owner.email)
    f.action(nc, owner)
    kinds = [o.kind for o in hooks.owned(owner, make_user("admin"))]
    assert kinds == ["Nonconformities", "Corrective actions"]


def test_split_moves_42001_only_ones_and_shares_the_others(
    system_actor,
    org: Organisation,
    isms: ManagementSystem,
    aims: ManagementSystem,  # type: ignore[no-untyped-def]
) -> None:
    both = ManagementSystem.objects.create(
        organisation=org, name="IMS", short_name="ims", operating_model="integrated"
    )
    ai_only = f.nonconformity(both, title="AI only", requirements=["iso42001:2023:A.6.2.4"])
    shared = f.nonconformity(both, title="Shared", requirements=["iso42001:2023:10.2", "iso27001:2022:10.2"])
    std = Standard.objects.get(key="iso42001:2023")
    with transaction.atomic():
        pending = [
            p
            for found in platform_hooks.call(
                "management_system.restructured",
                actor=system_actor,
                kind="split",
                source=both,
                target=aims,
                standard=std,
            )
            for p in found
        ]
    assert {s.short_name for s in ai_only.management_systems.all()} == {"aims"}
    assert {s.short_name for s in shared.management_systems.all()} == {"ims", "aims"}
    assert len([p for p in pending if p.obj is not None and p.obj.pk in {ai_only.pk, shared.pk}]) == 2
    with transaction.atomic():
        hooks.restructured(system_actor, "merge", aims, isms)
    assert {s.short_name for s in ai_only.management_systems.all()} == {"isms"}
    assert {s.short_name for s in shared.management_systems.all()} == {"ims", "isms"}
