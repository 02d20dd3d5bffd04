"""Exports of the Statement of Applicability: JSON, XLSX (openpyxl) and PDF (WeasyPrint).

Every export shows the version, its approval date and approver: in the JSON header, on the
header rows of every sheet, and in the margin boxes of every PDF page. An approved version is
exported exactly as issued, from its frozen snapshot (:func:`prepare_version`); an export of
the current rows that are not an approved version is a draft: "DRAFT — not approved" in the
top margin of every PDF page and as a banner row of every sheet. WeasyPrint is imported
only when a PDF is asked for; it needs Pango from the operating system.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from keel.controls.choices import ImplementationStatus
from keel.platform import pdf
from keel.platform.cells import CellStyle, append_row
from keel.platform.errors import KeelError

from . import queries
from .choices import SoAStatus
from .models import StatementOfApplicability

FORMATS = ("xlsx", "pdf", "json")

# (heading, width) of the XLSX columns, in order.
COLUMNS: list[tuple[str, int]] = [
    ("Control", 10),
    ("Title", 40),
    ("Row", 12),
    ("Applicable", 11),
    ("Risks treated", 24),
    ("Legal, regulatory and contractual obligations", 30),
    ("Business need", 30),
    ("Exclusion justification", 36),
    ("Accountable for the exclusion", 24),
    ("Exclusion review date", 14),
    ("Implementation status", 20),
    ("Status by the rule", 20),
    ("Override reason", 30),
    ("Target date", 12),
    ("Implementing controls", 40),
    ("Evidence", 40),
    ("Owner", 24),
    ("AI systems", 20),
    ("Legal requirements", 30),
]
STATUS_LABELS = dict(SoAStatus.choices)
CONTROL_STATUS = dict(ImplementationStatus.choices)


@dataclass
class SoAExport:
    """One SoA ready to export: its header (version, date, approver) and rows."""

    soa: StatementOfApplicability
    header: dict[str, Any]
    rows: list[dict[str, Any]]

    @property
    def title(self) -> str:
        std = self.soa.standard
        return (
            f"Statement of Applicability — {std.name}:{std.edition}"
            if std.name
            else f"Statement of Applicability — {std.key}"
        )

    @property
    def draft(self) -> bool:
        return not self.header["approved"]

    @property
    def version_line(self) -> str:
        h = self.header
        return f"Version {h['version']} · Approved: {h['date']} · Approver: {h['approver']}"


DRAFT_MARK = "DRAFT — not approved"


def prepare(soa: StatementOfApplicability) -> SoAExport:
    data = queries.rows(soa)
    return SoAExport(soa=soa, header=queries.export_header(soa, data), rows=data)


def prepare_version(soa: StatementOfApplicability, number: int) -> SoAExport:
    """Approved version ``number`` of ``soa`` exactly as issued: its frozen rows, its approver
    and date (the evidence of a version is its reference and title only)."""
    version = queries.get_version(soa, number)
    rows = [{k: r.get(k) for k in queries.ROW_FIELDS} for r in version.rows]
    return SoAExport(soa=soa, header=queries.version_header(version), rows=rows)


# A row can name hundreds of controls, risks or evidence (a busy Annex A control at 2,000
# controls). The editor page and the PDF show the first CELL_LIMIT of each and how many more
# there are (the page links to the row's own page, which lists them all); the XLSX and JSON
# exports keep every item.
CELL_LIMIT = 10
MORE_ELSEWHERE = "every item is listed in the XLSX and JSON exports"


def _more(total: int, shown: int) -> str:
    return f"and {total - shown} more ({MORE_ELSEWHERE})" if total > shown else ""


def controls_text(row: dict[str, Any], limit: int | None = None) -> str:
    """``KC-001 Access reviews (implemented, full)``; ``; ``-separated. With a limit (the
    PDF), the first ``limit`` and how many more there are."""
    shown = row["controls"] if limit is None else row["controls"][:limit]
    parts = [
        f"{c['ref_id']} {c['title']} ({CONTROL_STATUS.get(c['status'], c['status']).lower()}, {c['coverage']})"
        for c in shown
    ]
    if len(shown) < len(row["controls"]):
        parts.append(_more(len(row["controls"]), len(shown)))
    return "; ".join(parts)


def risks_text(row: dict[str, Any], limit: int | None = None) -> str:
    """``R-001 Phishing; R-002 …``, with a limit the first ``limit`` and how many more."""
    shown = row["risks"] if limit is None else row["risks"][:limit]
    parts = [f"{r['ref_id']} {r['title']}" for r in shown]
    if len(shown) < len(row["risks"]):
        parts.append(_more(len(row["risks"]), len(shown)))
    return "; ".join(parts)


def summarised(row: dict[str, Any], limit: int | None = None) -> dict[str, Any]:
    """``row`` with, for its controls, risks and evidence, the first ``limit`` (default
    :data:`CELL_LIMIT`; ``*_shown``) and how many are left out (``*_more``): what the editor
    page shows."""
    limit = CELL_LIMIT if limit is None else limit
    out = dict(row)
    for key in ("controls", "risks", "evidence"):
        items = row[key]
        out[f"{key}_shown"] = items[:limit]
        out[f"{key}_more"] = max(len(items) - limit, 0)
    return out


VALIDITY_TEXT = {
    "expired": "expired",
    "expiring": "expiring soon",
    "valid": "valid",
    "no_expiry": "no expiry",
}


def evidence_text(row: dict[str, Any], limit: int | None = None) -> str:
    """``EV-004 Access review export (v3, valid until 2027-01-31)``; ``; ``-separated. With a
    limit (the PDF), the first ``limit`` and how many more there are."""
    parts = []
    shown = row["evidence"] if limit is None else row["evidence"][:limit]
    for e in shown:
        if "validity" not in e:  # an approved version records reference and title only
            parts.append(f"{e['ref_id']} {e['title']}")
            continue
        state = VALIDITY_TEXT.get(e["validity"], e["validity"])
        when = f" until {e['valid_until']}" if e.get("valid_until") else ""
        version = f"v{e['version']}, " if e.get("version") else ""
        parts.append(f"{e['ref_id']} {e['title']} ({version}{state}{when})")
    if len(shown) < len(row["evidence"]):
        parts.append(_more(len(row["evidence"]), len(shown)))
    return "; ".join(parts)


def status_text(row: dict[str, Any]) -> str:
    label = STATUS_LABELS.get(row["status"], row["status"])
    return f"{label} (override)" if row["status_override"] else label


# The fields of a row as the version comparison names them.
FIELD_LABELS: dict[str, str] = {
    "ref_id": "Control",
    "title": "Title",
    "kind": "Row",
    "applicable": "Applicable",
    "risks": "Risks treated",
    "obligations": "Legal, regulatory and contractual obligations",
    "business_need": "Business need",
    "justification": "Exclusion justification",
    "accountable": "Accountable for the exclusion",
    "review_date": "Exclusion review date",
    "status": "Implementation status",
    "derived_status": "Status by the rule",
    "status_override": "Status overridden",
    "override_reason": "Override reason",
    "combined_coverage": "Combined coverage",
    "target_date": "Target date",
    "controls": "Implementing controls",
    "evidence": "Evidence",
    "owner": "Owner",
    "ai_systems": "AI systems",
    "legal_requirements": "Legal requirements",
}


def display(field: str, value: Any) -> str:
    """One field of a row as a person reads it (the version comparison): no Python structures."""
    if value is None or value == "" or value == []:
        return ""
    if field == "applicable":
        return "Yes" if value else "No"
    if field in ("status", "derived_status", "status_override"):
        return str(STATUS_LABELS.get(value, value))
    if field == "risks":
        return "; ".join(f"{r['ref_id']} {r['title']}" for r in value)
    if field == "controls":
        return controls_text({"controls": value})
    if field == "evidence":
        return "; ".join(f"{e['ref_id']} {e['title']}" for e in value)
    if field == "legal_requirements":
        return legal_text({"legal_requirements": value})
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def readable_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`keel.soa.queries.compare_rows` with each changed field as labelled old/new text."""
    return [
        {
            **c,
            "fields": [
                {
                    "label": FIELD_LABELS.get(name, name),
                    "old": display(name, pair[0]),
                    "new": display(name, pair[1]),
                }
                for name, pair in c["fields"].items()
            ],
        }
        for c in changes
    ]


