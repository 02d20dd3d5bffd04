"""What risks have due, for "my work" and the reminders (keel/work/reminders.py): open risks
whose review date comes within the horizon or that an event marked for re-assessment (the
owner), and treatment actions not done by their due date (the action's owner, else the risk's).
Two queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from keel.work.reminders import Due

from .choices import ActionStatus, RiskStatus
from .models import Risk, TreatmentAction


def reviews_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    qs = (
        Risk.objects.filter(
            Q(review_date__lte=today + horizon) | ~Q(reassessment_reason=""),
            management_system__organisation=organisation,
            status=RiskStatus.OPEN,
        )
        .order_by("ref_id")
        .values(
            "ref_id",
            "title",
            "owner_id",
            "management_system_id",
            "review_date",
            "reassessment_reason",
            "reassessment_since",
        )
    )
    for r in qs:
        due: dt.date | None
        if r["reassessment_reason"]:
            since = r["reassessment_since"] or timezone.now()
            due, detail = timezone.localtime(since).date(), r["reassessment_reason"]
        else:
            due, detail = r["review_date"], "review date"
        if due is None:  # pragma: no cover - filtered out by the query
            continue
        yield Due(
            key=f"risk_review:{r['ref_id']}:{due.isoformat()}",
            kind="Risk review",
            title=f"{r['title']} ({r['ref_id']})",
            url=reverse("risk-detail", args=[r["ref_id"]]),
            due=due,
            person_id=r["owner_id"],
            management_system_id=r["management_system_id"],
            detail=detail,
        )


def treatment_actions_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    qs = (
        TreatmentAction.objects.filter(
            risk__management_system__organisation=organisation,
            risk__status=RiskStatus.OPEN,
            status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS],
            due_date__lte=today + horizon,
        )
        .order_by("due_date")
        .values(
            "pk",
            "title",
            "owner_id",
            "due_date",
            "risk__ref_id",
            "risk__owner_id",
            "risk__management_system_id",
        )
    )
    for a in qs:
        ref = a["risk__ref_id"]
        if a["due_date"] is None:  # pragma: no cover - filtered out by the query
            continue
        yield Due(
            key=f"risk_action:{a['pk']}:{a['due_date'].isoformat()}",
            kind="Risk treatment action",
            title=f"{a['title']} ({ref})",
            url=reverse("risk-detail", args=[ref]),
            due=a["due_date"],
            person_id=a["owner_id"] or a["risk__owner_id"],
            management_system_id=a["risk__management_system_id"],
            detail="action owner" if a["owner_id"] else "risk owner",
        )
