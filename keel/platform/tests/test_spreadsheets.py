"""The one streaming spreadsheet reader (keel.platform.spreadsheets): limits stop the reading as
it goes, a far-right cell costs nothing, malformed workbooks are file errors, and every
importer reads through it (issue 9, defect 5)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import openpyxl
import pytest

from keel.platform import spreadsheets
from keel.platform.spreadsheets import ImportFileError, read_table


def SCORE(cells: Sequence[Any]) -> int:
    return len({str(c).strip().lower() for c in cells if c is not None} & {"ref", "title", "status"})


def xlsx(rows: list[list[Any]], far_right: int = 0) -> bytes:
    """A workbook with ``rows`` and, when ``far_right``, a cell in column XFD on that many rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for n in range(far_right):
        ws.cell(row=n + 2, column=16384, value="x")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """``data`` (an XLSX) with one of its parts changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info, change(body) if info.filename == part else body)
    return out.getvalue()


GOOD = xlsx([["Ref", "Title", "Status"], ["KC-1", "Backups", "Done"]])
SHEET = "xl/worksheets/sheet1.xml"
DOCTYPE = rewrite(
    GOOD,
    SHEET,
    lambda b: b.replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY boom "' + b"x" * 100 + b'">]><worksheet', 1
    ),
)
BROKEN_XML = rewrite(GOOD, SHEET, lambda b: b[: len(b) // 2])
NOT_A_ZIP = b"PK\x03\x04" + b"this is no zip archive" * 10
MALFORMED = {"doctype": DOCTYPE, "broken xml": BROKEN_XML, "not a zip": NOT_A_ZIP}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_workbook_is_a_file_error_with_the_reason(name: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        table = read_table(MALFORMED[name], "book.xlsx", SCORE)
        list(table.rows)  # a sheet parsed lazily fails while its rows are read
    assert "book.xlsx is not a readable XLSX workbook" in caught.value.message
    if name == "doctype":
        assert "DOCTYPE" in caught.value.message


def test_a_cell_in_column_xfd_is_never_materialised() -> None:
    data = xlsx([["Ref", "Title", "Status"], *([f"KC-{i}", "T", "Done"] for i in range(50))], far_right=50)
    table = read_table(data, "wide.xlsx", SCORE)
    rows = list(table.rows)
    assert len(rows) == 50
    assert max(len(cells) for _, cells in rows) <= 3 + spreadsheets.HEADER_MARGIN


def test_a_header_wider_than_the_limit_is_refused_naming_the_setting(settings: Any) -> None:
    settings.KEEL_IMPORT_MAX_COLUMNS = 4
    data = b"Ref,Title,Status,A,B,C,D\nKC-1,T,Done,1,2,3,4\n"
    with pytest.raises(ImportFileError, match="KEEL_IMPORT_MAX_COLUMNS"):
        read_table(data, "wide.csv", SCORE)


def _counting(limit: int) -> Callable[..., Iterator[Any]]:
    """Wraps the CSV record reader so that reading past ``limit`` records fails the test."""
    real = spreadsheets._csv_rows

    def rows(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for n, record in enumerate(real(*args, **kwargs), start=1):
            if n > limit:
                raise AssertionError(f"read record {n}: the reader went past the row limit")
            yield record

    return rows


def test_the_row_limit_stops_the_reading_at_the_first_row_past_it(settings: Any, monkeypatch: Any) -> None:
    settings.KEEL_IMPORT_MAX_ROWS = 10
    data = ("Ref,Title,Status\n" + "".join(f"KC-{i},T,Done\n" for i in range(100_000))).encode()
    # The header search reads at most HEADER_SEARCH_ROWS records per delimiter tried, the body
    # header + 10 rows + the 11th that trips the limit; never the 100,000 behind them.
    monkeypatch.setattr(spreadsheets, "_csv_rows", _counting(spreadsheets.HEADER_SEARCH_ROWS))
    table = read_table(data, "long.csv", SCORE)
    with pytest.raises(ImportFileError, match=r"more than 10 rows .*KEEL_IMPORT_MAX_ROWS"):
        list(table.rows)


def test_the_row_limit_stops_an_xlsx_too(settings: Any) -> None:
    settings.KEEL_IMPORT_MAX_ROWS = 3
    data = xlsx([["Ref", "Title", "Status"], *([f"KC-{i}", "T", "Done"] for i in range(10))])
    table = read_table(data, "long.xlsx", SCORE)
    with pytest.raises(ImportFileError, match="KEEL_IMPORT_MAX_ROWS"):
        list(table.rows)


def test_the_size_limit_is_checked_before_parsing_and_the_file_is_not_read_past_it(
    settings: Any, tmp_path: Any
) -> None:
    settings.KEEL_IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_bytes(b"Ref,Title\n" + b"KC-1,T\n" * 10_000)
    with pytest.raises(ImportFileError, match=r"larger than 1000 bytes \(KEEL_IMPORT_MAX_BYTES\)"):
        spreadsheets.read_limited(path)
    with pytest.raises(ImportFileError, match="KEEL_IMPORT_MAX_BYTES"):
        read_table(path.read_bytes(), "big.csv", SCORE)
    upload = io.BytesIO(path.read_bytes())
    with pytest.raises(ImportFileError):
        spreadsheets.read_upload(upload, "big.csv")
    assert upload.tell() == 1001


def test_csv_is_decoded_as_it_is_read_with_the_encoding_of_the_whole_file(settings: Any) -> None:
    settings.KEEL_IMPORT_MAX_ROWS = 30_000
    # The only non-UTF-8 byte comes after the first chunk: the file is Windows-1252.
    data = (
        "Ref;Title;Status\n"
        + "KC-1;Backups of the file server, daily and weekly;Done\n" * 20_000
        + "KC-2;Contrôle;Done\n"
    ).encode("cp1252")
    table = read_table(data, "late.csv", SCORE)
    rows = list(table.rows)
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert rows[-1][1] == ["KC-2", "Contrôle", "Done"]


# ---------------------------------------------------------------- every importer reads through it


def _importers() -> dict[str, Callable[[bytes], Any]]:
    from keel.assets import importing as assets
    from keel.controls.importing import services as controls
    from keel.mapping import csvio
    from keel.platform.actor import Actor
    from keel.soa import importing as soa
    from keel.standards import catalog

    return {
        "controls": lambda d: controls.plan_controls_file(d, "f.csv"),
        "soa": lambda d: soa.plan_soa_file(d, "f.csv", standard="iso27001:2022", management_system="isms"),
        "assets": lambda d: assets.import_assets(Actor.system("test"), d, "f.csv", dry_run=True),
        "crosswalk": lambda d: csvio.read_crosswalk_table(d, "f.csv"),
        "catalog": lambda d: catalog.read_catalog(
            d, "f.csv", id_column="id", title_column="title", text_columns=[]
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["controls", "soa", "assets", "crosswalk", "catalog"])
def test_every_importer_reads_through_the_shared_reader(name: str, isms: Any, monkeypatch: Any) -> None:
    def refuse(data: bytes, filename: str, score: Any) -> Any:
        raise ImportFileError("read by keel.platform.spreadsheets")

    monkeypatch.setattr(spreadsheets, "_read_csv", refuse)
    with pytest.raises(Exception) as caught:
        _importers()[name](b"id,title\nX,Y\n")
    assert "read by keel.platform.spreadsheets" in str(getattr(caught.value, "message", caught.value))
