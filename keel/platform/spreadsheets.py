"""Reading the spreadsheets people really have: CSV or XLSX, title rows above the header,
``,`` ``;`` or tab delimiters, UTF-8 (with or without BOM) or Windows-1252.

The reader does not know what the columns mean: the caller passes a ``score`` function that
says how many cells of a row look like known column names, and the header is the first row
(among the first :data:`HEADER_SEARCH_ROWS` non-empty rows) that scores at least two.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 30
DELIMITERS = (",", ";", "\t")

Cell = Any  # str for CSV; str, int, float, bool, datetime or None for XLSX
Score = Callable[[Sequence[Cell]], int]


class ImportFileError(Exception):
    """The file cannot be read at all (exit status 2): the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The rows under the header, each with its row number as a spreadsheet program shows it."""

    header: list[str]
    header_row: int
    rows: list[tuple[int, list[Cell]]]
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    notes: list[str] = field(default_factory=list)


def read_table(data: bytes, filename: str, score: Score) -> Table:
    """Read a CSV or XLSX file (told apart by content, not by name) and find its header."""
    if not data:
        raise ImportFileError(f"{filename} is empty.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"{filename} is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, filename, score)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            f"{filename} is an old Excel (.xls) workbook: save it as .xlsx or .csv and import that."
        )
    return _read_csv(data, filename, score)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (BOM or not), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 reads anything.
        return data.decode("latin-1"), "latin-1"


def _is_empty(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _find_header(rows: list[tuple[int, list[Cell]]], score: Score) -> tuple[int, int]:
    """(index in ``rows``, score) of the header row, or (-1, best score seen)."""
    best = 0
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        s = score(cells)
        best = max(best, s)
        if s >= 2:
            return i, s
    return -1, best


def _table(rows: list[tuple[int, list[Cell]]], at: int, **kw: Any) -> Table:
    header_row, header_cells = rows[at]
    header = ["" if c is None else str(c).strip() for c in header_cells]
    body = [(n, list(cells)) for n, cells in rows[at + 1 :]]
    if len(body) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(body)} rows; split it into files of at most {MAX_ROWS}.")
    return Table(header=header, header_row=header_row, rows=body, **kw)


def _read_csv(data: bytes, filename: str, score: Score) -> Table:
    text, encoding = decode(data)
    if "\x00" in text:
        raise ImportFileError(f"{filename} is not a CSV or XLSX file (it contains binary data).")
    best: tuple[int, str, list[tuple[int, list[Cell]]], int] | None = None
    for delimiter in DELIMITERS:
        try:
            parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise ImportFileError(f"{filename} could not be read as CSV: {exc}.") from None
        rows = [(n, cells) for n, cells in enumerate(parsed, start=1) if not _is_empty(cells)]
        at, s = _find_header(rows, score)
        if at >= 0 and (best is None or s > best[0]):
            best = (s, delimiter, rows, at)
    if best is None:
        raise ImportFileError(_no_header(filename))
    _, delimiter, rows, at = best
    return _table(rows, at, format="csv", encoding=encoding, delimiter=delimiter)


def _read_xlsx(data: bytes, filename: str, score: Score) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"{filename} is not a readable XLSX workbook ({exc}).") from None
    try:
        for sheet in workbook.worksheets:
            rows = [
                (n, list(cells))
                for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
                if not _is_empty(cells)
            ]
            at, _ = _find_header(rows, score)
            if at >= 0:
                return _table(rows, at, format="xlsx", sheet=str(sheet.title))
    finally:
        workbook.close()
    raise ImportFileError(_no_header(filename))


def _no_header(filename: str) -> str:
    return (
        f"No header row found in {filename}: the first {HEADER_SEARCH_ROWS} rows have no row with at "
        "least two known column names (e.g. 'Control ID' and 'Title'). Rename the columns or name "
        "them with --map 'Your column=ref'."
    )
