"""Write-side services of operating metrics: metrics, readings pushed by pipelines (idempotent),
and the flags that breaches open (one per run; closed by a person). Re-exported by
:mod:`keel.aisystems.services`. Plain readings are telemetry and are not written to the trail one
by one (docs/adr/0011-ai-metric-readings-and-flags.md); the flags they open, extend and close are.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean, reject_control_characters, validation_failed

from .choices import FlagStatus
from .models import AISystem, Metric, MetricFlag, MetricReading
from .services.common import METRIC_FIELDS, _decimal
from .services.lookups import get_metric, get_metric_by_id, get_system

# ---------------------------------------------------------------- operating metrics


def create_metric(actor: Actor, system_ref: uuid.UUID | str, **data: Any) -> Metric:
    data = dict(data)
    if "threshold" in data:
        data["threshold"] = _decimal(data["threshold"], "threshold")
    with transaction.atomic():
        system = get_system(system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        metric = Metric(ai_system=system)
        apply_fields(metric, data, METRIC_FIELDS)
        try:
            metric.full_clean(exclude=["ai_system"])
        except ValidationError as exc:
            raise validation_failed(exc, "metric") from None
        if Metric.objects.filter(ai_system=system, short_name=metric.short_name).exists():
            raise Conflict(
                f"{system.short_name} already has a metric {metric.short_name!r}: short names are unique per system.",
                {"short_name": ["Already used on this system."]},
            )
        try:
            with transaction.atomic():  # a concurrent create of the same short name: a conflict
                metric.save()
        except IntegrityError:
            raise Conflict(
                f"{system.short_name} already has a metric {metric.short_name!r} (created just now by "
                "someone else): short names are unique per system.",
                {"short_name": ["Already used on this system."]},
            ) from None
        trail.record(
            actor,
            TrailAction.CREATE,
            metric,
            object_repr=f"{system.short_name}/{metric.short_name}",
            management_system_id=system.management_system_id,
            changes={
                "ai_system": [None, system.short_name],
                **trail.diff({}, trail.snapshot(metric, METRIC_FIELDS)),
            },
        )
    return metric


def update_metric(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> Metric:
    data = dict(data)
    if "threshold" in data:
        data["threshold"] = _decimal(data["threshold"], "threshold")
    with transaction.atomic():
        metric = get_metric_by_id(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, metric.ai_system.management_system)
        check_version(metric, expected_version, f"Metric {metric.short_name}")
        before = trail.snapshot(metric, METRIC_FIELDS)
        apply_fields(metric, data, METRIC_FIELDS)
        clean(metric, "metric")
        metric.save()
        changes = trail.diff(before, trail.snapshot(metric, METRIC_FIELDS))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                metric,
                object_repr=f"{metric.ai_system.short_name}/{metric.short_name}",
                management_system_id=metric.ai_system.management_system_id,
                changes=changes,
            )
    return metric


def parse_time(value: str | dt.datetime | None, field: str = "at") -> dt.datetime | None:
    """An ISO 8601 time; a time without an offset is taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationFailed(
                f"{field} must be an ISO 8601 time such as 2026-05-01T12:00:00Z, not {text!r}.",
                {field: ["Not an ISO 8601 time."]},
            ) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValidationFailed(
            f"{field} is out of range: give a time between the years 1 and 9999 in UTC.",
            {field: ["Out of range."]},
        ) from None


# A reading's time may run a little ahead of the server's clock, not more: a reading from the
# future would stay the latest for ever and keep its flag from ever recovering.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class PushResult:
    reading: MetricReading
    created: bool
    flag: MetricFlag | None = None
    flag_opened: bool = False

    def as_dict(self) -> dict[str, Any]:
        r = self.reading
        return {
            "system": r.metric.ai_system.short_name,
            "metric": r.metric.short_name,
            "at": trail.json_value(r.at),
            "value": str(r.value.normalize())
            if r.value == r.value.to_integral()
            else format(r.value.normalize(), "f"),
            "created": self.created,
            "breach": r.breach,
            "flag": str(self.flag.pk) if self.flag else None,
            "flag_opened": self.flag_opened,
        }


