"""The Statement of Applicability shows the evidence behind each row: the current evidence of
its implementing controls and evidence linked to its requirement, in rows, JSON, XLSX and PDF,
at a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from keel.controls import services as controls
from keel.evidence import queries as evidence_queries
from keel.evidence import services
from keel.organisation.models import ManagementSystem
from keel.soa import exports, queries
from keel.soa.tests.factories import complete_rows, soa_for

from .factories import SYSTEM, file_evidence, link_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def soa_with_evidence(isms: ManagementSystem, aims: ManagementSystem) -> object:
    control = controls.create_control(
        SYSTEM, management_systems=[isms.pk], title="Access reviews", type="process", frequency="quarterly"
    )
    controls.link_requirement(SYSTEM, control.pk, "iso27001:2022:A.5.18")
    today = evidence_queries.today()
    file_evidence(
        [isms],
        title="Q3 access review export",
        controls=[control.ref_id],
        valid_until=today + dt.timedelta(days=10),
    )
    link_evidence([isms], title="Joiner-mover-leaver runbook", requirements=["iso27001:2022:A.5.18"])
    link_evidence(
        [aims], title="Other system's evidence", controls=[control.ref_id]
    )  # another system: left out
    gone = link_evidence([isms], title="Withdrawn export", controls=[control.ref_id])
    services.withdraw_evidence(SYSTEM, gone.pk)
    return soa_for(isms)


def _row(soa: object, ref: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in queries.rows(soa) if r["ref_id"] == ref)  # type: ignore[arg-type]


def test_rows_list_the_evidence_of_controls_and_of_the_requirement(soa_with_evidence: object) -> None:
    row = _row(soa_with_evidence, "A.5.18")
    assert [e["title"] for e in row["evidence"]] == ["Q3 access review export", "Joiner-mover-leaver runbook"]
    assert row["evidence"][0]["validity"] == "expiring" and row["evidence"][0]["version"] == 1
    assert _row(soa_with_evidence, "A.5.1")["evidence"] == []


def test_rows_run_a_fixed_number_of_queries_with_evidence(
    isms: ManagementSystem, django_assert_num_queries: Callable[..., object]
) -> None:
    soa = soa_for(isms)

    def add(i: int) -> None:
        c = controls.create_control(
            SYSTEM, management_systems=[isms.pk], title=f"C{i}", type="policy", frequency="annually"
        )
        controls.link_requirement(SYSTEM, c.pk, f"iso27001:2022:A.5.{i + 1}")
        link_evidence([isms], title=f"E{i}", controls=[c.ref_id], requirements=[f"iso27001:2022:A.6.{i + 1}"])

    add(0)
    with django_assert_num_queries(7):  # type: ignore[operator]  # rows, AI systems, links, evidence ×2, risks, legal requirements
        queries.rows(soa)
    for i in range(1, 6):
        add(i)
    with django_assert_num_queries(7):  # type: ignore[operator]  # rows, AI systems, links, evidence ×2, risks, legal requirements
        queries.rows(soa)


def test_a_new_evidence_version_does_not_make_an_approved_soa_a_draft(
    soa_with_evidence: object, admin: object
) -> None:
    from keel.platform.actor import Actor
    from keel.soa import services as soa_services

    complete_rows(soa_with_evidence, admin)  # type: ignore[arg-type]
    soa_services.approve(Actor.for_user(admin, "web"), soa_with_evidence.pk)  # type: ignore[arg-type,attr-defined]
    ev = evidence_queries.get_evidence("EV-002")
    services.add_version(SYSTEM, ev.pk, services.NewVersion(url="https://wiki.example.com/jml-v2"))
    header = queries.export_header(soa_with_evidence, queries.rows(soa_with_evidence))  # type: ignore[arg-type]
    assert header["approved"] is True


def test_json_export_carries_the_evidence(soa_with_evidence: object) -> None:
    doc = json.loads(exports.export([soa_with_evidence], "json"))  # type: ignore[list-item]
    row = next(r for r in doc["statements"][0]["rows"] if r["ref_id"] == "A.5.18")
    assert {e["ref_id"] for e in row["evidence"]} == {"EV-001", "EV-002"}


def test_xlsx_evidence_cell(soa_with_evidence: object) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exports.export([soa_with_evidence], "xlsx")))  # type: ignore[list-item]
    ws = wb.worksheets[0]
    headings = [c.value for c in ws[exports.HEADER_ROW]]
    col = headings.index("Evidence") + 1
    row = next(r for r in range(exports.HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == "A.5.18")
    cell = ws.cell(row, col).value
    assert "EV-001 Q3 access review export (v1, expiring soon until" in cell
    assert "EV-002 Joiner-mover-leaver runbook (v1, no expiry)" in cell
    assert "Withdrawn export" not in cell and "Other system" not in cell


def test_pdf_text_contains_the_evidence(soa_with_evidence: object) -> None:
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    pdf = exports.export([soa_with_evidence], "pdf")  # type: ignore[list-item]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "EV-001" in text and "EV-002" in text


def test_soa_page_shows_the_evidence(soa_with_evidence: object, admin_client: Client) -> None:
    html = admin_client.get(reverse("soa-detail", args=[soa_with_evidence.pk])).content.decode()  # type: ignore[attr-defined]
    assert "Q3 access review export" in html and "badge-validity-expiring" in html
