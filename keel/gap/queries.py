"""The gap report: loads the graph with a fixed number of queries, runs the inference, and
joins the people's decisions, the SoA exclusions and the templates that would close gaps.

Shared by the page, the API, the CLI and the exports. Whatever the number of controls, links,
relations or requirements, :func:`report` runs the same queries (see the tests).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from keel.controls.choices import ControlType, Coverage, Frequency, ImplementationStatus
from keel.controls.models import Control, ControlLink, TemplateRequirement
from keel.mapping.choices import Relation
from keel.mapping.models import CrosswalkRelation
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform.errors import NotFound, ValidationFailed
from keel.soa.models import SoARow
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement, Standard
from keel.standards.records import standards_by_key

from . import inference
from .choices import CoverageStatus, Strength
from .inference import Chain, Graph, Inference, Link, Node
from .models import CoverageDecision, ScopeConfirmation

# Entries that are never requirements for gap purposes: headings and informative material.
NOT_REQUIREMENTS = frozenset(
    {EntryKind.ANNEX_THEME, EntryKind.OBJECTIVE, EntryKind.ANNEX_C_OBJECTIVE, EntryKind.ANNEX_C_RISK_SOURCE}
)
BACKBONE_CLAUSES = range(4, 11)  # clauses 4-10: the harmonised structure's backbone

# Size estimate of a template (docs/gap-analysis.md): points by type plus points by frequency.
TYPE_POINTS = {
    ControlType.POLICY: 1,
    ControlType.PEOPLE: 2,
    ControlType.PHYSICAL: 2,
    ControlType.PROCESS: 2,
    ControlType.TECHNICAL: 3,
}
FREQUENCY_POINTS = {
    Frequency.ANNUALLY: 0,
    Frequency.SEMI_ANNUALLY: 0,
    Frequency.QUARTERLY: 1,
    Frequency.MONTHLY: 1,
    Frequency.PER_EVENT: 1,
    Frequency.WEEKLY: 2,
    Frequency.DAILY: 2,
    Frequency.CONTINUOUS: 2,
}
SIZE_MEANING = {
    "S": "up to about 2 person-days to put in place",
    "M": "about a week of work",
    "L": "several weeks, usually with tooling",
}


def template_size(type_: str, frequency: str) -> tuple[str, int]:
    """The size (S, M or L) of putting a template in place, and its points."""
    points = TYPE_POINTS.get(type_, 2) + FREQUENCY_POINTS.get(frequency, 1)  # type: ignore[call-overload]
    return ("S" if points <= 2 else "M" if points == 3 else "L"), points


def _clause_number(ref_id: str) -> int | None:
    m = re.match(r"^(\d+)(?:\.|$)", ref_id)
    return int(m.group(1)) if m else None


def target_requirements(rows: list[dict[str, Any]]) -> list[int]:
    """Ids of the requirements for gap purposes among one standard's live entries (dicts with
    ``id``, ``kind``, ``parent_id``): every entry that is not a heading (no live children) and
    not informative (Annex A themes and objectives, Annex C), i.e. the leaf clauses and the
    Annex A controls."""
    parents = {r["parent_id"] for r in rows if r["parent_id"] is not None}
    return [r["id"] for r in rows if r["kind"] not in NOT_REQUIREMENTS and r["id"] not in parents]


@dataclass
class RequirementResult:
    node: Node
    inference: Inference
    decision: CoverageDecision | None
    status: str
    extension: str | None
    via: list[list[dict[str, str]]]
    why: str = ""
    templates: list[dict[str, Any]] = field(default_factory=list)
    exclusion: str = ""
    backbone: bool = False
    reused: bool = False

    @property
    def status_label(self) -> str:
        return str(CoverageStatus(self.status).label)

    @property
    def inferred_label(self) -> str:
        return str(CoverageStatus(self.inference.status).label)

    def contract(self) -> dict[str, Any]:
        """The requirement as the JSON contract of issue 4 writes it."""
        return {
            "key": self.node.key,
            "ref_id": self.node.ref_id,
            "title": self.node.title,
            "status": self.status,
            "inferred_status": self.inference.status,
            "confirmed_status": self.decision.confirmed_status if self.decision else None,
            "via": self.via,
            "extension": self.extension,
            "why": self.why,
        }


@dataclass
class GapReport:
    target: Standard
    management_system: ManagementSystem
    nodes: dict[int, Node]
    results: list[RequirementResult]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in CoverageStatus}
        for r in self.results:
            out[r.status] += 1
        return out

    def summary(self) -> dict[str, Any]:
        """The summary figures (formulas in docs/gap-analysis.md)."""
        c = self.counts()
        applicable = len(self.results) - c[CoverageStatus.NOT_APPLICABLE]
        backbone = [r for r in self.results if r.backbone and r.status != CoverageStatus.NOT_APPLICABLE]
        reused = [r for r in backbone if r.reused]
        return {
            "covered": c[CoverageStatus.COVERED],
            "partial": c[CoverageStatus.PARTIAL],
            "gap": c[CoverageStatus.GAP],
            "not_applicable": c[CoverageStatus.NOT_APPLICABLE],
            "coverage_ratio": ratio(c[CoverageStatus.COVERED], applicable),
            "partial_ratio": ratio(c[CoverageStatus.PARTIAL], applicable),
            "backbone_reuse": ratio(len(reused), len(backbone)),
        }

    def details(self) -> dict[str, Any]:
        """Counts behind the figures, for the page and the exports."""
        c = self.counts()
        applicable = len(self.results) - c[CoverageStatus.NOT_APPLICABLE]
        backbone = [r for r in self.results if r.backbone and r.status != CoverageStatus.NOT_APPLICABLE]
        return {
            "total": len(self.results),
            "applicable": applicable,
            "backbone": len(backbone),
            "backbone_reused": sum(1 for r in backbone if r.reused),
            "confirmed": sum(1 for r in self.results if r.decision is not None),
        }

    def contract(self) -> dict[str, Any]:
        """``{"target", "summary", "requirements"}``: the JSON contract of issue 4."""
        return {
            "target": self.target.key,
            "summary": self.summary(),
            "requirements": [r.contract() for r in self.results],
        }

    def result(self, requirement_key: str) -> RequirementResult:
        for r in self.results:
            if r.node.key == requirement_key:
                return r
        raise NotFound(f"{requirement_key} is not a requirement of {self.target.key} for the gap analysis.")


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


# The summary figures as people read them: (key of the JSON contract, label); the ratios are
# shown as percentages (the JSON keeps the 4-decimal fractions).
FIGURE_LABELS: dict[str, str] = {
    "covered": "Covered",
    "partial": "Partly covered",
    "gap": "Gaps",
    "not_applicable": "Not applicable",
    "coverage_ratio": "Coverage",
    "partial_ratio": "Partly covered share",
    "backbone_reuse": "Shared clauses reused",
}
RATIO_FIGURES = frozenset({"coverage_ratio", "partial_ratio", "backbone_reuse"})


def figure_text(key: str, value: float) -> str:
    """A summary figure as shown: ``34.3 %`` for a ratio (one decimal, "100 %" and "0 %" whole),
    the count otherwise."""
    if key not in RATIO_FIGURES:
        return str(value)
    percent = round(float(value) * 100, 1)
    return f"{percent:g} %"


def resolve(
    target: str,
    management_system: str | None,
    who: organisation_resolvers.Viewer = organisation_resolvers.TRUSTED,
) -> tuple[Standard, ManagementSystem]:
    """The target standard and the management system (among those ``who`` may view); without
    one, the only management system covering the target that ``who`` may view — an error names
    the choices when there are several."""
    (standard,) = standards_by_key([target], field="target")
    if management_system:
        ms = organisation_resolvers.management_system(management_system, who)
    else:
        systems = list(organisation_resolvers.visible_systems(who).filter(standards=standard))
        if len(systems) != 1:
            names = ", ".join(s.short_name for s in systems) or "none"
            raise ValidationFailed(
                f"Choose the management system to analyse for {standard.key} "
                f"(management systems covering it: {names}).",
                {"management_system": ["Required: several or no management systems cover the target."]},
            )
        ms = systems[0]
    if not ms.standards.filter(pk=standard.pk).exists():
        raise ValidationFailed(
            f"{ms.name} does not cover {standard.key}: add the standard to the management system first.",
            {"target": ["Not covered by this management system."]},
        )
    return standard, ms


def system_label(target: Standard) -> str:
    """How an extension names the target's management system: "the AIMS" for ISO/IEC 42001."""
    if target.key.startswith("iso42001:"):
        return "the AIMS"
    if target.key.startswith("iso27001:"):
        return "the ISMS"
    return f"the management system of {target.name}"


