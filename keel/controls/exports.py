"""The control catalogue as XLSX (for owners and auditors) and JSON (for scripts), from one
list of rows (:func:`export_rows`), so both say the same thing. The status column is the status
a control shows: "Implemented — no evidence" for a control claimed implemented without current
evidence behind it (docs/controls.md)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keel.platform.cells import CellStyle, append_row

from .choices import ControlType, Effectiveness, Frequency, ShownStatus
from .models import Control
from .queries import shown_status

COLUMNS: list[tuple[str, str, int]] = [
    ("ref_id", "Control", 10),
    ("title", "Title", 44),
    ("type", "Type", 12),
    ("status", "Status", 24),
    ("owner", "Owner", 28),
    ("frequency", "Frequency", 14),
    ("effectiveness", "Effectiveness", 16),
    ("management_systems", "Management systems", 20),
    ("requirements", "Requirements", 40),
    ("tags", "Tags", 20),
]


LABELS: dict[str, dict[str, str]] = {
    "type": dict(ControlType.choices),
    "frequency": dict(Frequency.choices),
    "effectiveness": dict(Effectiveness.choices),
}


def export_row(c: Control) -> dict[str, Any]:
    """One control as exported (from :func:`keel.controls.queries.controls`: no query)."""
    return {
        "ref_id": c.ref_id,
        "title": c.title,
        "type": c.type,
        "status": shown_status(c),
        "claimed_status": c.status,
        "has_current_evidence": bool(getattr(c, "has_current_evidence", False)),
        "owner": c.owner.email if c.owner is not None else None,
        "frequency": c.frequency,
        "effectiveness": c.effectiveness,
        "management_systems": [ms.short_name for ms in c.management_systems.all()],
        "requirements": [lk.requirement.key for lk in c.links.all()],
        "tags": [t.name for t in c.tags.all()],
    }


def export_rows(qs: QuerySet[Control]) -> list[dict[str, Any]]:
    return [export_row(c) for c in qs]


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row[key]
    if key == "status":
        return ShownStatus(value).label
    if key in ("type", "frequency", "effectiveness"):
        return LABELS[key].get(value, value)
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else value


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"exported_at": timezone.now().isoformat(timespec="seconds"), "count": len(rows), "controls": rows},
        indent=2,
        ensure_ascii=False,
    )


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The catalogue as a sheet, written in openpyxl's write-only mode (rows streamed)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Controls")
    wrap = Alignment(vertical="top", wrap_text=True)
    for i, (_, _, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        ws.column_dimensions[get_column_letter(i)].alignment = wrap
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    append_row(
        ws,
        [label for _, label, _ in COLUMNS],
        CellStyle(Font(bold=True), PatternFill("solid", fgColor="EEF1FD")),
    )
    for r in rows:
        append_row(ws, [_cell(r, key) for key, _, _ in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
