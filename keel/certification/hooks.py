"""What keel.certification registers at start-up (CertificationConfig.ready): the reminder source
of auditor requests (the owner, by their due date), the management_system.restructured answer
(a split adds the new system to the cycles certifying its standard; a merge replaces the source)
and the consistency-check rule ``certification_deadline_missed``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform import checks, hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.standards.models import Standard
from keel.work import reminders

from .choices import AuditorRequestStatus
from .deadlines import deadlines
from .models import AuditorRequest, CertificationCycle


def requests_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    qs = (
        AuditorRequest.objects.filter(
            cycle__organisation=organisation,
            status=AuditorRequestStatus.OPEN,
            due_on__lte=today + horizon,
            owner__isnull=False,
        )
        .order_by("due_on", "ref_id")
        .values("ref_id", "text", "due_on", "owner_id", "requested_by")
    )
    for r in qs:
        if r["due_on"] is None:  # pragma: no cover - filtered out by the query
            continue
        yield reminders.Due(
            key=f"auditor_request:{r['ref_id']}:{r['due_on'].isoformat()}",
            kind="Auditor request",
            title=f"{r['ref_id']}: {r['text'][:120]}",
            url=reverse("certification-cycle") + f"#{r['ref_id']}",
            due=r["due_on"],
            person_id=r["owner_id"],
            detail=f"asked by {r['requested_by']}" if r["requested_by"] else "certification body",
        )


def restructured(
    actor: Actor, kind: str, source: ManagementSystem, target: ManagementSystem, standard: Standard | None
) -> list[trail.Pending]:
    out: list[trail.Pending] = []
    qs = CertificationCycle.objects.filter(management_systems=source).order_by("ref_id")
    if kind == "split" and standard is not None:
        qs = qs.filter(standards=standard)
    for c in qs:
        if kind == "merge":
            c.management_systems.remove(source)
        c.management_systems.add(target)
        out.append(
            trail.Pending(
                TrailAction.UPDATE,
                c,
                changes={"management_systems": [source.short_name, target.short_name]},
                management_system_ids=[source.pk, target.pk],
            )
        )
    return out


def deadlines_missed(systems: checks.Systems) -> list[checks.Finding]:
    """Certification audits past their deadline and not done (the certificate is at risk)."""
    today = timezone.localdate()
    out: list[checks.Finding] = []
    qs = CertificationCycle.objects.prefetch_related("audits").order_by("ref_id")
    if systems is not None:
        qs = qs.filter(management_systems__in=systems).distinct()
    for c in qs:
        for d in deadlines(c, today, list(c.audits.all())):
            if not d.overdue or d.due is None:
                continue
            out.append(
                checks.Finding(
                    rule="certification_deadline_missed",
                    title=f"{c.ref_id}: the {d.label.lower()} audit was due by {d.due.isoformat()} and has not taken place",
                    detail=f"Due {d.basis}. Agree a date with {c.certification_body} at once and record the audit; "
                    "a late surveillance or recertification audit can suspend or end the certificate.",
                    record_label=f"{c.ref_id} {c.title}",
                    url=reverse("certification-cycle") + f"#{c.ref_id}",
                    management_system_id=None,
                )
            )
    return out


def register() -> None:
    reminders.register("auditor_request", requests_due)
    hooks.register("management_system.restructured", restructured)
    checks.register(
        checks.Rule(
            "certification_deadline_missed",
            "Certification audits past their deadline",
            "certification",
            deadlines_missed,
            order=130,
        )
    )
