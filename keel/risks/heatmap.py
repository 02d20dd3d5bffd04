"""Heat maps drawn as SVG on the server: no JavaScript, no inline styles (presentation
attributes only, which the CSP allows). Each cell is a link into the register filtered to that
cell, with a title and an aria-label that say the cell, its level and its count."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .queries import HeatMap

CELL = 62
LEFT = 128  # room for the likelihood labels
TOP = 8
BOTTOM = 56  # room for the impact labels
# From calm to alarming; a level's colour is picked by its rank among the methodology's levels.
PALETTE = ["#d7eed9", "#f4e7b0", "#f6c48f", "#ef8f80", "#d9534f", "#a61b1b"]
DARK_TEXT_UP_TO = 3


def _colour(rank: int, n: int) -> tuple[str, str]:
    index = round(rank * (len(PALETTE) - 1) / max(n - 1, 1)) if n < len(PALETTE) else rank
    index = min(index, len(PALETTE) - 1)
    return PALETTE[index], ("#1b1f24" if index <= DARK_TEXT_UP_TO else "#ffffff")


def cell_url(kind: str, version: int, likelihood: int, impact: int, register: str = "") -> str:
    query = {"map": kind, "version": version, "likelihood": likelihood, "impact": impact}
    if register:
        query["register"] = register
    return f"{reverse('risk-list')}?{urlencode(query)}"


def svg(hm: HeatMap, register: str = "") -> SafeString:
    m = hm.methodology
    n_l, n_i = len(m.likelihood), len(m.impact)
    width, height = LEFT + n_i * CELL + 8, TOP + n_l * CELL + BOTTOM
    title = f"{hm.kind.title()} risk heat map, methodology version {m.version}: {hm.total} risks"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="hm-{hm.kind}-title" class="heatmap" font-family="system-ui, sans-serif">',
        f'<title id="hm-{hm.kind}-title">{escape(title)}</title>',
    ]
    n_levels = len(m.levels)
    for row_index, row in enumerate(hm.cells):
        y = TOP + row_index * CELL
        lk = m.likelihood[row[0].likelihood - 1]
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + CELL / 2 + 4}" text-anchor="end" font-size="12" fill="#4a5260">'
            f"{row[0].likelihood} {escape(lk['label'])}</text>"
        )
        for cell in row:
            x = LEFT + (cell.impact - 1) * CELL
            fill, ink = _colour(m.rank(cell.level), n_levels)
            label = (
                f"Likelihood {cell.likelihood} ({m.likelihood[cell.likelihood - 1]['label']}), impact {cell.impact} "
                f"({m.impact[cell.impact - 1]['label']}): {cell.label}, {cell.count} risk{'s' if cell.count != 1 else ''}"
            )
            href = cell_url(hm.kind, m.version, cell.likelihood, cell.impact, register)
            parts.append(
                f'<a href="{escape(href)}" aria-label="{escape(label)}" class="heatmap-cell">'
                f"<title>{escape(label)}</title>"
                f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" rx="4" fill="{fill}" '
                f'stroke="{"#1b1f24" if cell.count else "#ffffff"}" stroke-width="{1.5 if cell.count else 1}"/>'
                f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 6}" text-anchor="middle" font-size="{18 if cell.count else 12}" '
                f'font-weight="{700 if cell.count else 400}" fill="{ink}">{cell.count if cell.count else "·"}</text></a>'
            )
    base = TOP + n_l * CELL
    for i, imp in enumerate(m.impact):
        cx = LEFT + i * CELL + CELL // 2
        parts.append(
            f'<text x="{cx}" y="{base + 16}" text-anchor="middle" font-size="12" fill="#4a5260">{i + 1}</text>'
            f'<text x="{cx}" y="{base + 30}" text-anchor="middle" font-size="10" fill="#6a7280">{escape(imp["label"][:12])}</text>'
        )
    parts.append(
        f'<text x="{LEFT + n_i * CELL / 2}" y="{base + 48}" text-anchor="middle" font-size="12" font-weight="600" fill="#1b1f24">Impact →</text>'
        f'<text x="12" y="{TOP + n_l * CELL / 2}" text-anchor="middle" font-size="12" font-weight="600" fill="#1b1f24" '
        f'transform="rotate(-90 12 {TOP + n_l * CELL / 2})">Likelihood →</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def legend(hm: HeatMap) -> list[dict[str, str | bool]]:
    m = hm.methodology
    out: list[dict[str, str | bool]] = []
    for i, lv in enumerate(m.levels):
        fill, _ = _colour(i, len(m.levels))
        out.append(
            {
                "key": lv["key"],
                "label": lv["label"],
                "fill": fill,
                "acceptable": lv["acceptable"],
                "appetite": lv["appetite"],
            }
        )
    return out
