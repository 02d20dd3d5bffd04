"""Tables people expect (keel.platform.tables): a header sorts the list by its column and a
second click reverses it, the filters stay in the link and the page is reset; the CSV is the
filtered list, every page of it; the list pages draw both."""

from __future__ import annotations

import csv
import io

from django.test import Client, RequestFactory

from keel.gap.tests import factories as gap_factories
from keel.organisation.models import ManagementSystem
from keel.platform import tables

COLUMNS = [tables.Column("Control", "ref_id"), tables.Column("Status", "status"), tables.Column("Owner")]
ORDERS = ["ref_id", "-ref_id", "status", "-status"]


def test_a_header_sorts_by_its_column_then_reverses_keeping_the_filters() -> None:
    request = RequestFactory().get("/controls/", {"status": "planned", "page": "3", "order": "ref_id"})
    control, status, owner = tables.headers(request, COLUMNS, "ref_id", ORDERS)
    # the column sorted by links to the reverse order, marked ascending
    assert control.state == "ascending" and control.mark == "▲"
    assert control.url is not None and "order=-ref_id" in control.url and "status=planned" in control.url
    assert "page=" not in control.url
    # another sortable column links to its own order, unmarked
    assert status.state is None and status.url is not None and "order=status" in status.url
    # a column without an order does not link
    assert owner.url is None and owner.state is None
    # sorted descending: the header says so and links back to ascending
    request = RequestFactory().get("/controls/", {"order": "-ref_id"})
    control = tables.headers(request, COLUMNS, "-ref_id", ORDERS)[0]
    assert control.state == "descending" and control.url == "?order=ref_id"


def test_a_descending_first_column_starts_descending() -> None:
    request = RequestFactory().get("/risks/")
    (h,) = tables.headers(
        request, [tables.Column("Residual", "-residual")], "ref_id", ["ref_id", "-residual"]
    )
    assert h.url == "?order=-residual" and h.state is None
    (h,) = tables.headers(
        request, [tables.Column("Residual", "-residual")], "-residual", ["ref_id", "-residual"]
    )
    # there is no ascending order to flip to: the link stays on the one order there is
    assert h.state == "descending" and h.url == "?order=-residual"


def test_csv_url_keeps_the_filters_and_drops_the_page() -> None:
    request = RequestFactory().get("/risks/", {"register": "ai", "page": "2"})
    assert tables.csv_url(request) == "?register=ai&export=csv"


def test_control_list_sorts_by_a_clicked_header_and_exports_the_filtered_list(
    admin_client: Client, isms: ManagementSystem
) -> None:
    # Given 55 controls (two pages), a few of them implemented
    for i in range(55):
        gap_factories.control(isms, f"KC-{i:03d}", [], status="implemented" if i % 10 == 0 else "planned")
    # When the list is sorted by status descending (the header's link)
    html = admin_client.get("/controls/?order=-status").content.decode()
    assert 'aria-sort="descending"' in html
    assert html.index("KC-001") < html.index("KC-000")  # planned sorts after implemented; reversed
    # and the implemented ones are exported as CSV
    response = admin_client.get("/controls/?status=implemented&export=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="controls.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Reference", "Title"]
    assert [r[0] for r in rows[1:]] == [f"KC-{i:03d}" for i in range(0, 55, 10)]
    # every row the filters select, not the page: the unfiltered export has all 55
    response = admin_client.get("/controls/?export=csv&page=1")
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == 56


def test_every_main_list_draws_sortable_headers_a_csv_link_and_a_scrolling_table(
    admin_client: Client, isms: ManagementSystem
) -> None:
    for url in ("/controls/", "/risks/", "/ai-systems/", "/evidence/", "/assets/"):
        html = admin_client.get(url).content.decode()
        assert 'class="table-scroll' in html, url
        assert 'class="sort-link"' in html, url
        assert "export=csv" in html and "Download CSV" in html, url
        assert admin_client.get(url + "?export=csv")["Content-Type"].startswith("text/csv"), url