def push_reading(
    actor: Actor,
    system_ref: uuid.UUID | str,
    metric_ref: str,
    value: Any,
    at: str | dt.datetime | None = None,
    *,
    by_hand: bool = False,
) -> PushResult:
    """Store one reading of a metric (by the system's and the metric's short names). The same
    reading — metric, time and value — pushed again stores nothing and answers ``created=False``;
    another value at the same time is refused (readings are never overwritten). A breach opens a
    flag on the system, or extends the open flag of that metric (one flag per run of breaches);
    a reading back within the threshold marks the open flag recovered but does not close it.

    Pushed readings are telemetry and not trailed one by one; a reading a person types on the
    system's page (``by_hand``) is their statement and gets its own trail entry."""
    number = _decimal(value, "value")
    if number is None:
        raise ValidationFailed("Give the reading's value.", {"value": ["Required."]})
    when = parse_time(at) or timezone.now()
    if when > timezone.now() + CLOCK_SKEW:
        raise ValidationFailed(
            f"at is in the future ({when.isoformat()}): give the time the value was measured.",
            {"at": ["In the future."]},
        )
    with transaction.atomic():
        metric = _push_target(system_ref, metric_ref)
        system = metric.ai_system
        check(actor, Perm.RECORD_AI_RESULTS, system.management_system)
        breach = metric.breaches(number)
        # Insert first (the usual case), in a savepoint: a unique-constraint failure means the
        # reading is already there, pushed before or concurrently.
        try:
            with transaction.atomic():
                reading = MetricReading.objects.create(metric=metric, at=when, value=number, breach=breach)
        except IntegrityError:
            existing = MetricReading.objects.get(metric=metric, at=when)
            return _already(existing, number, metric, system)
        reading.metric = metric
        if by_hand:
            trail.record(
                actor,
                TrailAction.CREATE,
                reading,
                object_repr=f"{system.short_name}/{metric.short_name} reading",
                management_system_id=system.management_system_id,
                changes={
                    "value": [None, str(reading.value)],
                    "at": [None, trail.json_value(reading.at)],
                    "breach": [None, breach],
                },
            )
        flag, opened = (None, False)
        if breach or metric.open_flag_id is not None:  # type: ignore[attr-defined]
            flag, opened = _flag(actor, system, metric, reading)
    return PushResult(reading=reading, created=True, flag=flag, flag_opened=opened)


def _push_target(system_ref: uuid.UUID | str, metric_ref: str) -> Metric:
    """The metric named by the system's and its own short names, with its system and whether it
    has an open flag, in one query (the messages for unknown names need more, on failure only)."""
    open_flag = MetricFlag.objects.filter(metric=OuterRef("pk"), status=FlagStatus.OPEN).values("pk")[:1]
    try:
        which = Q(ai_system_id=uuid.UUID(str(system_ref)))
    except ValueError:
        which = Q(ai_system__short_name=str(system_ref).strip())
    # The metric's row is locked until the push commits: concurrent pushes of one metric queue,
    # so two breaches cannot both open a flag (one open flag per metric).
    metric = (
        Metric.objects.select_related("ai_system__management_system")
        .select_for_update(of=("self",))
        .annotate(open_flag_id=Subquery(open_flag))
        .filter(which, short_name=str(metric_ref).strip())
        .order_by()
        .first()
    )
    if metric is None:
        get_metric(get_system(system_ref), metric_ref)  # raises the right NotFound
        raise NotFound(f"No metric {metric_ref!r} on {system_ref!r}.")
    return metric


def _already(
    existing: MetricReading, number: decimal.Decimal, metric: Metric, system: AISystem
) -> PushResult:
    if existing.value != number:
        raise Conflict(
            f"{system.short_name}/{metric.short_name} already has a reading at {existing.at.isoformat()} "
            f"with value {existing.value.normalize()}; readings are never overwritten. Push the new value "
            "with its own time.",
            {"at": ["A different reading exists at this time."]},
        )
    existing.metric = metric
    metric.ai_system = system
    flag = (
        MetricFlag.objects.filter(metric=metric, status=FlagStatus.OPEN).first() if existing.breach else None
    )
    return PushResult(reading=existing, created=False, flag=flag)


