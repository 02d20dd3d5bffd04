"""What the EU AI Act has due, for "my work" and the reminders (keel/work/reminders.py):
obligations that fall on an AI system as currently classified, whose application date comes
within the horizon (or has passed), neither met nor marked not applicable — for the system's
owner. Two queries; the catalogue is data in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from keel.work.reminders import Due

from . import queries
from .catalogue import catalogue
from .choices import ObligationState
from .models import ObligationStatus


def obligations_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    current = (
        queries.latest_ids()
        .filter(ai_system__management_system__organisation=organisation)
        .select_related("ai_system")
        .order_by("ai_system__name")
    )
    done = {
        (a, o)
        for a, o in ObligationStatus.objects.filter(
            status__in=[ObligationState.MET, ObligationState.NOT_APPLICABLE]
        ).values_list("ai_system_id", "obligation")
    }
    for c in current:
        for ob in catalogue().applicable(c):
            when = ob.timeline_for(c).current.date
            if when > today + horizon or (c.ai_system_id, ob.key) in done:
                continue
            yield Due(
                key=f"ai_act_obligation:{c.ai_system.short_name}:{ob.key}:{when.isoformat()}",
                kind="EU AI Act obligation",
                title=f"{c.ai_system.name}: {ob.ref} {ob.title}",
                url=reverse("aiact-system", args=[c.ai_system.short_name]),
                due=when,
                person_id=c.ai_system.owner_id,
                management_system_id=c.ai_system.management_system_id,
                detail="applies from " + when.isoformat(),
            )
