"""A page of a list and the list's length in one query.

Django's ``Paginator`` asks the database twice for a page: ``COUNT(*)`` and then the rows. A
window function gives both at once: ``COUNT(*) OVER ()`` is computed over every matching row
before ``LIMIT``/``OFFSET`` apply, so each row of the page carries the length of the whole
list. :func:`page_of` uses it and builds the same ``Page`` the templates know (numbers, counts,
previous and next). Only a page past the end (an old bookmark) costs the usual count, to fall
back to the last page as ``Paginator.get_page`` does.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

TOTAL = "_page_total"


def page_of(qs: QuerySet[Any], per_page: int, number: Any) -> Page[Any]:
    """Page ``number`` of ``qs`` with ``per_page`` rows, as ``Paginator.get_page`` answers
    it (not a number: the first page; out of range: the last): one query while the page exists."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    if qs.query.distinct or qs.query.combinator:
        # COUNT(*) OVER () counts the rows before DISTINCT (or a union) removes any: ask twice
        return Paginator(qs, per_page).get_page(number)
    rows: list[Any] = []
    if wanted >= 1:
        start = (wanted - 1) * per_page
        rows = list(qs.annotate(**{TOTAL: Window(Count("*"))})[start : start + per_page])
    if not rows and wanted != 1:
        return Paginator(qs, per_page).get_page(wanted)  # before the start or past the end: the last page
    paginator = Paginator(rows, per_page)
    paginator.count = getattr(rows[0], TOTAL) if rows else 0
    return Page(rows, wanted, paginator)
