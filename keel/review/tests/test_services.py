"""Services of management review: the agenda, freezing, minutes, decisions and actions, and every
refusal with its message (nothing changes on a refusal)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keel.organisation import directory
from keel.organisation.models import ContextIssue
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry
from keel.review import services
from keel.review.choices import ReviewActionStatus, ReviewStatus, ReviewTag
from keel.review.hooks import actions_due, actions_overdue, restructured
from keel.review.inputs import INPUTS
from keel.review.models import ReviewAction
from keel.support.tests import factories as support

from . import factories as f

pytestmark = pytest.mark.django_db
SYSTEM = f.SYSTEM
TODAY = timezone.localdate()


def test_a_new_review_holds_every_input_tagged_and_numbered(isms: Any, aims: Any, make_user: Any) -> None:
    chair = make_user()
    review = f.review([isms, aims], chair, attendees=[chair.email])
    items = list(review.items.order_by("position"))
    assert [i.input for i in items] == [i.key for i in INPUTS]
    assert {i.tag for i in items} == {ReviewTag.BOTH, ReviewTag.ISO27001, ReviewTag.ISO42001}
    assert all(i.figures is None for i in items)
    assert review.ref_id == f"MR-{review.held_on.year}-01"
    assert review.period_start == review.held_on - dt.timedelta(days=365)
    assert TrailEntry.objects.filter(object_id=str(review.pk), action="create").count() == 1
    # the next one reports since this one, once held
    services.hold_review(SYSTEM, review.ref_id)
    later = f.review([isms], chair, held_on=TODAY)
    assert later.previous == review and later.period_start == review.held_on
    assert later.ref_id.endswith("-02")


def test_every_input_has_live_figures(isms: Any, aims: Any, make_user: Any) -> None:
    chair = make_user()
    support.objective(isms)
    review = f.review([isms, aims], chair)
    for item in review.items.all():
        figures = services.live_figures(review, item)
        assert figures["summary"], item.input
        assert figures["as_of"] == TODAY.isoformat()


def test_holding_freezes_the_figures_and_later_changes_do_not_touch_them(
    isms: Any, org: Any, make_user: Any
) -> None:
    chair = make_user()
    review = f.review([isms], chair)
    ContextIssue.objects.create(
        organisation=org, title="New regulator", description="x", kind="external", category="legal"
    )
    services.hold_review(SYSTEM, review.ref_id)
    item = review.items.get(input="context_issues")
    frozen = dict(item.figures)
    assert item.chart_svg.startswith("<svg") or not frozen["chart"]
    ContextIssue.objects.create(
        organisation=org, title="Another", description="y", kind="internal", category="legal"
    )
    item.refresh_from_db()
    assert item.figures == frozen
    with pytest.raises(Conflict, match="already held"):
        services.hold_review(SYSTEM, review.ref_id)


def test_a_review_planned_for_the_future_cannot_be_held_yet(isms: Any, make_user: Any) -> None:
    review = f.review([isms], make_user(), held_on=TODAY + dt.timedelta(days=10))
    with pytest.raises(ValidationFailed, match="is held on or after its day"):
        services.hold_review(SYSTEM, review.ref_id)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PLANNED and review.frozen_at is None


def test_refusals_name_the_field(isms: Any, make_user: Any) -> None:
    chair = make_user()
    with pytest.raises(ValidationFailed, match="management systems"):
        services.create_review(SYSTEM, management_systems=[], held_on=TODAY, chair=chair.email)
    with pytest.raises(ValidationFailed, match="not a date"):
        services.create_review(SYSTEM, management_systems=["isms"], held_on="soon", chair=chair.email)
    with pytest.raises(ValidationFailed, match="chair"):
        services.create_review(SYSTEM, management_systems=["isms"], held_on=TODAY, chair="")
    with pytest.raises(ValidationFailed, match="No user"):
        services.create_review(SYSTEM, management_systems=["isms"], held_on=TODAY, chair="nobody@example.com")


def test_only_an_editor_of_every_system_plans_a_review(isms: Any, aims: Any, make_user: Any) -> None:
    manager = make_user(Role.COMPLIANCE_MANAGER, isms)
    actor = Actor.for_user(manager, "web")
    with pytest.raises(PermissionDenied):
        services.create_review(actor, management_systems=["isms", "aims"], held_on=TODAY, chair=manager.email)
    review = services.create_review(actor, management_systems=["isms"], held_on=TODAY, chair=manager.email)
    viewer = Actor.for_user(make_user(Role.VIEWER), "web")
    with pytest.raises(PermissionDenied):
        services.hold_review(viewer, review.ref_id)


def test_minutes_need_a_decision_and_then_nothing_changes(isms: Any, make_user: Any) -> None:
    chair = make_user()
    review = f.review([isms], chair)
    with pytest.raises(Conflict, match="not been held"):
        services.approve_minutes(SYSTEM, review.ref_id)
    services.hold_review(SYSTEM, review.ref_id)
    with pytest.raises(ValidationFailed, match="no decision"):
        services.approve_minutes(SYSTEM, review.ref_id)
    decision = services.add_decision(SYSTEM, review.ref_id, text="Fund a second ML engineer.", item="risks")
    assert decision.number == 1 and decision.item is not None and decision.item.input == "risks"
    item = review.items.get(input="objectives")
    services.update_item(SYSTEM, item.pk, notes="Two objectives behind target.")
    approved = services.approve_minutes(SYSTEM, review.ref_id)
    assert approved.status == ReviewStatus.APPROVED and approved.approved_by == chair
    with pytest.raises(Conflict, match="approved"):
        services.add_decision(SYSTEM, review.ref_id, text="Too late.")
    with pytest.raises(Conflict, match="approved"):
        services.update_item(SYSTEM, item.pk, notes="Changed afterwards.")
    with pytest.raises(ValidationFailed, match="no agenda item"):
        services.add_decision(SYSTEM, f.review([isms], chair).ref_id, text="x", item="nothing")


def test_actions_have_owner_and_due_date_and_close_with_an_outcome(isms: Any, make_user: Any) -> None:
    chair = make_user()
    owner = directory.create_person(SYSTEM, "Lena Fischer", email="lena.fischer@example.com")
    review = f.held([isms], chair)
    services.add_decision(SYSTEM, review.ref_id, text="Retrain the support team.")
    action = services.add_action(
        SYSTEM,
        review.ref_id,
        title="Run the training",
        owner=owner.email,
        due_on=TODAY + dt.timedelta(days=5),
        decision="D1",
    )
    assert action.ref_id.startswith("RA-") and action.decision is not None and action.owner == owner
    with pytest.raises(ValidationFailed, match="before the review"):
        services.add_action(
            SYSTEM, review.ref_id, title="x", owner=owner.email, due_on=review.held_on - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationFailed, match="owner"):
        services.add_action(SYSTEM, review.ref_id, title="x", owner="", due_on=TODAY)
    with pytest.raises(ValidationFailed, match="what was done"):
        services.update_action(SYSTEM, action.ref_id, status="done")
    with pytest.raises(ValidationFailed, match="Unknown status"):
        services.update_action(SYSTEM, action.ref_id, status="finished")
    # due soon: a reminder for the owner; not overdue yet
    due = actions_due(review.organisation, TODAY, dt.timedelta(days=14))
    assert [d.person_id for d in due] == [owner.pk] and due[0].kind == "Management review action"
    assert actions_overdue(None) == []
    done = services.update_action(SYSTEM, action.ref_id, status="done", outcome="Trained 14 people.")
    assert done.status == ReviewActionStatus.DONE and done.done_on == TODAY
    assert actions_due(review.organisation, TODAY, dt.timedelta(days=14)) == []


def test_an_overdue_action_is_a_finding_and_the_next_review_lists_it(isms: Any, make_user: Any) -> None:
    chair = make_user()
    review = f.held([isms], chair, held_on=TODAY - dt.timedelta(days=40))
    action = services.add_action(
        SYSTEM,
        review.ref_id,
        title="Renew the pen test",
        owner=chair.email,
        due_on=TODAY - dt.timedelta(days=3),
    )
    found = actions_overdue({isms.pk})
    assert [x.rule for x in found] == ["review_action_overdue"] and action.ref_id in found[0].title
    assert actions_overdue(set()) == []
    nxt = f.review([isms], chair, held_on=TODAY)
    figures = services.live_figures(nxt, nxt.items.get(input="previous_actions"))
    assert figures["facts"][2] == ["Overdue", 1]
    assert any(action.ref_id in row[0] for row in figures["table"]["rows"])


def test_a_merge_moves_reviews_and_a_split_shares_them(isms: Any, aims: Any, make_user: Any) -> None:
    review = f.review([isms], make_user())
    pending = restructured(SYSTEM, "split", isms, aims)
    assert len(pending) == 1
    assert sorted(ms.short_name for ms in review.management_systems.all()) == ["aims", "isms"]
    other = f.review([isms], make_user())
    restructured(SYSTEM, "merge", isms, aims)
    assert [ms.short_name for ms in other.management_systems.all()] == ["aims"]
    assert ReviewAction.objects.count() == 0


def test_an_action_raises_a_nonconformity_once(isms: Any, make_user: Any) -> None:
    chair = make_user()
    review = f.held([isms], chair)
    action = services.add_action(
        SYSTEM, review.ref_id, title="Backups untested for a year", owner=chair.email, due_on=TODAY
    )
    raised = services.raise_nonconformity(SYSTEM, action.ref_id)
    assert raised.nonconformity_ref.startswith("NC-")
    from keel.improvement.models import Nonconformity

    nc = Nonconformity.objects.get(ref_id=raised.nonconformity_ref)
    assert nc.source == "management_review" and nc.source_ref == f"{review.ref_id} {action.ref_id}"
    assert [ms.short_name for ms in nc.management_systems.all()] == ["isms"]
    with pytest.raises(Conflict, match="already raised"):
        services.raise_nonconformity(SYSTEM, action.ref_id)
