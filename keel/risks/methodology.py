"""Validation of a risk methodology version: scales of 3 to 5 levels, each with a description,
an ordered list of risk levels with acceptance criteria and appetite, and a complete matrix."""

from __future__ import annotations

from typing import Any

from keel.platform.errors import ValidationFailed

MIN_SCALE, MAX_SCALE = 3, 5


def _text(value: Any) -> str:
    return " ".join(str(value or "").split()) if not isinstance(value, str) else value.strip()


def clean_scale(name: str, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not MIN_SCALE <= len(raw) <= MAX_SCALE:
        raise ValidationFailed(
            f"The {name} scale needs {MIN_SCALE} to {MAX_SCALE} levels.",
            {name: [f"{MIN_SCALE} to {MAX_SCALE} levels."]},
        )
    out = []
    for n, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        label, description = _text(item.get("label")), _text(item.get("description"))
        if not label or not description:
            raise ValidationFailed(
                f"Level {n} of the {name} scale needs a label and a description.",
                {name: [f"Level {n}: label and description are required."]},
            )
        out.append({"value": n, "label": label[:60], "description": description})
    return out


def clean_levels(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        raise ValidationFailed("Give 2 to 6 risk levels, lowest first.", {"levels": ["2 to 6 levels."]})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        key = _text(item.get("key")).lower()
        label = _text(item.get("label")) or key.title()
        if not key or not key.replace("-", "").replace("_", "").isalnum() or key in seen:
            raise ValidationFailed(
                f"Risk level {n} needs a unique key of letters, digits, - or _.",
                {"levels": [f"Level {n}: bad key."]},
            )
        seen.add(key)
        out.append(
            {
                "key": key,
                "label": label[:60],
                "acceptable": bool(item.get("acceptable")),
                "appetite": _text(item.get("appetite")),
            }
        )
    flags = [lv["acceptable"] for lv in out]
    if not flags[0]:
        raise ValidationFailed(
            "The lowest risk level must be acceptable: otherwise no residual risk could ever be accepted.",
            {"levels": ["The lowest level must be acceptable."]},
        )
    if flags != sorted(flags, reverse=True):
        raise ValidationFailed(
            "Acceptable levels must be the lowest ones: a level cannot be acceptable above one that is not.",
            {"levels": ["Acceptable levels come first."]},
        )
    return out


def clean_matrix(raw: Any, n_likelihood: int, n_impact: int, levels: list[dict[str, Any]]) -> list[list[str]]:
    keys = [lv["key"] for lv in levels]
    if (
        not isinstance(raw, list)
        or len(raw) != n_likelihood
        or any(not isinstance(row, list) or len(row) != n_impact for row in raw)
    ):
        raise ValidationFailed(
            f"The matrix needs {n_likelihood} rows (likelihood 1 to {n_likelihood}) of {n_impact} level keys "
            f"(impact 1 to {n_impact}).",
            {"matrix": ["Wrong shape."]},
        )
    out = [[str(c).strip().lower() for c in row] for row in raw]
    unknown = sorted({c for row in out for c in row if c not in keys})
    if unknown:
        raise ValidationFailed(
            f"Unknown level key(s) in the matrix: {', '.join(unknown)}. Known: {', '.join(keys)}.",
            {"matrix": ["Unknown level."]},
        )
    rank = {k: i for i, k in enumerate(keys)}
    for li in range(n_likelihood):
        for ii in range(n_impact):
            here = rank[out[li][ii]]
            if (li and rank[out[li - 1][ii]] > here) or (ii and rank[out[li][ii - 1]] > here):
                raise ValidationFailed(
                    f"The matrix must not go down as likelihood or impact go up (likelihood {li + 1}, impact {ii + 1}).",
                    {"matrix": ["Not monotonic."]},
                )
    return out


DEFAULT_MAX_EXCEPTION_DAYS, MAX_EXCEPTION_DAYS_LIMIT = 365, 3 * 366


def clean_max_exception_days(raw: Any) -> int:
    """The upper bound of an exception's length, in days (default one year, at most three)."""
    if raw is None or raw == "":
        return DEFAULT_MAX_EXCEPTION_DAYS
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raw = "x"
    try:
        days = int(str(raw).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_EXCEPTION_DAYS_LIMIT:
        message = f"The longest exception is a whole number of days from 1 to {MAX_EXCEPTION_DAYS_LIMIT}."
        raise ValidationFailed(message, {"max_exception_days": [message]})
    return days


DEFAULT_INTERVAL_MONTHS, MAX_INTERVAL_MONTHS = 12, 60
TRIGGERS = ("assess_on_significant_change", "assess_on_new_ai_system", "assess_on_impact_assessment")


def clean_interval(raw: Any, present: bool) -> int | None:
    """The planned interval between assessments, in months: 1 to 60; empty (given) for none;
    12 when not given at all."""
    if not present:
        return DEFAULT_INTERVAL_MONTHS
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raw = "x"
    try:
        months = int(str(raw).strip())
    except ValueError:
        months = 0
    if not 1 <= months <= MAX_INTERVAL_MONTHS:
        message = (
            f"The planned interval between risk assessments is a whole number of months from 1 to "
            f"{MAX_INTERVAL_MONTHS}, or empty for none."
        )
        raise ValidationFailed(message, {"assessment_interval_months": [message]})
    return months


def clean_triggers(data: dict[str, Any]) -> dict[str, bool]:
    out = {}
    for name in TRIGGERS:
        v = data.get(name, True)
        if not isinstance(v, bool):
            raise ValidationFailed(f"{name} is true or false.", {name: ["true or false."]})
        out[name] = v
    return out


def clean_methodology(data: dict[str, Any]) -> dict[str, Any]:
    name = _text(data.get("name"))
    if not name:
        raise ValidationFailed("Give the methodology a name.", {"name": ["Required."]})
    likelihood = clean_scale("likelihood", data.get("likelihood"))
    impact = clean_scale("impact", data.get("impact"))
    levels = clean_levels(data.get("levels"))
    matrix = clean_matrix(data.get("matrix"), len(likelihood), len(impact), levels)
    max_days = clean_max_exception_days(data.get("max_exception_days"))
    return {
        "max_exception_days": max_days,
        "name": name[:200],
        "note": _text(data.get("note")),
        "likelihood": likelihood,
        "impact": impact,
        "levels": levels,
        "matrix": matrix,
        "assessment_interval_months": clean_interval(
            data.get("assessment_interval_months"), "assessment_interval_months" in data
        ),
        **clean_triggers(data),
        "significant_changes": str(data.get("significant_changes") or "").strip(),
    }
