"""Sampling a control's operation (docs/audits.md#sampling).

A control's operating frequency (``Control.frequency``) gives its occurrences in a period: each
day, each ISO week, each month, each quarter, each half-year, each year that overlaps it. A
control that runs continuously or on each event is sampled by day. The sample size follows the
table below — the sizes commonly used by auditors when testing the operating effectiveness of a
control (the same ranges appear in the practice guides of the large audit firms and in
SOC 2 / ISAE 3402 practice): the low end of each range for a short period, rising to the high
end when the period holds a full year of occurrences, never more than the population.

=====================  ======  ======  ==============================
frequency              low     high    a full year of occurrences
=====================  ======  ======  ==============================
annually               1       1       1
every six months       1       2       2
quarterly              2       2       4
monthly                2       5       12
weekly                 5       15      52
daily                  20      40      365
continuous / on event  25      60      365 (days)
=====================  ======  ======  ==============================

:func:`draw` is pure: the same occurrences, size and seed give the same sample
(``random.Random(seed)``), so an auditor or a reviewer can draw it again.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from keel.controls.choices import Frequency


@dataclass(frozen=True)
class Occurrence:
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class SizeRule:
    low: int
    high: int
    per_year: int


SIZES: dict[str, SizeRule] = {
    Frequency.ANNUALLY: SizeRule(1, 1, 1),
    Frequency.SEMI_ANNUALLY: SizeRule(1, 2, 2),
    Frequency.QUARTERLY: SizeRule(2, 2, 4),
    Frequency.MONTHLY: SizeRule(2, 5, 12),
    Frequency.WEEKLY: SizeRule(5, 15, 52),
    Frequency.DAILY: SizeRule(20, 40, 365),
    Frequency.CONTINUOUS: SizeRule(25, 60, 365),
    Frequency.PER_EVENT: SizeRule(25, 60, 365),
}


def _months(frequency: str) -> int | None:
    months: dict[str, int] = {
        Frequency.MONTHLY: 1,
        Frequency.QUARTERLY: 3,
        Frequency.SEMI_ANNUALLY: 6,
        Frequency.ANNUALLY: 12,
    }
    return months.get(frequency)


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, 1)


def _month_label(start: dt.date, months: int) -> str:
    if months == 1:
        return f"{start.year}-{start.month:02d}"
    if months == 3:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if months == 6:
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    return str(start.year)


def occurrences(frequency: str, start: dt.date, end: dt.date) -> list[Occurrence]:
    """The occurrences of a control operating at ``frequency`` that overlap ``start``–``end``
    (both included), each clipped to the period."""
    if end < start:
        return []
    if frequency in (Frequency.DAILY, Frequency.CONTINUOUS, Frequency.PER_EVENT):
        days = (end - start).days + 1
        return [Occurrence(d.isoformat(), d, d) for d in (start + dt.timedelta(days=i) for i in range(days))]
    if frequency == Frequency.WEEKLY:
        out = []
        monday = start - dt.timedelta(days=start.weekday())
        while monday <= end:
            iso = monday.isocalendar()
            out.append(
                Occurrence(
                    f"{iso.year}-W{iso.week:02d}", max(monday, start), min(monday + dt.timedelta(days=6), end)
                )
            )
            monday += dt.timedelta(days=7)
        return out
    months = _months(frequency)
    if months is None:
        raise ValueError(f"unknown frequency {frequency!r}")
    first_month = ((start.month - 1) // months) * months + 1
    cursor = dt.date(start.year, first_month, 1)
    out = []
    while cursor <= end:
        nxt = _add_months(cursor, months)
        out.append(
            Occurrence(_month_label(cursor, months), max(cursor, start), min(nxt - dt.timedelta(days=1), end))
        )
        cursor = nxt
    return out


def sample_size(frequency: str, population: int) -> int:
    """How many occurrences to test out of ``population`` (see the table above)."""
    if population <= 0:
        return 0
    rule = SIZES[frequency]
    share = min(1.0, population / rule.per_year)
    size = rule.low + math.ceil((rule.high - rule.low) * share) if share < 1 else rule.high
    return min(size, population)


def draw(population: list[Occurrence], size: int, seed: int) -> list[Occurrence]:
    """``size`` occurrences of ``population`` chosen by ``random.Random(seed)``, in date order."""
    chosen = random.Random(seed).sample(range(len(population)), min(size, len(population)))
    return [population[i] for i in sorted(chosen)]
