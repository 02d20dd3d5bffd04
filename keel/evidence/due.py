"""What evidence has due, for "my work" and the reminders (keel/work/reminders.py): current
evidence whose current version's validity ends (``valid_until``), for its owner to renew. One
query whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse

from keel.work.reminders import Due

from .choices import EvidenceStatus
from .models import Evidence


def expiring(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    qs = (
        Evidence.objects.filter(
            Q(management_systems__organisation=organisation) | Q(management_systems__isnull=True),
            status=EvidenceStatus.CURRENT,
            current_version__valid_until__lte=today + horizon,
        )
        .distinct()
        .order_by("current_version__valid_until", "ref_id")
        .values("ref_id", "title", "owner_id", "current_version__valid_until")
    )
    for e in qs:
        until = e["current_version__valid_until"]
        if until is None:  # pragma: no cover - filtered out by the query
            continue
        yield Due(
            key=f"evidence_expiry:{e['ref_id']}:{until.isoformat()}",
            kind="Evidence expiry",
            title=f"{e['title']} ({e['ref_id']})",
            url=reverse("evidence-detail", args=[e["ref_id"]]),
            due=until,
            person_id=e["owner_id"],
            detail="valid until " + until.isoformat(),
        )
