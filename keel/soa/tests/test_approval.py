"""Approving an SoA an auditor can trust (issue 12): every row says why it is there and who is
accountable for it, no exclusion contradicts the risk register or the control catalogue, and an
implemented claim without current evidence shows apart (docs/soa.md)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from keel.controls import services as controls
from keel.evidence import queries as evidence_queries
from keel.evidence.tests.factories import file_evidence, link_evidence
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import ValidationFailed
from keel.platform.models import User
from keel.soa import exports, queries, rules, services
from keel.soa.models import SoAVersion, StatementOfApplicability

from .factories import SYSTEM, complete_rows, fix_demo_rows, row, soa_for

pytestmark = pytest.mark.django_db


def _row(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ref_id": "A.1",
        "applicable": True,
        "risks": [],
        "obligations": "",
        "business_need": "",
        "justification": "",
        "accountable": "",
        "review_date": None,
        "controls": [],
        "owner": "ann@example.com",
        "machine_written": False,
    }
    return base | kw


# ---------------------------------------------------------------- the rule, case by case


@pytest.mark.parametrize(
    ("row", "kinds"),
    [
        (_row(business_need="Customers ask for it."), []),
        (_row(obligations="GDPR."), []),
        (_row(risks=[{"ref_id": "R-1", "title": "x"}]), []),
        (_row(), ["no_reason"]),
        (_row(business_need="   "), ["no_reason"]),
        (_row(business_need="Best practice.", owner=""), ["no_owner"]),
        (
            _row(
                applicable=False,
                justification="Not ours.",
                accountable="a@x",
                review_date="2027-01-01",
                owner="",
            ),
            [],
        ),
        (_row(applicable=False, justification="Not ours."), ["incomplete_exclusion"]),
        (
            _row(
                applicable=False,
                justification="Not ours.",
                accountable="a@x",
                review_date="2027-01-01",
                risks=[{"ref_id": "R-7", "title": "x"}],
            ),
            ["excluded_but_risks"],
        ),
        (
            _row(
                applicable=False,
                justification="Not ours.",
                accountable="a@x",
                review_date="2027-01-01",
                controls=[
                    {"ref_id": "KC-1", "status": "in_progress"},
                    {"ref_id": "KC-2", "status": "planned"},
                ],
            ),
            ["excluded_but_operating"],
        ),
        (_row(business_need="x", machine_written=True), ["machine_written"]),
    ],
)
def test_approval_findings(row: dict[str, Any], kinds: list[str]) -> None:
    assert [f.kind for f in rules.approval_findings([row])] == kinds


def test_a_finding_names_each_row_with_what_contradicts_it() -> None:
    (finding,) = rules.approval_findings(
        [
            _row(
                ref_id="A.8.24",
                applicable=False,
                justification="x",
                accountable="a@x",
                review_date="2027-01-01",
                risks=[{"ref_id": "R-3", "title": ""}, {"ref_id": "R-9", "title": ""}],
            )
        ]
    )
    assert "A.8.24 (relied on by R-3, R-9)" in finding.text


@pytest.mark.parametrize(
    ("status", "evidence", "shown"),
    [
        ("implemented", True, "implemented"),
        ("implemented", False, "implemented_no_evidence"),
        ("partly_implemented", False, "partly_implemented"),
        ("not_applicable", False, "not_applicable"),
    ],
)
def test_evidence_aware_status(status: str, evidence: bool, shown: str) -> None:
    assert rules.evidence_aware(status, evidence) == shown


# ---------------------------------------------------------------- services


def test_an_empty_soa_is_refused_and_nothing_is_approved(isms: ManagementSystem, admin: User) -> None:
    soa = soa_for(isms)
    with pytest.raises(ValidationFailed) as exc:
        services.approve(Actor.for_user(admin, "web"), soa.pk)
    assert "no reason for inclusion" in exc.value.message and "A.5.1, A.5.2" in exc.value.message
    assert "no owner" in exc.value.message
    assert not SoAVersion.objects.exists()


def test_an_excluded_control_an_implemented_control_relies_on_is_refused_until_resolved(
    isms: ManagementSystem, admin: User
) -> None:
    soa = soa_for(isms)
    c = controls.create_control(
        SYSTEM,
        management_systems=[isms.pk],
        title="Cabling",
        type="physical",
        frequency="annually",
        status="implemented",
    )
    controls.link_requirement(SYSTEM, c.pk, "iso27001:2022:A.7.12", "full")
    services.update_row(
        SYSTEM,
        row(soa, "A.7.12").pk,
        applicable=False,
        justification="Landlord's cabling.",
        accountable=admin,
        review_date=dt.date(2027, 1, 1),
    )
    complete_rows(soa, admin)
    who = Actor.for_user(admin, "web")
    with pytest.raises(ValidationFailed, match=rf"A\.7\.12 \(linked: {c.ref_id} implemented\)"):
        services.approve(who, soa.pk)
    controls.update_control(SYSTEM, c.pk, status="not_applicable")  # resolved: the control no longer runs
    assert services.approve(who, soa.pk).number == 1


def test_the_no_evidence_override_cannot_be_set(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    with pytest.raises(ValidationFailed, match="shown by Keel"):
        services.update_row(
            SYSTEM, row(soa, "A.5.1").pk, status_override="implemented_no_evidence", override_reason="x"
        )


def test_implemented_needs_current_evidence(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    c = controls.create_control(
        SYSTEM,
        management_systems=[isms.pk],
        title="Policies",
        type="policy",
        frequency="annually",
        status="implemented",
    )
    controls.link_requirement(SYSTEM, c.pk, "iso27001:2022:A.5.1", "full")
    controls.link_requirement(SYSTEM, c.pk, "iso27001:2022:A.5.2", "full")
    today = evidence_queries.today()
    link_evidence(
        [isms],
        title="Policy set",
        requirements=["iso27001:2022:A.5.1"],
        valid_until=today + dt.timedelta(days=30),
    )
    file_evidence(
        [isms],
        title="Old roles",
        collected_on=today - dt.timedelta(days=400),
        requirements=["iso27001:2022:A.5.2"],
        valid_until=today - dt.timedelta(days=1),
    )
    data = {r["ref_id"]: r for r in queries.rows(soa)}
    assert data["A.5.1"]["status"] == "implemented"
    assert data["A.5.2"]["status"] == "implemented_no_evidence"  # its only evidence expired
    counts = queries.status_counts(list(data.values()))
    assert (counts["implemented"], counts["implemented_no_evidence"]) == (1, 1)


# ---------------------------------------------------------------- the demo (issue 12, "Done when")


def _demo_soa() -> StatementOfApplicability:
    return StatementOfApplicability.objects.get(standard__key="iso27001:2022")


def test_the_demo_soa_is_refused_with_its_rows_named_and_approves_once_fixed(demo: Any) -> None:
    soa = _demo_soa()
    approver = User.objects.get(email__startswith="mara.lindqvist")
    who = Actor.for_user(approver, "web")
    # When approving the demo's draft as it stands
    with pytest.raises(ValidationFailed) as exc:
        services.approve(who, soa.pk)
    # Then the refusal names rows without a reason, without an owner, and the contradicted exclusions
    errors = exc.value.fields
    assert "A.5.1" in errors["no_reason"] and "A.5.34" not in errors["no_reason"]  # A.5.34 has reasons
    assert "A.5.34" in errors["no_owner"]
    assert any(e.startswith("A.8.30 (linked: KC-") for e in errors["excluded_but_operating"])
    assert "A.8.30" in exc.value.message
    assert soa.versions.count() == 1

    # When a person fixes every row through the editor's service
    fix_demo_rows(soa, approver)
    # Then it approves as version 2
    version = services.approve(who, soa.pk, note="Reviewed row by row.")
    assert version.number == 2 and version.approved_by == approver

    # And excluding a control that open risks rely on is refused again, naming the risks
    relied = next(r for r in queries.rows(soa) if r["risks"])
    services.update_row(
        SYSTEM,
        relied["id"],
        applicable=False,
        justification="x",
        accountable=approver,
        review_date=dt.date(2027, 1, 1),
    )
    with pytest.raises(
        ValidationFailed, match=rf"{relied['ref_id']} \(relied on by {relied['risks'][0]['ref_id']}"
    ):
        services.approve(who, soa.pk)


def test_the_demo_soa_shows_implemented_rows_without_evidence_apart(demo: Any) -> None:
    data = queries.rows(_demo_soa())
    counts = queries.status_counts(data)
    assert counts["implemented_no_evidence"] > 0 and counts["implemented"] > 0
    no_evidence = next(r for r in data if r["status"] == "implemented_no_evidence")
    assert not any(e["validity"] != "expired" for e in no_evidence["evidence"])


# ---------------------------------------------------------------- pages and exports


def test_the_page_refuses_approval_naming_the_rows(admin_client: Client, isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    page = admin_client.post(f"/soa/{soa.pk}/approve/", follow=True).content.decode()
    assert "cannot be approved yet" in page and "A.5.1, A.5.2" in page
    assert not SoAVersion.objects.exists()


def test_the_row_editor_sets_the_owner(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    r = row(soa, "A.5.1")
    response = admin_client.post(
        f"/soa/rows/{r.pk}/edit/", {"applicable": "on", "business_need": "Asked.", "owner": admin.pk}
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.owner == admin


def test_exports_and_the_page_show_implemented_without_evidence(
    admin_client: Client, isms: ManagementSystem
) -> None:
    soa = soa_for(isms)
    c = controls.create_control(
        SYSTEM,
        management_systems=[isms.pk],
        title="Policies",
        type="policy",
        frequency="annually",
        status="implemented",
    )
    controls.link_requirement(SYSTEM, c.pk, "iso27001:2022:A.5.1", "full")
    wb = load_workbook(io.BytesIO(exports.export([soa], "xlsx")))
    ws = wb[wb.sheetnames[0]]
    a51 = next(r for r in ws.iter_rows(values_only=True) if r[0] == "A.5.1")
    assert "Implemented — no evidence" in a51
    page = admin_client.get(f"/soa/{soa.pk}/").content.decode()
    assert "Implemented — no evidence: 1" in page
