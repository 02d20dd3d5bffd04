"""XLSX and PDF of the side-by-side view (issue 17 item 3): for the organisation (every AI
system the reader may see) or one AI system. Every spreadsheet cell goes through
:mod:`keel.platform.cells` (formula neutralisation); the PDF is laid out by WeasyPrint through
:mod:`keel.platform.pdf`."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone

from keel.platform.cells import append_row, set_cell
from keel.platform.pdf import css_string, render_pdf

from .sidebyside import OrganisationSideBySide, SystemSideBySide

COLUMNS: list[tuple[str, int]] = [
    ("AI system", 24),
    ("Tier", 22),
    ("Role", 14),
    ("Obligation", 14),
    ("Title", 30),
    ("Applies from", 12),
    ("Original date", 12),
    ("Date set by", 36),
    ("Status", 12),
    ("Evidence", 16),
    ("ISO/IEC 42001 support", 40),
    ("AIMS", 22),
    ("What the Act asks beyond the AIMS", 50),
]


def tier_text(s: SystemSideBySide) -> str:
    c = s.obligations.classification
    if c is None:
        return "Not classified"
    points = (
        f" (Annex III {', '.join(c.annex_iii_points)})"
        if c.annex_iii_points and c.tier == "high_risk"
        else ""
    )
    return f"{c.get_tier_display()}{points}"


def rows(systems: list[SystemSideBySide]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for s in systems:
        c = s.obligations.classification
        for side in s.sides:
            r = side.row
            out.append(
                [
                    s.obligations.system.name,
                    tier_text(s),
                    c.get_role_display() if c else "",
                    r.obligation.ref,
                    r.obligation.title,
                    r.timeline.current.date,
                    r.timeline.original.date,
                    r.timeline.current.act_label,
                    r.status_label,
                    ", ".join(e.ref_id for e in r.evidence),
                    "; ".join(f"{x.ref_id} {x.status_label.lower()}" for x in side.supports),
                    side.carry_label,
                    r.obligation.beyond,
                ]
            )
    return out


def to_xlsx(view: OrganisationSideBySide) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    set_cell(ws, 1, 1, "ISO/IEC 42001 and the EU AI Act, side by side").font = Font(bold=True, size=14)
    set_cell(ws, 2, 1, f"Generated {timezone.now().isoformat(timespec='minutes')}")
    append_row(ws, [])
    append_row(ws, ["Management system", "42001 coverage (gap analysis)", "42001 SoA readiness"])
    for a in view.aims:
        append_row(
            ws,
            [
                a.management_system.name,
                f"{a.coverage} %" if a.coverage is not None else "—",
                f"{a.soa_readiness} %" if a.soa_readiness is not None else "—",
            ],
        )
    append_row(ws, [])
    append_row(
        ws, ["AI system", "Tier", "AI Act readiness", "Obligations", "Carried by the AIMS", "Act asks more"]
    )
    for s in view.systems:
        carried = s.carry_counts()
        append_row(
            ws,
            [
                s.obligations.system.name,
                tier_text(s),
                f"{s.act_readiness} %" if s.act_readiness is not None else "—",
                len(s.sides),
                carried["carried"],
                len(s.beyond),
            ],
        )
    ws.column_dimensions["A"].width = 32
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = 24

    sheet = wb.create_sheet("Obligations")
    for col, (heading, width) in enumerate(COLUMNS, start=1):
        cell = set_cell(sheet, 1, col, heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A5F")
        sheet.column_dimensions[get_column_letter(col)].width = width
    data = rows(view.systems)
    for i, values in enumerate(data, start=2):
        for col, value in enumerate(values, start=1):
            set_cell(sheet, i, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(data), 1) + 1}"
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_pdf(view: OrganisationSideBySide, title: str) -> bytes:
    return render_pdf(
        "aiact/export.html",
        {
            "title": title,
            "view": view,
            "systems": [{"s": s, "tier": tier_text(s)} for s in view.systems],
            "top_left": css_string(title),
            "top_right": css_string("ISO/IEC 42001 · Regulation (EU) 2024/1689"),
            "generated": timezone.now().strftime("%Y-%m-%d %H:%M"),
        },
    )
