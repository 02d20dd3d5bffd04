"""What documents have due, for "my work" and the reminders (keel/work/reminders.py): document
reviews (the owner, by ``next_review_on``) and outstanding acknowledgements (the person who owes
each). Two queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse

from keel.work.reminders import Due

from .choices import AckStatus, DocumentStatus
from .models import Acknowledgement, Document


def _in_org(organisation: Any, field: str = "management_systems") -> Q:
    return Q(**{f"{field}__organisation": organisation}) | Q(**{f"{field}__isnull": True})


def reviews_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    qs = (
        Document.objects.filter(_in_org(organisation), next_review_on__lte=today + horizon)
        .exclude(status=DocumentStatus.RETIRED)
        .distinct()
        .order_by("next_review_on", "ref_id")
        .values("ref_id", "title", "owner_id", "next_review_on")
    )
    for d in qs:
        if d["next_review_on"] is None:  # pragma: no cover - filtered out by the query
            continue
        yield Due(
            key=f"document_review:{d['ref_id']}:{d['next_review_on'].isoformat()}",
            kind="Document review",
            title=f"{d['title']} ({d['ref_id']})",
            url=reverse("document-detail", args=[d["ref_id"]]),
            due=d["next_review_on"],
            person_id=d["owner_id"],
            detail="owner",
        )


def acknowledgements_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[Due]:
    qs = (
        Acknowledgement.objects.filter(
            _in_org(organisation, "document__management_systems"),
            status=AckStatus.PENDING,
            due_on__lte=today + horizon,
        )
        .distinct()
        .order_by("due_on")
        .values("pk", "document__ref_id", "document__title", "person_id", "due_on")
    )
    for a in qs:
        ref = a["document__ref_id"]
        yield Due(
            key=f"acknowledgement:{a['pk']}:{a['due_on'].isoformat()}",
            kind="Acknowledgement",
            title=f"Read and acknowledge {a['document__title']} ({ref})",
            url=reverse("document-detail", args=[ref]),
            due=a["due_on"],
            person_id=a["person_id"],
            detail="to acknowledge",
        )
