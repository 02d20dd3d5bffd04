"""Objectives and their readings (6.2, 9.1): creating and changing an objective, recording a
reading, and copying the readings of the AI operating metric that feeds an objective."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.aisystems.models import MetricReading
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

from . import services
from .choices import ReadingSource
from .models import Objective, ObjectiveReading


def create_objective(actor: Actor, **data: Any) -> Objective:
    """Create an objective; one fed by a metric gets the metric's readings at once."""
    with transaction.atomic():
        objective: Objective = services.create(actor, services.OBJECTIVE, **data)
        if objective.metric_id:
            _copy_metric_readings(actor, objective)
    return objective


def update_objective(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> Objective:
    with transaction.atomic():
        objective: Objective = services.update(
            actor, services.OBJECTIVE, ref, expected_version=expected_version, **data
        )
        if objective.metric_id:
            _copy_metric_readings(actor, objective)
    return objective


@dataclass(frozen=True)
class ReadingResult:
    reading: ObjectiveReading
    created: bool

    def as_dict(self) -> dict[str, Any]:
        r, o = self.reading, self.reading.objective
        return {
            "objective": o.ref_id,
            "on": r.on.isoformat(),
            "value": str(r.value.normalize()),
            "target": str(o.target.normalize()),
            "on_target": o.on_target(r.value),
            "created": self.created,
        }


def parse_value(value: Any) -> decimal.Decimal:
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        raise ValidationFailed(
            f"The value {str(value)[:40]!r} is not a number.", {"value": ["Not a number."]}
        ) from None
    if not number.is_finite() or abs(number) >= 10**14:
        raise ValidationFailed("The value is out of range.", {"value": ["Out of range."]})
    return number.quantize(decimal.Decimal("0.000001"))


def parse_day(value: Any, name: str = "on") -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(
            f"The date {str(value)[:40]!r} is not a date: give YYYY-MM-DD.", {name: ["Not a date."]}
        ) from None


def add_reading(
    actor: Actor, objective: uuid.UUID | str, value: Any, on: Any = None, note: str = ""
) -> ReadingResult:
    """Record a reading of the objective's measure on a day (default: today). The same value for
    the same day again stores nothing (``created`` False, so a pipeline may retry); another
    value for a day that has one is a conflict."""
    number = parse_value(value)
    day = parse_day(on) if on not in (None, "") else timezone.localdate()
    reject_control_characters({"note": note})
    if len(note) > 300:
        raise ValidationFailed("The note is longer than 300 characters.", {"note": ["Too long."]})
    if day > timezone.localdate():
        raise ValidationFailed("A reading cannot be dated in the future.", {"on": ["In the future."]})
    with transaction.atomic():
        found: Objective = services.get(services.OBJECTIVE, objective, lock=True)
        check(actor, Perm.RECORD_READINGS, found.management_system)
        existing = ObjectiveReading.objects.filter(objective=found, on=day).first()
        if existing is not None:
            if existing.value == number:
                return ReadingResult(existing, False)
            raise Conflict(
                f"{found.ref_id} already has a reading on {day.isoformat()} "
                f"({existing.value.normalize()}); nothing was changed."
            )
        reading = ObjectiveReading.objects.create(
            objective=found, on=day, value=number, note=note, recorded_by=actor.user
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            reading,
            changes={
                "objective": [None, found.ref_id],
                "on": [None, day.isoformat()],
                "value": [None, str(number)],
            },
            management_system_id=found.management_system_id,
        )
    return ReadingResult(reading, True)


def pull_metric_readings(actor: Actor, objective: uuid.UUID | str) -> int:
    """Copy the readings of the metric that feeds the objective (the last of each day) for the
    days that have none yet; how many were copied."""
    with transaction.atomic():
        found: Objective = services.get(services.OBJECTIVE, objective, lock=True)
        check(actor, Perm.RECORD_READINGS, found.management_system)
        if found.metric_id is None:
            raise ValidationFailed(
                f"{found.ref_id} is not fed by an operating metric.", {"metric": ["None."]}
            )
        return _copy_metric_readings(actor, found)


def _copy_metric_readings(actor: Actor, objective: Objective) -> int:
    taken = set(ObjectiveReading.objects.filter(objective=objective).values_list("on", flat=True))
    last_of_day: dict[dt.date, MetricReading] = {}
    for r in MetricReading.objects.filter(metric=objective.metric).order_by("at"):
        last_of_day[timezone.localdate(r.at)] = r
    new = [
        ObjectiveReading(
            objective=objective,
            on=day,
            value=r.value,
            source=ReadingSource.METRIC,
            metric_reading=r,
            note="Copied from the operating metric.",
        )
        for day, r in sorted(last_of_day.items())
        if day not in taken
    ]
    if new:
        ObjectiveReading.objects.bulk_create(new)
        trail.record(
            actor,
            TrailAction.UPDATE,
            objective,
            changes={"readings_copied_from_metric": [None, len(new)]},
        )
    return len(new)
