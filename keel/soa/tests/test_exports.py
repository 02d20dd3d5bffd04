"""Exports open and hold what an auditor expects: one row per Annex A control, the columns,
frozen header and filters, and the version, date and approver on every sheet and page."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.models import User
from keel.soa import exports, services
from keel.soa.models import StatementOfApplicability

from .factories import SYSTEM, adopt_all, complete_rows, row, soa_for

MakeUser = Callable[..., User]
pytestmark = pytest.mark.django_db
REF = re.compile(r"A\.\d+\.\d+(?:\.\d+)?")


@pytest.fixture
def approver(make_user: MakeUser) -> User:
    return make_user("compliance_manager", full_name="Ada Approver", email="ada@example.com")


def _approved(ms: ManagementSystem, standard: str, approver: User) -> StatementOfApplicability:
    soa = soa_for(ms, standard)
    if standard == "iso27001:2022":
        services.update_row(
            SYSTEM,
            row(soa, "A.7.12").pk,
            applicable=False,
            justification="No cabling of ours: cloud hosted, landlord-owned building.",
            accountable=approver,
            review_date=dt.date(2027, 3, 31),
        )
    complete_rows(soa, approver)
    services.approve(Actor.for_user(approver, "web"), soa.pk)
    return soa


@pytest.mark.parametrize(("standard", "count"), [("iso27001:2022", 93), ("iso42001:2023", 38)])
def test_xlsx_has_one_row_per_annex_a_control_with_columns_filters_frozen_header_and_version(
    standard: str, count: int, org: object, approver: User, make_user: MakeUser
) -> None:
    # Given an integrated system with the catalogue adopted and an approved SoA
    from keel.organisation.tests.factories import ManagementSystemFactory

    ms = ManagementSystemFactory.create(
        organisation=org, short_name="both", standards=["iso27001:2022", "iso42001:2023"]
    )
    adopt_all(ms)
    soa = _approved(ms, standard, approver)

    # When
    wb = load_workbook(io.BytesIO(exports.export([soa], "xlsx")))

    # Then
    assert len(wb.sheetnames) == 1
    ws = wb[wb.sheetnames[0]]
    header = exports.HEADER_ROW
    assert [c.value for c in ws[header]] == [h for h, _w in exports.COLUMNS]
    data = list(ws.iter_rows(min_row=header + 1, values_only=True))
    assert len(data) == count
    assert all(REF.fullmatch(str(r[0])) for r in data)
    assert ws.freeze_panes == f"C{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:S{header + count}"
    assert "Version 1" in str(ws["A2"].value) and "Ada Approver" in str(ws["A2"].value)
    assert dt.date.today().isoformat() in str(ws["A2"].value)
    assert "Version 1" in ws.oddHeader.center.text
    by_ref = {r[0]: r for r in data}
    if standard == "iso27001:2022":
        excluded = by_ref["A.7.12"]
        assert excluded[3] == "No" and "landlord" in excluded[7] and excluded[8] == "ada@example.com"
        assert excluded[10] == "Not applicable (excluded)"
    assert any(r[14] for r in data), "implementing controls are listed"


def test_pdf_contains_every_control_id_and_the_version_date_and_approver_on_every_page(
    isms: ManagementSystem, approver: User
) -> None:
    # Given
    soa = _approved(isms, "iso27001:2022", approver)
    expected = set(soa.rows.values_list("requirement__ref_id", flat=True))

    # When
    reader = PdfReader(io.BytesIO(exports.export([soa], "pdf")))

    # Then
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) > 1
    assert expected <= set(REF.findall("\n".join(texts)))
    today = dt.date.today().isoformat()
    for i, text in enumerate(texts, start=1):
        assert "Version 1" in text and "Ada Approver" in text and today in text, f"page {i}"
        assert f"Page {i} of {len(texts)}" in text


def test_a_missing_weasyprint_gives_a_clear_message(
    isms: ManagementSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    with pytest.raises(KeelError, match="PDF export needs WeasyPrint and the Pango library"):
        exports.export([soa_for(isms)], "pdf")


def test_json_has_the_header_and_every_row(isms: ManagementSystem) -> None:
    doc = json.loads(exports.export([soa_for(isms)], "json"))
    (statement,) = doc["statements"]
    assert statement["standard"] == "iso27001:2022" and statement["approved"] is False
    assert len(statement["rows"]) == 93
    assert statement["rows"][0]["evidence"] == []


def test_css_strings_cannot_break_out_of_the_style_element() -> None:
    assert (
        exports.css_string('a "quoted" </style> \\ name')
        == '"a \\22 quoted\\22  \\3c /style\\3e  \\5c  name"'
    )
