"""The one cell writer every spreadsheet and CSV exporter goes through.

A value a user typed (a risk title, a rationale, a control name) that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice and Google Sheets as a
formula: a register exported by Keel could then run ``=HYPERLINK(...)`` or ``=cmd|...`` on the
reader's machine (CSV/formula injection). We neutralise such text the OWASP way: a single
quote in front, so the spreadsheet shows it as text. Numbers, dates, booleans and ``None`` are
left as they are (a negative number is a number, not text that starts with ``-``).

For openpyxl, :func:`set_cell` and :func:`append_row` also store the value as a string cell:
openpyxl itself turns any string starting with ``=`` into a formula cell, which we never want.
For CSV, :class:`SafeCsvWriter` wraps ``csv.writer`` and applies :func:`safe_cell` to every
value. ``keel/platform/tests/test_cells.py`` fails if an exporter uses ``openpyxl.Workbook`` or
``csv.writer`` without going through this module.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with text that a spreadsheet would read as a formula neutralised.

    Only text is changed; numbers, dates, booleans and ``None`` come back as they are."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def _as_text(cell: Cell) -> Cell:
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl inferred
    return cell


def set_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` to ``ws`` at (row, column) as data, never as a formula."""
    return _as_text(ws.cell(row=row, column=column, value=safe_cell(value)))


def append_row(
    ws: Worksheet | WriteOnlyWorksheet, values: Iterable[Any], style: CellStyle | None = None
) -> None:
    """Append ``values`` as the next row of ``ws``, each as data, never as a formula.

    ``ws`` may be a sheet of a write-only workbook (``Workbook(write_only=True)``: rows are
    streamed to the file, which large exports need); there each value is given as a cell
    with ``style`` (font, fill, alignment) when one is given, else as a bare value — a bare
    string that :func:`safe_cell` has seen cannot start with ``=``, so openpyxl does not take
    it for a formula."""
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if isinstance(ws, WriteOnlyWorksheet):
        if style is None:
            ws.append(safe_row(values))
        else:
            ws.append([style.cell(ws, v) for v in values])
        return
    ws.append(safe_row(values))
    for cell in ws[ws.max_row]:
        _as_text(cell)
        if style is not None:
            style.apply(cell)


class CellStyle:
    """A font, fill and alignment given to the cells of a row (:func:`append_row`)."""

    def __init__(self, font: Any = None, fill: Any = None, alignment: Any = None) -> None:
        self.font, self.fill, self.alignment = font, fill, alignment

    def apply(self, cell: Any) -> Any:
        if self.font is not None:
            cell.font = self.font
        if self.fill is not None:
            cell.fill = self.fill
        if self.alignment is not None:
            cell.alignment = self.alignment
        return cell

    def cell(self, ws: WriteOnlyWorksheet, value: Any) -> Any:
        """A write-only cell holding ``value`` as data, with this style."""
        from openpyxl.cell import WriteOnlyCell

        return self.apply(_as_text(WriteOnlyCell(ws, value=safe_cell(value))))


class SafeCsvWriter:
    """``csv.writer`` with every value passed through :func:`safe_cell`."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)
