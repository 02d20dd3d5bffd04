"""The dashboard's readiness picture: per management system and standard, the SoA's status
counts and readiness figure, the gap analysis counts, risks above appetite, AI systems by stage
with impact assessments due; what is due for the person looking; and the first-run checklist.

The site layer composes the read-side queries of each app (it may import all of them). The
number of queries is fixed: it grows neither with the records nor with the management systems
and standards (tests/query_counts.json holds the dashboard's baseline). See
docs/getting-started.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists
from django.urls import reverse

from keel.aisystems import queries as aisystems_queries
from keel.aisystems.choices import LifecycleStage
from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.evidence import queries as evidence_queries
from keel.gap import queries as gap_queries
from keel.gap.choices import CoverageStatus
from keel.impact import queries as impact_queries
from keel.organisation import queries as organisation_queries
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.platform.permissions import Perm, restrict
from keel.risks import queries as risks_queries
from keel.risks.choices import Register
from keel.risks.models import Methodology
from keel.soa import queries as soa_queries
from keel.soa.choices import SoAStatus
from keel.soa.models import StatementOfApplicability
from keel.standards.models import Standard

# The order and colour class (keel.css: .seg-*) of each segment of the readiness bars.
SOA_SEGMENTS: list[tuple[str, str, str]] = [
    (SoAStatus.IMPLEMENTED, "Implemented with evidence", "good"),
    (SoAStatus.IMPLEMENTED_NO_EVIDENCE, "Implemented without evidence", "fair"),
    (SoAStatus.PARTLY_IMPLEMENTED, "Partly implemented", "warn"),
    (SoAStatus.PLANNED, "Planned", "plan"),
    (SoAStatus.NOT_STARTED, "Not started", "bad"),
    (SoAStatus.NOT_APPLICABLE, "Excluded", "muted"),
]
GAP_SEGMENTS: list[tuple[str, str, str]] = [
    (CoverageStatus.COVERED, "Covered", "good"),
    (CoverageStatus.PARTIAL, "Partly covered", "warn"),
    (CoverageStatus.GAP, "Gap", "bad"),
    (CoverageStatus.NOT_APPLICABLE, "Not applicable", "muted"),
]
STAGE_LABELS = dict(LifecycleStage.choices)


@dataclass
class Segment:
    key: str
    label: str
    css: str
    count: int
    x: float = 0.0  # percent of the bar's width where the segment starts
    width: float = 0.0  # percent


@dataclass
class Bar:
    """A stacked horizontal bar (drawn as SVG by site/_bar.html) with its legend."""

    segments: list[Segment]
    total: int

    @property
    def shown(self) -> list[Segment]:
        return [s for s in self.segments if s.count]


def bar(counts: dict[str, int], order: list[tuple[str, str, str]]) -> Bar:
    total = sum(counts.get(key, 0) for key, _, _ in order)
    segments, x = [], 0.0
    for key, label, css in order:
        n = counts.get(key, 0)
        width = round(100 * n / total, 2) if total else 0.0
        segments.append(Segment(str(key), label, css, n, round(x, 2), width))
        x += width
    return Bar(segments, total)


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class StandardReadiness:
    standard: Standard
    soa: StatementOfApplicability | None
    soa_bar: Bar | None
    readiness: int | None  # implemented with evidence ÷ applicable rows, in percent
    applicable: int
    gap_bar: Bar
    coverage: int | None  # covered ÷ applicable requirements, in percent
    gap_url: str


@dataclass
class SystemReadiness:
    system: ManagementSystem
    standards: list[StandardReadiness]
    risks_above: dict[str, int]
    risks_above_total: int
    stages: list[tuple[str, str, int]]  # (stage, label, count), stages with systems only
    ai_total: int
    impact_due: int


def systems_readiness(user: User, systems: list[ManagementSystem] | None = None) -> list[SystemReadiness]:
    """Every management system ``user`` may view, with its readiness per standard it covers.
    ``systems``: those management systems with their standards prefetched, when the caller has
    already read them (the dashboard's scope overview), so they are not read twice."""
    if systems is None:
        systems = list(organisation_queries.management_systems(user))
    soas = list(
        restrict(StatementOfApplicability.objects.select_related("standard"), user, Perm.VIEW).filter(
            management_system__in=systems
        )
    )
    soa_of = {(s.management_system_id, s.standard_id): s for s in soas}
    counts = soa_queries.readiness_counts(soas)
    above = risks_queries.above_appetite(user)
    stages = aisystems_queries.stage_counts(user)
    due = impact_queries.due_by_system(user)
    gaps = gap_queries.status_counts([(ms, std) for ms in systems for std in ms.standards.all()])
    out = []
    for ms in systems:
        rows: list[StandardReadiness] = []
        for std in ms.standards.all():
            soa = soa_of.get((ms.pk, std.pk))
            c = counts.get(soa.pk) if soa is not None else None
            applicable = sum(c.values()) - c[SoAStatus.NOT_APPLICABLE] if c else 0
            summary = gaps[(ms.pk, std.pk)]
            gap_applicable = sum(summary.values()) - summary[CoverageStatus.NOT_APPLICABLE]
            rows.append(
                StandardReadiness(
                    standard=std,
                    soa=soa,
                    soa_bar=bar(c, SOA_SEGMENTS) if c else None,
                    readiness=percent(c[SoAStatus.IMPLEMENTED], applicable) if c else None,
                    applicable=applicable,
                    gap_bar=bar(summary, GAP_SEGMENTS),
                    coverage=percent(summary[CoverageStatus.COVERED], gap_applicable),
                    gap_url=reverse("gap-analysis") + f"?management_system={ms.pk}&target={std.key}",
                )
            )
        risk_counts = above.get(ms.pk, {r.value: 0 for r in Register})
        stage_counts = stages.get(ms.pk, {})
        out.append(
            SystemReadiness(
                system=ms,
                standards=rows,
                risks_above=risk_counts,
                risks_above_total=sum(risk_counts.values()),
                stages=[(s, STAGE_LABELS[s], n) for s, n in stage_counts.items() if n],
                ai_total=sum(stage_counts.values()),
                impact_due=due.get(ms.pk, 0),
            )
        )
    return out


@dataclass
class DueForMe:
    evidence: list[Any]
    reviews: list[Any]
    actions: list[Any]

    @property
    def empty(self) -> bool:
        return not (self.evidence or self.reviews or self.actions)


def due_for_me(user: User) -> DueForMe:
    """What waits on ``user``: evidence they own to collect again, risk reviews and treatment
    actions within 30 days (three queries)."""
    mine = risks_queries.due_for(user)
    return DueForMe(evidence_queries.owned_expiring(user), mine.reviews, mine.actions)


@dataclass
class Step:
    key: str
    label: str
    hint: str
    done: bool
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


def checklist(user: User) -> list[Step]:
    """The first-run checklist: the five steps from an empty install to a readiness figure, each
    ticked once the instance holds what it asks for (one query)."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_system=Exists(ManagementSystem.objects.all()),
            has_controls=Exists(Control.objects.all()),
            has_methodology=Exists(Methodology.objects.all()),
            has_ai_system=Exists(AISystem.objects.all()),
            has_soa=Exists(StatementOfApplicability.objects.all()),
        )
        .values("has_system", "has_controls", "has_methodology", "has_ai_system", "has_soa")
        .get()
    )
    flags = {key.removeprefix("has_"): bool(value) for key, value in row.items()}
    return [
        Step(
            "system",
            "Create a management system",
            "Name it and choose the standards it covers (ISO/IEC 27001, ISO/IEC 42001 or both).",
            flags["system"],
            [("Create a management system", reverse("system-create"))],
        ),
        Step(
            "controls",
            "Adopt control templates or import your controls",
            "Start from the template library, or bring the control list you already keep.",
            flags["controls"],
            [
                ("Template library", reverse("control-templates")),
                ("Import controls", reverse("control-import")),
            ],
        ),
        Step(
            "methodology",
            "Set up the risk methodology",
            "Scales for likelihood and impact, risk levels with their acceptance criteria, and the matrix.",
            flags["methodology"],
            [("New methodology", reverse("risk-methodology-new"))],
        ),
        Step(
            "ai_system",
            "Register your first AI system",
            "What it is for, who it affects and where it is in its life cycle.",
            flags["ai_system"],
            [("New AI system", reverse("ai-system-create"))],
        ),
        Step(
            "soa",
            "Draft the Statement of Applicability",
            "Run the gap analysis and let Keel draft the SoA from your controls; then review each row.",
            flags["soa"],
            [("Gap analysis", reverse("gap-analysis"))],
        ),
    ]
