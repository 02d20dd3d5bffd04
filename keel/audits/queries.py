"""Read-side queries of the internal audit programme, shared by pages, the API, the CLI and the
management review (docs/audits.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from keel.organisation import options, resolvers
from keel.organisation.models import Organisation
from keel.platform import filters
from keel.platform.errors import NotFound
from keel.platform.models import User
from keel.platform.schemas import MS_REF

from .choices import AuditFindingGrade, AuditItemResult, AuditSampleResult, AuditStatus
from .models import Audit, AuditItem, AuditProgramme, AuditSample, Finding


def _programmes(kwargs: Any) -> list[tuple[str, str]]:
    return [(p.ref_id, f"{p.ref_id} {p.title}") for p in AuditProgramme.objects.order_by("-first_year")]


@dataclass
class AuditFilters:
    """The filters of the audit list: its API parameters and its page form."""

    status: str = filters.choice(AuditStatus, label="Status", any="Any status")
    programme: str = filters.reference(
        label="Programme",
        any="Every programme",
        options=_programmes,
        max_length=32,
        help="A programme's reference (AP-001).",
    )
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    q: str = filters.text(label="Search", max_length=100, help="Words in the reference or title.")


@dataclass
class ItemFilters:
    """The filters of the checklist items (API)."""

    audit: str = filters.reference(max_length=40, help="An audit's reference (AUD-2026-01).")
    result: str = filters.choice(AuditItemResult, help="Only items with this result.")


@dataclass
class SampleFilters:
    """The filters of the samples (API)."""

    audit: str = filters.reference(max_length=40, help="An audit's reference (AUD-2026-01).")
    item: str = filters.reference(max_length=40, help="A checklist item's id.")
    result: str = filters.choice(AuditSampleResult, help="Only samples with this result.")


@dataclass
class FindingFilters:
    """The filters of the findings (API)."""

    audit: str = filters.reference(max_length=40, help="An audit's reference (AUD-2026-01).")
    grade: str = filters.choice(AuditFindingGrade, help="Only findings of this grade.")
    raised: str = filters.choice(
        [("yes", "Raised as a nonconformity"), ("no", "Not raised")],
        help="yes: raised as a nonconformity; no: not (yet) raised.",
    )


def visible_audits(qs: QuerySet[Any], user: User | None, via: str = "") -> QuerySet[Any]:
    """Records of audits of a management system ``user`` may view, or of none (organisation-wide);
    ``via`` is the path from the record to its audit (``"audit__"``)."""
    ids = resolvers.visible_system_ids(user) if user is not None else None
    if ids is None:
        return qs
    visible = Audit.objects.filter(Q(management_systems__in=ids) | Q(management_systems__isnull=True))
    return qs.filter(**{f"{via}pk__in": visible.values("pk")})


def programmes(user: User | None) -> QuerySet[AuditProgramme]:
    return (
        AuditProgramme.objects.select_related("owner")
        .prefetch_related("standards", "management_systems")
        .annotate(audit_count=Count("audits", distinct=True))
        .order_by("-first_year", "ref_id")
    )


def programme_for(ref: str) -> AuditProgramme:
    qs = programmes(None)
    found = qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None and (pk := resolvers.as_uuid(ref)) is not None:
        found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No audit programme {str(ref)[:60]!r}: give its reference (e.g. AP-001).")
    return found


def audits(user: User | None, f: AuditFilters | None = None) -> QuerySet[Audit]:
    f = f or AuditFilters()
    qs = (
        Audit.objects.select_related("programme", "lead_auditor")
        .prefetch_related("management_systems", "team")
        .annotate(
            finding_count=Count("findings", distinct=True),
            item_count=Count("items", distinct=True),
        )
    )
    qs = visible_audits(qs, user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.programme:
        qs = qs.filter(programme=programme_for(f.programme))
    if f.management_system:
        ms = resolvers.management_system(f.management_system, resolvers.TRUSTED if user is None else user)
        qs = qs.filter(management_systems=ms)
    if f.q:
        qs = qs.filter(Q(ref_id__icontains=f.q) | Q(title__icontains=f.q))
    return qs.order_by("planned_start", "ref_id")


def audit_for(user: User | None, ref: str) -> Audit:
    qs = audits(user)
    found = qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None and (pk := resolvers.as_uuid(ref)) is not None:
        found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No audit {str(ref)[:60]!r}: give its reference (e.g. AUD-2026-01).")
    return found


def items(user: User | None, f: ItemFilters | None = None) -> QuerySet[AuditItem]:
    f = f or ItemFilters()
    qs = (
        AuditItem.objects.select_related("audit", "requirement__standard", "control", "assessed_by")
        .prefetch_related("evidence")
        .annotate(sample_count=Count("samples", distinct=True))
    )
    qs = visible_audits(qs, user, "audit__")
    if f.audit:
        qs = qs.filter(audit=audit_for(user, f.audit))
    if f.result:
        qs = qs.filter(result=f.result)
    return qs.order_by("audit__planned_start", "audit__ref_id", "position")


def samples(user: User | None, f: SampleFilters | None = None) -> QuerySet[AuditSample]:
    f = f or SampleFilters()
    qs = AuditSample.objects.select_related("item__audit", "item__control", "evidence", "tested_by")
    qs = visible_audits(qs, user, "item__audit__")
    if f.audit:
        qs = qs.filter(item__audit=audit_for(user, f.audit))
    if f.item:
        pk = resolvers.as_uuid(f.item)
        qs = qs.filter(item_id=pk) if pk else qs.none()
    if f.result:
        qs = qs.filter(result=f.result)
    return qs.order_by("item__audit__ref_id", "item__position", "period_start")


def findings(user: User | None, f: FindingFilters | None = None) -> QuerySet[Finding]:
    f = f or FindingFilters()
    qs = Finding.objects.select_related("audit", "raised_by", "item").prefetch_related(
        Prefetch("requirements"), Prefetch("controls")
    )
    qs = visible_audits(qs, user, "audit__")
    if f.audit:
        qs = qs.filter(audit=audit_for(user, f.audit))
    if f.grade:
        qs = qs.filter(grade=f.grade)
    if f.raised == "yes":
        qs = qs.exclude(nonconformity_ref="")
    elif f.raised == "no":
        qs = qs.filter(nonconformity_ref="")
    return qs.order_by("audit__planned_start", "audit__ref_id", "number")


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
