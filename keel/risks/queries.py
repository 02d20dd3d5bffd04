"""Read-side queries of risk management, shared by pages, the API, the CLI and exports.

Lists run a fixed number of queries whatever the number of risks; heat maps are one
aggregate query per map.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, Prefetch, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from keel.aisystems.choices import LifecycleStage
from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.organisation import options
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import filters
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import Perm, restrict, system_ids_with
from keel.platform.schemas import MS_REF

from .choices import AcceptanceState, ActionStatus, Register, RiskStatus, TreatmentOption
from .models import Methodology, Risk, RiskApproval, RiskSnapshot, TreatmentAction
from .rules import acceptance_expression, assessment_due_on, exception_expires_subquery, months_before

ORDERS = {
    "ref_id": ("ref_id",),
    "-ref_id": ("-ref_id",),
    "title": ("title", "ref_id"),
    "review_date": ("review_date", "ref_id"),
    "-inherent": ("-inherent_likelihood", "-inherent_impact", "ref_id"),
    "-residual": ("-residual_likelihood", "-residual_impact", "ref_id"),
    "-updated": ("-updated_at",),
}


RiskOrder = Literal["ref_id", "-ref_id", "title", "review_date", "-inherent", "-residual", "-updated"]


def _level_options(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    methodology = context.get("methodology")
    return [(lv["key"], lv["label"]) for lv in methodology.levels] if methodology else []


def _ai_system_options(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return list(AISystem.objects.order_by("name").values_list("short_name", "name"))


@dataclass
class RiskFilters:
    """The filters of the risk registers: their API parameters and the page form (issue 10);
    the form takes ``methodology=`` (its levels)."""

    register: str = filters.choice(Register, any="Both registers")
    # current level: residual when assessed, else inherent
    level: str = filters.reference(
        label="Current level",
        any="Any level",
        options=_level_options,
        help="The current level: residual when assessed, else inherent.",
    )
    owner: str = filters.reference(
        label="Owner or delegate", any="Anyone", options=options.owners, help="Owner's or delegate's email."
    )
    # open (default view), closed, or acceptance state
    status: str = filters.choice(
        [("closed", "Closed"), ("all", "Open and closed")],
        any="Open",
        api_type=Literal["open", "closed", "all"],
        help="Default: open.",
    )
    acceptance: str = filters.choice(
        AcceptanceState, any="Any acceptance", help="The acceptance today; `lapsed`: an expired exception."
    )
    treatment: str = filters.choice([*TreatmentOption.choices, ("none", "Not decided")], any="Any treatment")
    ai_system: str = filters.reference(
        label="AI system", any="Any AI system", options=_ai_system_options, help="An AI system's short name."
    )
    management_system: str = filters.reference(help=MS_REF, form=False)
    control: str = filters.reference(help="Risks treated by this control reference.", form=False)
    q: str = filters.text(label="Search", max_length=100)
    # a heat-map cell: map=inherent|residual, version, likelihood, impact
    map: str = filters.choice(
        [("inherent", "Inherent"), ("residual", "Residual")],
        hidden=True,
        help="With likelihood/impact: a heat-map cell.",
    )
    version: int | None = filters.integer(hidden=True, help="Methodology version (heat-map cells).")
    likelihood: int | None = filters.integer(hidden=True)
    impact: int | None = filters.integer(hidden=True)
    # the sort order chosen by clicking a column header, kept when the filters change
    order: str = filters.choice([(k, k) for k in ORDERS], default="ref_id", hidden=True, api_type=RiskOrder)
    extra: dict[str, Any] = field(default_factory=dict)


def base_risks(on: dt.date | None = None) -> QuerySet[Risk]:
    """Risks with their acceptance on ``on`` (default today) annotated in the same query:
    ``exception_until`` (the current exception's expiry), ``acceptance_now`` (the state by
    :func:`keel.risks.rules.acceptance_on`: ``lapsed`` once an exception has expired) and
    ``acceptance_day``. Pages, API, CLI and exports show ``acceptance_now``."""
    on = on or timezone.localdate()
    return (
        Risk.objects.annotate(exception_until=exception_expires_subquery())
        .annotate(
            acceptance_now=acceptance_expression(on), acceptance_day=Value(on, output_field=DateField())
        )
        # PostgreSQL plans a join of eight tables for longer than it runs it: the planner
        # searches the orders of every join (join_collapse_limit 8), 100+ ms against 1 ms of
        # execution for a page of 10 or 50 risks (bench/bench_scale.py, EXPLAIN ANALYZE). So the
        # relations every risk has (owner, system, methodology: always one query each, whatever
        # the rows) are prefetched, and only the optional ones are joined (2 ms to plan).
        .select_related("delegate", "asset", "ai_system", "risk_source", "objective")
        .prefetch_related(
            "owner",
            "management_system",
            "methodology",
            Prefetch("controls", Control.objects.only("id", "ref_id", "title").order_by("ref_id")),
        )
    )


def risks(
    user: User | None,
    f: RiskFilters | None = None,
    *,
    register: str = "",
    include_closed: bool = False,
    on: dt.date | None = None,
) -> QuerySet[Risk]:
    """Risks ``user`` may read (``None``: all, for trusted callers), filtered and ordered; the
    ``acceptance`` filter applies to the state on ``on`` (default today), ``lapsed`` included."""
    f = f or RiskFilters(register=register)
    qs = base_risks(on)
    if user is not None:
        qs = restrict(qs, user, Perm.VIEW)
    if f.register:
        if f.register not in Register.values:
            raise ValidationFailed("register is is or ai.", {"register": ["Choose is or ai."]})
        qs = qs.filter(register=f.register)
    if f.status in RiskStatus.values:
        qs = qs.filter(status=f.status)
    elif not include_closed and f.status != "all":
        qs = qs.filter(status=RiskStatus.OPEN)
    if f.acceptance:
        if f.acceptance not in AcceptanceState.values:
            raise ValidationFailed(
                f"acceptance is one of: {', '.join(AcceptanceState.values)}.", {"acceptance": ["Unknown."]}
            )
        qs = qs.filter(**{"acceptance_now": f.acceptance})  # the annotation of base_risks
    if f.level:
        qs = qs.filter(Q(residual_level=f.level) | (Q(residual_level="") & Q(inherent_level=f.level)))
    if f.owner:
        qs = qs.filter(Q(owner__email__iexact=f.owner) | Q(delegate__email__iexact=f.owner))
    if f.treatment:
        if f.treatment not in [*TreatmentOption.values, "none"]:
            raise ValidationFailed(
                f"treatment is one of: {', '.join(TreatmentOption.values)}, none.",
                {"treatment": ["Unknown."]},
            )
        qs = qs.filter(treatment_option="" if f.treatment == "none" else f.treatment)
    if f.ai_system:
        qs = qs.filter(ai_system__short_name=f.ai_system)
    if f.management_system:
        qs = qs.filter(
            management_system=organisation_resolvers.management_system(
                f.management_system, organisation_resolvers.TRUSTED if user is None else user
            )
        )
    if f.control:
        qs = qs.filter(controls__ref_id=f.control)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(ref_id__icontains=f.q) | Q(description__icontains=f.q))
    if not f.map and any(v is not None for v in (f.version, f.likelihood, f.impact)):
        raise ValidationFailed(
            "version, likelihood and impact filter a heat-map cell: add map=inherent or map=residual.",
            {"map": ["Required with version, likelihood or impact."]},
        )
    if f.map:
        if f.map not in ("inherent", "residual"):
            raise ValidationFailed("map is inherent or residual.", {"map": ["Choose inherent or residual."]})
        if f.version is not None:
            qs = qs.filter(methodology__version=f.version)
        if f.likelihood is not None:
            qs = qs.filter(**{f"{f.map}_likelihood": f.likelihood})
        if f.impact is not None:
            qs = qs.filter(**{f"{f.map}_impact": f.impact})
    if f.order not in ORDERS:
        raise ValidationFailed(f"order is one of: {', '.join(ORDERS)}.", {"order": ["Unknown order."]})
    return qs.order_by(*ORDERS[f.order]).distinct() if f.control else qs.order_by(*ORDERS[f.order])


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def risk_for(user: User | None, ref: uuid.UUID | str, *, on: dt.date | None = None) -> Risk:
    """One risk the user may read, with its actions and approvals prefetched and its acceptance
    on ``on`` (default today) annotated."""
    qs = base_risks(on).prefetch_related(
        Prefetch("actions", TreatmentAction.objects.select_related("owner")),
        Prefetch("approvals", RiskApproval.objects.select_related("approved_by", "second_approver")),
    )
    if user is not None:
        qs = restrict(qs, user, Perm.VIEW)
    u = _uuid(str(ref))
    risk = (qs.filter(pk=u) if u else qs.filter(ref_id=str(ref).upper())).first()
    if risk is None:
        raise NotFound(f"No risk {ref!r} that you may read: give its id or reference (e.g. IS-004).")
    return risk


def current_approval(risk: Risk) -> RiskApproval | None:
    """The approval in force or awaiting its second approver (from the prefetched approvals)."""
    for a in risk.approvals.all():
        if a.state in ("active", "pending"):
            return a
    return None


def history(risk: Risk, limit: int = 100) -> list[TrailEntry]:
    return list(
        TrailEntry.objects.filter(object_type="risks.risk", object_id=str(risk.pk))
        .select_related("actor")
        .order_by("-seq")[:limit]
    )


# ---------------------------------------------------------------- methodology


def methodologies() -> QuerySet[Methodology]:
    return (
        Methodology.objects.select_related("created_by")
        .annotate(risk_count=Count("risks"))
        .order_by("-version")
    )


def latest_methodology() -> Methodology | None:
    return Methodology.objects.order_by("-version").first()


# ---------------------------------------------------------------- heat maps


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    level: str
    label: str
    count: int


@dataclass
class HeatMap:
    kind: str  # inherent | residual
    methodology: Methodology
    cells: list[list[HeatCell]]  # rows from the highest likelihood down
    total: int
    unassessed: int  # (residual) open risks without residual values
    other_versions: int  # risks assessed under another methodology version


def heat_map(
    user: User | None, kind: str, methodology: Methodology, base: QuerySet[Risk] | None = None
) -> HeatMap:
    """Counts of open risks per likelihood×impact cell under one methodology version (2 queries)."""
    qs = base if base is not None else risks(user)
    lf, imf = f"{kind}_likelihood", f"{kind}_impact"
    plain = qs.order_by().values("methodology__version", lf, imf).annotate(n=Count("id", distinct=True))
    counts: dict[tuple[int, int], int] = {}
    unassessed = other = 0
    for row in plain:
        n = int(row["n"])
        if row["methodology__version"] != methodology.version:
            other += n
        elif row[lf] is None:
            unassessed += n
        else:
            counts[(row[lf], row[imf])] = counts.get((row[lf], row[imf]), 0) + n
    cells = []
    for li in range(len(methodology.likelihood), 0, -1):
        cells.append(
            [
                HeatCell(
                    li,
                    ii,
                    methodology.level_of(li, ii),
                    methodology.level(methodology.level_of(li, ii))["label"],
                    counts.get((li, ii), 0),
                )
                for ii in range(1, len(methodology.impact) + 1)
            ]
        )
    return HeatMap(kind, methodology, cells, sum(counts.values()), unassessed, other)


# ---------------------------------------------------------------- export rows and snapshots


def _email(u: User | None) -> str:
    return u.email if u is not None else ""


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def export_row(r: Risk) -> dict[str, Any]:
    m = r.methodology
    return {
        "ref_id": r.ref_id,
        "register": r.register,
        "title": r.title,
        "description": r.description,
        "management_system": r.management_system.short_name,
        "status": r.status,
        "owner": _email(r.owner),
        "delegate": _email(r.delegate),
        "asset": r.asset.ref_id if r.asset else "",
        "process": r.process,
        "threat": r.threat,
        "vulnerability": r.vulnerability,
        "confidentiality": r.affects_confidentiality,
        "integrity": r.affects_integrity,
        "availability": r.affects_availability,
        "ai_system": r.ai_system.short_name if r.ai_system else "",
        "risk_source": r.risk_source.key if r.risk_source else "",
        "objective": r.objective.key if r.objective else "",
        "affected_people": r.affected_people,
        "methodology_version": m.version,
        "inherent_likelihood": r.inherent_likelihood,
        "inherent_impact": r.inherent_impact,
        "inherent_level": r.inherent_level,
        "treatment_option": r.treatment_option,
        "treatment_plan": r.treatment_plan,
        "plan_version": r.plan_version,
        "controls": [c.ref_id for c in r.controls.all()],
        "residual_likelihood": r.residual_likelihood,
        "residual_impact": r.residual_impact,
        "residual_level": r.residual_level,
        "acceptance": r.current_acceptance,
        "exception_expires": _iso(getattr(r, "exception_until", None)),
        "review_date": r.review_date.isoformat() if r.review_date else None,
    }


def export_rows(qs: QuerySet[Risk]) -> list[dict[str, Any]]:
    return [export_row(r) for r in qs]


def snapshots() -> QuerySet[RiskSnapshot]:
    return RiskSnapshot.objects.select_related("taken_by").defer("rows").order_by("-taken_at")


def visible_rows(user: User | None, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A snapshot covers every management system; a user reads the rows of the systems they may."""

    if user is None:
        return rows
    ids = system_ids_with(user, Perm.VIEW)
    if ids is None:
        return rows
    names = set(ManagementSystem.objects.filter(pk__in=ids).values_list("short_name", flat=True))
    return [r for r in rows if r.get("management_system") in names]


