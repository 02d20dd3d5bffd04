"""Coverage inference: pure functions over an in-memory graph (no database access here).

The graph holds the requirements of every loaded standard (nodes), the management system's
control links (where chains start) and the crosswalk relations (edges, walked in either
direction). :func:`infer` finds, for every requirement of the target standard, every chain

    control --link--> requirement of S1 --relation--> requirement of S2 --> ... --> target

with at most :data:`MAX_STEPS` crosswalk steps, and derives the status. The rule, documented in
docs/gap-analysis.md and tested clause by clause in keel/gap/tests/test_inference.py:

1. The link step (control → the requirement it is linked to) is full when the link's coverage
   is full and the control is implemented; partial when the link is partial or the control is
   in progress. For rule 3 the link's coverage says how much of the requirement's content the
   control covers; being in progress (maturity, not content) caps the chain at partial at the end. Planned controls carry no coverage (their chains are kept as *pending*, shown
   but not counted); controls marked not applicable are left out.
2. A crosswalk step from the side the organisation covers (``a``) to the other (``b``) reads
   ``a <relation> b`` (a relation stored the other way round is read with
   :meth:`Relation.inverse`). It is full when the relation is ``equal`` or ``superset`` (what is
   covered contains the other side); ``subset`` and ``intersects`` are partial;
   ``not_related`` is no step at all.
3. A chain counts only when each step is a real start on the next requirement (set theory on
   what the control covers, :func:`compose`): from a fully covered requirement ``a``, ``equal``
   and ``superset`` keep it full, ``subset`` and ``intersects`` leave a part; from a part of
   ``a``, ``equal`` and ``subset`` keep the part, but ``superset`` and ``intersects`` lose it
   (the part covered may lie outside ``b``): the chain is *not counted* and the report says
   why. ``not_related`` never propagates; a pair marked ``not_related`` (theme only) is shown as
   the reason a chain stops.
4. Harmonised clauses: a full chain of one step or more into a clause of the target whose
   harmonised-structure relation is ``shared`` (9.2.2, 7.2 ...) comes from another standard's
   process; it is full only when a person has confirmed that the control's scope includes the
   target's management system (:class:`keel.gap.models.ScopeConfirmation`), otherwise partial
   with "extend to the AIMS" as its extension.
5. A requirement is covered when any chain is full, partial when it has only partial chains,
   a gap when it has none; not applicable when the management system's SoA for the target
   standard excludes it (whatever the chains).

Chains are simple paths (no requirement twice) and never pass *through* another requirement of
the target standard: that requirement's own status speaks for itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from keel.controls.choices import Coverage, ImplementationStatus
from keel.mapping.choices import Relation

from .choices import CoverageStatus, Strength

MAX_STEPS = 3  # crosswalk steps in a chain (a control linked to the target itself: 0 steps)

FULL_RELATIONS = frozenset({Relation.EQUAL.value, Relation.SUPERSET.value})
PARTIAL_RELATIONS = frozenset({Relation.SUBSET.value, Relation.INTERSECTS.value})

# The relation written in a chain for the link step (control → requirement).
IMPLEMENTS = "implements"
IMPLEMENTS_PARTIALLY = "implements_partially"


@dataclass(frozen=True)
class Node:
    """A requirement of any loaded standard."""

    id: int
    key: str
    ref_id: str
    title: str
    standard_id: int
    kind: str = "annex_control"
    hs_key: str = ""
    hs_relation: str = ""


@dataclass(frozen=True)
class Link:
    """A control of the management system linked to a requirement."""

    control_ref: str
    control_title: str
    control_status: str
    requirement_id: int
    coverage: str
    note: str = ""


@dataclass(frozen=True)
class Edge:
    """A crosswalk relation as walked from ``a`` to ``b``: ``a <relation> b``."""

    a: int
    b: int
    relation: str
    extension: str = ""
    rationale: str = ""
    crosswalk: str = ""
    reversed: bool = False  # walked against the direction the relation was written in


@dataclass
class Graph:
    nodes: dict[int, Node]
    links: list[Link]
    edges: dict[int, list[Edge]] = field(default_factory=dict)
    # pairs reviewed and found to share only a theme (not_related with a source): never walked,
    # shown as the reason a chain stops
    theme_edges: dict[int, list[Edge]] = field(default_factory=dict)
    # (control reference, target requirement id): a person confirmed the control's scope
    # includes the target's management system (rule 4)
    confirmed: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def build(
        cls,
        nodes: Iterable[Node],
        links: Iterable[Link],
        relations: Iterable[tuple[int, int, str, str, str, str]],
        confirmed: Iterable[tuple[str, int]] = (),
    ) -> Graph:
        """``relations``: ``(source_id, target_id, relation, extension, rationale, crosswalk)``
        as stored; each becomes an edge both ways (the backward one with the inverse relation).
        A ``not_related`` pair with a source becomes a theme edge (never walked)."""
        node_map = {n.id: n for n in nodes}
        edges: dict[int, list[Edge]] = defaultdict(list)
        themes: dict[int, list[Edge]] = defaultdict(list)
        for source, target, relation, extension, rationale, crosswalk in relations:
            if source is None or source not in node_map or target not in node_map or source == target:
                continue
            into = themes if relation == Relation.NOT_RELATED else edges
            into[source].append(Edge(source, target, relation, extension, rationale, crosswalk))
            into[target].append(
                Edge(target, source, Relation.inverse(relation), extension, rationale, crosswalk, True)
            )
        return cls(
            nodes=node_map,
            links=list(links),
            edges=dict(edges),
            theme_edges=dict(themes),
            confirmed=frozenset(confirmed),
        )


def step_strength(relation: str) -> str | None:
    """Rule 2: the strength of a crosswalk step ``a <relation> b`` (None: carries nothing)."""
    if relation in FULL_RELATIONS:
        return Strength.FULL
    if relation in PARTIAL_RELATIONS:
        return Strength.PARTIAL
    return None


def link_strength(coverage: str, control_status: str) -> str | None:
    """Rule 1: the strength of the link step (None: the control carries no coverage yet)."""
    if control_status not in (ImplementationStatus.IMPLEMENTED, ImplementationStatus.IN_PROGRESS):
        return None
    if coverage == Coverage.FULL and control_status == ImplementationStatus.IMPLEMENTED:
        return Strength.FULL
    return Strength.PARTIAL


def compose(state: str | None, relation: str) -> str | None:
    """Rule 3: what the control covers of ``b`` after the step ``a <relation> b``, given what it
    covers of ``a`` (``full``: all of it; ``partial``: a part). None: no real start on ``b``."""
    if state is None or step_strength(relation) is None:
        return None
    if state == Strength.FULL:
        return str(Strength.FULL) if relation in FULL_RELATIONS else str(Strength.PARTIAL)
    # a part of a: kept inside b only when a lies inside b
    return str(Strength.PARTIAL) if relation in (Relation.EQUAL, Relation.SUBSET) else None


def chain_strength(first: str | None, relations: Iterable[str]) -> str | None:
    """Rule 3 over a whole chain: the link's strength carried through each step."""
    state = first
    for relation in relations:
        state = compose(state, relation)
    return state


