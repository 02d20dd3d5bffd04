"""An exception lapses on its expiry date, at read time: the rule, its queryset equivalent (they
agree), the register filter, the API value, the page banner, the XLSX export, a new exception on
a lapsed risk, and fixed query counts. Dates are fixed by passing ``on=`` or by monkeypatching
``timezone.localdate`` — nothing sleeps."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict
from keel.platform.models import User
from keel.risks import queries, services
from keel.risks.models import Risk, RiskApproval
from keel.risks.rules import acceptance_on, lapses_soon

from . import factories as f

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
API = "/api/v1"
D = dt.date(2031, 3, 15)  # an exception's expiry date used throughout


def actor(user: User) -> Actor:
    return Actor.for_user(user, "web")


def excepted(isms: ManagementSystem, owner: User, second: User, expires: dt.date = D, **kw: object) -> Risk:
    """A risk above the criteria accepted by an approved exception expiring on ``expires``."""
    risk = f.is_risk(isms, owner, residual_likelihood=4, residual_impact=4, **kw)
    with mock.patch.object(timezone, "localdate", return_value=expires - dt.timedelta(days=100)):
        # requested 100 days before it ends: within the methodology's longest exception
        services.request_exception(
            actor(owner), risk.pk, reason="KMS migration next quarter", expires=expires
        )
    services.approve_exception(actor(second), risk.pk)
    return Risk.objects.get(pk=risk.pk)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    """Set the date every read and service sees."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return set_day


# ---------------------------------------------------------------- the rule


def test_the_rule_an_exception_lapses_on_its_expiry_date() -> None:
    # given an approved exception expiring on D: in force the day before, lapsed on D and after
    assert acceptance_on("exception", D, D - dt.timedelta(days=1)) == "exception"
    assert acceptance_on("exception", D, D) == "lapsed"
    assert acceptance_on("exception", D, D + dt.timedelta(days=1)) == "lapsed"
    # every other state is as stored, whatever the date
    for state in ("none", "accepted", "exception_pending", "voided"):
        assert acceptance_on(state, D, D + dt.timedelta(days=400)) == state
    # lapsing within 30 days: only an exception still in force
    assert lapses_soon("exception", D, D - dt.timedelta(days=30))
    assert not lapses_soon("exception", D, D - dt.timedelta(days=31))
    assert not lapses_soon("exception", D, D)
    assert not lapses_soon("accepted", None, D)


def test_the_queryset_annotation_agrees_with_the_rule(
    isms: ManagementSystem, admin: User, make_user: MakeUser
) -> None:
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)
    exc = excepted(isms, owner, admin)
    accepted = f.is_risk(isms, owner, residual_likelihood=1, residual_impact=1)
    services.approve_risk(actor(owner), accepted.pk)
    pending = f.is_risk(isms, owner, residual_likelihood=4, residual_impact=4)
    with mock.patch.object(timezone, "localdate", return_value=D - dt.timedelta(days=100)):
        services.request_exception(actor(owner), pending.pk, reason="Budget", expires=D)
    voided = excepted(isms, owner, admin)
    services.update_risk(actor(admin), voided.pk, residual_likelihood=5)
    f.is_risk(isms, owner)  # never accepted
    seen = set()
    for day in (D - dt.timedelta(days=31), D - dt.timedelta(days=1), D, D + dt.timedelta(days=1)):
        rows = list(queries.risks(None, on=day))
        assert len(rows) == 5
        for r in rows:
            expiry = (
                RiskApproval.objects.filter(risk=r, is_exception=True, state__in=["active", "pending"])
                .values_list("exception_expires", flat=True)
                .first()
            )
            assert r.exception_until == expiry
            assert r.current_acceptance == acceptance_on(r.acceptance, expiry, day)
            seen.add(r.current_acceptance)
        assert queries.risk_for(None, exc.ref_id, on=day).current_acceptance == (
            "lapsed" if day >= D else "exception"
        )
    assert seen == {"none", "accepted", "exception_pending", "exception", "lapsed", "voided"}


def test_the_acceptance_filter_uses_the_state_on_the_day(
    isms: ManagementSystem, admin: User, make_user: MakeUser
) -> None:
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)
    risk = excepted(isms, owner, admin)
    later = excepted(isms, owner, admin, expires=D + dt.timedelta(days=60))

    def refs(acceptance: str, day: dt.date) -> set[str]:
        return {r.ref_id for r in queries.risks(None, queries.RiskFilters(acceptance=acceptance), on=day)}

    assert refs("exception", D - dt.timedelta(days=1)) == {risk.ref_id, later.ref_id}
    assert refs("lapsed", D - dt.timedelta(days=1)) == set()
    assert refs("lapsed", D) == {risk.ref_id}
    assert refs("exception", D) == {later.ref_id}
    assert refs("lapsed", D + dt.timedelta(days=60)) == {risk.ref_id, later.ref_id}


# ---------------------------------------------------------------- a new decision on a lapsed risk


