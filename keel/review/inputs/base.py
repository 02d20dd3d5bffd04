"""What every input provider receives and returns (keel/review/inputs/)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from keel.organisation.models import Organisation


@dataclass(frozen=True)
class Ctx:
    """The review a provider fills: whose records (organisation, management systems), the
    period the changes are counted over, and "now"."""

    organisation: Organisation
    system_ids: Sequence[uuid.UUID]
    period_start: dt.date
    today: dt.date
    review_id: uuid.UUID | None = None
    held_on: dt.date | None = None


@dataclass
class Figures:
    """The figures of one agenda item: a one-line summary, labelled facts, an optional table and
    chart, and notes (what Keel cannot tell yet). :meth:`as_json` is what gets frozen."""

    summary: str
    facts: list[tuple[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    chart_title: str = ""
    bars: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def bar(self, label: str, value: int | float, tone: str = "neutral") -> None:
        self.bars.append({"label": label, "value": value, "tone": tone})

    def as_json(self, ctx: Ctx) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "facts": [[label, _plain(value)] for label, value in self.facts],
            "table": {"columns": self.columns, "rows": [[_plain(v) for v in r] for r in self.rows]}
            if self.columns
            else None,
            "chart": {"title": self.chart_title, "bars": self.bars} if self.bars else None,
            "notes": self.notes,
            "period_start": ctx.period_start.isoformat(),
            "as_of": ctx.today.isoformat(),
        }


def _plain(value: Any) -> Any:
    """A JSON value: dates as ISO text, decimals as their text, the rest as is."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
