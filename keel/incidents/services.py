"""Write-side services of incidents: report, change, move along the runbook, the timeline, the
playbook checklist, notifications made against the clocks and the post-incident review. One
transaction each, a permission check, the incident row locked, a trail entry (docs/incidents.md).

Reporting needs ``report_incidents`` over the incident's management system; everything after,
``handle_incidents``. References come as the API and CLI give them: a management system by id or
short name, people by email, AI systems by short name, risks and controls by reference.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.aisystems.models import AISystem, MetricFlag
from keel.controls.queries import control_ref
from keel.organisation import resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean
from keel.risks.models import Risk
from keel.suppliers.queries import get_supplier

from . import catalogue, clocks
from .choices import FLAG_NAMES, RUNBOOK, IncidentFlag, IncidentSeverity, IncidentStatus, TimelineKind
from .models import Incident, IncidentClock, IncidentStep, TimelineEntry

EDIT_FIELDS = (
    "title",
    "description",
    "severity",
    "aware_at",
    "incident_type",
    "handler",
    "reported_by",
    *FLAG_NAMES,
)
TRAIL_FIELDS = ("ref_id", "management_system", "incident_type", "status", *EDIT_FIELDS)
REVIEW_FIELDS = ("review_what_happened", "review_root_cause", "review_lessons", "review_actions")
LINKS = ("ai_systems", "risks", "controls", "suppliers")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def get(ref: uuid.UUID | str, lock: bool = False) -> Incident:
    qs = Incident.objects.select_related("incident_type", "management_system")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No incident {str(ref)[:60]!r}: give its id or reference (e.g. INC-004).")
    return found


def _snapshot(incident: Incident) -> dict[str, Any]:
    data = trail.snapshot(incident, TRAIL_FIELDS)
    for name in LINKS:
        data[name] = sorted(str(o) for o in getattr(incident, name).all()) if incident.pk else []
    return data


# ---------------------------------------------------------------- references


def _links(actor: Actor, ms_id: uuid.UUID, data: dict[str, Any]) -> dict[str, list[Any]]:
    """AI systems (short names), risks and controls (references) the incident is linked to, each
    seen by the actor and of the incident's management system (controls: shared with it)."""
    out: dict[str, list[Any]] = {}
    if data.get("ai_systems") is not None:
        qs = resolvers.in_perimeter(AISystem.objects.all(), actor)
        out["ai_systems"] = [
            resolvers.record(
                qs, r, label="AI system", example="credit-scoring", field="ai_systems", ref_field="short_name"
            )
            for r in dict.fromkeys(str(x).strip() for x in data["ai_systems"] if str(x).strip())
        ]
        for s in out["ai_systems"]:
            resolvers.same_system(ms_id, s.management_system_id, what="AI system", field="ai_systems")
    if data.get("risks") is not None:
        risks = resolvers.in_perimeter(Risk.objects.all(), actor)
        out["risks"] = [
            resolvers.record(risks, r, label="risk", example="AI-002", field="risks")
            for r in dict.fromkeys(str(x).strip() for x in data["risks"] if str(x).strip())
        ]
        for r in out["risks"]:
            resolvers.same_system(ms_id, r.management_system_id, what="risk", field="risks")
    if data.get("controls") is not None:
        out["controls"] = [
            control_ref(r, actor, field="controls")
            for r in dict.fromkeys(str(x).strip() for x in data["controls"] if str(x).strip())
        ]
        for c in out["controls"]:
            resolvers.same_system(ms_id, list(c.management_systems.all()), what="control", field="controls")
    if data.get("suppliers") is not None:
        # a supplier may serve several management systems' needs: any the actor may see
        out["suppliers"] = []
        for r in dict.fromkeys(str(x).strip() for x in data["suppliers"] if str(x).strip()):
            try:
                out["suppliers"].append(get_supplier(actor, r))
            except NotFound as exc:
                raise ValidationFailed(exc.message, {"suppliers": ["Unknown supplier."]}) from None
    return out