def test_a_lapsed_risk_takes_a_new_exception_and_keeps_the_old_one(
    isms: ManagementSystem, admin: User, make_user: MakeUser, today: Callable[[dt.date], None]
) -> None:
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)
    risk = excepted(isms, owner, admin)
    today(D + dt.timedelta(days=1))
    assert queries.risk_for(None, risk.pk).current_acceptance == "lapsed"
    # the owner cannot simply accept it: the residual is still above the criteria
    with pytest.raises(Conflict, match="above the acceptance criteria"):
        services.approve_risk(actor(owner), risk.pk)
    # a new exception: requested, approved by a second person, in force again
    services.request_exception(
        actor(owner), risk.pk, reason="Migration slipped", expires=D + dt.timedelta(days=90)
    )
    assert queries.risk_for(None, risk.pk).current_acceptance == "exception_pending"
    services.approve_exception(actor(admin), risk.pk)
    again = queries.risk_for(None, risk.pk)
    assert again.current_acceptance == "exception" and again.exception_until == D + dt.timedelta(days=90)
    old, new = sorted(again.approvals.all(), key=lambda a: a.approved_at)
    assert old.state == "voided" and old.exception_expires == D
    assert f"expired on {D.isoformat()}" in old.void_reason
    assert new.state == "active" and new.exception_reason == "Migration slipped"


# ---------------------------------------------------------------- pages, API, export


def test_risk_page_banner_register_and_export_show_the_lapse(
    admin_client: Client,
    admin: User,
    isms: ManagementSystem,
    make_user: MakeUser,
    today: Callable[[dt.date], None],
) -> None:
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)
    risk = excepted(isms, owner, admin)
    banner = "the residual risk is no longer accepted; treat it further or request a new exception"
    today(D - dt.timedelta(days=1))
    page = admin_client.get(f"/risks/{risk.ref_id}/").content.decode()
    assert banner not in page and "Accepted by exception" in page
    register = admin_client.get("/risks/").content.decode()
    assert "lapses 15 Mar 2031" in register  # within 30 days
    today(D)
    page = admin_client.get(f"/risks/{risk.ref_id}/").content.decode()
    assert f"The exception expired on 15 Mar 2031: {banner}." in page
    assert risk.ref_id in admin_client.get("/risks/?acceptance=lapsed").content.decode()
    assert risk.ref_id not in admin_client.get("/risks/?acceptance=exception").content.decode()
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(admin_client.get("/risks/export.xlsx?register=is").content)).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert row["Acceptance"] == "lapsed" and row["Exception expires"] == "2031-03-15"


def test_the_api_says_lapsed_and_filters_on_it(
    admin_client: Client,
    admin: User,
    isms: ManagementSystem,
    make_user: MakeUser,
    today: Callable[[dt.date], None],
) -> None:
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)
    risk = excepted(isms, owner, admin)
    today(D - dt.timedelta(days=1))
    body = admin_client.get(f"{API}/risks/{risk.ref_id}").json()
    assert body["acceptance"] == "exception" and body["exception_expires"] == "2031-03-15"
    today(D)
    assert admin_client.get(f"{API}/risks/{risk.ref_id}").json()["acceptance"] == "lapsed"
    listed = admin_client.get(f"{API}/risks?acceptance=lapsed").json()
    assert [r["ref_id"] for r in listed["items"]] == [risk.ref_id]
    assert admin_client.get(f"{API}/risks?acceptance=exception").json()["items"] == []
    assert admin_client.get(f"{API}/risks?acceptance=expired").status_code == 422


@pytest.mark.parametrize(
    "path", ["/risks/", "/risks/?acceptance=lapsed", f"{API}/risks", f"{API}/risks?acceptance=lapsed"]
)
def test_lapsed_risks_keep_a_fixed_number_of_queries(
    admin_client: Client,
    admin: User,
    isms: ManagementSystem,
    make_user: MakeUser,
    today: Callable[[dt.date], None],
    path: str,
) -> None:
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)

    def count() -> int:
        today(D + dt.timedelta(days=1))
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(path).status_code == 200
        today(dt.date.today())
        return len(ctx)

    def add(n: int) -> None:
        for _ in range(n):
            excepted(isms, owner, admin)
            excepted(isms, owner, admin, expires=D + dt.timedelta(days=10))

    add(1)
    small = count()
    add(4)
    assert count() == small


def test_the_asset_page_shows_a_lapsed_exception_as_not_accepted(
    admin_client: Client,
    admin: User,
    isms: ManagementSystem,
    make_user: MakeUser,
    today: Callable[[dt.date], None],
) -> None:
    # given a risk on an asset, accepted by an exception that expires on D
    from keel.assets.services import create_asset

    asset = create_asset(
        Actor.system("test"), management_system=isms, name="Customer database", type="information"
    )
    owner = make_user(Role.COMPLIANCE_MANAGER, isms)
    excepted(isms, owner, admin, asset=asset.ref_id, process="")
    # when the asset page is read the day before and on D
    today(D - dt.timedelta(days=1))
    before = admin_client.get(f"/assets/{asset.ref_id}/").content.decode()
    today(D)
    after = admin_client.get(f"/assets/{asset.ref_id}/").content.decode()
    # then it says what the register says: accepted, then expired and not accepted
    assert "Accepted by exception" in before and "Exception expired" not in before
    assert "Exception expired" in after and "not accepted" in after