def get_snapshot(ref: uuid.UUID | str) -> RiskSnapshot:
    try:
        return RiskSnapshot.objects.select_related("taken_by").get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, RiskSnapshot.DoesNotExist):
        raise NotFound(f"No risk snapshot {ref}.") from None


# ---------------------------------------------------------------- the SoA feed


def risks_by_control(
    control_ids: Iterable[Any], management_system_id: Any
) -> dict[Any, list[dict[str, str]]]:
    """Open risks of one management system treated by each control (1 query), for the SoA's
    "risks treated" column: ``{control_id: [{"ref_id", "title"}, ...]}``.

    The query reads the system's open risk-control links and keeps the wanted controls here:
    binding every control id into one ``IN`` (2,000 at scale) cost SQLite 1.7–5.7 s, while the
    links of one system's open risks are few and indexed by the system."""
    wanted = set(control_ids)
    through = Risk.controls.through
    out: dict[Any, list[dict[str, str]]] = {}
    if not wanted:
        return out
    for control_id, ref, title in (
        through.objects.filter(
            risk__management_system_id=management_system_id,
            risk__status=RiskStatus.OPEN,
        )
        .order_by("risk__ref_id")
        .values_list("control_id", "risk__ref_id", "risk__title")
    ):
        if control_id in wanted:
            out.setdefault(control_id, []).append({"ref_id": ref, "title": title})
    return out