def link_content(coverage: str, control_status: str) -> str | None:
    """What the control covers of the requirement it is linked to, by content (rule 3's start):
    all of it for a full link, a part for a partial link; None for a control that does not
    operate yet. An in-progress control covers the content of its link, not yet in full
    operation: that caps the chain at partial at the end (rule 1) but loses no real start."""
    if control_status not in (ImplementationStatus.IMPLEMENTED, ImplementationStatus.IN_PROGRESS):
        return None
    return str(Strength.FULL) if coverage == Coverage.FULL else str(Strength.PARTIAL)


def weakest(strengths: Iterable[str | None]) -> str | None:
    """Rule 3: a chain is as strong as its weakest step."""
    out: str | None = Strength.FULL
    for s in strengths:
        if s is None:
            return None
        if s == Strength.PARTIAL:
            out = Strength.PARTIAL
    return out


@dataclass(frozen=True)
class Chain:
    """One explanation: a control, its link, then zero to three crosswalk steps."""

    link: Link
    steps: tuple[Edge, ...]
    strength: str | None  # None: pending (the control is planned) or not counted (see ``stop``)
    # why a chain of an operating control does not count: "theme" (its last pair shares only a
    # theme), "lost" (a part was carried through a step that may lie outside), "" otherwise
    stop: str = ""
    # rule 4: "confirmed" / "unconfirmed" when the chain ends on a shared harmonised clause
    scope: str = ""
    system_label: str = "the AIMS"

    @property
    def counts(self) -> bool:
        return self.strength is not None

    @property
    def target_id(self) -> int:
        return self.steps[-1].b if self.steps else self.link.requirement_id

    def via(self, nodes: Mapping[int, Node]) -> list[dict[str, str]]:
        """The chain as the JSON contract writes it: the control first (relation ``control``),
        then each requirement with the relation read from the element before it."""
        first = IMPLEMENTS if self.link.coverage == Coverage.FULL else IMPLEMENTS_PARTIALLY
        out = [
            {"key": self.link.control_ref, "relation": "control"},
            {"key": nodes[self.link.requirement_id].key, "relation": first},
        ]
        out += [{"key": nodes[e.b].key, "relation": e.relation} for e in self.steps]
        return out

    def extension_notes(self, nodes: Mapping[int, Node]) -> list[str]:
        """What must be added for this chain to cover in full: the partial steps' notes."""
        notes: list[str] = []
        link = self.link
        req = nodes[link.requirement_id]
        if link.control_status == ImplementationStatus.IN_PROGRESS:
            notes.append(f"{link.control_ref} is still being implemented: finish it.")
        if link.coverage != Coverage.FULL:
            extra = f" ({link.note.strip()})" if link.note.strip() else ""
            notes.append(f"{link.control_ref} covers {req.ref_id} only in part{extra}: complete it.")
        for e in self.steps:
            if self.scope == "unconfirmed" and e is self.steps[-1]:
                a, b = nodes[e.a], nodes[e.b]
                what = e.extension.strip() if not e.reversed and e.extension.strip() else ""
                text = f"extend to {self.system_label}" + (f" — {what}" if what else ".")
                notes.append(
                    f"{a.ref_id} → {b.ref_id}: {text} Then confirm that the scope of "
                    f"{link.control_ref} includes {self.system_label}."
                )
                continue
            if step_strength(e.relation) != Strength.PARTIAL:
                continue
            a, b = nodes[e.a], nodes[e.b]
            text = e.extension.strip() if not e.reversed else ""
            if not text:
                what = "asks for more than" if e.relation == Relation.SUBSET else "only overlaps with"
                reason = e.extension.strip() or e.rationale.strip()
                text = f"{b.ref_id} {what} {a.ref_id}" + (f" — {reason}" if reason else "") + "."
            notes.append(f"{a.ref_id} → {b.ref_id}: {text}")
        return notes

    def sort_key(self) -> tuple[int, int, str]:
        rank = {Strength.FULL: 0, Strength.PARTIAL: 1, None: 2}[self.strength]  # type: ignore[index]
        return (rank, len(self.steps), self.link.control_ref)

    def held_back(self, nodes: Mapping[int, Node]) -> str:
        """Why this counting chain is partial (or, for a chain that does not count, why not)."""
        link = self.link
        req = nodes[link.requirement_id]
        if self.stop == "theme":
            e = self.steps[-1]
            a, b = nodes[e.a], nodes[e.b]
            return (
                f"{a.ref_id} shares only a theme with {b.ref_id} (not related: "
                f"{e.rationale.strip().rstrip('.')}), so {link.control_ref} is no start on it."
            )
        if self.stop == "lost":
            return (
                f"{link.control_ref} covers only a part along the way, and a later step "
                "(intersects or superset) may leave that part outside the requirement: no real start."
            )
        reasons: list[str] = []
        if link.control_status == ImplementationStatus.IN_PROGRESS:
            reasons.append(f"{link.control_ref} is still being implemented")
        if link.coverage != Coverage.FULL:
            reasons.append(f"{link.control_ref} covers {req.ref_id} only in part")
        for e in self.steps:
            a, b = nodes[e.a], nodes[e.b]
            if self.scope == "unconfirmed" and e is self.steps[-1]:
                reasons.append(
                    f"nobody has confirmed that the scope of {link.control_ref} includes {self.system_label}"
                )
            elif e.relation == Relation.SUBSET:
                reasons.append(f"{b.ref_id} asks for more than {a.ref_id}")
            elif e.relation == Relation.INTERSECTS:
                reasons.append(f"{a.ref_id} only overlaps with {b.ref_id}")
        return "; ".join(reasons)


