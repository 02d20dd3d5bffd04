"""Services of risk management: each rule of the methodology, the registers, approval,
voiding, exceptions and snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.risks import queries, services
from keel.risks.defaults import default_methodology
from keel.risks.models import Methodology, Risk, RiskApproval, RiskSnapshot

from . import factories as f

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
SOON = timezone.localdate() + dt.timedelta(days=100)  # within the methodology's longest exception


def actor(user: User) -> Actor:
    return Actor.for_user(user, "web")


# ---------------------------------------------------------------- methodology


def test_methodology_versions_keep_old_assessments_readable(isms: ManagementSystem, admin: User) -> None:
    # given a risk assessed under version 1
    risk = f.is_risk(isms, admin)
    assert risk.methodology.version == 1 and risk.inherent_level == "high"
    # when the methodology changes to a 3x3 scale
    three = default_methodology()
    three["likelihood"], three["impact"] = three["likelihood"][:3], three["impact"][:3]
    three["levels"] = three["levels"][:3]
    three["matrix"] = [["low", "low", "medium"], ["low", "medium", "high"], ["medium", "high", "high"]]
    v2 = services.create_methodology(actor(admin), **three)
    # then a new version exists and the risk still reads under version 1
    assert v2.version == 2
    risk.refresh_from_db()
    assert risk.methodology.version == 1 and risk.inherent_level == "high"
    # and a version never changes
    with pytest.raises(Conflict):
        v2.name = "changed"
        v2.save()
    # and reassessing under version 2 checks the scores against the new scales
    with pytest.raises(ValidationFailed, match="methodology's scales"):
        services.update_risk(actor(admin), risk.pk, reassess=True)
    risk = services.update_risk(
        actor(admin),
        risk.pk,
        reassess=True,
        inherent_likelihood=3,
        inherent_impact=3,
        residual_likelihood=1,
        residual_impact=2,
    )
    assert (risk.methodology.version, risk.inherent_level, risk.residual_level) == (2, "high", "low")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(likelihood=d["likelihood"][:2]), "3 to 5 levels"),
        (lambda d: d["impact"][0].update(description=""), "label and a description"),
        (lambda d: d["levels"][0].update(acceptable=False), "lowest risk level must be acceptable"),
        (lambda d: d["levels"][3].update(acceptable=True), "Acceptable levels must be the lowest"),
        (lambda d: d["matrix"][0].pop(), "matrix needs"),
        (lambda d: d["matrix"][0].__setitem__(0, "extreme"), "Unknown level key"),
        (lambda d: d["matrix"][4].__setitem__(4, "low"), "must not go down"),
    ],
)
def test_invalid_methodology_is_refused(
    admin: User, org: Any, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = default_methodology()
    change(data)
    with pytest.raises(ValidationFailed, match=message):
        services.create_methodology(actor(admin), **data)
    assert not Methodology.objects.exists()


def test_methodology_needs_edit_risks_at_organisation_level(
    make_user: MakeUser, isms: ManagementSystem
) -> None:
    manager_of_one = make_user(Role.COMPLIANCE_MANAGER, isms)
    with pytest.raises(PermissionDenied):
        services.create_methodology(actor(manager_of_one), **default_methodology())


# ---------------------------------------------------------------- registers


def test_levels_are_computed_from_the_matrix(isms: ManagementSystem, admin: User) -> None:
    risk = f.is_risk(
        isms, admin, inherent_likelihood=5, inherent_impact=5, residual_likelihood=1, residual_impact=1
    )
    assert (risk.inherent_level, risk.residual_level) == ("critical", "low")


def test_is_risk_needs_an_asset_or_a_process(isms: ManagementSystem, admin: User) -> None:
    with pytest.raises(ValidationFailed, match="asset or a process"):
        f.is_risk(isms, admin, process="")
    assert not Risk.objects.exists()


def test_ai_risk_needs_annex_c_source_and_objective(isms: ManagementSystem, admin: User) -> None:
    with pytest.raises(ValidationFailed, match="Annex C risk source"):
        f.ai_risk(isms, admin, risk_source="iso42001:2023:C.2.5")
    with pytest.raises(ValidationFailed, match="Annex C objective"):
        f.ai_risk(isms, admin, objective="iso42001:2023:C.3.1")
    risk = f.ai_risk(isms, admin)
    assert risk.ref_id == "AI-001" and risk.risk_source.ref_id == "C.3.4" and risk.objective.ref_id == "C.2.5"


def test_scores_outside_the_scale_are_refused(isms: ManagementSystem, admin: User) -> None:
    with pytest.raises(ValidationFailed, match="Between 1 and 5"):
        f.is_risk(isms, admin, inherent_likelihood=6)
    with pytest.raises(ValidationFailed, match="both residual"):
        f.is_risk(isms, admin, residual_impact=None)


def test_editing_risks_needs_edit_risks_over_its_system(
    isms: ManagementSystem, aims: ManagementSystem, admin: User, make_user: MakeUser
) -> None:
    risk = f.is_risk(isms, admin)
    other = make_user(Role.COMPLIANCE_MANAGER, aims)
    contributor = make_user(Role.CONTRIBUTOR, isms)
    for user in (other, contributor):
        with pytest.raises(PermissionDenied):
            services.update_risk(actor(user), risk.pk, title="x")
    assert Risk.objects.get(pk=risk.pk).title != "x"


# ---------------------------------------------------------------- approval


def test_owner_approves_and_the_approval_records_what_it_relied_on(
    isms: ManagementSystem, admin: User, make_user: MakeUser
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner, controls=[f.control("KC-001", isms).ref_id])
    approval = services.approve_risk(actor(owner), risk.ref_id)
    assert (approval.residual_likelihood, approval.residual_impact, approval.residual_level) == (
        2,
        3,
        "medium",
    )
    assert approval.plan_version == 1 and approval.controls == ["KC-001"] and approval.state == "active"
    assert Risk.objects.get(pk=risk.pk).acceptance == "accepted"
    assert TrailEntry.objects.filter(object_id=str(risk.pk), action="approve").exists()


def test_delegate_may_approve_but_nobody_else(
    isms: ManagementSystem, admin: User, make_user: MakeUser
) -> None:
    owner, delegate, stranger = (make_user(Role.CONTRIBUTOR, isms) for _ in range(3))
    risk = f.is_risk(isms, owner, delegate=delegate)
    with pytest.raises(PermissionDenied, match="Only the risk owner"):
        services.approve_risk(actor(stranger), risk.pk)
    with pytest.raises(PermissionDenied, match="Only the risk owner"):
        services.approve_risk(actor(admin), risk.pk)  # an administrator is not the owner
    assert not RiskApproval.objects.exists()
    assert services.approve_risk(actor(delegate), risk.pk).approved_by == delegate


def test_owner_without_accept_role_is_refused(isms: ManagementSystem, make_user: MakeUser) -> None:
    """Issue 12 item 4: an owner who cannot accept needs a delegate who can; the owner still
    cannot approve, the delegate can."""
    viewer, deputy = make_user(Role.VIEWER, isms), make_user(Role.CONTRIBUTOR, isms)
    with pytest.raises(ValidationFailed, match="cannot accept risks in isms") as exc:
        f.is_risk(isms, viewer)
    assert set(exc.value.fields) == {"owner", "delegate"}
    risk = f.is_risk(isms, viewer, delegate=deputy)
    with pytest.raises(PermissionDenied):
        services.approve_risk(actor(viewer), risk.pk)
    assert services.approve_risk(actor(deputy), risk.pk).approved_by == deputy


def test_residual_above_criteria_is_refused_and_nothing_changes(
    isms: ManagementSystem, make_user: MakeUser
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner, residual_likelihood=4, residual_impact=4)  # high
    trail_before = TrailEntry.objects.count()
    with pytest.raises(Conflict, match="above the acceptance criteria"):
        services.approve_risk(actor(owner), risk.pk)
    assert Risk.objects.get(pk=risk.pk).acceptance == "none"
    assert not RiskApproval.objects.exists()
    assert TrailEntry.objects.count() == trail_before


@pytest.mark.parametrize(
    "change",
    [
        {"residual_likelihood": 1},
        {"residual_impact": 2},
        {"treatment_plan": "Encrypt every disk and wipe remotely."},
        {"treatment_option": "share"},
        "controls",
        "action",
        "reassess",
    ],
    ids=str,
)
def test_any_change_to_what_was_relied_on_voids_the_approval(
    isms: ManagementSystem, admin: User, make_user: MakeUser, change: Any
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner, controls=[f.control("KC-001", isms).ref_id])
    approval = services.approve_risk(actor(owner), risk.pk)
    if change == "controls":
        services.update_risk(actor(admin), risk.pk, controls=["KC-001", f.control("KC-002", isms).ref_id])
    elif change == "action":
        services.add_action(actor(admin), risk.pk, title="Roll out MDM", due_date=dt.date(2030, 1, 1))
    elif change == "reassess":
        services.create_methodology(actor(admin), **{**default_methodology(), "name": "v2"})
        services.update_risk(actor(admin), risk.pk, reassess=True)
    else:
        services.update_risk(actor(admin), risk.pk, **change)
    approval.refresh_from_db()
    assert approval.state == "voided" and approval.void_reason.startswith("Changed since approval")
    assert Risk.objects.get(pk=risk.pk).acceptance == "voided"


def test_changes_that_were_not_relied_on_keep_the_approval(
    isms: ManagementSystem, admin: User, make_user: MakeUser
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner)
    action = services.add_action(actor(admin), risk.pk, title="Roll out MDM")
    approval = services.approve_risk(actor(owner), risk.pk)
    services.update_risk(
        actor(admin), risk.pk, title="Lost or stolen laptop", review_date=dt.date(2030, 1, 1)
    )
    services.update_action(actor(admin), action.pk, status="done")  # progress, not a new plan
    approval.refresh_from_db()
    assert approval.state == "active"


# ---------------------------------------------------------------- exceptions


def test_exception_needs_reason_expiry_and_a_second_different_approver(
    isms: ManagementSystem, admin: User, make_user: MakeUser
) -> None:
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)
    risk = f.is_risk(isms, owner, residual_likelihood=4, residual_impact=4)
    with pytest.raises(ValidationFailed, match="reason and a future expiry"):
        services.request_exception(actor(owner), risk.pk, reason="", expires=SOON)
    with pytest.raises(ValidationFailed):
        services.request_exception(
            actor(owner), risk.pk, reason="Budget next quarter", expires=timezone.localdate()
        )
    assert not RiskApproval.objects.exists()
    pending = services.request_exception(actor(owner), risk.pk, reason="Budget next quarter", expires=SOON)
    assert pending.state == "pending" and Risk.objects.get(pk=risk.pk).acceptance == "exception_pending"
    # the requester cannot be the second approver
    with pytest.raises(PermissionDenied, match="different person"):
        services.approve_exception(actor(owner), risk.pk)
    # a contributor cannot be the second approver
    with pytest.raises(PermissionDenied):
        services.approve_exception(actor(make_user(Role.CONTRIBUTOR, isms)), risk.pk)
    done = services.approve_exception(actor(admin), risk.pk)
    assert done.state == "active" and done.second_approver == admin and done.is_exception
    assert Risk.objects.get(pk=risk.pk).acceptance == "exception"


def test_exception_is_not_for_acceptable_residuals(isms: ManagementSystem, make_user: MakeUser) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner)
    with pytest.raises(Conflict, match="approve it directly"):
        services.request_exception(actor(owner), risk.pk, reason="x", expires=SOON)


def test_pending_exception_is_voided_by_a_change(
    isms: ManagementSystem, admin: User, make_user: MakeUser
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner, residual_likelihood=4, residual_impact=4)
    pending = services.request_exception(actor(owner), risk.pk, reason="Budget", expires=SOON)
    services.update_risk(actor(admin), risk.pk, residual_likelihood=5)
    pending.refresh_from_db()
    assert pending.state == "voided"
    with pytest.raises(Conflict, match="no exception awaiting"):
        services.approve_exception(actor(admin), risk.pk)


# ---------------------------------------------------------------- snapshots


def test_snapshot_is_a_frozen_copy_that_never_changes(isms: ManagementSystem, admin: User) -> None:
    risk = f.is_risk(isms, admin, controls=[f.control("KC-001", isms).ref_id])
    snap = services.take_snapshot(actor(admin), "is", "2026 Q4")
    assert (
        snap.risk_count == 1
        and snap.rows[0]["ref_id"] == risk.ref_id
        and snap.rows[0]["controls"] == ["KC-001"]
    )
    # when the risk changes, the snapshot does not
    services.update_risk(actor(admin), risk.pk, title="Renamed", residual_likelihood=1, controls=[])
    stored = RiskSnapshot.objects.get(pk=snap.pk)
    assert stored.rows[0]["title"] == "Stolen laptop exposes customer data"
    assert stored.rows[0]["residual_likelihood"] == 2 and stored.rows[0]["controls"] == ["KC-001"]
    # and the snapshot refuses any change or deletion
    stored.cycle = "changed"
    with pytest.raises(Conflict, match="never changes"):
        stored.save()
    with pytest.raises(Conflict):
        stored.delete()
    with pytest.raises(Conflict, match="already a snapshot"):
        services.take_snapshot(actor(admin), "is", "2026 Q4")
    assert RiskSnapshot.objects.get(pk=snap.pk).cycle == "2026 Q4"


def test_snapshot_needs_edit_risks(isms: ManagementSystem, make_user: MakeUser) -> None:
    with pytest.raises(PermissionDenied):
        services.take_snapshot(actor(make_user(Role.CONTRIBUTOR)), "is", "2026 Q4")


# ---------------------------------------------------------------- queries


def test_heat_map_counts_cells_under_one_version(isms: ManagementSystem, admin: User) -> None:
    f.is_risk(isms, admin)
    f.is_risk(isms, admin, residual_likelihood=None, residual_impact=None)
    m = f.methodology()
    inherent = queries.heat_map(None, "inherent", m)
    residual = queries.heat_map(None, "residual", m)
    cell = {(c.likelihood, c.impact): c for row in inherent.cells for c in row}
    assert cell[(4, 4)].count == 2 and cell[(4, 4)].level == "high" and inherent.total == 2
    assert residual.total == 1 and residual.unassessed == 1
    assert [c.likelihood for c in [r[0] for r in inherent.cells]] == [5, 4, 3, 2, 1]
