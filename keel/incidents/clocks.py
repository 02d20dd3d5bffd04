"""The regulatory clock rule, pure: which clocks of an incident's type run given its flags, the
period that applies (the shortest of the variants whose fact holds, else the clock's own), and
the deadline; and how a deadline reads as a countdown. No database writes here: the services
(:func:`keel.incidents.services.recompute_clocks`) store what this says."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .choices import ClockStart, DurationUnit, IncidentFlag

HOURS_PER = {DurationUnit.HOURS: 1, DurationUnit.DAYS: 24}


@dataclass(frozen=True)
class Period:
    duration: int
    unit: str
    why: str  # "" for the clock's own period, else the fact that shortened it

    def label(self) -> str:
        unit = self.unit if self.duration != 1 else self.unit.rstrip("s")
        text = f"{self.duration} {unit}"
        return f"{text} ({self.why})" if self.why else text

    def hours(self) -> float:
        """For comparing periods: a month counts as 30 days."""
        if self.unit == DurationUnit.MONTHS:
            return self.duration * 30 * 24
        return self.duration * HOURS_PER[DurationUnit(self.unit)]


def add_period(start: dt.datetime, duration: int, unit: str) -> dt.datetime:
    """``start`` plus the period; months are calendar months (31 Jan + 1 month = 28/29 Feb)."""
    if unit == DurationUnit.HOURS:
        return start + dt.timedelta(hours=duration)
    if unit == DurationUnit.DAYS:
        return start + dt.timedelta(days=duration)
    month = start.month - 1 + duration
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def applies(applies_when: str, flags: set[str]) -> bool:
    return not applies_when or applies_when in flags


def period(duration: int, unit: str, variants: Iterable[tuple[str, int, str]], flags: set[str]) -> Period:
    """The period that applies: the shortest among the clock's own and its variants whose
    condition (a flag) holds. ``variants`` are ``(condition, duration, unit)``."""
    best = Period(duration, unit, "")
    for condition, v_duration, v_unit in variants:
        if condition in flags:
            candidate = Period(v_duration, v_unit, IncidentFlag(condition).label.lower())
            if candidate.hours() < best.hours():
                best = candidate
    return best


def start_of(starts_from: str, aware_at: dt.datetime, reported_at: dt.datetime) -> dt.datetime:
    return reported_at if starts_from == ClockStart.REPORT else aware_at


@dataclass(frozen=True)
class Countdown:
    hours_left: int  # negative when overdue; whole hours, rounded towards the deadline
    overdue: bool
    met: bool
    text: str  # "3 days 4 h left", "overdue by 5 h", "met"


def countdown(due_at: dt.datetime, met_at: dt.datetime | None, now: dt.datetime) -> Countdown:
    seconds = (due_at - now).total_seconds()
    hours = int(seconds // 3600)
    if met_at is not None:
        late = met_at > due_at
        return Countdown(hours, False, True, "met late" if late else "met")
    if seconds < 0:
        return Countdown(hours, True, False, f"overdue by {_span(-seconds)}")
    return Countdown(hours, False, False, f"{_span(seconds)} left")


def _span(seconds: float) -> str:
    hours = int(seconds // 3600)
    days, rest = divmod(hours, 24)
    if days and rest:
        return f"{days} d {rest} h"
    if days:
        return f"{days} d"
    if hours:
        return f"{hours} h"
    return f"{max(1, int(seconds // 60))} min"
