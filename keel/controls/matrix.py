"""The coverage matrix: controls by requirement over the chosen standards, paged (issue 13)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from keel.organisation.models import ManagementSystem
from keel.platform.errors import ValidationFailed
from keel.platform.models import User
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement, Standard
from keel.standards.records import standards_by_key

from .models import Control, ControlLink
from .queries import _membership, visible

# ---------------------------------------------------------------- coverage matrix

MATRIX_PARTS = {
    "annex": "Annex A controls",
    "clauses": "Clauses 4–10",
}


@dataclass
class MatrixColumn:
    requirement: Requirement
    theme: Requirement | None
    first: bool = False


@dataclass
class MatrixGroup:
    standard: Standard
    theme: Requirement | None
    columns: list[MatrixColumn] = field(default_factory=list)


@dataclass(frozen=True)
class MatrixCell:
    coverage: str  # "full", "partial" or ""
    first: bool  # the first column of its theme (drawn with a stronger border)


@dataclass
class MatrixRow:
    control: Control
    cells: list[MatrixCell]
    full: int = 0
    partial: int = 0


@dataclass
class Matrix:
    standards: list[Standard]
    groups: list[MatrixGroup]
    columns: list[MatrixColumn]
    rows: list[MatrixRow]  # the rows of the page asked for
    themes: list[Requirement]
    covered: int = 0  # columns with at least one linked control (over every row, not the page)
    page: Page[uuid.UUID] | None = None  # which rows of how many: the page's number, counts, links


# Rows (controls) per page of the matrix: at 2,000 controls × 131 Annex A columns the whole
# matrix is 5.5 MB of HTML.
MATRIX_PAGE_SIZE = 50


def coverage_matrix(
    user: User | None,
    standard_keys: list[str],
    part: str = "annex",
    management_system: ManagementSystem | None = None,
    theme: str = "",
    page: int | str = 1,
    per_page: int | None = None,
) -> Matrix:
    """Controls × requirements of one or two standards, grouped by theme (an Annex A theme or a
    top-level clause), the rows of page ``page`` only (``per_page``, default
    :data:`MATRIX_PAGE_SIZE`, of the controls linked to these columns, in reference order). Five queries whatever the size."""
    stds = standards_by_key(standard_keys[:2], field="standards")
    if part not in MATRIX_PARTS:
        raise ValidationFailed(f"part must be one of: {', '.join(MATRIX_PARTS)}.", {"part": ["Unknown."]})
    every = list(
        Requirement.objects.filter(standard__in=stds, withdrawn_at__isnull=True)
        .select_related("standard")
        .order_by("standard__key", "sort_order")
    )
    by_id = {r.pk: r for r in every}

    def root(r: Requirement) -> Requirement | None:
        current = r
        for _ in range(16):
            if current.parent_id is None or current.parent_id not in by_id:
                return current if current is not r else None
            current = by_id[current.parent_id]
        return None

    kinds = {EntryKind.ANNEX_CONTROL} if part == "annex" else {EntryKind.CLAUSE}
    themes = [
        r
        for r in every
        if r.parent_id is None
        and (r.kind == EntryKind.ANNEX_THEME if part == "annex" else r.kind == EntryKind.CLAUSE)
    ]
    groups: list[MatrixGroup] = []
    columns: list[MatrixColumn] = []
    for r in every:
        if r.kind not in kinds or (part == "clauses" and r.parent_id is None):
            continue
        t = root(r)
        if theme and (t is None or t.key != theme):
            continue
        col = MatrixColumn(r, t)
        if not groups or groups[-1].theme != t or groups[-1].standard.pk != r.standard_id:
            groups.append(MatrixGroup(r.standard, t))
            col.first = True
        groups[-1].columns.append(col)
        columns.append(col)
    qs = visible(Control.objects.all(), user).order_by("ref_id")
    if management_system is not None:
        qs = qs.filter(
            pk__in=_membership().filter(managementsystem_id=management_system.pk).values("control_id")
        )
    index = {c.requirement.pk: i for i, c in enumerate(columns)}
    cells: dict[uuid.UUID, dict[int, str]] = {}
    for control_id, req_id, coverage in ControlLink.objects.filter(
        requirement_id__in=list(index), control__in=qs
    ).values_list("control_id", "requirement_id", "coverage"):
        cells.setdefault(control_id, {})[index[req_id]] = coverage
    covered = {i for row_cells in cells.values() for i in row_cells}
    # A control linked to none of these columns is not a row; the rows are paged.
    by_pk = {c.pk: c for c in qs.only("id", "ref_id", "title", "status") if c.pk in cells}
    page_obj = Paginator(list(by_pk), per_page or MATRIX_PAGE_SIZE).get_page(page)
    rows = []
    for pk in page_obj.object_list:
        row_cells = cells[pk]
        values = list(row_cells.values())
        rows.append(
            MatrixRow(
                by_pk[pk],
                [MatrixCell(row_cells.get(i, ""), col.first) for i, col in enumerate(columns)],
                values.count("full"),
                values.count("partial"),
            )
        )
    return Matrix(stds, groups, columns, rows, themes, len(covered), page_obj)
