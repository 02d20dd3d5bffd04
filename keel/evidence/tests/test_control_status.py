"""Evidence-aware status in the control catalogue (issue 12 item 2): a control claimed
implemented with no current evidence — none linked, only expired or withdrawn evidence — shows
"Implemented — no evidence" in the control list, its filter, the API and the control export."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from keel.controls import queries as control_queries
from keel.controls import services as controls
from keel.evidence import queries as evidence_queries
from keel.evidence import services
from keel.organisation.models import ManagementSystem
from keel.platform.models import User

from .factories import SYSTEM, file_evidence, link_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(isms: ManagementSystem) -> dict[str, str]:
    """Five controls: implemented with current evidence, with none, with only expired
    evidence, with only withdrawn evidence; and one in progress without evidence."""
    today = evidence_queries.today()
    refs = {}
    for key, title, status in (
        ("backed", "Backups tested", "implemented"),
        ("bare", "Clear desk", "implemented"),
        ("expired", "Penetration test", "implemented"),
        ("withdrawn", "Access reviews", "implemented"),
        ("planned", "Data loss prevention", "in_progress"),
    ):
        c = controls.create_control(
            SYSTEM,
            management_systems=[isms.pk],
            title=title,
            type="process",
            frequency="annually",
            status=status,
        )
        refs[key] = c.ref_id
    link_evidence(
        [isms], title="Restore test", controls=[refs["backed"]], valid_until=today + dt.timedelta(days=200)
    )
    # the report's validity ran out yesterday
    file_evidence(
        [isms],
        title="Pentest 2025",
        controls=[refs["expired"]],
        collected_on=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=1),
    )
    gone = link_evidence([isms], title="Old export", controls=[refs["withdrawn"]])
    services.withdraw_evidence(SYSTEM, gone.pk)
    return refs


def test_shown_status_counts_only_current_evidence(catalogue: dict[str, str], admin: User) -> None:
    shown = {c.ref_id: control_queries.shown_status(c) for c in control_queries.controls(admin)}
    assert shown[catalogue["backed"]] == "implemented"
    assert shown[catalogue["bare"]] == "implemented_no_evidence"
    assert shown[catalogue["expired"]] == "implemented_no_evidence"
    assert shown[catalogue["withdrawn"]] == "implemented_no_evidence"
    assert shown[catalogue["planned"]] == "in_progress"


def test_filter_implemented_no_evidence_and_implemented_keeps_its_meaning(
    catalogue: dict[str, str], admin: User
) -> None:
    no_evidence = control_queries.ControlFilters(status="implemented_no_evidence")
    assert {c.ref_id for c in control_queries.controls(admin, no_evidence)} == {
        catalogue["bare"],
        catalogue["expired"],
        catalogue["withdrawn"],
    }
    claimed = control_queries.ControlFilters(status="implemented")
    assert len(control_queries.controls(admin, claimed)) == 4


def test_list_page_shows_and_filters_the_status(admin_client: Client, catalogue: dict[str, str]) -> None:
    page = admin_client.get(reverse("control-list")).content.decode()
    assert page.count("Implemented — no evidence") >= 3  # three rows (and the filter's option)
    filtered = admin_client.get(
        reverse("control-list"), {"status": "implemented_no_evidence"}
    ).content.decode()
    assert catalogue["bare"] in filtered and catalogue["backed"] not in filtered


def test_api_list_gives_shown_status_and_filters(admin_client: Client, catalogue: dict[str, str]) -> None:
    body = admin_client.get("/api/v1/controls", {"limit": 50}).json()
    by_ref = {c["ref_id"]: c for c in body["items"]}
    assert by_ref[catalogue["bare"]]["status"] == "implemented"
    assert by_ref[catalogue["bare"]]["shown_status"] == "implemented_no_evidence"
    assert by_ref[catalogue["bare"]]["has_current_evidence"] is False
    assert by_ref[catalogue["backed"]]["shown_status"] == "implemented"
    assert by_ref[catalogue["backed"]]["has_current_evidence"] is True
    only = admin_client.get("/api/v1/controls", {"status": "implemented_no_evidence"}).json()
    assert only["count"] == 3
    bad = admin_client.get("/api/v1/controls", {"status": "nearly"})
    assert bad.status_code == 422


def test_control_export_writes_the_shown_status(admin_client: Client, catalogue: dict[str, str]) -> None:
    from openpyxl import load_workbook

    response = admin_client.get(reverse("control-export"), {"status": "implemented_no_evidence"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:4] == ("Control", "Title", "Type", "Status")
    assert {(r[0], r[3]) for r in rows[1:]} == {
        (catalogue[k], "Implemented — no evidence") for k in ("bare", "expired", "withdrawn")
    }


def test_control_export_refuses_filters_it_does_not_understand(
    admin_client: Client, catalogue: dict[str, str]
) -> None:
    response = admin_client.get(reverse("control-export"), {"status": "nearly"})
    assert response.status_code == 302 and "status=nearly" in response["Location"]


def test_keel_export_controls_writes_the_shown_status(
    catalogue: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from keel.site.cli import main

    code = main(
        ["export", "controls", "--status", "implemented_no_evidence", "--format", "json", "--out", "-"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["count"] == 3
    assert {c["status"] for c in doc["controls"]} == {"implemented_no_evidence"}
    assert {c["claimed_status"] for c in doc["controls"]} == {"implemented"}
    assert main(["export", "controls", "--format", "xlsx", "--out", str(tmp_path / "c.xlsx")]) == 0
    assert (tmp_path / "c.xlsx").stat().st_size > 0
    assert main(["export", "controls", "--format", "xlsx", "--out", "-"]) == 2
