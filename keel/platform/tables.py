"""Tables people expect, for every list page: headers that sort the list when clicked (a plain
link carrying the list's own ``order`` parameter, so it works without JavaScript and keeps the
filters), and the filtered list as CSV (``?export=csv``, every row the filters select, not just
the page) written through the safe cell writer (:mod:`keel.platform.cells`).

A list view declares its columns once::

    COLUMNS = [tables.Column("Control", "ref_id"), tables.Column("Owner"), ...]
    ctx["headers"] = tables.headers(request, COLUMNS, current_order, allowed=CONTROL_ORDER)

and its template draws ``{% include "platform/_thead.html" %}`` inside the table, inside a
``<div class="table-scroll">`` (the table scrolls inside its card, its header stays in view).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from .cells import SafeCsvWriter

EXPORT_PARAM = "export"
CSV = "csv"


@dataclass(frozen=True)
class Column:
    """One column of a list: its header, and the order key that sorts by it (``"title"``; a key
    starting with ``-`` sorts descending on the first click), or none."""

    label: str
    sort: str = ""
    css: str = ""


@dataclass(frozen=True)
class Header:
    label: str
    css: str
    url: str | None  # where a click goes (None: the column does not sort)
    state: str | None  # "ascending" / "descending" when the list is sorted by this column

    @property
    def mark(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.state or "", "")


def _query(request: HttpRequest, *, keep_filters: bool = True, **changes: str | None) -> str:
    params = request.GET.copy()
    if not keep_filters:
        # filters the list refused (an unknown or hidden management system…) are not echoed
        params = params.__class__(mutable=True)
    for key in ("page", EXPORT_PARAM):
        params.pop(key, None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


def headers(
    request: HttpRequest,
    columns: Iterable[Column],
    current: str,
    allowed: Collection[str],
    param: str = "order",
    keep_filters: bool = True,
) -> list[Header]:
    """The headers of a list sorted by ``current`` (one of ``allowed``): a sortable column links
    to the list sorted by it, or, when it already is, sorted the other way round (when that order
    exists); the filters in the query string are kept and the page is reset."""
    out = []
    for col in columns:
        if not col.sort or col.sort not in allowed:
            out.append(Header(col.label, col.css, None, None))
            continue
        base = col.sort.lstrip("-")
        reverse = f"-{base}" if col.sort == base else base
        flip = current == col.sort and reverse in allowed
        target = reverse if flip else col.sort
        state = None
        if current in (base, f"-{base}"):
            state = "descending" if current.startswith("-") else "ascending"
        out.append(
            Header(col.label, col.css, _query(request, keep_filters=keep_filters, **{param: target}), state)
        )
    return out


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get(EXPORT_PARAM) == CSV


def filter_query(request: HttpRequest, keep_filters: bool = True) -> str:
    """The list's filters and order as a query string (``?…``) for another view of the same
    list (an XLSX export); a refused filter is not echoed."""
    query = _query(request, keep_filters=keep_filters)
    return "" if query == "?" else query


def csv_url(request: HttpRequest, keep_filters: bool = True) -> str:
    """The current list (its filters and order) as CSV."""
    return _query(request, keep_filters=keep_filters, **{EXPORT_PARAM: CSV})


def csv_response(
    filename: str, columns: list[tuple[str, Callable[[Any], Any]]], rows: Iterable[Any]
) -> HttpResponse:
    """``rows`` as a CSV download: a header line of the column names, then one line per row,
    each cell through :class:`SafeCsvWriter` (formulas neutralised)."""
    buf = io.StringIO()
    writer = SafeCsvWriter(buf, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow([_text(get(row)) for _, get in columns])
    response = HttpResponse(buf.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    return value


@dataclass(frozen=True)
class Listing:
    """A list page's table declared once: its columns, the orders its query accepts, and its
    CSV columns."""

    columns: list[Column]
    orders: Collection[str]
    default_order: str
    filename: str
    csv_columns: list[tuple[str, Callable[[Any], Any]]]

    def context(self, request: HttpRequest, current: str, keep_filters: bool = True) -> dict[str, Any]:
        """``headers`` and ``csv_url`` for the template; ``keep_filters=False`` when the list
        refused its filters (the links then carry none of them)."""
        return {
            "headers": headers(
                request, self.columns, current or self.default_order, self.orders, keep_filters=keep_filters
            ),
            "csv_url": csv_url(request, keep_filters),
        }

    def csv(self, rows: Iterable[Any]) -> HttpResponse:
        return csv_response(self.filename, self.csv_columns, rows)