def load_graph_rows() -> tuple[list[Node], list[dict[str, Any]]]:
    """Every live requirement, as graph nodes and as rows (one query)."""
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in Requirement.objects.filter(withdrawn_at__isnull=True).values(
            "id",
            "key",
            "ref_id",
            "title",
            "standard_id",
            "kind",
            "hs_key",
            "hs_relation",
            "parent_id",
            "sort_order",
        )
    ]
    nodes = [
        Node(
            r["id"],
            r["key"],
            r["ref_id"],
            r["title"],
            r["standard_id"],
            r["kind"],
            r["hs_key"],
            r["hs_relation"],
        )
        for r in rows
    ]
    return nodes, rows


def _edges() -> Any:
    """The live crosswalk relations as graph edges, theme-only (not related) pairs included: the
    inference never follows them but names them in a requirement's why (a lazy query)."""
    relations = CrosswalkRelation.objects.filter(withdrawn_at__isnull=True, source__isnull=False)
    return relations.values_list(
        "source_id", "target_id", "relation", "extension", "rationale", "crosswalk__key"
    )


def _confirmed(ms: ManagementSystem) -> Any:
    """The scope confirmations of ``ms`` as (control ref, requirement id) pairs (a lazy query)."""
    return ScopeConfirmation.objects.filter(management_system=ms).values_list(
        "control__ref_id", "requirement_id"
    )


