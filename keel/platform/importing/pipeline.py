"""The one pipeline of every spreadsheet import: read → map columns → parse rows → plan → dry-run
report → apply in one transaction.

An importer (controls, SoA, assets, crosswalk CSV) subclasses :class:`SpreadsheetImporter` and
supplies only its rules: the column names it understands (``fields``), what the file must have
(``check_columns``), what it reads from the database once (``prepare``), what one row means
(``plan_row``), and what applying writes (``write``, called inside the one transaction, where it
goes through the app's services so every change has its trail entry). The pipeline does the rest
the same way for all of them: the reading (:mod:`keel.platform.spreadsheets`), skipping total and
footer rows, refusing a key repeated in the file, the report (:class:`ImportReport`), "a file with
rejected rows changes nothing" (unless ``only_valid``), and refreshing planner statistics after a
large write commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from django.db import transaction

from keel.platform.actor import Actor
from keel.platform.dbstats import refresh_statistics_after_commit
from keel.platform.spreadsheets import Cell, Table, footer_reason, read_table

from .columns import Column, ColumnMap, header_score, map_columns, parse_mappings
from .report import REJECT, ImportReport, RowPlan, text


class Cells:
    """One row of the file, read by field (the first column that gives the field)."""

    def __init__(self, cells: Sequence[Cell], columns: ColumnMap) -> None:
        self.cells = cells
        self.columns = columns

    def raw(self, fld: str) -> Cell:
        cols = self.columns.of(fld)
        return self.at(cols[0].index) if cols else None

    def at(self, index: int) -> Cell:
        return self.cells[index] if index < len(self.cells) else None

    def __getitem__(self, fld: str) -> str:
        """The cell of ``fld`` as text ("" when the file has no such column)."""
        return text(self.raw(fld)).strip()

    def column(self, fld: str) -> str:
        """The name of the column that gives ``fld`` in the file."""
        cols = self.columns.of(fld)
        return cols[0].name if cols else ""

    def each(self) -> Iterator[tuple[Column, Cell]]:
        for col in self.columns.columns:
            yield col, self.at(col.index)


class SpreadsheetImporter:
    """The pipeline; subclasses give the rules of one kind of import (see the module's text)."""

    kind: ClassVar[str]
    fields: ClassVar[dict[str, tuple[str, ...]]]  # field → normalised column names that mean it
    key_field: ClassVar[str | None] = "ref"  # the column identifying a row (footer rows are skipped on it)
    footer_note: ClassVar[str] = "not a row"  # "skipped TOTAL: <footer_note>"

    def __init__(self, actor: Actor, filename: str, *, mappings: Sequence[str] = ()) -> None:
        self.actor = actor
        self.filename = filename
        self.overrides = parse_mappings(mappings, list(self.fields))

    # ------------------------------------------------------------------ the importer's rules

    def check_columns(self, columns: ColumnMap) -> None:
        """Refuse a file whose columns cannot be imported (raise :class:`ImportFileError`)."""

    def prepare(self, report: ImportReport, table: Table, columns: ColumnMap) -> None:
        """Read what the rows need from the database, once; add the file-level warnings."""

    def begin_rows(self, rows: list[tuple[int, list[Cell]]]) -> None:
        """A look at every row before any is planned (how the file writes references)."""

    def plan_row(self, number: int, row: Cells, report: ImportReport) -> RowPlan | None:
        """What the row means; ``None`` skips it silently (a row of blanks)."""
        raise NotImplementedError

    def duplicate_reason(self, ref: str, first_row: int) -> str | None:
        """The reason a row repeating the key of an earlier one is rejected; ``None``: no check."""
        return None

    def finish(self, report: ImportReport) -> None:
        """After the rows: the people to add, the report's heading."""

    def authorise(self, report: ImportReport) -> None:
        """The permission check once the plan is known (raise ``PermissionDenied``)."""

    def write(self, report: ImportReport) -> None:
        """Write the accepted rows; runs inside the one transaction."""
        raise NotImplementedError

    # ------------------------------------------------------------------ the pipeline

    def read(self, data: bytes) -> tuple[Table, ColumnMap]:
        table = read_table(data, self.filename, header_score(self.fields, self.overrides))
        return table, map_columns(table.header, self.fields, self.overrides)

    def source_of(self, table: Table, columns: ColumnMap) -> dict[str, Any]:
        """How the file was read, for the report."""
        return {
            "format": table.format,
            "encoding": table.encoding or None,
            "delimiter": table.delimiter or None,
            "sheet": table.sheet or None,
            "header_row": table.header_row,
            "columns": {c.name: c.field for c in columns.columns},
        }

    def plan(self, data: bytes) -> ImportReport:
        """Read the file and say what importing it would do. Reads only."""
        table, columns = self.read(data)
        self.check_columns(columns)
        report = ImportReport(file=self.filename, kind=self.kind)
        report.source = self.source_of(table, columns)
        # the import pages' column mapping: the header, and the field each column was read as
        report.context["header"] = list(table.header)
        report.context["columns"] = {c.name: c.field for c in columns.columns}
        self.prepare(report, table, columns)
        rows = list(table.rows)
        self.begin_rows(rows)
        key_cols = columns.of(self.key_field) if self.key_field else []
        seen: dict[str, int] = {}
        for number, cells in rows:
            if key_cols:
                footer = footer_reason(cells, key_cols[0].index)
                if footer:
                    report.warnings.append((number, f"skipped {footer}: {self.footer_note}"))
                    continue
            row = self.plan_row(number, Cells(cells, columns), report)
            if row is None:
                continue
            if row.action != REJECT and row.ref:
                first = seen.get(row.ref.lower())
                reason = self.duplicate_reason(row.ref, first) if first is not None else None
                if reason:
                    row = RowPlan(row=number, action=REJECT, ref=row.ref, reason=reason)
                else:
                    seen.setdefault(row.ref.lower(), number)
            report.rows.append(row)
        self.finish(report)
        return report

    def run(self, data: bytes, *, dry_run: bool = False, only_valid: bool = False) -> ImportReport:
        """Plan and, unless ``dry_run``, apply (see :meth:`apply`)."""
        report = self.plan(data)
        self.authorise(report)
        report.dry_run = dry_run
        report.only_valid = only_valid
        if dry_run:
            return report
        return self.apply(report, only_valid=only_valid)

    def apply(self, report: ImportReport, *, only_valid: bool = False) -> ImportReport:
        """Write a planned report, all or nothing: with rejected rows and not ``only_valid``,
        nothing is written and the report comes back with ``applied`` False."""
        report.dry_run = False
        report.only_valid = only_valid
        if report.rejected and not only_valid:
            return report
        self.commit(report)
        report.applied = True
        return report

    def commit(self, report: ImportReport) -> None:
        """One transaction around :meth:`write`; the planner's statistics are refreshed after it
        commits (thousands of rows at once)."""
        with transaction.atomic():
            refresh_statistics_after_commit()
            self.write(report)
