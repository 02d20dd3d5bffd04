"""Long SoA cells (issue 13): a row naming more controls than the editor and the PDF show lists
the first few and "and N more" — on the page with a link to the row's own page, which lists
them all — while the XLSX keeps every one."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from keel.controls import services as controls
from keel.organisation.models import ManagementSystem
from keel.soa import exports, queries

from .factories import SYSTEM, row, soa_for

pytestmark = pytest.mark.django_db


def test_a_row_with_more_controls_than_the_limit_is_summarised_with_a_link_to_the_full_list(
    admin_client: Client, isms: ManagementSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a row implemented by five controls, and a limit of two per cell
    monkeypatch.setattr(exports, "CELL_LIMIT", 2)
    soa = soa_for(isms)
    refs = []
    for i in range(5):
        c = controls.create_control(
            SYSTEM, management_systems=[isms.pk], title=f"Long cell {i}", type="policy", frequency="annually"
        )
        controls.link_requirement(SYSTEM, c.pk, "iso27001:2022:A.5.1", "full")
        refs.append(c.ref_id)
    a51 = row(soa, "A.5.1")

    # When the editor page is shown
    page = admin_client.get(f"/soa/{soa.pk}/").content.decode()

    # Then the row shows two of them and links "and 3 more" to the row's page
    cell = page[page.index(f'id="row-{a51.pk}"') :]
    cell = cell[: cell.index("</tr>")]
    assert sum(ref in cell for ref in refs) == 2
    assert f'href="/soa/rows/{a51.pk}/#row-controls">and 3 more' in cell
    # and the row's page lists all five
    full = admin_client.get(f"/soa/rows/{a51.pk}/").content.decode()
    assert all(ref in full for ref in refs) and "and 3 more" not in full
    # and the PDF's cell text names two and says where the rest are
    data = next(r for r in queries.rows(soa) if r["ref_id"] == "A.5.1")
    text = exports.controls_text(data, exports.CELL_LIMIT)
    assert sum(ref in text for ref in refs) == 2 and "and 3 more" in text
    # and the XLSX keeps every one
    sheet = load_workbook(io.BytesIO(exports.export([soa], "xlsx"))).worksheets[0]
    xlsx_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "A.5.1")
    assert all(ref in xlsx_row[14] for ref in refs) and "more" not in xlsx_row[14]