def _flag(
    actor: Actor, system: AISystem, metric: Metric, reading: MetricReading
) -> tuple[MetricFlag | None, bool]:
    flag = MetricFlag.objects.select_for_update().filter(metric=metric, status=FlagStatus.OPEN).first()
    if not reading.breach:
        if flag is not None and flag.recovered_at is None and reading.at >= flag.last_breach_at:
            flag.recovered_at = reading.at
            flag.save(update_fields=["recovered_at"])
            trail.record(
                actor,
                TrailAction.UPDATE,
                flag,
                object_repr=f"{system.short_name}/{metric.short_name} flag",
                management_system_id=system.management_system_id,
                changes={
                    "recovered_at": [None, trail.json_value(reading.at)],
                    "value": [None, str(reading.value)],
                },
            )
        return None, False
    if flag is None:
        flag = MetricFlag.objects.create(
            ai_system=system,
            metric=metric,
            threshold=metric.threshold,
            direction=metric.direction,
            first_breach_at=reading.at,
            last_breach_at=reading.at,
            worst_value=reading.value,
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            flag,
            object_repr=f"{system.short_name}/{metric.short_name} flag",
            management_system_id=system.management_system_id,
            changes={
                "metric": [None, metric.short_name],
                "threshold": [None, str(metric.threshold)],
                "direction": [None, metric.direction],
                "value": [None, str(reading.value)],
                "at": [None, trail.json_value(reading.at)],
            },
        )
        # a breach may mean the system drifted: its impact assessment and AI risks may be due
        hooks.call(
            "aisystem.changed",
            actor=actor,
            system=system,
            what="drift",
            detail=f"the metric {metric.name} breached its threshold ({reading.value} against {metric.threshold})",
        )
        return flag, True
    before = {"breach_count": flag.breach_count, "worst_value": str(flag.worst_value)}
    flag.breach_count += 1
    flag.first_breach_at = min(flag.first_breach_at, reading.at)
    flag.last_breach_at = max(flag.last_breach_at, reading.at)
    worse = (
        reading.value < flag.worst_value if flag.direction == "higher" else reading.value > flag.worst_value
    )
    if worse:
        flag.worst_value = reading.value
    if flag.recovered_at is not None and reading.at >= flag.recovered_at:
        flag.recovered_at = None
    flag.save()
    trail.record(
        actor,
        TrailAction.UPDATE,
        flag,
        object_repr=f"{system.short_name}/{metric.short_name} flag",
        management_system_id=system.management_system_id,
        changes=trail.diff(before, {"breach_count": flag.breach_count, "worst_value": str(flag.worst_value)}),
    )
    return flag, False


def close_flag(actor: Actor, flag_id: uuid.UUID | str, note: str) -> MetricFlag:
    """A person closes a flag with a note saying what was done (or which AI incident took it
    over). Closing does not wait for recovery, and recovery does not close."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            "Say why the flag is closed (what was found and done, or the incident that took it over).",
            {"note": ["Required."]},
        )
    reject_control_characters({"note": note})
    with transaction.atomic():
        try:
            flag = (
                MetricFlag.objects.select_related("ai_system__management_system", "metric")
                .select_for_update(of=("self",))
                .get(pk=uuid.UUID(str(flag_id)))
            )
        except (ValueError, MetricFlag.DoesNotExist):
            raise NotFound(f"No metric flag with id {flag_id}.") from None
        check(actor, Perm.EDIT_AI_SYSTEMS, flag.ai_system.management_system)
        if flag.status != FlagStatus.OPEN:
            raise Conflict("This flag is already closed; a new breach opens a new flag.")
        flag.status = FlagStatus.CLOSED
        flag.closed_at = timezone.now()
        flag.closed_by = actor.user if isinstance(actor.user, User) else None
        flag.close_note = note
        flag.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            flag,
            object_repr=f"{flag.ai_system.short_name}/{flag.metric.short_name} flag",
            management_system_id=flag.ai_system.management_system_id,
            changes={"status": ["open", "closed"], "close_note": [None, note]},
        )
    return flag
