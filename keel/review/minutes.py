"""The agenda as the pages, the API and the minutes PDF show it: each item with its figures —
the frozen copy once the review is held, live figures before (marked as such)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from . import charts, services
from .models import ManagementReview, ReviewItem


@dataclass
class Shown:
    item: ReviewItem
    figures: dict[str, Any]
    chart: SafeString
    frozen: bool


def agenda(review: ManagementReview) -> list[Shown]:
    """Every item of ``review`` in order. A held review reads only what was frozen: nothing here
    queries the records the figures came from, so the minutes never change afterwards."""
    out = []
    for item in review.items.all():
        if review.frozen and item.figures is not None:
            # the SVG was built by charts.bar_chart from escaped values and stored as is
            out.append(Shown(item, item.figures, mark_safe(item.chart_svg), True))  # noqa: S308
        else:
            figures = services.live_figures(review, item)
            out.append(Shown(item, figures, mark_safe(charts.bar_chart(figures.get("chart"))), False))  # noqa: S308
    return out