def load_graph(ms: ManagementSystem) -> tuple[Graph, list[dict[str, Any]]]:
    """Every live requirement (nodes), the management system's control links, the live
    crosswalk relations (theme-only pairs included) and the scope confirmations: four queries."""
    nodes, rows = load_graph_rows()
    links = [
        Link(*values)
        for values in ControlLink.objects.filter(control__management_systems=ms)
        .exclude(control__status=ImplementationStatus.NOT_APPLICABLE)
        .order_by("control__ref_id")
        .values_list(
            "control__ref_id", "control__title", "control__status", "requirement_id", "coverage", "note"
        )
    ]
    return Graph.build(nodes, links, _edges(), _confirmed(ms)), rows


def report(target: Standard, ms: ManagementSystem) -> GapReport:
    """The gap report of ``ms`` against ``target`` (8 queries whatever the sizes)."""
    graph, rows = load_graph(ms)
    own = sorted((r for r in rows if r["standard_id"] == target.pk), key=lambda r: r["sort_order"])
    target_ids = target_requirements(own)
    excluded = dict(
        SoARow.objects.filter(
            soa__management_system=ms, soa__standard=target, applicable=False, requirement__isnull=False
        ).values_list("requirement_id", "justification")
    )
    inferred = inference.infer(graph, target.pk, target_ids, excluded, system_label=system_label(target))
    decisions = {
        d.requirement_id: d
        for d in CoverageDecision.objects.filter(
            management_system=ms, requirement__standard=target
        ).select_related("decided_by")
    }
    templates: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for tr in (
        TemplateRequirement.objects.filter(requirement__standard=target, template__withdrawn_at__isnull=True)
        .select_related("template")
        .order_by("template__sort_order")
    ):
        t = tr.template
        size, points = template_size(t.type, t.frequency)
        templates[tr.requirement_id].append(
            {
                "key": t.key,
                "title": t.title,
                "type": t.type,
                "frequency": t.frequency,
                "coverage": tr.coverage,
                "size": size,
                "points": points,
                "meaning": SIZE_MEANING[size],
                "note": tr.note,
            }
        )
    adopted: dict[str, list[dict[str, str]]] = defaultdict(list)
    for key, ref, status in (
        Control.objects.filter(management_systems=ms, template__isnull=False)
        .order_by("ref_id")
        .values_list("template__key", "ref_id", "status")
    ):
        adopted[key].append(
            {"ref_id": ref, "status": status, "status_label": str(ImplementationStatus(status).label).lower()}
        )
    for items in templates.values():
        for item in items:
            item["adopted"] = adopted.get(item["key"], [])
    # Controls fully linked (and implemented) to a shared backbone clause, by hs_key, for reuse.
    control_hs: dict[str, set[str]] = defaultdict(set)
    for link in graph.links:
        n = graph.nodes.get(link.requirement_id)
        full = inference.link_strength(link.coverage, link.control_status) == Strength.FULL
        if n is not None and n.standard_id != target.pk and n.hs_key and full:
            control_hs[link.control_ref].add(n.hs_key)
    results: list[RequirementResult] = []
    for rid in target_ids:
        node = graph.nodes[rid]
        inf = inferred[rid]
        decision = decisions.get(rid)
        status = inference.effective(inf.status, decision.confirmed_status if decision else None)
        number = _clause_number(node.ref_id) if node.kind == EntryKind.CLAUSE else None
        backbone = number in BACKBONE_CLAUSES if number is not None else False
        reused = (
            backbone
            and status == CoverageStatus.COVERED
            and node.hs_relation == "shared"
            and any(_through_backbone(c, node, graph, control_hs) for c in inf.chains)
        )
        ordered = sorted(templates.get(rid, []), key=lambda t: (t["coverage"] != Coverage.FULL, t["points"]))
        results.append(
            RequirementResult(
                node=node,
                inference=inf,
                decision=decision,
                status=status,
                extension=inf.extension(graph.nodes),
                via=[c.via(graph.nodes) for c in inf.chains],
                why=_why(inf, decision, graph),
                templates=ordered if status == CoverageStatus.GAP else [],
                exclusion=excluded.get(rid, ""),
                backbone=backbone,
                reused=reused,
            )
        )
    return GapReport(target=target, management_system=ms, nodes=graph.nodes, results=results)


