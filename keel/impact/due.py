"""What impact assessments have due, for "my work" and the reminders (keel/work/reminders.py):
approved assessments a trigger marked due, or whose planned re-assessment date comes within the
horizon, for the AI system's owner (else the assessment's author). One query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from keel.work.reminders import Due

from .choices import AssessmentStatus
from .models import ImpactAssessment


def reassessments_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    limit = timezone.make_aware(dt.datetime.combine(today + horizon, dt.time.max))
    qs = (
        ImpactAssessment.objects.filter(
            Q(due=True) | Q(next_review_at__lte=limit),
            ai_system__management_system__organisation=organisation,
            status=AssessmentStatus.APPROVED,
        )
        .order_by("ai_system__name")
        .values(
            "pk",
            "version",
            "due",
            "due_since",
            "due_reason",
            "next_review_at",
            "author_id",
            "ai_system__name",
            "ai_system__owner_id",
            "ai_system__management_system_id",
        )
    )
    for a in qs:
        when = a["due_since"] if a["due"] and a["due_since"] else a["next_review_at"] or timezone.now()
        due = timezone.localtime(when).date()
        yield Due(
            key=f"impact_reassessment:{a['pk']}:{due.isoformat()}",
            kind="Impact re-assessment",
            title=f"Impact assessment of {a['ai_system__name']} (version {a['version']})",
            url=reverse("impact-assessment-detail", args=[a["pk"]]),
            due=due,
            person_id=a["ai_system__owner_id"] or a["author_id"],
            management_system_id=a["ai_system__management_system_id"],
            detail=a["due_reason"] if a["due"] else "planned re-assessment",
        )