def _values(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for name in ("handler", "reported_by"):
        if name in out:
            out[name] = resolvers.user_by_email(out[name], field=name)
    if "incident_type" in out:
        try:
            out["incident_type"] = catalogue.get_type(out["incident_type"])
        except NotFound as exc:
            raise ValidationFailed(exc.message, {"incident_type": ["Unknown incident type."]}) from None
    if "severity" in out and out["severity"] not in IncidentSeverity.values:
        raise ValidationFailed(
            f"severity is one of: {', '.join(IncidentSeverity.values)}.", {"severity": ["Unknown severity."]}
        )
    for name in ("title",):
        if name in out and not str(out[name] or "").strip():
            raise ValidationFailed(f"Give the incident a {name}.", {name: ["Required."]})
    for name in FLAG_NAMES:
        if name in out:
            out[name] = bool(out[name])
    return out


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment given without a UTC offset is taken in the organisation's time zone."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _not_future(moment: dt.datetime | None, field: str) -> None:
    if moment is not None and moment > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationFailed(f"{field} cannot be in the future.", {field: ["In the future."]})


# ---------------------------------------------------------------- clocks and checklist


def recompute_clocks(incident: Incident) -> list[IncidentClock]:
    """Bring the incident's clocks in line with its type and flags: add those that now apply,
    move the deadline of those not yet met, drop those no longer applying unless already met."""
    flags = incident.flags()
    have = {c.clock_id: c for c in incident.clocks.select_related("clock")}
    keep: set[uuid.UUID] = set()
    for clock in incident.incident_type.clocks.prefetch_related("variants"):
        if not clocks.applies(clock.applies_when, flags):
            continue
        keep.add(clock.pk)
        period = clocks.period(
            clock.duration,
            clock.unit,
            [(v.condition, v.duration, v.unit) for v in clock.variants.all()],
            flags,
        )
        starts = clocks.start_of(clock.starts_from, incident.aware_at, incident.reported_at)
        due = clocks.add_period(starts, period.duration, period.unit)
        row = have.get(clock.pk)
        if row is None:
            IncidentClock.objects.create(
                incident=incident, clock=clock, starts_at=starts, due_at=due, basis=period.label()
            )
        elif row.met_at is None and (row.due_at, row.starts_at, row.basis) != (due, starts, period.label()):
            row.due_at, row.starts_at, row.basis = due, starts, period.label()
            row.save(update_fields=["due_at", "starts_at", "basis"])
    for clock_id, row in have.items():
        if clock_id not in keep and row.met_at is None:
            row.delete()
    return list(incident.clocks.select_related("clock").order_by("due_at"))


def _copy_steps(incident: Incident) -> None:
    """The type's playbook as the incident's checklist; steps ticked before a change of type stay."""
    incident.steps.filter(done_at__isnull=True).delete()
    done = incident.steps.count()
    IncidentStep.objects.bulk_create(
        [
            IncidentStep(
                incident=incident, step=s, stage=s.stage, order=done + s.order, text=s.text, role=s.role
            )
            for s in incident.incident_type.steps.all()
        ]
    )


def note_on_timeline(
    incident: Incident, actor: Actor, text: str, kind: str, at: dt.datetime | None = None
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident, at=at or timezone.now(), by=actor.user, kind=kind, text=text
    )


# ---------------------------------------------------------------- report and change


def report_incident(
    actor: Actor,
    *,
    incident_type: Any,
    title: str,
    management_system: Any = None,
    description: str = "",
    reported_by: Any = None,
    reported_at: dt.datetime | None = None,
    aware_at: dt.datetime | None = None,
    severity: str = IncidentSeverity.MEDIUM,
    handler: Any = None,
    ai_systems: Iterable[str] | None = None,
    risks: Iterable[str] | None = None,
    controls: Iterable[str] | None = None,
    suppliers: Iterable[str] | None = None,
    metric_flag: MetricFlag | None = None,
    **flags: Any,
) -> Incident:
    """Report an incident. Without a management system, that of its first AI system. ``aware_at``
    (default: now) starts the clocks; it may be earlier than the report, never later than now."""
    unknown = set(flags) - set(FLAG_NAMES)
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}.", {k: ["Unknown field."] for k in unknown}
        )
    now = timezone.now()
    reported_at = _aware(reported_at) or now
    aware_at = _aware(aware_at) or reported_at
    _not_future(reported_at, "reported_at")
    _not_future(aware_at, "aware_at")
    if aware_at > reported_at:
        raise ValidationFailed(
            "aware_at cannot be after the report: we are aware of an incident at the latest when it is reported.",
            {"aware_at": ["After reported_at."]},
        )
    with transaction.atomic():
        catalogue.ensure_incident_catalogue()
        if management_system in (None, "") and ai_systems:
            first = resolvers.record(
                resolvers.in_perimeter(AISystem.objects.all(), actor),
                next(iter(ai_systems)),
                label="AI system",
                example="credit-scoring",
                field="ai_systems",
                ref_field="short_name",
            )
            ms = first.management_system
        else:
            ms = resolvers.management_system(management_system, actor)
        check(actor, Perm.REPORT_INCIDENTS, ms)
        values = _values(
            {
                "title": title,
                "description": description,
                "severity": severity,
                "incident_type": incident_type,
                "handler": handler,
                "reported_by": reported_by if reported_by not in (None, "") else actor.user,
                "aware_at": aware_at,
                **flags,
            }
        )
        links = _links(
            actor,
            ms.pk,
            {"ai_systems": ai_systems, "risks": risks, "controls": controls, "suppliers": suppliers},
        )
        incident = Incident(management_system=ms, reported_at=reported_at, metric_flag=metric_flag)
        apply_fields(incident, values, EDIT_FIELDS)
        incident.ref_id = next_ref(Incident, "INC-")
        clean(incident, "incident")
        incident.save()
        for name, rows in links.items():
            getattr(incident, name).set(rows)
        _copy_steps(incident)
        recompute_clocks(incident)
        note_on_timeline(
            incident, actor, f"Reported: {incident.title}", TimelineKind.DETECTION, at=reported_at
        )
        trail.record(actor, TrailAction.CREATE, incident, changes=trail.diff({}, _snapshot(incident)))
    return incident


