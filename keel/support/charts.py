"""The chart of an objective: its readings over time against the target, an SVG drawn on the
server (no script, no inline style: the content security policy allows neither)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .models import Objective, ObjectiveReading

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36


def _num(value: float) -> str:
    return f"{value:.4g}"


def objective_chart(objective: Objective, readings: Sequence[ObjectiveReading]) -> SafeString:
    """Readings (oldest first) as a line, the target as a dashed line, each point green when on
    target and red when not; the first and last dates and the value range on the axes."""
    if not readings:
        return format_html(
            '<p class="muted">{}</p>', "No readings yet: the chart appears with the first one."
        )
    values = [float(r.value) for r in readings]
    target = float(objective.target)
    low, high = min([*values, target]), max([*values, target])
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    first, last = readings[0].on.toordinal(), readings[-1].on.toordinal()
    days = max(last - first, 1)

    def x(r: ObjectiveReading) -> float:
        if first == last:
            return LEFT + (WIDTH - LEFT - RIGHT) / 2
        return LEFT + (WIDTH - LEFT - RIGHT) * (r.on.toordinal() - first) / days

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (v - low) / (high - low))

    points = " ".join(f"{x(r):.1f},{y(v):.1f}" for r, v in zip(readings, values, strict=True))
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}: {}</title></circle>',
        (
            (
                f"{x(r):.1f}",
                f"{y(v):.1f}",
                "#2f855a" if objective.on_target(r.value) else "#c0392b",
                r.on.isoformat(),
                r.value.normalize(),
            )
            for r, v in zip(readings, values, strict=True)
        ),
    )
    unit = f" {objective.unit}" if objective.unit else ""
    label = (
        f"{objective.ref_id} {objective.title}: {len(readings)} readings from {readings[0].on.isoformat()} "
        f"to {readings[-1].on.isoformat()}, latest {readings[-1].value.normalize()}{unit}, "
        f"target {objective.target.normalize()}{unit}"
    )
    return format_html(
        '<svg class="objective-chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        '<line x1="{l}" x2="{l}" y1="{t}" y2="{b}" stroke="#9aa3af" stroke-width="1"/>'
        '<line x1="{l}" x2="{r}" y1="{b}" y2="{b}" stroke="#9aa3af" stroke-width="1"/>'
        '<text x="{tl}" y="{yhi}" font-size="11" text-anchor="end" fill="#4b5563">{hi}</text>'
        '<text x="{tl}" y="{ylo}" font-size="11" text-anchor="end" fill="#4b5563">{lo}</text>'
        '<text x="{l}" y="{xl}" font-size="11" fill="#4b5563">{d0}</text>'
        '<text x="{r}" y="{xl}" font-size="11" text-anchor="end" fill="#4b5563">{d1}</text>'
        '<line x1="{l}" x2="{r}" y1="{ty}" y2="{ty}" stroke="#b7791f" stroke-width="1.5" stroke-dasharray="6 4"/>'
        '<text x="{r}" y="{tty}" font-size="11" text-anchor="end" fill="#b7791f">target {tv}</text>'
        '<polyline points="{points}" fill="none" stroke="#3456d1" stroke-width="2"/>{dots}</svg>',
        w=WIDTH,
        h=HEIGHT,
        l=LEFT,
        r=WIDTH - RIGHT,
        t=TOP,
        b=HEIGHT - BOTTOM,
        tl=LEFT - 6,
        yhi=TOP + 10,
        ylo=HEIGHT - BOTTOM,
        hi=_num(high),
        lo=_num(low),
        xl=HEIGHT - BOTTOM + 18,
        d0=readings[0].on.isoformat(),
        d1=readings[-1].on.isoformat(),
        ty=f"{y(target):.1f}",
        tty=f"{y(target) - 5:.1f}",
        tv=f"{objective.target.normalize()}{unit}",
        points=points,
        dots=dots,
        label=label,
    )
