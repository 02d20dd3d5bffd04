"""Read-side queries of the internal audit programme, shared by pages, the API, the CLI and the
management review (docs/audits.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from keel.organisation.models import Organisation

from .choices import AuditFindingGrade, AuditStatus
from .models import Audit, Finding


@dataclass(frozen=True)
class AuditResult:
    """One audit as the management review reads it (input "audit results")."""

    ref: str
    title: str
    status: str
    status_label: str
    planned_start: dt.date
    reported_on: dt.date | None
    url: str
    findings: dict[str, int] = field(default_factory=dict)  # grade → count
    nonconformity_refs: tuple[str, ...] = ()


def audit_results(organisation: Organisation, start: dt.date, end: dt.date) -> list[AuditResult]:
    """The audits of the organisation reported or closed from ``start`` to ``end`` (both
    included), or in progress now, with their findings counted by grade and the nonconformities
    raised from them — in four queries whatever their number."""
    audits = list(
        Audit.objects.filter(programme__organisation=organisation)
        .filter(Q(reported_on__gte=start, reported_on__lte=end) | Q(status=AuditStatus.IN_PROGRESS))
        .order_by("planned_start", "ref_id")
    )
    counts: dict[Any, dict[str, int]] = {}
    ncs: dict[Any, list[str]] = {}
    for row in Finding.objects.filter(audit__in=audits).values("audit_id", "grade").annotate(n=Count("id")):
        counts.setdefault(row["audit_id"], {})[row["grade"]] = row["n"]
    for audit_id, ref in (
        Finding.objects.filter(audit__in=audits)
        .exclude(nonconformity_ref="")
        .values_list("audit_id", "nonconformity_ref")
    ):
        ncs.setdefault(audit_id, []).append(ref)
    return [
        AuditResult(
            ref=a.ref_id,
            title=a.title,
            status=a.status,
            status_label=a.get_status_display(),
            planned_start=a.planned_start,
            reported_on=a.reported_on,
            url=f"/audits/{a.ref_id}/",
            findings={g.value: counts.get(a.pk, {}).get(g.value, 0) for g in AuditFindingGrade},
            nonconformity_refs=tuple(sorted(ncs.get(a.pk, []))),
        )
        for a in audits
    ]