@dataclass
class Inference:
    """The inferred status of one target requirement and the chains behind it."""

    requirement_id: int
    status: str
    chains: list[Chain]  # counting chains, strongest and shortest first
    pending: list[Chain]  # chains of planned controls: shown, not counted
    stopped: list[Chain] = field(default_factory=list)  # chains of operating controls that do not count

    def extension(self, nodes: Mapping[int, Node]) -> str | None:
        """For a partly covered requirement: what the partial chains say must be added."""
        if self.status != CoverageStatus.PARTIAL:
            return None
        notes = list(dict.fromkeys(n for c in self.chains for n in c.extension_notes(nodes)))
        return "\n".join(notes) if notes else None

    def why(self, nodes: Mapping[int, Node], chain_text: Callable[[Chain], str]) -> str:
        """Why the inferred status, in words: the chain that decides it and what holds it back,
        or, for a gap, what reaches the requirement without counting."""
        if self.status == CoverageStatus.NOT_APPLICABLE:
            return "Excluded in the Statement of Applicability."
        if self.status == CoverageStatus.COVERED:
            best = self.chains[0]
            if not best.steps:
                how = "a control linked to it directly, fully and implemented"
            elif best.scope == "confirmed":
                how = f"a full chain whose control's scope a person confirmed includes {best.system_label}"
            else:
                how = "a full chain"
            return f"Covered by {how}: {chain_text(best)}."
        if self.status == CoverageStatus.PARTIAL:
            best = self.chains[0]
            return f"Partly covered: {chain_text(best)} — {best.held_back(nodes)}."
        parts: list[str] = []
        for c in self.stopped[:3]:
            parts.append(f"{chain_text(c)} does not count: {c.held_back(nodes)}")
        if self.pending:
            refs = ", ".join(dict.fromkeys(c.link.control_ref for c in self.pending))
            parts.append(f"only planned controls reach it ({refs}); they count once they operate")
        if not parts:
            return "Gap: no control of the management system reaches it, directly or through a crosswalk."
        return "Gap: " + "; ".join(parts) + "."


