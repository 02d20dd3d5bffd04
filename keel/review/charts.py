"""The chart of an agenda item: horizontal bars drawn as SVG on the server (no script, no inline
style: the content security policy allows neither). The SVG is stored in the item when the review
is held, so the minutes keep the chart the meeting saw."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.html import format_html, format_html_join

TONES = {"ok": "#2f855a", "bad": "#c0392b", "warn": "#b7791f", "neutral": "#3456d1"}
WIDTH, BAR, GAP, LABEL = 560, 18, 8, 220


def bar_chart(chart: Mapping[str, Any] | None) -> str:
    """``chart`` is ``{"title": str, "bars": [{"label", "value", "tone"}]}``; "" when there is
    nothing to draw."""
    if not chart:
        return ""
    bars: Sequence[Mapping[str, Any]] = chart.get("bars") or []
    if not bars:
        return ""
    top = max((float(b["value"]) for b in bars), default=0.0) or 1.0
    span = WIDTH - LABEL - 60
    height = len(bars) * (BAR + GAP) + GAP
    rows = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#374151">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" font-size="11" fill="#374151">{}</text>',
        (
            (
                LABEL - 6,
                GAP + i * (BAR + GAP) + BAR - 5,
                str(b["label"])[:40],
                LABEL,
                GAP + i * (BAR + GAP),
                f"{max(float(b['value']), 0.0) / top * span:.1f}",
                BAR,
                TONES.get(str(b.get("tone", "neutral")), TONES["neutral"]),
                b["label"],
                b["value"],
                f"{LABEL + max(float(b['value']), 0.0) / top * span + 4:.1f}",
                GAP + i * (BAR + GAP) + BAR - 5,
                b["value"],
            )
            for i, b in enumerate(bars)
        ),
    )
    label = str(chart.get("title", "")) + ": " + ", ".join(f"{b['label']} {b['value']}" for b in bars)
    return str(
        format_html(
            '<svg class="review-chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
            'aria-label="{label}">{rows}</svg>',
            w=WIDTH,
            h=height,
            label=label,
            rows=rows,
        )
    )
