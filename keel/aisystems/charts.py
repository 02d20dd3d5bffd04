"""Small SVG charts drawn on the server (no script, no inline style: the CSP allows neither)."""

from __future__ import annotations

import decimal
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .models import MetricReading

WIDTH, HEIGHT, PAD = 180, 40, 4


def sparkline(readings: Sequence[MetricReading], threshold: decimal.Decimal, label: str) -> SafeString:
    """A sparkline of ``readings`` (oldest first) with the threshold as a dashed line and the
    breaches as red dots. ``label`` is the accessible name."""
    if not readings:
        return format_html('<span class="muted small">{}</span>', "No readings yet")
    values = [float(r.value) for r in readings]
    t = float(threshold)
    low, high = min([*values, t]), max([*values, t])
    span = (high - low) or 1.0

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / max(len(values) - 1, 1))

    def y(v: float) -> float:
        return PAD + (HEIGHT - 2 * PAD) * (1 - (v - low) / span)

    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2.5" fill="#c0392b"/>',
        (
            (f"{x(i):.1f}", f"{y(v):.1f}")
            for i, (v, r) in enumerate(zip(values, readings, strict=True))
            if r.breach
        ),
    )
    return format_html(
        '<svg class="sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        '<line x1="{p}" x2="{wp}" y1="{ty}" y2="{ty}" stroke="#b7791f" stroke-width="1" stroke-dasharray="3 2"/>'
        '<polyline points="{points}" fill="none" stroke="#3456d1" stroke-width="1.5"/>{dots}</svg>',
        w=WIDTH,
        h=HEIGHT,
        p=PAD,
        wp=WIDTH - PAD,
        ty=f"{y(t):.1f}",
        points=points,
        dots=dots,
        label=label,
    )
