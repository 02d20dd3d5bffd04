"""Risk and asset pages: the register with filters and heat-map cells, the SVG heat maps, a
risk's page, create/edit forms, the approval and exception flows, the methodology, snapshots,
the XLSX export, and fixed query counts at two sizes."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keel.assets import services as asset_services
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.risks.defaults import default_methodology
from keel.risks.models import Methodology, Risk

from . import factories as f

SOON = (timezone.localdate() + dt.timedelta(days=100)).isoformat()  # within the longest exception

pytestmark = pytest.mark.django_db


def test_register_lists_risks_and_filters_by_register(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    f.is_risk(isms, admin, title="Laptop theft")
    f.ai_risk(isms, admin, title="Score drift")
    page = admin_client.get("/risks/").content.decode()
    assert "Laptop theft" in page and "Score drift" in page
    page = admin_client.get("/risks/?register=ai").content.decode()
    assert "Laptop theft" not in page and "Score drift" in page
    partial = admin_client.get("/risks/?register=is", HTTP_HX_REQUEST="true").content.decode()
    assert "Laptop theft" in partial and "<html" not in partial


def test_heat_map_cells_link_into_the_register_filtered_to_the_cell(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    f.is_risk(isms, admin, title="Laptop theft")  # inherent 4x4, residual 2x3
    f.is_risk(isms, admin, title="Phishing", inherent_likelihood=5, inherent_impact=2)
    page = admin_client.get("/risks/heat-map/").content.decode()
    assert page.count("<svg") >= 2
    assert 'aria-label="Likelihood 4 (Likely), impact 4 (Major): High, 1 risk"' in page
    assert "/risks/?map=inherent&amp;version=1&amp;likelihood=4&amp;impact=4" in page
    assert "<title" in page and "style=" not in page.split("<svg", 1)[1].split("</svg>")[0]
    cell = admin_client.get("/risks/?map=inherent&version=1&likelihood=4&impact=4").content.decode()
    assert "Laptop theft" in cell and "Phishing" not in cell and "heat-map cell" in cell


def test_risk_page_shows_the_plan_and_lets_the_owner_accept(
    client: Client,
    isms: ManagementSystem,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner, controls=[f.control("KC-001", isms).ref_id])
    c = login_client(owner)
    page = c.get(f"/risks/{risk.ref_id}/").content.decode()
    assert "KC-001" in page and "Approve the plan and accept the residual risk" in page
    r = c.post(f"/risks/{risk.ref_id}/approve/", follow=True)
    assert "accepted" in r.content.decode() and Risk.objects.get(pk=risk.pk).acceptance == "accepted"


def test_page_refuses_acceptance_above_criteria_with_a_message(
    isms: ManagementSystem, make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner, residual_likelihood=5, residual_impact=5)
    c = login_client(owner)
    page = c.get(f"/risks/{risk.ref_id}/").content.decode()
    assert "Request an exception" in page
    r = c.post(f"/risks/{risk.ref_id}/approve/", follow=True)
    assert (
        "above the acceptance criteria" in r.content.decode() and "Nothing was changed" in r.content.decode()
    )
    assert Risk.objects.get(pk=risk.pk).acceptance == "none"
    r = c.post(f"/risks/{risk.ref_id}/exception/", {"reason": "Budget in Q1", "expires": SOON}, follow=True)
    assert Risk.objects.get(pk=risk.pk).acceptance == "exception_pending"


def test_second_approver_approves_the_exception_on_the_page(
    admin_client: Client,
    admin: User,
    isms: ManagementSystem,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    owner = make_user(Role.CONTRIBUTOR, isms)
    risk = f.is_risk(isms, owner, residual_likelihood=5, residual_impact=5)
    login_client(owner).post(f"/risks/{risk.ref_id}/exception/", {"reason": "Budget", "expires": SOON})
    page = admin_client.get(f"/risks/{risk.ref_id}/").content.decode()
    assert "Approve the exception as second approver" in page
    admin_client.post(f"/risks/{risk.ref_id}/exception/approve/")
    assert Risk.objects.get(pk=risk.pk).acceptance == "exception"


def test_create_and_edit_forms(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    f.methodology()
    f.control("KC-001", isms)
    r = admin_client.get("/risks/new/?register=ai")
    assert r.status_code == 200 and "Annex C" in r.content.decode()
    data = {
        "register": "is",
        "title": "Ransomware on the build servers",
        "management_system": "isms",
        "owner": admin.email,
        "process": "Software build",
        "threat": "Ransomware",
        "affects_availability": "on",
        "inherent_likelihood": "3",
        "inherent_impact": "5",
        "treatment_option": "modify",
        "controls": ["KC-001"],
        "residual_likelihood": "2",
        "residual_impact": "3",
    }
    r = admin_client.post("/risks/new/?register=is", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    risk = Risk.objects.get(title="Ransomware on the build servers")
    assert risk.inherent_level == "high" and [c.ref_id for c in risk.controls.all()] == ["KC-001"]
    bad = {**data, "process": ""}
    r = admin_client.post("/risks/new/?register=is", bad)
    assert r.status_code == 422 and "asset or a process" in r.content.decode()
    r = admin_client.post(
        f"/risks/{risk.ref_id}/edit/", {**data, "title": "Ransomware", "residual_impact": "2"}
    )
    assert r.status_code == 302
    risk.refresh_from_db()
    assert risk.title == "Ransomware" and risk.residual_level == "low"


def test_actions_are_added_and_progressed_on_the_page(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    risk = f.is_risk(isms, admin)
    admin_client.post(
        f"/risks/{risk.ref_id}/actions/",
        {"title": "Roll out MDM", "owner": admin.email, "due_date": "2030-01-01"},
    )
    action = risk.actions.get()
    admin_client.post(f"/risks/actions/{action.pk}/status/", {"status": "done"})
    action.refresh_from_db()
    assert action.status == "done" and Risk.objects.get(pk=risk.pk).plan_version == 2


def test_methodology_pages(admin_client: Client, org: object) -> None:
    assert "No methodology yet" in admin_client.get("/risks/methodology/").content.decode()
    form = admin_client.get("/risks/methodology/new/").content.decode()
    assert "Almost certain" in form  # prefilled with the default
    from keel.risks.forms import MethodologyForm

    m = default_methodology("Ours")
    m["likelihood"], m["impact"] = m["likelihood"][:3], m["impact"][:3]
    m["levels"] = [
        {"key": "low", "label": "Low", "acceptable": True, "appetite": "fine"},
        {"key": "high", "label": "High", "acceptable": False, "appetite": "treat"},
    ]
    m["matrix"] = [["low", "low", "high"], ["low", "high", "high"], ["high", "high", "high"]]
    data = MethodologyForm.data_for(m)
    # the grid has five rows: the rows past the three levels stay empty
    assert "likelihood_4_label" not in data and data["level_1_acceptable"] == "on"
    assert MethodologyForm(data).is_valid()
    r = admin_client.post("/risks/methodology/new/", data)
    assert r.status_code == 302
    assert Methodology.objects.get().matrix[0] == ["low", "low", "high"]
    page = admin_client.get("/risks/methodology/").content.decode()
    assert "Ours" in page and "Only by exception" in page
    r = admin_client.post("/risks/methodology/new/", {**data, "matrix_2_3": ""})
    assert r.status_code == 422 and Methodology.objects.count() == 1
    # the form keeps what was typed, in its grid
    assert 'value="Ours"' in r.content.decode() and 'name="matrix_3_3"' in r.content.decode()


def test_snapshots_and_export(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    f.is_risk(isms, admin, title="Laptop theft")
    r = admin_client.post("/risks/snapshots/take/", {"register": "is", "cycle": "2026 Q4"})
    assert r.status_code == 302
    assert "Laptop theft" in admin_client.get(r["Location"]).content.decode()
    r = admin_client.get("/risks/export.xlsx?register=is")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "Risk" and ws["B2"].value == "Laptop theft"


def test_asset_and_classification_pages(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    r = admin_client.post(
        "/assets/classification/new/",
        {
            "key": "internal",
            "name": "Internal",
            "rank": "2",
            "handling": "Staff only.",
            "ai_evaluation_allowed": "on",
        },
    )
    assert r.status_code == 302
    r = admin_client.post(
        "/assets/new/",
        {
            "name": "Customer data lake",
            "type": "dataset",
            "management_system": "isms",
            "owner": admin.email,
            "classification": "internal",
        },
    )
    assert r.status_code == 302
    assert "Customer data lake" in admin_client.get("/assets/").content.decode()
    page = admin_client.get("/assets/AS-001/").content.decode()
    assert "Internal" in page and "Staff only." in page
    assert "AI evaluation" in admin_client.get("/assets/classification/").content.decode()
    admin_client.post("/assets/AS-001/retire/")
    assert "Customer data lake" not in admin_client.get("/assets/").content.decode()


@pytest.mark.parametrize("path", ["/risks/", "/risks/heat-map/", "/assets/"])
def test_pages_run_a_fixed_number_of_queries(
    admin_client: Client, admin: User, isms: ManagementSystem, path: str
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(path).status_code == 200
        return len(ctx)

    def add(n: int) -> None:
        for i in range(n):
            asset = asset_services.create_asset(
                f.SYSTEM, management_system=isms.pk, name=f"A{i}", type="device", owner=admin
            )
            f.is_risk(
                isms,
                admin,
                asset=asset,
                process="",
                inherent_likelihood=1 + i % 5,
                controls=[f.control(f"KC-{i:03d}", isms).ref_id],
            )
            f.ai_risk(isms, admin)

    add(1)
    small = count()
    add(6)
    assert count() == small


def test_one_bad_filter_is_left_out_and_the_others_still_apply(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    # Given one risk in each register
    f.is_risk(isms, admin, title="Laptop theft")
    f.ai_risk(isms, admin, title="Score drift")
    # When the register is asked for the AI register with a nonsense likelihood
    page = admin_client.get("/risks/?register=ai&likelihood=abc").content.decode()
    # Then the AI filter still applies and the page says the other was not
    assert "Score drift" in page and "Laptop theft" not in page
    assert "not applied" in page


def test_the_export_refuses_rather_than_ignore_a_bad_filter(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    f.is_risk(isms, admin, title="Laptop theft")
    f.ai_risk(isms, admin, title="Score drift")
    r = admin_client.get("/risks/export.xlsx?register=ai&likelihood=abc")
    assert r.status_code == 302 and r["Location"].startswith("/risks/?")
    page = admin_client.get(r["Location"]).content.decode()
    assert "Nothing was exported" in page


def test_the_heat_map_says_when_the_version_asked_for_does_not_exist(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    f.is_risk(isms, admin)
    page = admin_client.get("/risks/heat-map/?version=999").content.decode()
    assert "There is no methodology version &#x27;999&#x27;; the current one is shown." in page
    assert (
        "There is no methodology version"
        not in admin_client.get("/risks/heat-map/?version=1").content.decode()
    )


def test_cell_filters_without_a_map_are_refused_by_the_api(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    f.is_risk(isms, admin)
    r = admin_client.get("/api/v1/risks?likelihood=1&impact=1")
    assert r.status_code == 422 and "map" in r.json()["error"]["fields"]
    assert admin_client.get("/api/v1/risks?map=inherent&likelihood=1&impact=1").status_code == 200