def _why(inf: Inference, decision: CoverageDecision | None, graph: Graph) -> str:
    """The report's "why" of one requirement: the inferred reason, then a person's decision."""
    text = inf.why(graph.nodes, lambda c: chain_text(c, graph.nodes))
    if decision is not None:
        label = str(CoverageStatus(decision.confirmed_status).label).lower()
        text += f" A person confirmed it as {label}: {decision.reason.strip()}"
    return text


def _through_backbone(chain: Chain, node: Node, graph: Graph, control_hs: dict[str, set[str]]) -> bool:
    """A full chain that comes from the same harmonised-structure clause of another standard."""
    if chain.strength != Strength.FULL or not node.hs_key:
        return False
    if not chain.steps:
        return node.hs_key in control_hs.get(chain.link.control_ref, set())
    last = graph.nodes[chain.steps[-1].a]
    return last.kind == EntryKind.CLAUSE and last.hs_key == node.hs_key


def chain_view(chain: Chain, nodes: dict[int, Node]) -> dict[str, Any]:
    """A chain for the page and exports: the control, then each requirement with the relation
    that leads to it, its standard and whether that step is full."""
    link = chain.link
    first = nodes[link.requirement_id]
    steps = [
        {
            "key": first.key,
            "ref_id": first.ref_id,
            "title": first.title,
            "relation": inference.IMPLEMENTS
            if link.coverage == Coverage.FULL
            else inference.IMPLEMENTS_PARTIALLY,
            "relation_label": "implements" if link.coverage == Coverage.FULL else "partly implements",
            "strength": inference.link_strength(link.coverage, link.control_status),
            "extension": "",
        }
    ]
    for e in chain.steps:
        b = nodes[e.b]
        steps.append(
            {
                "key": b.key,
                "ref_id": b.ref_id,
                "title": b.title,
                "relation": e.relation,
                "relation_label": STEP_WORDS.get(e.relation, e.relation),
                "strength": inference.step_strength(e.relation),
                "extension": e.extension if not e.reversed else "",
                "crosswalk": e.crosswalk,
            }
        )
    return {
        "control": {
            "ref_id": link.control_ref,
            "title": link.control_title,
            "status": link.control_status,
            "status_label": str(ImplementationStatus(link.control_status).label).lower(),
        },
        "steps": steps,
        "strength": chain.strength,
        "text": chain_text(chain, nodes),
        "scope": chain.scope,
        "stop": chain.stop,
        "held_back": chain.held_back(nodes) if chain.strength != Strength.FULL else "",
    }


