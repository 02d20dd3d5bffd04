"""Read side of the certification cycle, shared by the pages and the API: every list a fixed
number of queries whatever its length. Certification records are organisation-level: whoever
may view Keel may view them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from keel.platform import filters

from .choices import AuditorRequestStatus, CertificationAuditKind, CertificationAuditStatus
from .models import AuditorRequest, AuditorRequestLink, CbFinding, CertificationAudit, CertificationCycle


@dataclass
class CertificationAuditFilters:
    cycle: str = filters.text(label="Cycle", help="The cycle's reference, e.g. CERT-001.", max_length=32)
    kind: str = filters.choice(CertificationAuditKind, label="Kind", any="Any kind")
    status: str = filters.choice(CertificationAuditStatus, label="Status", any="Any status")


@dataclass
class AuditorRequestFilters:
    cycle: str = filters.text(label="Cycle", help="The cycle's reference, e.g. CERT-001.", max_length=32)
    status: str = filters.choice(AuditorRequestStatus, label="Status", any="Any status")
    q: str = filters.text(label="Search", max_length=100)


def cycles() -> QuerySet[CertificationCycle]:
    return CertificationCycle.objects.prefetch_related("standards", "management_systems").order_by("ref_id")


def audits(f: CertificationAuditFilters | None = None) -> QuerySet[CertificationAudit]:
    f = f or CertificationAuditFilters()
    qs = CertificationAudit.objects.select_related("cycle").prefetch_related(
        Prefetch("findings", queryset=CbFinding.objects.order_by("number"))
    )
    if f.cycle:
        qs = qs.filter(cycle__ref_id__iexact=f.cycle)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.order_by("cycle__ref_id", "planned_start", "ref_id")


def requests(f: AuditorRequestFilters | None = None) -> QuerySet[AuditorRequest]:
    f = f or AuditorRequestFilters()
    qs = AuditorRequest.objects.select_related("cycle", "audit", "owner").prefetch_related(
        Prefetch("links", queryset=AuditorRequestLink.objects.order_by("created_at"))
    )
    if f.cycle:
        qs = qs.filter(cycle__ref_id__iexact=f.cycle)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(text__icontains=f.q)
    return qs.order_by("ref_id")


def request_counts() -> dict[str, int]:
    return dict(
        AuditorRequest.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )


def overdue_requests(today: dt.date) -> QuerySet[AuditorRequest]:
    return AuditorRequest.objects.filter(status=AuditorRequestStatus.OPEN, due_on__lt=today)