def update_incident(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> Incident:
    """Change what is known of the incident: its fields, flags (the clocks follow), type (the
    checklist follows; ticked steps stay) and links."""
    link_data = {k: data.pop(k) for k in LINKS if k in data}
    values = _values(data)
    if "aware_at" in values:
        values["aware_at"] = _aware(values["aware_at"])
        if values["aware_at"] is None:
            raise ValidationFailed("aware_at cannot be empty.", {"aware_at": ["Required."]})
        _not_future(values["aware_at"], "aware_at")
    with transaction.atomic():
        incident = get(ref, lock=True)
        check(actor, Perm.HANDLE_INCIDENTS, incident.management_system)
        check_version(incident, expected_version, incident.ref_id)
        if incident.status == IncidentStatus.CLOSED:
            raise Conflict(f"{incident.ref_id} is closed: it can be read but no longer changed.")
        if "aware_at" in values and values["aware_at"] > incident.reported_at:
            raise ValidationFailed(
                "aware_at cannot be after the report.", {"aware_at": ["After reported_at."]}
            )
        before = _snapshot(incident)
        old_type, old_flags = incident.incident_type_id, incident.flags()
        apply_fields(incident, values, EDIT_FIELDS)
        clean(incident, "incident")
        incident.save()
        for name, rows in _links(actor, incident.management_system_id, link_data).items():
            getattr(incident, name).set(rows)
        if incident.incident_type_id != old_type:
            _copy_steps(incident)
        recompute_clocks(incident)
        added = sorted(incident.flags() - old_flags)
        if added:
            note_on_timeline(
                incident,
                actor,
                "Now known: " + "; ".join(_flag_label(f) for f in added) + ".",
                TimelineKind.NOTE,
            )
        changes = trail.diff(before, _snapshot(incident))
        if changes:
            trail.record(actor, TrailAction.UPDATE, incident, changes=changes)
    return incident


def _flag_label(name: str) -> str:
    return str(IncidentFlag(name).label).lower()


def advance(actor: Actor, ref: uuid.UUID | str, *, to: str, note: str = "") -> Incident:
    """Move the incident to a later stage of the runbook (stages may be skipped when they do not
    apply, never gone back to). Closing needs the post-incident review."""
    if to not in RUNBOOK:
        raise ValidationFailed(f"to is one of: {', '.join(RUNBOOK)}.", {"to": ["Unknown stage."]})
    with transaction.atomic():
        incident = get(ref, lock=True)
        check(actor, Perm.HANDLE_INCIDENTS, incident.management_system)
        if RUNBOOK.index(to) <= RUNBOOK.index(incident.status):
            raise Conflict(
                f"{incident.ref_id} is at {incident.get_status_display().lower()}: it can only move on to a later stage.",
            )
        if to == IncidentStatus.CLOSED and incident.reviewed_at is None:
            raise ValidationFailed(
                f"Record the post-incident review of {incident.ref_id} before closing it.",
                {"to": ["Record the post-incident review before closing."]},
            )
        before = incident.status
        incident.status = to
        incident.closed_at = timezone.now() if to == IncidentStatus.CLOSED else None
        incident.save(update_fields=["status", "closed_at", "updated_at"])
        label = IncidentStatus(to).label
        note_on_timeline(
            incident,
            actor,
            f"Stage: {label}." + (f" {note.strip()}" if note.strip() else ""),
            TimelineKind.STATUS,
        )
        trail.record(actor, TrailAction.UPDATE, incident, changes={"status": [before, to]})
    return incident


def add_timeline_entry(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    text: str,
    kind: str = TimelineKind.NOTE,
    at: dt.datetime | None = None,
) -> TimelineEntry:
    if not (text or "").strip():
        raise ValidationFailed("Write what happened.", {"text": ["Required."]})
    if kind not in TimelineKind.values:
        raise ValidationFailed(
            f"kind is one of: {', '.join(TimelineKind.values)}.", {"kind": ["Unknown kind."]}
        )
    at = _aware(at)
    _not_future(at, "at")
    with transaction.atomic():
        incident = get(ref, lock=True)
        check(actor, Perm.HANDLE_INCIDENTS, incident.management_system)
        entry = note_on_timeline(incident, actor, text.strip(), kind, at)
        trail.record(
            actor, TrailAction.UPDATE, incident, changes={"timeline": [None, f"{kind}: {entry.text[:200]}"]}
        )
    return entry


def tick_step(
    actor: Actor, ref: uuid.UUID | str, step_id: uuid.UUID | str, *, done: bool = True
) -> IncidentStep:
    """Tick (or untick) a step of the incident's playbook checklist, with who and when."""
    with transaction.atomic():
        incident = get(ref, lock=True)
        check(actor, Perm.HANDLE_INCIDENTS, incident.management_system)
        pk = resolvers.as_uuid(step_id)
        step = incident.steps.filter(pk=pk).first() if pk else None
        if step is None:
            raise NotFound(f"{incident.ref_id} has no playbook step {str(step_id)[:60]!r}.")
        if done == (step.done_at is not None):
            return step
        step.done_at, step.done_by = (timezone.now(), actor.user) if done else (None, None)
        step.save(update_fields=["done_at", "done_by"])
        if done:
            note_on_timeline(incident, actor, f"Done: {step.text}", TimelineKind.STEP)
        trail.record(actor, TrailAction.UPDATE, incident, changes={f"step {step.order}": [not done, done]})
    return step


def meet_clock(
    actor: Actor,
    ref: uuid.UUID | str,
    clock_id: uuid.UUID | str,
    *,
    met_at: dt.datetime | None = None,
    note: str = "",
) -> IncidentClock:
    """Record that the notification a clock asks for was made (when, and a note: to whom, the
    case number). The clock stops; the timeline says so."""
    met_at = _aware(met_at)
    _not_future(met_at, "met_at")
    with transaction.atomic():
        incident = get(ref, lock=True)
        check(actor, Perm.HANDLE_INCIDENTS, incident.management_system)
        pk = resolvers.as_uuid(clock_id)
        row = incident.clocks.select_related("clock").filter(pk=pk).first() if pk else None
        if row is None:
            row = incident.clocks.select_related("clock").filter(clock__slug=str(clock_id).strip()).first()
        if row is None:
            raise NotFound(f"{incident.ref_id} has no clock {str(clock_id)[:60]!r}.")
        if row.met_at is not None:
            raise Conflict(
                f"The {row.clock.name} of {incident.ref_id} was already met on {row.met_at:%Y-%m-%d %H:%M}."
            )
        row.met_at, row.met_by, row.met_note = met_at or timezone.now(), actor.user, (note or "").strip()
        row.save(update_fields=["met_at", "met_by", "met_note"])
        late = " (late)" if row.met_at > row.due_at else ""
        note_on_timeline(
            incident,
            actor,
            f"{row.clock.name} made{late}." + (f" {row.met_note}" if row.met_note else ""),
            TimelineKind.NOTIFICATION,
            at=row.met_at,
        )
        trail.record(
            actor,
            TrailAction.UPDATE,
            incident,
            changes={row.clock.name: [None, trail.json_value(row.met_at)]},
        )
    return row


def record_review(actor: Actor, ref: uuid.UUID | str, **data: Any) -> Incident:
    """Record (or revise) the post-incident review: what happened, the root cause and the lessons
    are required; the follow-up actions may be empty."""
    unknown = set(data) - set(REVIEW_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}.", {k: ["Unknown field."] for k in unknown}
        )
    missing = [n for n in REVIEW_FIELDS[:3] if not str(data.get(n) or "").strip()]
    if missing:
        raise ValidationFailed(
            "The post-incident review needs "
            + ", ".join(n.removeprefix("review_").replace("_", " ") for n in missing)
            + ".",
            {n: ["Required."] for n in missing},
        )
    with transaction.atomic():
        incident = get(ref, lock=True)
        check(actor, Perm.HANDLE_INCIDENTS, incident.management_system)
        if incident.status == IncidentStatus.CLOSED:
            raise Conflict(f"{incident.ref_id} is closed: its review can no longer change.")
        before = trail.snapshot(incident, REVIEW_FIELDS)
        apply_fields(incident, {k: str(v or "").strip() for k, v in data.items()}, REVIEW_FIELDS)
        incident.reviewed_at, incident.reviewed_by = timezone.now(), actor.user
        incident.save()
        note_on_timeline(incident, actor, "Post-incident review recorded.", TimelineKind.NOTE)
        trail.record(
            actor,
            TrailAction.UPDATE,
            incident,
            changes=trail.diff(before, trail.snapshot(incident, REVIEW_FIELDS)),
        )
    return incident