# How a chain reads each step: the link of the control, then the crosswalk relations.
STEP_WORDS: dict[str, str] = {
    inference.IMPLEMENTS: "implements",
    inference.IMPLEMENTS_PARTIALLY: "partly implements",
    Relation.EQUAL.value: "equals",
    Relation.SUBSET.value: "is a subset of",
    Relation.SUPERSET.value: "is a superset of",
    Relation.INTERSECTS.value: "intersects with",
    Relation.NOT_RELATED.value: "shares only a theme with",
}


def chain_text(chain: Chain, nodes: dict[int, Node]) -> str:
    """One line: ``KC-001 —implements→ iso27001:2022:A.5.12 —is a subset of→ iso42001:2023:A.7.4``
    (requirement keys name their standard; relations in words)."""
    parts = [chain.link.control_ref]
    for step in chain.via(nodes)[1:]:
        parts.append(f"—{STEP_WORDS.get(step['relation'], step['relation'])}→ {step['key']}")
    return " ".join(parts)


def standards_with_requirements() -> list[Standard]:
    return list(Standard.objects.filter(~Q(requirements=None)).distinct().order_by("key"))


def status_counts(
    pairs: list[tuple[ManagementSystem, Standard]],
) -> dict[tuple[Any, int], dict[str, int]]:
    """The status counts of the gap report (:meth:`GapReport.counts`) of several management
    systems against the standards they cover, ``{(ms_id, standard_id): {status: n}}``, by the
    same inference as :func:`report` but without the template suggestions and reuse figures, in
    six queries whatever the number of pairs: for the dashboard."""
    if not pairs:
        return {}
    systems = {ms.pk for ms, _ in pairs}
    standards = {std.pk for _, std in pairs}
    nodes, rows = load_graph_rows()
    links: dict[Any, list[Link]] = defaultdict(list)
    for ms_id, ref, title, status, requirement_id, coverage, note in (
        ControlLink.objects.filter(control__management_systems__in=systems)
        .exclude(control__status=ImplementationStatus.NOT_APPLICABLE)
        .order_by("control__ref_id")
        .values_list(
            "control__management_systems",
            "control__ref_id",
            "control__title",
            "control__status",
            "requirement_id",
            "coverage",
            "note",
        )
    ):
        links[ms_id].append(Link(ref, title, status, requirement_id, coverage, note))
    edges = list(_edges())
    excluded: dict[tuple[Any, int], set[int]] = defaultdict(set)
    for ms_id, std_id, req_id in SoARow.objects.filter(
        soa__management_system__in=systems,
        soa__standard__in=standards,
        applicable=False,
        requirement__isnull=False,
    ).values_list("soa__management_system_id", "soa__standard_id", "requirement_id"):
        excluded[(ms_id, std_id)].add(req_id)
    decisions: dict[Any, dict[int, str]] = defaultdict(dict)
    for ms_id, req_id, confirmed in CoverageDecision.objects.filter(
        management_system__in=systems, requirement__standard__in=standards
    ).values_list("management_system_id", "requirement_id", "confirmed_status"):
        decisions[ms_id][req_id] = confirmed
    scope_confirmed: dict[Any, list[tuple[str, int]]] = defaultdict(list)
    for ms_id, ref, req_id in ScopeConfirmation.objects.filter(management_system__in=systems).values_list(
        "management_system_id", "control__ref_id", "requirement_id"
    ):
        scope_confirmed[ms_id].append((ref, req_id))
    out: dict[tuple[Any, int], dict[str, int]] = {}
    for ms, std in pairs:
        graph = Graph.build(nodes, links.get(ms.pk, []), edges, scope_confirmed.get(ms.pk, []))
        own = sorted((r for r in rows if r["standard_id"] == std.pk), key=lambda r: r["sort_order"])
        target_ids = target_requirements(own)
        inferred = inference.infer(
            graph,
            std.pk,
            target_ids,
            excluded.get((ms.pk, std.pk), set()),
            system_label=system_label(std),
        )
        counts = {s.value: 0 for s in CoverageStatus}
        for rid in target_ids:
            counts[inference.effective(inferred[rid].status, decisions[ms.pk].get(rid))] += 1
        out[(ms.pk, std.pk)] = counts
    return out
