"""What the audits app registers at start-up (AuditsConfig.ready): the management systems a
trail entry about an audit record concerns; the re-tagging of programmes and audits when the
EU AI Act advisor splits or merges management systems; the reminder sources (audits due to
start, reports overdue); the consistency-check rule ``audit_report_overdue``; the audits a
person leads or joins on the person page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform import checks, hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.models import User
from keel.standards.models import Standard
from keel.work import reminders

from .choices import AuditStatus
from .models import Audit, AuditProgramme
from .services import REPORT_GRACE_DAYS

START_NOTICE_DAYS = 14  # an audit shows as "due to start" this long ahead (or the horizon's)


def _audit_systems(obj: Audit) -> list[Any]:
    return list(obj.management_systems.values_list("pk", flat=True))


def _programme_systems(obj: AuditProgramme) -> list[Any]:
    return list(obj.management_systems.values_list("pk", flat=True))


def report_due(a: Audit) -> dt.date:
    return a.report_due or a.planned_end + dt.timedelta(days=REPORT_GRACE_DAYS)


def restructured(
    actor: Actor, kind: str, source: ManagementSystem, target: ManagementSystem, standard: Standard | None
) -> list[trail.Pending]:
    """A split: programmes and audits of the source also cover the new system (an audit covers
    both standards; the auditor narrows it if needed). A merge: the source is replaced by the
    target."""
    out: list[trail.Pending] = []
    for model in (AuditProgramme, Audit):
        for obj in model.objects.filter(management_systems=source).order_by("ref_id"):
            if kind == "merge":
                obj.management_systems.remove(source)
            obj.management_systems.add(target)
            out.append(
                trail.Pending(
                    TrailAction.UPDATE,
                    obj,
                    changes={"management_systems": [source.short_name, target.short_name]},
                    management_system_ids=[source.pk, target.pk],
                )
            )
    return out


def audits_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    """Planned audits due to start (the lead auditor) and reports not made by their due date."""
    until = today + max(horizon, dt.timedelta(days=START_NOTICE_DAYS))
    qs = Audit.objects.filter(programme__organisation=organisation).prefetch_related("management_systems")
    out: list[reminders.Due] = []
    for a in qs.filter(status=AuditStatus.PLANNED, planned_start__lte=until).order_by("planned_start"):
        systems = [m.pk for m in a.management_systems.all()]
        out.append(
            reminders.Due(
                key=f"audit_start:{a.ref_id}:{a.planned_start.isoformat()}",
                kind="Internal audit to start",
                title=f"{a.title} ({a.ref_id})",
                url=reverse("audit-detail", args=[a.ref_id]),
                due=a.planned_start,
                person_id=a.lead_auditor_id,
                management_system_id=systems[0] if systems else None,
                detail="lead auditor",
            )
        )
    for a in qs.filter(status=AuditStatus.IN_PROGRESS).order_by("planned_end"):
        due = report_due(a)
        if due > today + horizon:
            continue
        systems = [m.pk for m in a.management_systems.all()]
        out.append(
            reminders.Due(
                key=f"audit_report:{a.ref_id}:{due.isoformat()}",
                kind="Internal audit report",
                title=f"{a.title} ({a.ref_id})",
                url=reverse("audit-detail", args=[a.ref_id]),
                due=due,
                person_id=a.lead_auditor_id,
                management_system_id=systems[0] if systems else None,
                detail="lead auditor",
            )
        )
    return out


def reports_overdue(systems: checks.Systems) -> list[checks.Finding]:
    today = timezone.localdate()
    qs = Audit.objects.filter(status=AuditStatus.IN_PROGRESS).prefetch_related("management_systems")
    if systems is not None:
        qs = qs.filter(Q(management_systems__in=systems) | Q(management_systems__isnull=True)).distinct()
    out = []
    for a in qs.order_by("planned_end", "ref_id"):
        due = report_due(a)
        if due >= today:
            continue
        ms = [m.pk for m in a.management_systems.all()]
        out.append(
            checks.Finding(
                rule="audit_report_overdue",
                title=f"{a.ref_id} {a.title}: the report was due on {due.isoformat()}",
                detail="An internal audit still in progress after its report was due. Write the conclusion, "
                "record the results and findings and report it, or move its dates with the reason.",
                record_label=f"{a.ref_id} {a.title}",
                url=reverse("audit-detail", args=[a.ref_id]),
                management_system_id=ms[0] if ms else None,
            )
        )
    return out


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    qs = (
        Audit.objects.filter(Q(lead_auditor=person) | Q(team=person))
        .exclude(status=AuditStatus.CLOSED)
        .distinct()
        .order_by("planned_start")
    )
    return [
        hooks.Owned(
            "Internal audits",
            a.ref_id,
            a.title,
            reverse("audit-detail", args=[a.ref_id]),
            ("lead auditor" if a.lead_auditor_id == person.pk else "audit team")
            + f", {a.get_status_display().lower()}",
        )
        for a in qs
    ]


def register() -> None:
    trail.register_systems("audits.audit", _audit_systems)
    trail.register_systems("audits.auditprogramme", _programme_systems)
    trail.register_systems("audits.audititem", lambda o: _audit_systems(o.audit))
    trail.register_systems("audits.auditsample", lambda o: _audit_systems(o.item.audit))
    trail.register_systems("audits.finding", lambda o: _audit_systems(o.audit))
    hooks.register("management_system.restructured", restructured)
    hooks.register("person.owned", owned)
    reminders.register("audit", audits_due)
    checks.register(
        checks.Rule(
            "audit_report_overdue",
            "Internal audits whose report is overdue",
            "audits",
            reports_overdue,
            order=120,
        )
    )


__all__ = ["register", "report_due"]
