"""Register exports: XLSX (what risk owners and auditors open) and JSON (for scripts). Both come
from :func:`keel.risks.queries.export_rows`, so they say the same thing."""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils import timezone

from keel.platform.cells import CellStyle, append_row

from .choices import Register

COLUMNS: list[tuple[str, str, int]] = [
    ("ref_id", "Risk", 10),
    ("title", "Title", 40),
    ("management_system", "Management system", 16),
    ("status", "Status", 9),
    ("owner", "Owner", 26),
    ("delegate", "Delegate", 22),
    ("asset", "Asset", 10),
    ("process", "Process", 20),
    ("threat", "Threat", 30),
    ("vulnerability", "Vulnerability", 30),
    ("cia", "C/I/A", 8),
    ("ai_system", "AI system", 18),
    ("risk_source", "Risk source (Annex C)", 22),
    ("objective", "Objective (Annex C)", 22),
    ("affected_people", "Affected people", 26),
    ("methodology_version", "Methodology version", 10),
    ("inherent", "Inherent L×I", 10),
    ("inherent_level", "Inherent level", 12),
    ("treatment_option", "Treatment", 10),
    ("treatment_plan", "Treatment plan", 40),
    ("plan_version", "Plan version", 8),
    ("controls", "Controls", 24),
    ("residual", "Residual L×I", 10),
    ("residual_level", "Residual level", 12),
    ("acceptance", "Acceptance", 18),
    ("exception_expires", "Exception expires", 12),
    ("review_date", "Review date", 12),
]
IS_ONLY = {"asset", "process", "threat", "vulnerability", "cia"}
AI_ONLY = {"ai_system", "risk_source", "objective", "affected_people"}


def columns(register: str) -> list[tuple[str, str, int]]:
    skip = AI_ONLY if register == Register.IS else IS_ONLY if register == Register.AI else set()
    return [c for c in COLUMNS if c[0] not in skip]


def cell(row: dict[str, Any], key: str) -> Any:
    if key == "cia":
        return "".join(
            letter
            for letter, name in (("C", "confidentiality"), ("I", "integrity"), ("A", "availability"))
            if row[name]
        )
    if key == "inherent":
        return f"{row['inherent_likelihood']}×{row['inherent_impact']}"
    if key == "residual":
        return f"{row['residual_likelihood']}×{row['residual_impact']}" if row["residual_likelihood"] else ""
    if key == "controls":
        return ", ".join(row["controls"])
    value = row.get(key)
    return "" if value is None else value


def to_json(rows: list[dict[str, Any]], register: str) -> str:
    return json.dumps(
        {
            "register": register,
            "exported_at": timezone.now().isoformat(timespec="seconds"),
            "count": len(rows),
            "risks": rows,
        },
        indent=2,
        ensure_ascii=False,
    )


def to_xlsx(rows: list[dict[str, Any]], register: str) -> bytes:
    """The register as a sheet, written in openpyxl's write-only mode (rows streamed to the
    file: 5,000 risks stay fast and small in memory)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet({"is": "IS risks", "ai": "AI risks"}.get(register, "Risks"))
    cols = columns(register)
    # Wrapping is set per column (one style each), not per cell: 5,000 risks stay fast.
    wrap = Alignment(vertical="top", wrap_text=True)
    for i, (_, _, width) in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        ws.column_dimensions[get_column_letter(i)].alignment = wrap
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(rows) + 1}"
    append_row(
        ws,
        [label for _, label, _ in cols],
        CellStyle(Font(bold=True), PatternFill("solid", fgColor="EEF1FD")),
    )
    for r in rows:
        append_row(ws, [cell(r, key) for key, _, _ in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
