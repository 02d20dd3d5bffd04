"""Inputs of ISO/IEC 42001 about AI systems in operation (the AI system performance and the
concerns reported, A.6.2.6 and A.3.3), the risk assessment results and the status of risk
treatment (27001 9.3.2 f), and the opportunities for continual improvement (9.3.2 g / e)."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q

from keel.aisystems.models import AISystem
from keel.audits.models import Finding
from keel.platform import checks
from keel.risks.choices import ActionStatus, RiskStatus
from keel.risks.models import Risk, TreatmentAction
from keel.support.choices import OPEN_CONCERN, ConcernStatus
from keel.support.models import Concern

from .base import Ctx, Figures

CONCERN_LATE_DAYS = 30


def ai_performance(ctx: Ctx) -> Figures:
    """Per AI system of the covered systems: its metrics, readings and breaches in the period,
    and the flags still open."""
    systems = list(
        AISystem.objects.filter(management_system_id__in=ctx.system_ids)
        .annotate(
            n_metrics=Count("metrics", distinct=True),
            n_readings=Count(
                "metrics__readings",
                filter=Q(metrics__readings__at__date__gte=ctx.period_start),
                distinct=True,
            ),
            n_breaches=Count(
                "metrics__readings",
                filter=Q(metrics__readings__at__date__gte=ctx.period_start, metrics__readings__breach=True),
                distinct=True,
            ),
            n_open_flags=Count("flags", filter=Q(flags__status="open"), distinct=True),
        )
        .order_by("short_name")
    )
    if not systems:
        return Figures(summary="No AI systems in the systems reviewed.")
    monitored = [s for s in systems if s.n_metrics]
    breaches = sum(s.n_breaches for s in systems)
    flags = sum(s.n_open_flags for s in systems)
    f = Figures(
        summary=f"{len(monitored)} of {len(systems)} AI systems have operating metrics; {breaches} readings "
        f"breached a threshold since {ctx.period_start.isoformat()}; {flags} flags still open.",
        facts=[
            ("AI systems", len(systems)),
            ("With operating metrics", len(monitored)),
            ("Breaches in the period", breaches),
            ("Open flags", flags),
        ],
        columns=["AI system", "Stage", "Metrics", "Readings in the period", "Breaches", "Open flags"],
        rows=[
            [
                f"{s.name} ({s.short_name})",
                s.get_lifecycle_stage_display(),
                s.n_metrics,
                s.n_readings,
                s.n_breaches,
                s.n_open_flags,
            ]
            for s in systems
        ],
        chart_title="Threshold breaches per AI system in the period",
    )
    for s in systems:
        f.bar(s.short_name, s.n_breaches, "bad" if s.n_breaches else "ok")
    return f


def concerns(ctx: Ctx) -> Figures:
    """Concerns about AI systems reported in the period, by status, and those still open."""
    qs = (
        Concern.objects.filter(management_system_id__in=ctx.system_ids)
        .filter(Q(reported_on__gte=ctx.period_start) | Q(status__in=OPEN_CONCERN))
        .select_related("ai_system")
        .order_by("reported_on", "ref_id")
    )
    found = list(qs)
    if not found:
        return Figures(
            summary=f"No concern about an AI system reported since {ctx.period_start.isoformat()}."
        )
    by = Counter(c.status for c in found)
    late = [
        c for c in found if c.status in OPEN_CONCERN and (ctx.today - c.reported_on).days > CONCERN_LATE_DAYS
    ]
    f = Figures(
        summary=f"{len(found)} concerns reported in the period or still open: "
        + ", ".join(f"{by[s]} {s.label.lower()}" for s in ConcernStatus)
        + f"; {len(late)} open for more than {CONCERN_LATE_DAYS} days.",
        facts=[
            *[(s.label, by[s]) for s in ConcernStatus],
            (f"Open over {CONCERN_LATE_DAYS} days", len(late)),
        ],
        # the reporter is never shown: the minutes are read by more people than may see it
        columns=["Concern", "AI system", "Reported", "Status"],
        rows=[
            [
                f"{c.ref_id} {c.summary}",
                c.ai_system.name if c.ai_system else "",
                c.reported_on,
                c.get_status_display(),
            ]
            for c in found
        ],
        chart_title="Concerns by status",
    )
    for s in ConcernStatus:
        f.bar(s.label, by[s], "warn" if s in OPEN_CONCERN else "ok")
    return f


def risks(ctx: Ctx) -> Figures:
    """Open risks by register and current level (residual when assessed, else inherent), their
    treatment and acceptance, treatment actions overdue, reviews past due."""
    qs = list(
        Risk.objects.filter(management_system_id__in=ctx.system_ids, status=RiskStatus.OPEN)
        .select_related("methodology")
        .order_by("ref_id")
    )
    if not qs:
        return Figures(summary="No open risks in the systems reviewed.")
    levels: Counter[tuple[int, str]] = Counter()
    by_register: Counter[str] = Counter()
    untreated = 0
    accepted = 0
    for r in qs:
        key = r.residual_level or r.inherent_level
        label = r.methodology.level(key)["label"]
        levels[(r.methodology.rank(key), str(label))] += 1
        by_register[r.get_register_display()] += 1
        untreated += not r.treatment_option
        accepted += r.acceptance in ("accepted", "exception")
    actions = TreatmentAction.objects.filter(risk__in=qs)
    open_actions = actions.exclude(status__in=[ActionStatus.DONE, ActionStatus.CANCELLED])
    overdue_actions = open_actions.filter(due_date__lt=ctx.today).count()
    done_actions = actions.filter(status=ActionStatus.DONE).count()
    assessed = len([r for r in qs if r.assessed_at and r.assessed_at.date() >= ctx.period_start])
    review_due = len([r for r in qs if r.review_date and r.review_date < ctx.today])
    f = Figures(
        summary=f"{len(qs)} open risks ({', '.join(f'{n} {k.lower()}' for k, n in sorted(by_register.items()))}); "
        f"{assessed} assessed since {ctx.period_start.isoformat()}; {untreated} without a treatment decision; "
        f"{accepted} with the residual risk accepted; treatment actions: {done_actions} done, "
        f"{open_actions.count()} open ({overdue_actions} overdue).",
        facts=[
            ("Open risks", len(qs)),
            *[(k, n) for k, n in sorted(by_register.items())],
            ("Assessed in the period", assessed),
            ("Without a treatment decision", untreated),
            ("Residual risk accepted", accepted),
            ("Past their review date", review_due),
            ("Treatment actions done", done_actions),
            ("Treatment actions open", open_actions.count()),
            ("Treatment actions overdue", overdue_actions),
        ],
        chart_title="Open risks by current level",
    )
    for (_rank, label), n in sorted(levels.items(), reverse=True):
        f.bar(label, n, "bad" if _rank == max(k[0] for k in levels) else "neutral")
    return f


def improvement(ctx: Ctx) -> Figures:
    """Where the system could improve: audit findings graded observation or opportunity for
    improvement in the period, and what the consistency check finds today."""
    findings = list(
        Finding.objects.filter(
            audit__programme__organisation=ctx.organisation,
            grade__in=["observation", "ofi"],
            raised_on__gte=ctx.period_start,
        )
        .select_related("audit")
        .order_by("audit__ref_id", "number")
    )
    found = checks.run(set(ctx.system_ids))
    by_rule = Counter(x.rule for x in found)
    titles = {r.key: r.title for r in checks.rules()}
    f = Figures(
        summary=f"{len(findings)} audit observations and opportunities for improvement since "
        f"{ctx.period_start.isoformat()}; the consistency check finds {len(found)} things to put right "
        f"under {len(by_rule)} rules.",
        facts=[
            ("Audit observations and opportunities", len(findings)),
            ("Consistency-check findings", len(found)),
        ],
        columns=["Source", "What"],
        rows=[
            *[[f"{x.audit.ref_id} {x.ref}", x.title] for x in findings],
            *[["Consistency check", f"{titles.get(rule, rule)}: {n}"] for rule, n in sorted(by_rule.items())],
        ],
        chart_title="Consistency-check findings by rule",
    )
    for rule, n in by_rule.most_common(8):
        f.bar(titles.get(rule, rule), n, "warn")
    return f