def risks_by_system_control(system_ids: Iterable[Any]) -> dict[tuple[Any, Any], list[dict[str, str]]]:
    """:func:`risks_by_control` for several management systems at once (1 query):
    ``{(management_system_id, control_id): [{"ref_id", "title"}, ...]}``, by reference."""
    through = Risk.controls.through
    out: dict[tuple[Any, Any], list[dict[str, str]]] = {}
    for ms_id, control_id, ref, title in (
        through.objects.filter(risk__management_system_id__in=list(system_ids), risk__status=RiskStatus.OPEN)
        .order_by("risk__ref_id")
        .values_list("risk__management_system_id", "control_id", "risk__ref_id", "risk__title")
    ):
        out.setdefault((ms_id, control_id), []).append({"ref_id": ref, "title": title})
    return out


# ---------------------------------------------------------------- assessments due


@dataclass(frozen=True)
class AssessmentDue:
    """One risk assessment that is due: a risk to re-assess (``kind="risk"``) or a new AI
    system with no AI risk assessed yet (``kind="ai_system"``)."""

    kind: str  # "risk" | "ai_system"
    ref: str  # IS-004 / AI-002, or the AI system's short name
    title: str
    trigger: str  # event | review_date | interval | new_ai_system
    reason: str
    since: dt.date
    management_system_id: uuid.UUID
    url: str


