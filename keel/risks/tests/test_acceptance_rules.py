"""Issue 9, defect 7: the acceptance rule cannot be bypassed. Naming a delegate is the
owner's act (or an authorised approver's, naming someone else), and an exception's expiry is
bounded by the methodology."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.risks import services
from keel.risks.defaults import default_methodology
from keel.risks.models import Risk, RiskApproval

from . import factories as f

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]


def actor(user: User) -> Actor:
    return Actor.for_user(user, "web")


def test_a_risk_editor_cannot_make_themselves_the_delegate_and_accept(
    isms: ManagementSystem, make_user: MakeUser
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    manager = make_user(Role.COMPLIANCE_MANAGER, isms)  # edit_risks and accept_risks
    risk = f.is_risk(isms, owner)
    entries = TrailEntry.objects.count()
    with pytest.raises(PermissionDenied, match="may name or change the delegate"):
        services.update_risk(actor(manager), risk.pk, delegate=manager.email)
    assert Risk.objects.get(pk=risk.pk).delegate_id is None
    assert TrailEntry.objects.count() == entries
    with pytest.raises(PermissionDenied, match="Only the risk owner"):
        services.approve_risk(actor(manager), risk.pk)
    assert not RiskApproval.objects.exists()


def test_nobody_names_themselves_delegate_when_creating_someone_elses_risk(
    isms: ManagementSystem, make_user: MakeUser
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    manager = make_user(Role.COMPLIANCE_MANAGER, isms)
    f.methodology()
    with pytest.raises(PermissionDenied, match="may name or change the delegate"):
        services.create_risk(
            actor(manager),
            register="is",
            management_system=isms.pk,
            owner=owner,
            delegate=manager,
            title="Laptop",
            process="Remote work",
            inherent_likelihood=2,
            inherent_impact=2,
        )
    assert not Risk.objects.exists()


def test_the_owner_names_a_delegate_who_may_then_accept(isms: ManagementSystem, make_user: MakeUser) -> None:
    owner, deputy = make_user(Role.CONTRIBUTOR, isms), make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner)
    # a contributor has no edit_risks: the owner's delegation goes through someone who has, on the
    # owner's word — here an administrator naming another person, which the rule allows
    admin = make_user(Role.ADMIN, None)
    services.update_risk(actor(admin), risk.pk, delegate=deputy.email)
    assert services.approve_risk(actor(deputy), risk.pk).approved_by == deputy


def test_the_owner_who_edits_risks_may_change_or_remove_the_delegate(
    isms: ManagementSystem, make_user: MakeUser
) -> None:
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)
    deputy, other = make_user(Role.CONTRIBUTOR, isms), make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner)
    assert services.update_risk(actor(owner), risk.pk, delegate=deputy.email).delegate == deputy
    assert services.update_risk(actor(owner), risk.pk, delegate=other.email).delegate == other
    assert services.update_risk(actor(owner), risk.pk, delegate="").delegate is None


def test_the_delegate_rule_holds_through_the_api(
    isms: ManagementSystem, make_user: MakeUser, login_client: Callable[[User], Client]
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    manager = make_user(Role.COMPLIANCE_MANAGER, isms)
    risk = f.is_risk(isms, owner)
    r = login_client(manager).patch(
        f"/api/v1/risks/{risk.ref_id}",
        json.dumps({"delegate": manager.email}),
        content_type="application/json",
    )
    assert r.status_code == 403, r.content
    assert Risk.objects.get(pk=risk.pk).delegate_id is None


def test_an_exception_may_not_run_longer_than_the_methodology_allows(
    isms: ManagementSystem, make_user: MakeUser
) -> None:
    data = default_methodology()
    data["max_exception_days"] = 90
    services.create_methodology(f.SYSTEM, **data)
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner, residual_likelihood=4, residual_impact=4)  # high: needs an exception
    today = timezone.localdate()
    with pytest.raises(ValidationFailed, match="at most 90 days") as exc:
        services.request_exception(
            actor(owner), risk.pk, reason="Budget", expires=today + dt.timedelta(days=91)
        )
    assert "expires" in exc.value.fields
    assert not RiskApproval.objects.exists()
    approval = services.request_exception(
        actor(owner), risk.pk, reason="Budget", expires=today + dt.timedelta(days=90)
    )
    assert approval.exception_expires == today + dt.timedelta(days=90)


def test_the_longest_exception_defaults_to_a_year_and_is_checked(admin: User) -> None:
    m = services.create_methodology(actor(admin), **default_methodology())
    assert m.max_exception_days == 365
    bad = default_methodology()
    bad["max_exception_days"] = 0
    with pytest.raises(ValidationFailed, match="longest exception"):
        services.create_methodology(actor(admin), **bad)
