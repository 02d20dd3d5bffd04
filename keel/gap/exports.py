"""Exports of the gap report: JSON (the contract of issue 4), XLSX (openpyxl: a summary sheet
and a requirements sheet with a frozen header and filters) and PDF (WeasyPrint, imported only
when a PDF is asked for)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils import timezone

from keel.platform.cells import append_row, set_cell
from keel.platform.errors import KeelError
from keel.soa.exports import css_string, render_pdf

from . import queries
from .choices import CoverageStatus

FORMATS = ("json", "xlsx", "pdf")
STATUS_LABELS = dict(CoverageStatus.choices)

FIGURES: list[tuple[str, str]] = [
    ("covered", "Requirements covered (effective status)"),
    ("partial", "Requirements partly covered"),
    ("gap", "Requirements with no coverage"),
    ("not_applicable", "Requirements not applicable (SoA exclusion or a person's decision)"),
    ("coverage_ratio", "covered / applicable, where applicable = total − not_applicable"),
    ("partial_ratio", "partial / applicable"),
    (
        "backbone_reuse",
        "backbone clauses (4–10) answered through the shared harmonised structure / applicable backbone clauses",
    ),
]

COLUMNS: list[tuple[str, int]] = [
    ("Requirement", 12),
    ("Title", 40),
    ("Status", 14),
    ("Inferred", 14),
    ("Confirmed", 14),
    ("Decision reason", 30),
    ("Chains (control → … → requirement)", 60),
    ("Extension needed", 40),
    ("Templates to close the gap (size)", 40),
    ("Why", 60),
]


# The PDF summarises long cells: the first lines, then how many more the XLSX and JSON list.
PDF_LINES_PER_CELL = 3
PDF_CHARS_PER_LINE = 160


def summarised(text: str, lines: int = PDF_LINES_PER_CELL, chars: int = PDF_CHARS_PER_LINE) -> str:
    """The first ``lines`` lines of ``text`` (each cut at ``chars`` characters), then "and N more"."""
    all_lines = text.splitlines()
    shown = [line if len(line) <= chars else line[: chars - 1].rstrip() + "…" for line in all_lines[:lines]]
    more = len(all_lines) - len(shown)
    if more:
        shown.append(f"… and {more} more (all are in the XLSX and JSON exports)")
    return "\n".join(shown)


def title(rep: queries.GapReport) -> str:
    """``Gap analysis — ISO/IEC 42001:2023``: the standard's name and edition, not its key."""
    return f"Gap analysis — {rep.target}"


def rows(rep: queries.GapReport) -> list[list[Any]]:
    out = []
    for r in rep.results:
        out.append(
            [
                r.node.ref_id,
                r.node.title,
                STATUS_LABELS[r.status],
                STATUS_LABELS[r.inference.status],
                STATUS_LABELS[r.decision.confirmed_status] if r.decision else "",
                r.decision.reason if r.decision else "",
                "\n".join(queries.chain_text(c, rep.nodes) for c in r.inference.chains),
                r.extension or "",
                "\n".join(f"{t['title']} ({t['size']})" for t in r.templates),
                r.why,
            ]
        )
    return out


def pdf_rows(rep: queries.GapReport) -> list[list[str]]:
    """The PDF's fewer, summarised cells: requirement, title, status (with the inferred status and
    a person's decision when there is one), chains, extension needed, templates."""
    out = []
    for r, (ref, title_, status, inferred, _confirmed, reason, chains, extension, templates, why) in zip(
        rep.results, rows(rep), strict=True
    ):
        status += f"\nWhy: {summarised(why, lines=1, chars=240)}"
        if r.decision:
            status = f"{status}\nConfirmed by a person (inferred: {inferred})"
            if reason:
                status += f"\nReason: {summarised(reason, lines=2)}"
        out.append([ref, title_, status, *(summarised(cell) for cell in (chains, extension, templates))])
    return out


def to_json(rep: queries.GapReport) -> bytes:
    return json.dumps(rep.contract(), indent=2, ensure_ascii=False).encode("utf-8")


def to_xlsx(rep: queries.GapReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    set_cell(ws, 1, 1, f"{title(rep)} — {rep.management_system.name}").font = Font(bold=True, size=14)
    set_cell(ws, 2, 1, f"Generated {timezone.now().isoformat(timespec='minutes')}")
    summary = rep.summary()
    append_row(ws, [])
    append_row(ws, ["Figure", "Value", "Meaning", "Key in the JSON"])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for key, meaning in FIGURES:
        append_row(ws, [queries.FIGURE_LABELS[key], summary[key], meaning, key])
        if key in queries.RATIO_FIGURES:
            ws.cell(row=ws.max_row, column=2).number_format = "0.0%"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 90
    ws.column_dimensions["D"].width = 16

    sheet = wb.create_sheet("Requirements")
    for col, (heading, width) in enumerate(COLUMNS, start=1):
        cell = set_cell(sheet, 1, col, heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A5F")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(col)].width = width
    data = rows(rep)
    for i, values in enumerate(data, start=2):
        for col, value in enumerate(values, start=1):
            set_cell(sheet, i, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(data), 1) + 1}"
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_pdf(rep: queries.GapReport) -> bytes:
    summary = rep.summary()
    return render_pdf(
        "gap/export.html",
        {
            "rep": rep,
            "title": title(rep),
            "top_left": css_string(f"{title(rep)} — {rep.management_system.name}"),
            "generated": timezone.now().isoformat(timespec="minutes"),
            "figures": [
                (queries.FIGURE_LABELS[k], queries.figure_text(k, summary[k]), meaning)
                for k, meaning in FIGURES
            ],
            "rows": pdf_rows(rep),
        },
    )


def export(rep: queries.GapReport, fmt: str) -> bytes:
    if fmt == "json":
        return to_json(rep)
    if fmt == "xlsx":
        return to_xlsx(rep)
    if fmt == "pdf":
        return to_pdf(rep)
    raise KeelError(f"Unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}.")
