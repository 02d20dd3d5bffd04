"""The nonconformity's steps, from correction to closure, and every refusal with its message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from keel.improvement import actions, services
from keel.improvement.choices import CorrectiveActionStatus, NonconformityStatus
from keel.improvement.models import Nonconformity
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.concurrency import EditConflict, version_of
from keel.platform.errors import PermissionDenied, ValidationFailed
from keel.platform.models import User

from . import factories as f

pytestmark = pytest.mark.django_db
SYSTEM = f.SYSTEM


@pytest.fixture
def owner(make_user: Callable[..., User], isms: ManagementSystem) -> User:
    return make_user("contributor", isms, email="owner@example.com")


def test_the_steps_move_the_status_on_until_closed(isms: ManagementSystem, owner: User) -> None:
    nc = f.nonconformity(isms)
    assert nc.status == NonconformityStatus.OPEN
    nc = services.record_correction(
        SYSTEM, nc.ref_id, correction="Access list reviewed.", corrected_on=f.RAISED
    )
    assert nc.status == NonconformityStatus.ROOT_CAUSE
    nc = services.record_root_cause(SYSTEM, nc.ref_id, method="free", conclusion="No owner for the review.")
    assert nc.status == NonconformityStatus.ACTIONS and nc.root_cause_whys == []
    ca = f.action(nc, owner)
    assert ca.ref_id == "CA-001" and ca.status == CorrectiveActionStatus.OPEN
    f.done(ca)
    nc.refresh_from_db()
    assert nc.status == NonconformityStatus.EFFECTIVENESS
    check = services.record_effectiveness(
        SYSTEM,
        nc.ref_id,
        effective=True,
        checked_by=owner.email,
        checked_on=dt.date(2026, 4, 20),
        evidence_note="Q2 record",
    )
    assert check.checked_by == owner and check.effective
    nc = services.close_nonconformity(SYSTEM, nc.ref_id, closed_on=dt.date(2026, 4, 21))
    assert nc.status == NonconformityStatus.CLOSED and nc.closed_on == dt.date(2026, 4, 21)


def test_closing_too_early_names_every_missing_step(isms: ManagementSystem, owner: User) -> None:
    nc = f.nonconformity(isms)
    with pytest.raises(ValidationFailed) as exc:
        services.close_nonconformity(SYSTEM, nc.ref_id)
    assert exc.value.message == (
        "NC-001 cannot be closed yet: correction not recorded; root cause not recorded; "
        "no corrective action; effectiveness not recorded."
    )
    nc = f.analysed(title="Second")
    f.done(f.action(nc, owner))
    f.action(nc, owner, description="Add the review to the compliance calendar.")
    with pytest.raises(ValidationFailed) as exc:
        services.close_nonconformity(SYSTEM, nc.ref_id)
    assert exc.value.message == "NC-002 cannot be closed yet: CA-002 is not done; effectiveness not recorded."
    assert Nonconformity.objects.get(ref_id="NC-002").status == NonconformityStatus.ACTIONS


def test_not_effective_sends_it_back_to_new_actions(isms: ManagementSystem, owner: User) -> None:
    nc = f.analysed(isms)
    f.done(f.action(nc, owner))
    services.record_effectiveness(
        SYSTEM,
        nc.ref_id,
        effective=False,
        checked_by=owner,
        checked_on=dt.date(2026, 4, 20),
        evidence_note="Q2 review still missing",
    )
    nc.refresh_from_db()
    assert nc.status == NonconformityStatus.ACTIONS
    with pytest.raises(ValidationFailed) as exc:
        services.close_nonconformity(SYSTEM, nc.ref_id)
    assert (
        "the last effectiveness check found the actions not effective: add new corrective actions"
        in exc.value.message
    )
    with pytest.raises(ValidationFailed, match="add new corrective actions first"):
        services.record_effectiveness(SYSTEM, nc.ref_id, effective=True, evidence_note="again")
    second = f.action(nc, owner, description="Automate the reminder.", due_on=dt.date(2026, 5, 30))
    with pytest.raises(ValidationFailed) as exc:
        services.close_nonconformity(SYSTEM, nc.ref_id)
    assert exc.value.message.endswith(f"{second.ref_id} is not done; effectiveness not recorded.")
    f.done(second, on=dt.date(2026, 5, 2))
    services.record_effectiveness(
        SYSTEM,
        nc.ref_id,
        effective=True,
        checked_by=owner,
        checked_on=dt.date(2026, 5, 20),
        evidence_note="Q2 review done on time",
    )
    assert services.close_nonconformity(SYSTEM, nc.ref_id).status == NonconformityStatus.CLOSED


def test_refusals_of_the_steps(isms: ManagementSystem, owner: User) -> None:
    nc = f.nonconformity(isms)
    with pytest.raises(ValidationFailed) as exc:
        services.record_correction(SYSTEM, nc.ref_id, correction="  ")
    assert exc.value.fields == {"correction": ["Required."]}
    with pytest.raises(ValidationFailed, match="cannot be before NC-001 was raised"):
        services.record_correction(SYSTEM, nc.ref_id, correction="x", corrected_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationFailed, match="cannot be in the future"):
        services.record_correction(
            SYSTEM, nc.ref_id, correction="x", corrected_on=dt.date.today() + dt.timedelta(days=2)
        )
    with pytest.raises(ValidationFailed) as exc:
        services.record_root_cause(SYSTEM, nc.ref_id, method="five_whys", whys=["only one"], conclusion="c")
    assert exc.value.fields == {"whys": ["At least two."]}
    with pytest.raises(ValidationFailed) as exc:
        services.record_root_cause(SYSTEM, nc.ref_id, method="fishbone", conclusion="c")
    assert "method" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.record_root_cause(SYSTEM, nc.ref_id, method="free", conclusion="")
    assert exc.value.fields == {"conclusion": ["Required."]}
    with pytest.raises(ValidationFailed, match="Record the root cause of NC-001 first"):
        actions.add_action(SYSTEM, nc.ref_id, description="x", owner=owner, due_on=dt.date(2026, 5, 1))
    nc = f.analysed(title="Analysed")
    with pytest.raises(ValidationFailed) as exc:
        actions.add_action(SYSTEM, nc.ref_id, description="", owner=owner, due_on=dt.date(2026, 5, 1))
    assert exc.value.fields == {"description": ["Required."]}
    with pytest.raises(ValidationFailed) as exc:
        actions.add_action(SYSTEM, nc.ref_id, description="x", owner=None, due_on=dt.date(2026, 5, 1))
    assert exc.value.fields == {"owner": ["Required."]}
    with pytest.raises(ValidationFailed) as exc:
        actions.add_action(SYSTEM, nc.ref_id, description="x", owner=owner, due_on=None)
    assert exc.value.fields == {"due_on": ["Required."]}
    with pytest.raises(ValidationFailed) as exc:
        actions.add_action(SYSTEM, nc.ref_id, description="x", owner=owner, due_on=dt.date(2026, 1, 1))
    assert exc.value.fields == {"due_on": ["Before the nonconformity was raised."]}
    with pytest.raises(ValidationFailed, match="has no corrective action yet"):
        services.record_effectiveness(SYSTEM, nc.ref_id, effective=True, evidence_note="x")
    ca = f.action(nc, owner)
    with pytest.raises(ValidationFailed, match="CA-001 is not done"):
        services.record_effectiveness(SYSTEM, nc.ref_id, effective=True, evidence_note="x")
    with pytest.raises(ValidationFailed) as exc:
        actions.complete_action(SYSTEM, ca.ref_id)
    assert exc.value.fields == {"done_note": ["Required: a note or evidence."]}
    f.done(ca)
    with pytest.raises(ValidationFailed, match="CA-001 is already done"):
        f.done(ca)
    with pytest.raises(ValidationFailed) as exc:
        services.record_effectiveness(SYSTEM, nc.ref_id, effective=True, checked_by=owner)
    assert exc.value.fields == {"evidence": ["Required: evidence or a note."]}
    with pytest.raises(ValidationFailed) as exc:
        services.record_effectiveness(
            SYSTEM,
            nc.ref_id,
            effective=True,
            evidence_note="x",
            checked_by=owner,
            checked_on=dt.date(2026, 4, 1),
        )
    assert exc.value.fields == {"checked_on": ["Before the actions were done."]}
    with pytest.raises(ValidationFailed) as exc:
        services.record_effectiveness(
            SYSTEM, nc.ref_id, effective=True, evidence_note="x", checked_by="nobody@example.com"
        )
    assert exc.value.fields == {"checked_by": ["Unknown user."]}
    with pytest.raises(ValidationFailed) as exc:
        services.record_effectiveness(SYSTEM, nc.ref_id, effective=True, evidence_note="x")
    assert exc.value.fields == {"checked_by": ["Required."]}  # the system actor is nobody


def test_a_closed_nonconformity_is_final(isms: ManagementSystem, owner: User) -> None:
    nc = f.ready_to_close(isms, owner)
    services.close_nonconformity(SYSTEM, nc.ref_id, closed_on=dt.date(2026, 4, 25))
    with pytest.raises(ValidationFailed, match="already closed"):
        services.close_nonconformity(SYSTEM, nc.ref_id)
    with pytest.raises(ValidationFailed, match="NC-001 is closed: it cannot be edited"):
        services.update_nonconformity(SYSTEM, nc.ref_id, title="New")
    with pytest.raises(ValidationFailed, match="is closed"):
        actions.add_action(SYSTEM, nc.ref_id, description="x", owner=owner, due_on=dt.date(2026, 6, 1))
    with pytest.raises(ValidationFailed, match="is closed"):
        services.record_correction(SYSTEM, nc.ref_id, correction="again")


def test_close_date_not_before_the_check(isms: ManagementSystem, owner: User) -> None:
    nc = f.ready_to_close(isms, owner)
    with pytest.raises(ValidationFailed) as exc:
        services.close_nonconformity(SYSTEM, nc.ref_id, closed_on=dt.date(2026, 4, 19))
    assert exc.value.fields == {"closed_on": ["Before the effectiveness check."]}


def test_a_stale_version_is_a_conflict(isms: ManagementSystem) -> None:
    nc = f.nonconformity(isms)
    seen = version_of(nc)
    services.update_nonconformity(SYSTEM, nc.ref_id, expected_version=seen, title="Renamed")
    with pytest.raises(EditConflict):
        services.update_nonconformity(SYSTEM, nc.ref_id, expected_version=seen, title="Other")
    assert Nonconformity.objects.get(pk=nc.pk).title == "Renamed"


def test_update_changes_fields_and_links(isms: ManagementSystem, aims: ManagementSystem) -> None:
    nc = f.nonconformity(isms)
    before = version_of(nc)
    nc = services.update_nonconformity(
        SYSTEM,
        nc.ref_id,
        management_systems=["isms", "aims"],
        requirements=["iso42001:2023:10.2"],
        kind="major",
    )
    assert nc.kind == "major" and {m.short_name for m in nc.management_systems.all()} == {"isms", "aims"}
    assert version_of(nc) != before
    with pytest.raises(ValidationFailed) as exc:
        services.update_nonconformity(SYSTEM, nc.ref_id, requirements=["iso27001:2022:99.9"])
    assert "requirements" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.update_nonconformity(SYSTEM, nc.ref_id, status="closed")
    assert "status" in exc.value.fields


def test_recurrence_must_be_an_earlier_other_one(isms: ManagementSystem) -> None:
    first = f.nonconformity(isms)
    later = f.nonconformity(isms, title="Again", raised_on=dt.date(2026, 6, 1), recurrence_of=first.ref_id)
    assert later.recurrence_of == first
    with pytest.raises(ValidationFailed, match="recurrence of itself"):
        services.update_nonconformity(SYSTEM, later.ref_id, recurrence_of=later.ref_id)
    with pytest.raises(ValidationFailed, match="raised after this one"):
        services.update_nonconformity(SYSTEM, first.ref_id, recurrence_of=later.ref_id)


def test_who_may_do_what(make_user: Callable[..., User], isms: ManagementSystem, owner: User) -> None:
    other = make_user("contributor", isms, email="other@example.com")
    manager = make_user("compliance_manager", isms, email="cm@example.com")
    nc = f.nonconformity(isms, owner=owner.email)
    as_owner, as_other = Actor.for_user(owner, "web"), Actor.for_user(other, "web")
    # the owner works on their own nonconformity; another contributor may not
    services.record_correction(as_owner, nc.ref_id, correction="Contained.")
    with pytest.raises(PermissionDenied):
        services.record_correction(as_other, nc.ref_id, correction="Contained.")
    services.record_root_cause(as_owner, nc.ref_id, method="free", conclusion="No owner.")
    ca = actions.add_action(
        as_owner, nc.ref_id, description="Fix", owner=other.email, due_on=dt.date(2026, 5, 1)
    )
    # the action's owner completes it, though not the nonconformity's owner
    actions.complete_action(as_other, ca.ref_id, note="Done", done_on=dt.date(2026, 4, 1))
    # effectiveness and closure are for those who manage nonconformities
    with pytest.raises(PermissionDenied):
        services.record_effectiveness(as_owner, nc.ref_id, effective=True, evidence_note="x")
    services.record_effectiveness(
        Actor.for_user(manager, "web"), nc.ref_id, effective=True, evidence_note="x"
    )
    with pytest.raises(PermissionDenied):
        services.close_nonconformity(as_owner, nc.ref_id)
    assert services.close_nonconformity(Actor.for_user(manager, "web"), nc.ref_id).status == "closed"


def test_reopen_an_action_until_checked(isms: ManagementSystem, owner: User) -> None:
    nc = f.analysed(isms)
    ca = f.done(f.action(nc, owner))
    with pytest.raises(ValidationFailed) as exc:
        actions.reopen_action(SYSTEM, ca.ref_id, reason="")
    assert exc.value.fields == {"reason": ["Required."]}
    ca = actions.reopen_action(SYSTEM, ca.ref_id, reason="The RACI was not published.")
    assert ca.status == CorrectiveActionStatus.OPEN and ca.done_on is None
    nc.refresh_from_db()
    assert nc.status == NonconformityStatus.ACTIONS
    f.done(ca)
    services.record_effectiveness(
        SYSTEM,
        nc.ref_id,
        effective=True,
        checked_by=owner,
        checked_on=dt.date(2026, 4, 20),
        evidence_note="x",
    )
    with pytest.raises(ValidationFailed, match="already counted CA-001"):
        actions.reopen_action(SYSTEM, ca.ref_id, reason="again")


def test_update_action(isms: ManagementSystem, owner: User, make_user: Callable[..., User]) -> None:
    nc = f.analysed(isms)
    ca = f.action(nc, owner)
    other = make_user(None, email="noaccount@example.com")
    ca = actions.update_action(SYSTEM, ca.ref_id, owner=other.email, due_on=dt.date(2026, 6, 1))
    assert ca.owner == other and ca.due_on == dt.date(2026, 6, 1)  # a person without a login may own it
    with pytest.raises(ValidationFailed) as exc:
        actions.update_action(SYSTEM, ca.ref_id, status="done")
    assert "status" in exc.value.fields
