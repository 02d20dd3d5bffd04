"""What support records have due, for "my work" and the reminders (keel/work/reminders.py):
competence records expiring within the horizon (or expired) that no later record renews (the
person holding it), and objectives whose next reading is due by their frequency (the owner).
Two queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse

from keel.work.reminders import Due

from .choices import FREQUENCY_DAYS
from .models import CompetenceRecord, Objective


def competence_expiring(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    later = CompetenceRecord.objects.filter(
        person=OuterRef("person"), management_system=OuterRef("management_system")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    renewed = later.filter(
        Q(competence__isnull=False, competence=OuterRef("competence"))
        | Q(competence__isnull=True, title=OuterRef("title"))
    )
    qs = (
        CompetenceRecord.objects.filter(
            management_system__organisation=organisation, expires_on__lte=today + horizon
        )
        .annotate(renewed=Exists(renewed))
        .filter(renewed=False)
        .order_by("expires_on")
        .values("pk", "title", "person_id", "expires_on", "management_system_id")
    )
    for r in qs:
        yield Due(
            key=f"competence_expiry:{r['pk']}:{r['expires_on'].isoformat()}",
            kind="Competence expiry",
            title=r["title"],
            url=reverse("competence-record-detail", args=[r["pk"]]),
            due=r["expires_on"],
            person_id=r["person_id"],
            management_system_id=r["management_system_id"],
            detail="renew it and record the evidence",
        )


def readings_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    qs = (
        Objective.objects.filter(management_system__organisation=organisation)
        .annotate(latest_on=Max("readings__on"))
        .order_by("ref_id")
        .values("ref_id", "title", "owner_id", "frequency", "latest_on", "created_at", "management_system_id")
    )
    for o in qs:
        start = o["latest_on"] or o["created_at"].date()
        due = start + dt.timedelta(days=FREQUENCY_DAYS.get(o["frequency"], 38) - 7)
        if due > today + horizon:
            continue
        yield Due(
            key=f"objective_reading:{o['ref_id']}:{due.isoformat()}",
            kind="Objective reading",
            title=f"{o['title']} ({o['ref_id']})",
            url=reverse("objective-detail", args=[o["ref_id"]]),
            due=due,
            person_id=o["owner_id"],
            management_system_id=o["management_system_id"],
            detail=f"last reading {o['latest_on'].isoformat()}" if o["latest_on"] else "no reading yet",
        )
