"""Inputs about performance (9.3.2 d): nonconformities and corrective actions, monitoring and
measurement results, audit results, fulfilment of objectives; and, for ISO/IEC 27001, feedback
from interested parties (9.3.2 e). The incident register is read through the app registry, so
this module works whether or not keel.incidents has its models yet (it reads "no incident
register yet" until then)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.db.models import Prefetch

from keel.aisystems.models import MetricReading
from keel.audits.queries import audit_results
from keel.improvement import figures as improvement_figures
from keel.improvement.choices import OPEN_NONCONFORMITY, NonconformitySource, NonconformityStatus
from keel.improvement.models import Nonconformity
from keel.support.models import Concern, Objective, ObjectiveReading

from .base import Ctx, Figures


def _model(app: str, name: str) -> Any:
    try:
        return apps.get_model(app, name)
    except LookupError:
        return None


def nonconformities(ctx: Ctx) -> Figures:
    """The nonconformity queue of the covered systems (keel.improvement's figures): open ones by
    status and source, raised and closed in the period, corrective actions open and overdue,
    effectiveness checks that found actions did not work, recurrences."""
    q = improvement_figures.figures(management_systems=ctx.system_ids, since=ctx.period_start, on=ctx.today)
    open_ncs = list(
        improvement_figures.in_systems(Nonconformity.objects.all(), ctx.system_ids)
        .filter(status__in=OPEN_NONCONFORMITY)
        .order_by("ref_id")
    )
    f = Figures(
        summary=f"{q.open} nonconformities open; {q.raised_in_period} raised and {q.closed_in_period} closed since "
        f"{ctx.period_start.isoformat()}; corrective actions: {q.actions_open} open ({q.actions_overdue} overdue), "
        f"{q.actions_done_in_period} done in the period; {q.checks_ineffective_in_period} found ineffective; "
        f"{q.recurrences_in_period} recurrences.",
        facts=[
            ("Open", q.open),
            ("Raised in the period", q.raised_in_period),
            ("Closed in the period", q.closed_in_period),
            ("Corrective actions open", q.actions_open),
            ("Corrective actions overdue", q.actions_overdue),
            ("Actions found ineffective", q.checks_ineffective_in_period),
            ("Recurrences", q.recurrences_in_period),
            *[
                (f"Open from {NonconformitySource(s).label.lower()}", n)
                for s, n in sorted(q.by_source.items())
            ],
        ],
        columns=["Nonconformity", "Kind", "Source", "Status", "Raised"],
        rows=[
            [
                f"{n.ref_id} {n.title}",
                n.get_kind_display(),
                n.get_source_display(),
                n.get_status_display(),
                n.raised_on,
            ]
            for n in open_ncs
        ],
        chart_title="Open nonconformities by step",
    )
    for status in NonconformityStatus:
        if status in OPEN_NONCONFORMITY:
            f.bar(status.label, q.by_status.get(status.value, 0), "warn")
    f.bar("Closed in the period", q.closed_in_period, "ok")
    return f


def monitoring(ctx: Ctx) -> Figures:
    """Readings recorded in the period: objectives' measures and AI systems' operating metrics,
    with the breaches among them."""
    obj_readings = ObjectiveReading.objects.filter(
        objective__management_system_id__in=ctx.system_ids, on__gte=ctx.period_start
    ).count()
    metric = MetricReading.objects.filter(
        metric__ai_system__management_system_id__in=ctx.system_ids, at__date__gte=ctx.period_start
    )
    metric_readings = metric.count()
    breaches = metric.filter(breach=True).count()
    unmeasured = (
        Objective.objects.filter(management_system_id__in=ctx.system_ids)
        .exclude(readings__on__gte=ctx.period_start)
        .count()
    )
    f = Figures(
        summary=f"{obj_readings} objective readings and {metric_readings} operating-metric readings since "
        f"{ctx.period_start.isoformat()}; {breaches} metric readings breached their threshold; "
        f"{unmeasured} objectives were not measured in the period.",
        facts=[
            ("Objective readings", obj_readings),
            ("Operating-metric readings", metric_readings),
            ("Threshold breaches", breaches),
            ("Objectives not measured", unmeasured),
        ],
        chart_title="Monitoring and measurement in the period",
    )
    f.bar("Objective readings", obj_readings)
    f.bar("Metric readings", metric_readings)
    f.bar("Breaches", breaches, "bad" if breaches else "ok")
    f.bar("Objectives not measured", unmeasured, "warn" if unmeasured else "ok")
    return f


GRADE_LABELS = {
    "major_nc": "Major nonconformities",
    "minor_nc": "Minor nonconformities",
    "observation": "Observations",
    "ofi": "Opportunities for improvement",
}
GRADE_TONES = {"major_nc": "bad", "minor_nc": "warn", "observation": "neutral", "ofi": "ok"}


def audits(ctx: Ctx) -> Figures:
    """Internal audits reported in the period (or in progress) with their findings by grade."""
    results = audit_results(ctx.organisation, ctx.period_start, ctx.today)
    if not results:
        return Figures(
            summary=f"No internal audit reported since {ctx.period_start.isoformat()} and none in progress."
        )
    totals: Counter[str] = Counter()
    for r in results:
        totals.update(r.findings)
    f = Figures(
        summary=f"{len(results)} audits reported or in progress since {ctx.period_start.isoformat()}, with "
        + ", ".join(f"{totals[g]} {label.lower()}" for g, label in GRADE_LABELS.items())
        + ".",
        facts=[("Audits", len(results)), *[(label, totals[g]) for g, label in GRADE_LABELS.items()]],
        columns=["Audit", "Status", "Reported", *GRADE_LABELS.values(), "Nonconformities raised"],
        rows=[
            [
                f"{r.ref} {r.title}",
                r.status_label,
                r.reported_on,
                *[r.findings.get(g, 0) for g in GRADE_LABELS],
                ", ".join(r.nonconformity_refs),
            ]
            for r in results
        ],
        chart_title="Audit findings by grade",
    )
    for g, label in GRADE_LABELS.items():
        f.bar(label, totals[g], GRADE_TONES[g])
    return f


def objectives(ctx: Ctx) -> Figures:
    """Each objective of the covered systems: its target, latest reading, whether it meets the
    target, and its readings in the period."""
    objs = list(
        Objective.objects.filter(management_system_id__in=ctx.system_ids)
        .prefetch_related(Prefetch("readings", ObjectiveReading.objects.order_by("on")))
        .order_by("ref_id")
    )
    if not objs:
        return Figures(summary="No objectives recorded for the systems reviewed.")
    rows: list[list[Any]] = []
    met = missed = unread = 0
    for o in objs:
        readings = [r for r in o.readings.all() if r.on <= ctx.today]
        unit = f" {o.unit}" if o.unit else ""
        in_period = [r for r in readings if r.on >= ctx.period_start]
        if not readings:
            unread += 1
            rows.append([f"{o.ref_id} {o.title}", f"{o.target.normalize()}{unit}", "", "", "No reading", 0])
            continue
        latest = readings[-1]
        ok = o.on_target(latest.value)
        met += ok
        missed += not ok
        first = in_period[0].value if in_period else latest.value
        rows.append(
            [
                f"{o.ref_id} {o.title}",
                f"{o.get_direction_display()} {o.target.normalize()}{unit}",
                f"{latest.value.normalize()}{unit} on {latest.on.isoformat()}",
                f"{(latest.value - first).normalize():+}{unit}" if in_period else "",
                "On target" if ok else "Off target",
                len(in_period),
            ]
        )
    f = Figures(
        summary=f"{met} of {len(objs)} objectives on target at their latest reading, {missed} off target, "
        f"{unread} without a reading.",
        facts=[("Objectives", len(objs)), ("On target", met), ("Off target", missed), ("No reading", unread)],
        columns=[
            "Objective",
            "Target",
            "Latest reading",
            "Change in the period",
            "Status",
            "Readings in the period",
        ],
        rows=rows,
        chart_title="Objectives at their latest reading",
    )
    f.bar("On target", met, "ok")
    f.bar("Off target", missed, "bad")
    f.bar("No reading", unread, "warn")
    return f


def feedback(ctx: Ctx) -> Figures:
    """Feedback from interested parties: complaints recorded in the nonconformity queue and
    concerns reported about AI systems in the period."""
    concerns = Concern.objects.filter(
        management_system_id__in=ctx.system_ids, reported_on__gte=ctx.period_start
    ).count()
    complaints = (
        improvement_figures.in_systems(Nonconformity.objects.all(), ctx.system_ids)
        .filter(source=NonconformitySource.COMPLAINT, raised_on__gte=ctx.period_start)
        .count()
    )
    f = Figures(
        summary=f"{complaints} complaints and {concerns} concerns about AI systems received since "
        f"{ctx.period_start.isoformat()}.",
        facts=[
            ("Complaints recorded as nonconformities", complaints),
            ("Concerns about AI systems reported", concerns),
        ],
        chart_title="Feedback received in the period",
    )
    f.bar("Complaints", complaints, "warn" if complaints else "ok")
    f.bar("Concerns", concerns, "warn" if concerns else "ok")
    return f


def incidents(ctx: Ctx) -> Figures:
    """Incidents of the covered systems in the period, when Keel has an incident register."""
    model = _model("incidents", "Incident")
    if model is None:
        return Figures(
            summary="No incident register yet: incidents are reported outside Keel for this review.",
            notes=["Keel has no incident register yet."],
        )
    qs = model.objects.all()
    names = {f.name for f in model._meta.get_fields()}
    if "management_system" in names:
        qs = qs.filter(management_system_id__in=ctx.system_ids)
    elif "management_systems" in names:
        qs = qs.filter(management_systems__in=list(ctx.system_ids)).distinct()
    when = next((n for n in ("detected_at", "occurred_at", "reported_at", "created_at") if n in names), None)
    if when:
        qs = qs.filter(**{f"{when}__date__gte": ctx.period_start})
    rows = list(qs)
    by_status = Counter(str(getattr(i, "status", "")) for i in rows)
    f = Figures(
        summary=f"{len(rows)} incidents since {ctx.period_start.isoformat()}.",
        facts=[("Incidents", len(rows)), *[(f"Status: {s}", n) for s, n in sorted(by_status.items())]],
        chart_title="Incidents by status",
    )
    for s, n in sorted(by_status.items()):
        f.bar(s or "unknown", n)
    return f