def assessments_due(
    user: User | None,
    *,
    management_system: ManagementSystem | uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> list[AssessmentDue]:
    """The risk assessments due now, by the criteria of the methodology (ISO/IEC 27001 and
    42001 6.1.2: *when* assessments are performed), for the management systems ``user`` may
    read (``None``: all). Open risks are due when an event marked them (a significant change
    to their AI system, an approved impact assessment), when their review date has come, or when
    the planned interval of the methodology version they were assessed under has elapsed since
    they were last assessed; with ``assess_on_new_ai_system`` in the current version, an AI
    system (not retired) with no AI risk yet is due for its first assessment. Oldest first.
    Three queries whatever the number of rows."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    versions = list(  # newest first
        Methodology.objects.order_by("-version").values_list(
            "pk", "assessment_interval_months", "assess_on_new_ai_system"
        )
    )
    due_q = ~Q(reassessment_reason="") | Q(review_date__lte=today)
    for pk, months, _ in versions:
        if months:
            due_q |= Q(methodology_id=pk, assessed_at__lte=months_before(now, months))
    qs = Risk.objects.filter(due_q, status=RiskStatus.OPEN)
    systems = AISystem.objects.exclude(lifecycle_stage=LifecycleStage.RETIRED).filter(risks__isnull=True)
    if user is not None:
        qs = restrict(qs, user, Perm.VIEW)
        systems = restrict(systems, user, Perm.VIEW)
    if management_system is not None:
        ms_id = getattr(management_system, "pk", management_system)
        qs = qs.filter(management_system_id=ms_id)
        systems = systems.filter(management_system_id=ms_id)
    interval = {pk: months for pk, months, _ in versions}
    out: list[AssessmentDue] = []
    for r in qs.values(
        "ref_id",
        "title",
        "management_system_id",
        "methodology_id",
        "reassessment_reason",
        "reassessment_since",
        "review_date",
        "assessed_at",
    ):
        due = assessment_due_on(
            reassessment_reason=r["reassessment_reason"],
            reassessment_since=r["reassessment_since"],
            review_date=r["review_date"],
            assessed_at=r["assessed_at"],
            interval_months=interval.get(r["methodology_id"]),
            now=now,
        )
        if due is None:  # pragma: no cover - the filter and the rule agree (tested)
            continue
        trigger, reason, since = due
        out.append(
            AssessmentDue(
                "risk",
                r["ref_id"],
                r["title"],
                trigger,
                reason,
                since,
                r["management_system_id"],
                reverse("risk-detail", args=[r["ref_id"]]),
            )
        )
    if versions and versions[0][2]:  # the current version asks for new AI systems to be assessed
        for s in systems.distinct().values("short_name", "name", "management_system_id", "created_at"):
            out.append(
                AssessmentDue(
                    "ai_system",
                    s["short_name"],
                    s["name"],
                    "new_ai_system",
                    f"New AI system: no AI risk has been assessed for {s['name']} yet.",
                    timezone.localtime(s["created_at"]).date(),
                    s["management_system_id"],
                    reverse("risk-create") + f"?register=ai&ai_system={s['short_name']}",
                )
            )
    out.sort(key=lambda d: (d.since, d.ref))
    return out


def above_appetite(user: User | None) -> dict[uuid.UUID, dict[str, int]]:
    """Open risks ``user`` may read whose current level (residual once assessed, else inherent)
    is above the acceptance criteria of the methodology they were assessed under, counted per
    management system and register: ``{ms_id: {"is": n, "ai": n}}`` (two queries)."""
    levels = {m.pk: m for m in Methodology.objects.all()}
    out: dict[uuid.UUID, dict[str, int]] = {}
    grouped = (
        restrict(Risk.objects.filter(status=RiskStatus.OPEN), user, Perm.VIEW)
        .values_list("management_system_id", "register", "methodology_id", "residual_level", "inherent_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for ms_id, register, methodology_id, residual, inherent, n in grouped:
        counts = out.setdefault(ms_id, {r.value: 0 for r in Register})
        if not levels[methodology_id].acceptable(residual or inherent):
            counts[register] += n
    return out


@dataclass
class DueForMe:
    """What waits on one person in the risk registers."""

    reviews: list[Risk]
    actions: list[TreatmentAction]


def due_for(user: User, within_days: int = 30, limit: int = 8) -> DueForMe:
    """Open risks ``user`` owns (or is delegate of) whose review date falls within
    ``within_days`` or has passed, and the open treatment actions assigned to them due in that
    window (two queries)."""
    until = timezone.localdate() + dt.timedelta(days=within_days)
    reviews = list(
        Risk.objects.filter(Q(owner=user) | Q(delegate=user), status=RiskStatus.OPEN, review_date__lte=until)
        .only("id", "ref_id", "title", "review_date")
        .order_by("review_date", "ref_id")[:limit]
    )
    actions = list(
        TreatmentAction.objects.filter(
            owner=user,
            status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS],
            due_date__lte=until,
            risk__status=RiskStatus.OPEN,
        )
        .select_related("risk")
        .only("id", "title", "due_date", "status", "risk__ref_id", "risk__title")
        .order_by("due_date", "title")[:limit]
    )
    return DueForMe(reviews=reviews, actions=actions)