def cells(row: dict[str, Any]) -> list[Any]:
    """A row's values in the order of :data:`COLUMNS`."""
    return [
        row["ref_id"],
        row["title"],
        "Annex A" if row["kind"] == "annex" else "Additional",
        "Yes" if row["applicable"] else "No",
        risks_text(row),
        row["obligations"],
        row["business_need"],
        row["justification"],
        row["accountable"],
        row["review_date"] or "",
        status_text(row),
        STATUS_LABELS.get(row["derived_status"], row["derived_status"]),
        row["override_reason"],
        row["target_date"] or "",
        controls_text(row),
        evidence_text(row),
        row["owner"],
        "; ".join(row["ai_systems"]),
        legal_text(row),
    ]


def legal_text(row: dict[str, Any]) -> str:
    """The legal requirements behind a row: reference, title and source (older versions: none)."""
    return "; ".join(
        f"{r['ref_id']} {r['title']} ({r['source']})" for r in row.get("legal_requirements") or []
    )


def to_json(exports: list[SoAExport]) -> bytes:
    doc = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "statements": [
            {
                "id": str(e.soa.pk),
                "management_system": e.soa.management_system.short_name,
                "standard": e.soa.standard.key,
                **e.header,
                "rows": [{k: r[k] for k in queries.ROW_FIELDS} for r in e.rows],
            }
            for e in exports
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


HEADER_ROW = 5  # rows 1-4: title, version line, management system, draft banner (empty when approved)


def to_xlsx(exports: list[SoAExport]) -> bytes:
    """One sheet per standard: title and version rows, a frozen header row with filters.
    Written in openpyxl's write-only mode (rows streamed to the file)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    used: set[str] = set()
    wrap = CellStyle(alignment=Alignment(wrap_text=True, vertical="top"))
    heading = CellStyle(
        Font(bold=True, color="FFFFFF"),
        PatternFill("solid", fgColor="1F3A5F"),
        Alignment(wrap_text=True, vertical="top"),
    )
    red = PatternFill("solid", fgColor="B00020")
    for e in exports:
        std = e.soa.standard
        raw = f"{std.name} {std.edition}" if std.name else std.key
        name = "".join("-" if c in "\\/?*[]:" else c for c in raw)[:28]
        while name in used:
            name = name[:26] + f"-{len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        for col, (_heading, width) in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        last = HEADER_ROW + max(len(e.rows), 1)
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{last}"
        ws.freeze_panes = f"C{HEADER_ROW + 1}"
        printed = f"{DRAFT_MARK} · {e.version_line}" if e.draft else e.version_line
        ws.oddHeader.center.text = printed.replace("&", "&&")
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        append_row(ws, [e.title], CellStyle(Font(bold=True, size=14)))
        append_row(ws, [e.version_line], CellStyle(Font(bold=True)))
        append_row(ws, [f"Management system: {e.soa.management_system.name}"])
        if e.draft:
            banner = [f"{DRAFT_MARK}: these rows are not an approved version."] + [None] * (len(COLUMNS) - 1)
            append_row(ws, banner, CellStyle(Font(bold=True, color="FFFFFF"), red))
        else:
            append_row(ws, [])
        append_row(ws, [h for h, _ in COLUMNS], heading)
        for row in e.rows:
            append_row(ws, cells(row), wrap)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# The PDF machinery (WeasyPrint, fonts, CSS strings) is shared with the gap report and the
# impact assessment: keel/platform/pdf.py. Re-exported here for the callers that know it here.
PDF_MISSING, css_string, pdf_font_css, render_pdf = (
    pdf.PDF_MISSING,
    pdf.css_string,
    pdf.pdf_font_css,
    pdf.render_pdf,
)


def to_pdf(exports: list[SoAExport]) -> bytes:
    return render_pdf(
        "soa/export.html",
        {
            "exports": [
                {
                    "e": e,
                    "top_left": css_string(f"{e.title} — {e.soa.management_system.name}"),
                    "top_right": css_string(e.version_line),
                    "top_center": css_string(DRAFT_MARK) if e.draft else "",
                    "bottom_left": css_string(
                        f"Version {e.header['version']} · {e.header['date']} · {e.header['approver']}"
                    ),
                    "rows": [
                        {
                            **r,
                            "status_text": status_text(r),
                            "derived_text": STATUS_LABELS.get(r["derived_status"], r["derived_status"]),
                            "controls_text": controls_text(r, CELL_LIMIT),
                            "risks_text": risks_text(r, CELL_LIMIT),
                            "evidence_text": evidence_text(r, CELL_LIMIT),
                        }
                        for r in e.rows
                    ],
                }
                for e in exports
            ],
            "status_labels": STATUS_LABELS,
        },
    )


def export(soas: list[StatementOfApplicability], fmt: str, version: int | None = None) -> bytes:
    """``soas`` as ``fmt``: the current rows, or with ``version`` approved version ``version``
    of each, exactly as issued."""
    if fmt not in FORMATS:
        raise KeelError(f"Unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    exports = [prepare(s) if version is None else prepare_version(s, version) for s in soas]
    if fmt == "json":
        return to_json(exports)
    if fmt == "xlsx":
        return to_xlsx(exports)
    return to_pdf(exports)
