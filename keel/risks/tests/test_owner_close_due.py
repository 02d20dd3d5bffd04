"""Issue 12 item 4: the owner can accept (or a delegate who can is named); a new owner voids the
approval; closing asks for a reason; the methodology says when assessments are performed and
Keel lists which are due (``keel.risks.queries.assessments_due``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keel.aisystems import services as ai_services
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.risks import queries, services
from keel.risks.defaults import default_methodology
from keel.risks.models import Risk
from keel.risks.rules import months_before

from . import factories as f

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]


def actor(user: User) -> Actor:
    return Actor.for_user(user, "web")


# ---------------------------------------------------------------- who may own a risk


def test_a_delegate_who_cannot_accept_is_refused(isms: ManagementSystem, make_user: MakeUser) -> None:
    owner, viewer = make_user(Role.COMPLIANCE_MANAGER, isms), make_user(Role.VIEWER, isms)
    risk = f.is_risk(isms, owner)
    trail = TrailEntry.objects.count()
    with pytest.raises(ValidationFailed, match=f"{viewer.email} cannot accept risks in isms") as exc:
        services.update_risk(actor(owner), risk.pk, delegate=viewer.email)
    assert list(exc.value.fields) == ["delegate"]
    assert Risk.objects.get(pk=risk.pk).delegate_id is None and TrailEntry.objects.count() == trail


def test_handing_a_risk_to_an_owner_who_cannot_accept_needs_a_delegate(
    isms: ManagementSystem, make_user: MakeUser, admin: User
) -> None:
    owner, viewer, deputy = (
        make_user(Role.CONTRIBUTOR, isms),
        make_user(Role.VIEWER, isms),
        make_user(Role.COMPLIANCE_MANAGER, isms),
    )
    risk = f.is_risk(isms, owner)
    with pytest.raises(ValidationFailed, match="Choose an owner who may, or name a delegate"):
        services.update_risk(actor(admin), risk.pk, owner=viewer.email)
    assert Risk.objects.get(pk=risk.pk).owner == owner
    changed = services.update_risk(actor(admin), risk.pk, owner=viewer.email, delegate=deputy.email)
    assert (changed.owner, changed.delegate) == (viewer, deputy)
    # editing another field later is not refused for the owner's role
    assert services.update_risk(actor(admin), risk.pk, title="Renamed").title == "Renamed"


def test_changing_the_owner_voids_the_approval(
    isms: ManagementSystem, make_user: MakeUser, admin: User
) -> None:
    # given an accepted risk
    owner, successor = make_user(Role.CONTRIBUTOR, isms), make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner)
    approval = services.approve_risk(actor(owner), risk.pk)
    # when it is handed to another owner
    services.update_risk(actor(admin), risk.pk, owner=successor.email)
    # then the approval is voided, saying why
    approval.refresh_from_db()
    assert approval.state == "voided" and "owner changed" in approval.void_reason
    assert owner.email in approval.void_reason and successor.email in approval.void_reason
    assert Risk.objects.get(pk=risk.pk).acceptance == "voided"
    # and the new owner accepts it again
    assert services.approve_risk(actor(successor), risk.pk).state == "active"


def test_changing_the_title_or_delegate_keeps_the_approval(
    isms: ManagementSystem, make_user: MakeUser
) -> None:
    owner, deputy = make_user(Role.COMPLIANCE_MANAGER, isms), make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner)
    services.approve_risk(actor(owner), risk.pk)
    services.update_risk(actor(owner), risk.pk, title="Renamed", delegate=deputy.email)
    assert Risk.objects.get(pk=risk.pk).acceptance == "accepted"


# ---------------------------------------------------------------- closing


def test_closing_needs_a_reason_and_keeps_it(isms: ManagementSystem, admin: User) -> None:
    risk = f.is_risk(isms, admin)
    trail = TrailEntry.objects.count()
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed, match=f"Say why {risk.ref_id} is closed"):
            services.set_status(actor(admin), risk.pk, "closed", reason)
    assert Risk.objects.get(pk=risk.pk).status == "open" and TrailEntry.objects.count() == trail
    closed = services.set_status(actor(admin), risk.pk, "closed", "  The process was retired.  ")
    assert closed.close_reason == "The process was retired." and closed.closed_at is not None
    entry = TrailEntry.objects.filter(object_id=str(risk.pk)).order_by("-seq").first()
    assert entry is not None
    assert json.loads(entry.payload)["changes"]["close_reason"] == [None, "The process was retired."]
    reopened = services.set_status(actor(admin), risk.pk, "open")
    assert reopened.close_reason == "" and reopened.closed_at is None


def test_closing_through_the_page_and_the_api_asks_for_the_reason(
    isms: ManagementSystem, admin: User, admin_client: Client
) -> None:
    risk = f.is_risk(isms, admin)
    url = reverse("risk-status", args=[risk.ref_id])
    page = admin_client.post(url, {"status": "closed", "reason": ""}, follow=True)
    assert "Say why" in page.content.decode() and Risk.objects.get(pk=risk.pk).status == "open"
    api = admin_client.post(
        f"/api/v1/risks/{risk.ref_id}/status",
        json.dumps({"status": "closed"}),
        content_type="application/json",
    )
    assert api.status_code == 422 and "reason" in api.json()["error"]["fields"]
    api = admin_client.post(
        f"/api/v1/risks/{risk.ref_id}/status",
        json.dumps({"status": "closed", "reason": "Supplier replaced."}),
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["close_reason"] == "Supplier replaced."
    detail = admin_client.get(reverse("risk-detail", args=[risk.ref_id])).content.decode()
    assert "Supplier replaced." in detail


# ---------------------------------------------------------------- when assessments are performed


def _due(user: User | None = None, **kw: object) -> dict[str, str]:
    return {d.ref: d.trigger for d in queries.assessments_due(user, **kw)}  # type: ignore[arg-type]


def test_the_methodology_holds_when_assessments_are_performed(admin: User) -> None:
    m = services.create_methodology(
        actor(admin),
        **default_methodology(),
        assessment_interval_months=6,
        assess_on_new_ai_system=False,
        significant_changes="A new model.",
    )
    assert (m.assessment_interval_months, m.assess_on_new_ai_system, m.assess_on_significant_change) == (
        6,
        False,
        True,
    )
    assert services.create_methodology(actor(admin), **default_methodology()).assessment_interval_months == 12
    none = services.create_methodology(actor(admin), **default_methodology(), assessment_interval_months=None)
    assert none.assessment_interval_months is None
    with pytest.raises(ValidationFailed, match="1 to 60"):
        services.create_methodology(actor(admin), **default_methodology(), assessment_interval_months=61)


def test_a_risk_is_due_after_the_interval_and_on_its_review_date(isms: ManagementSystem, admin: User) -> None:
    fresh = f.is_risk(isms, admin)
    old = f.is_risk(isms, admin, title="Old")
    review = f.is_risk(isms, admin, title="Review", review_date=timezone.localdate())
    Risk.objects.filter(pk=old.pk).update(assessed_at=months_before(timezone.now(), 13))
    due = _due()
    assert due == {old.ref_id: "interval", review.ref_id: "review_date"}
    assert fresh.ref_id not in due
    # the API field says the same for each risk
    assert queries.risk_for(None, old.pk).assessment_due[0] == "interval"  # type: ignore[index]
    assert queries.risk_for(None, fresh.pk).assessment_due is None
    # re-assessing (even with unchanged scores) answers it
    services.update_risk(actor(admin), old.pk, reassess=True)
    assert old.ref_id not in _due()
    # closed risks are never due
    services.set_status(actor(admin), review.pk, "closed", "Retired.")
    assert _due() == {}


def test_a_significant_change_to_an_ai_system_makes_its_risks_due(
    isms: ManagementSystem, admin: User
) -> None:
    risk = f.ai_risk(isms, admin)
    other = f.ai_risk(isms, admin, ai_system=f.ai_system(isms, "other-system"), title="Other")
    assert _due() == {}
    ai_services.update_system(f.SYSTEM, risk.ai_system_id, intended_use="Now also for mortgages.")
    due = queries.assessments_due(None)
    assert [(d.ref, d.trigger) for d in due] == [(risk.ref_id, "event")]
    assert "intended use" in due[0].reason and other.ref_id not in _due()
    # the trail says why, and re-scoring the risk answers it
    assert any(
        "reassessment_reason" in json.loads(e.payload)["changes"]
        for e in TrailEntry.objects.filter(object_id=str(risk.pk))
    )
    services.update_risk(actor(admin), risk.pk, residual_likelihood=1)
    assert _due() == {}
    # a second change marks it again
    ai_services.update_system(f.SYSTEM, risk.ai_system_id, intended_use="And for car loans.")
    assert _due() == {risk.ref_id: "event"}


def test_stage_changes_that_are_significant() -> None:
    from keel.risks.hooks import significant

    assert significant("model", "", "") and significant("drift", "", "")
    assert significant("stage", "operation", "development")
    assert not significant("stage", "verification", "deployment")
    assert not significant("stage", "operation", "retired")


def test_a_change_is_ignored_when_the_methodology_says_so(isms: ManagementSystem, admin: User) -> None:
    risk = f.ai_risk(isms, admin)
    services.create_methodology(actor(admin), **default_methodology(), assess_on_significant_change=False)
    ai_services.update_system(f.SYSTEM, risk.ai_system_id, intended_use="Something else.")
    assert risk.ref_id not in _due()


def test_a_new_ai_system_is_due_until_it_has_ai_risks(isms: ManagementSystem, admin: User) -> None:
    f.methodology()
    system = f.ai_system(isms, "new-system")
    due = [d for d in queries.assessments_due(None) if d.kind == "ai_system"]
    assert [(d.ref, d.trigger) for d in due] == [("new-system", "new_ai_system")]
    assert "ai_system=new-system" in due[0].url
    f.ai_risk(isms, admin, ai_system=system)
    assert "new-system" not in _due()


def test_due_assessments_respect_the_perimeter(
    isms: ManagementSystem, aims: ManagementSystem, make_user: MakeUser, admin: User
) -> None:
    outsider = make_user(Role.CONTRIBUTOR, aims)
    risk = f.is_risk(isms, admin, review_date=timezone.localdate() - dt.timedelta(days=1))
    assert risk.ref_id in _due(admin) and risk.ref_id not in _due(outsider)
    assert risk.ref_id not in _due(admin, management_system=aims)


def test_the_register_page_and_the_api_list_what_is_due(
    isms: ManagementSystem, admin: User, admin_client: Client
) -> None:
    risk = f.is_risk(isms, admin, review_date=timezone.localdate())
    page = admin_client.get(reverse("risk-list")).content.decode()
    assert 'id="assessments-due"' in page and risk.ref_id in page and "review date" in page
    api = admin_client.get("/api/v1/risk-assessments-due")
    assert api.status_code == 200
    assert [(d["ref"], d["trigger"], d["kind"]) for d in api.json()] == [(risk.ref_id, "review_date", "risk")]
    one = admin_client.get(f"/api/v1/risks/{risk.ref_id}").json()
    assert one["assessment_due"]["trigger"] == "review_date" and one["assessed_at"]


def test_the_query_and_the_rule_for_one_risk_agree(isms: ManagementSystem, admin: User) -> None:
    """``assessments_due`` (a database filter) and ``Risk.assessment_due`` (the rule in Python)
    give the same answer for every open risk, across the interval edges and both methodology
    versions."""
    now = timezone.now()
    cases = {
        "fresh": {},
        "edge-in": {"assessed_at": months_before(now, 12) + dt.timedelta(minutes=5)},
        "edge-out": {"assessed_at": months_before(now, 12) - dt.timedelta(minutes=5)},
        "review-today": {"review_date": timezone.localdate()},
        "review-tomorrow": {"review_date": timezone.localdate() + dt.timedelta(days=1)},
        "event": {"reassessment_reason": "Something happened.", "reassessment_since": now},
    }
    refs = {}
    for title, fields in cases.items():
        risk = f.is_risk(isms, admin, title=title)
        Risk.objects.filter(pk=risk.pk).update(**fields)
        refs[risk.ref_id] = title
    # a risk under a second version with a 3-month interval, assessed 4 months ago
    services.create_methodology(actor(admin), **default_methodology(), assessment_interval_months=3)
    short = f.is_risk(isms, admin, title="short-interval")
    Risk.objects.filter(pk=short.pk).update(assessed_at=months_before(now, 4))
    refs[short.ref_id] = "short-interval"
    by_query = _due()
    by_rule = {r.ref_id: r.assessment_due[0] for r in queries.risks(None) if r.assessment_due}
    assert by_query == by_rule
    assert {refs[k] for k in by_query} == {"edge-out", "review-today", "event", "short-interval"}