def _paths(graph: Graph, start: int, target_standard: int, max_steps: int) -> list[tuple[Edge, ...]]:
    """Every simple path of 0..max_steps crosswalk edges from ``start`` ending on a requirement
    of the target standard, never passing through one."""
    nodes = graph.nodes
    out: list[tuple[Edge, ...]] = []
    if nodes[start].standard_id == target_standard:
        return [()]
    stack: list[tuple[int, tuple[Edge, ...], frozenset[int]]] = [(start, (), frozenset({start}))]
    while stack:
        at, path, seen = stack.pop()
        if len(path) >= max_steps:
            continue
        for edge in graph.theme_edges.get(at, ()):  # kept to explain why nothing propagates
            if edge.b not in seen and nodes[edge.b].standard_id == target_standard:
                out.append((*path, edge))
        for edge in graph.edges.get(at, ()):
            if edge.b in seen or step_strength(edge.relation) is None:
                continue
            step = (*path, edge)
            if nodes[edge.b].standard_id == target_standard:
                out.append(step)
            else:
                stack.append((edge.b, step, seen | {edge.b}))
    return out


def infer(
    graph: Graph,
    target_standard: int,
    targets: Iterable[int],
    excluded: Iterable[int] = (),
    max_steps: int = MAX_STEPS,
    system_label: str = "the AIMS",
) -> dict[int, Inference]:
    """The inferred status of every requirement in ``targets`` (ids of requirements of
    ``target_standard``); ``excluded``: requirements the SoA excludes (rule 5);
    ``system_label``: how the extension names the target's management system."""
    target_set = set(targets)
    excluded_set = set(excluded)
    chains: dict[int, list[Chain]] = defaultdict(list)
    path_cache: dict[int, list[tuple[Edge, ...]]] = {}
    for link in graph.links:
        if link.control_status == ImplementationStatus.NOT_APPLICABLE:
            continue
        if link.requirement_id not in graph.nodes:
            continue
        paths = path_cache.get(link.requirement_id)
        if paths is None:
            paths = path_cache[link.requirement_id] = _paths(
                graph, link.requirement_id, target_standard, max_steps
            )
        first = link_content(link.coverage, link.control_status)
        in_progress = link.control_status == ImplementationStatus.IN_PROGRESS
        for path in paths:
            end = path[-1].b if path else link.requirement_id
            if end not in target_set:
                continue
            if path and path[-1].relation == Relation.NOT_RELATED:
                if first is not None:
                    chains[end].append(Chain(link, path, None, "theme", system_label=system_label))
                continue
            strength = chain_strength(first, (e.relation for e in path))
            stop = "lost" if first is not None and strength is None else ""
            scope = ""
            node = graph.nodes[end]
            if path and node.kind == "clause" and node.hs_relation == "shared" and strength == Strength.FULL:
                if (link.control_ref, end) in graph.confirmed:
                    scope = "confirmed"
                else:
                    scope, strength = "unconfirmed", str(Strength.PARTIAL)
            if in_progress and strength == Strength.FULL:  # rule 1: not yet in full operation
                strength = str(Strength.PARTIAL)
            chains[end].append(Chain(link, path, strength, stop, scope, system_label))
    out: dict[int, Inference] = {}
    for req in target_set:
        found = sorted(chains.get(req, []), key=Chain.sort_key)
        counting = [c for c in found if c.counts]
        pending = [c for c in found if not c.counts and not c.stop]
        stopped = [c for c in found if c.stop]
        if req in excluded_set:
            status = CoverageStatus.NOT_APPLICABLE
        elif any(c.strength == Strength.FULL for c in counting):
            status = CoverageStatus.COVERED
        elif counting:
            status = CoverageStatus.PARTIAL
        else:
            status = CoverageStatus.GAP
        out[req] = Inference(req, str(status), counting, pending, stopped)
    return out


def effective(inferred: str, confirmed: str | None) -> str:
    """The status shown: the person's confirmed status when there is one, else the inferred."""
    return confirmed or inferred
