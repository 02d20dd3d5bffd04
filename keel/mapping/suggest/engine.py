"""Ranking requirements of a target standard for source items: the organisation's controls
(``org``) or the entries of a loaded or imported catalogue. Shared by the CLI, the API and
the page; see docs/mapping-suggestions.md.

By default only source items with no path through a crosswalk to the target are suggested
for: a catalogue entry with a relation (either direction) to an entry of the target, or a
control linked to the target directly or to a requirement that has such a relation. With
``no_crosswalk`` every source item is ranked, by its text only. Pairs a person has decided
(accepted or rejected) are never suggested again, nor targets a control already links to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from keel.controls.models import Control, ControlLink
from keel.controls.queries import visible
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.standards.models import Requirement, Standard

from ..choices import Relation, SuggestionDecisionKind, SuggestionMethod
from ..models import CrosswalkRelation, SuggestionDecision
from .documents import Item, accepted_text, control_items, requirement_items
from .lexical import Hit, LexicalRanker

ORG = "org"
DEFAULT_TOP = 5
MAX_TOP = 50
# Hybrid: the normalised blend of both scores, weighted as measured (bench/bench_suggest.py).
HYBRID_LEXICAL_WEIGHT = 0.5
# Enrich target requirements with the texts of the control templates linked to them.
WITH_TEMPLATES = True
# Enrich target requirements with the texts of the source items people accepted for them.
LEARN_FROM_DECISIONS = True


@dataclass
class Suggestion:
    source: str
    source_label: str
    target: str
    target_label: str
    rank: int
    score: float
    method: str
    explanation: str
    # Why: the shared words and the target's fields they were found in (lexical, hybrid), and
    # the target's sentence nearest in meaning (semantic, hybrid).
    matched: list[dict[str, Any]] = field(default_factory=list)
    nearest: str = ""

    def as_contract(self) -> dict[str, Any]:
        """The documented JSON shape of ``keel map suggest`` and the API."""
        return {
            "source": self.source,
            "target": self.target,
            "rank": self.rank,
            "score": self.score,
            "method": self.method,
            "explanation": self.explanation,
        }

    def as_api(self) -> dict[str, Any]:
        """The API's row: the contract plus why, field by field (``matched``: the shared words
        and the target's fields they were found in; ``nearest``: the target's sentence nearest
        in meaning, semantic and hybrid only)."""
        return {**self.as_contract(), "matched": self.matched, "nearest": self.nearest}


def get_standard(key: str, what: str) -> Standard:
    std = Standard.objects.filter(key=key).first()
    if std is None:
        known = ", ".join(Standard.objects.order_by("key").values_list("key", flat=True))
        raise NotFound(f"No standard or catalogue {key!r} for the {what}; known: {known}.")
    return std


def target_items(
    target: Standard, *, with_templates: bool = WITH_TEMPLATES, learn: bool = LEARN_FROM_DECISIONS
) -> list[Item]:
    """The target's linkable entries; with ``learn``, each carries as ``accepted`` the texts
    of the source items people accepted for it (the same words are likely in the next
    control or catalogue entry that serves it)."""
    items = requirement_items(Requirement.objects.filter(standard=target), with_templates=with_templates)
    if learn:
        taught: dict[Any, list[str]] = {}
        for tid, ct, cd, rt, ri in SuggestionDecision.objects.filter(
            target__standard=target, decision=SuggestionDecisionKind.ACCEPTED
        ).values_list("target_id", "source_control__title", "source_control__description",
                      "source_requirement__title", "source_requirement__intent"):  # fmt: skip
            text = accepted_text(ct or rt or "", cd or ri or "")
            if text:
                taught.setdefault(tid, []).append(text)
        for it in items:
            if it.pk in taught:
                it.fields["accepted"] = "\n".join(taught[it.pk])
    return items


def _visible_controls(user: User | None, trusted: bool) -> Any:
    qs = Control.objects.all()
    return qs if trusted else visible(qs, user)


def _relations_to(target: Standard) -> Q:
    live = Q(withdrawn_at__isnull=True, source__isnull=False) & ~Q(relation=Relation.NOT_RELATED)
    return live & (Q(target__standard=target) | Q(source__standard=target))


def source_items(
    user: User | None, source: str, target: Standard, *, no_crosswalk: bool, trusted: bool = False
) -> tuple[list[Item], list[set[str]]]:
    """The source items to suggest for, and per item the target keys never to suggest."""
    if source == ORG:
        items = control_items(_visible_controls(user, trusted))
        ids = [i.pk for i in items]
        links = list(ControlLink.objects.filter(control_id__in=ids).values_list("control_id", "requirement_id",
                                                                              "requirement__standard_id",
                                                                              "requirement__key"))  # fmt: skip
        linked: dict[Any, set[int]] = {}
        excluded: dict[Any, set[str]] = {}
        direct: set[Any] = set()
        for cid, rid, sid, rkey in links:
            linked.setdefault(cid, set()).add(rid)
            if sid == target.pk:
                direct.add(cid)
                excluded.setdefault(cid, set()).add(rkey)
        for cid, tkey in SuggestionDecision.objects.filter(
            source_control_id__in=ids, target__standard=target
        ).values_list("source_control_id", "target__key"):
            excluded.setdefault(cid, set()).add(tkey)
        if not no_crosswalk:
            all_linked = {r for rs in linked.values() for r in rs}
            related: set[int] = set()
            for s, t in CrosswalkRelation.objects.filter(
                _relations_to(target), Q(source_id__in=all_linked) | Q(target_id__in=all_linked)
            ).values_list("source_id", "target_id"):
                related.update((s, t))
            keep = [i for i in items if i.pk not in direct and not (linked.get(i.pk, set()) & related)]
            items = keep
        return items, [excluded.get(i.pk, set()) for i in items]
    std = get_standard(source, "source")
    if std.pk == target.pk:
        raise ValidationFailed(
            "The source and the target are the same standard.", {"source": ["Same as target."]}
        )
    items = requirement_items(Requirement.objects.filter(standard=std))
    ids = [i.pk for i in items]
    excluded_r: dict[Any, set[str]] = {}
    for rid, tkey in SuggestionDecision.objects.filter(
        source_requirement_id__in=ids, target__standard=target
    ).values_list("source_requirement_id", "target__key"):
        excluded_r.setdefault(rid, set()).add(tkey)
    if not no_crosswalk:
        pathed: set[int] = set()
        for s, t in (
            CrosswalkRelation.objects.filter(_relations_to(target))
            .filter(Q(source__standard=std) | Q(target__standard=std))
            .values_list("source_id", "target_id")
        ):
            pathed.update((s, t))
        items = [i for i in items if i.pk not in pathed]
    return items, [excluded_r.get(i.pk, set()) for i in items]


def rank(
    sources: Sequence[Item],
    targets: Sequence[Item],
    excluded: Sequence[set[str]],
    *,
    top: int,
    method: str,
    lexical: LexicalRanker | None = None,
    semantic: Any = None,
) -> list[list[Hit]]:
    """Top hits per source item (the engine behind :func:`suggest`, and the bench's)."""
    index = {t.key: i for i, t in enumerate(targets)}
    ex = [{index[k] for k in keys if k in index} for keys in excluded]
    if method == SuggestionMethod.LEXICAL:
        lex = lexical or LexicalRanker(targets, sources=sources)
        return [lex.rank(item, top, ex[n]) for n, item in enumerate(sources)]
    from .semantic import SemanticRanker

    sem = semantic or SemanticRanker(targets)
    if method == SuggestionMethod.SEMANTIC:
        return sem.rank_all(sources, top, ex)
    lex = lexical or LexicalRanker(targets, sources=sources)
    sem_scores, arg = sem.score_matrix(sources)
    out = []
    for n, item in enumerate(sources):
        lscores, q = lex.scores(item)
        combined = blend(lscores, [float(x) for x in sem_scores[n]])
        order = sorted((i for i in range(len(targets)) if i not in ex[n]), key=lambda i: -combined[i])[:top]
        hits = []
        for i in order:
            words = lex.explain(q, i)
            near = sem.sentences[int(arg[n, i])]
            hits.append(Hit(i, combined[i], "; ".join(p for p in (words, "nearest guidance: " + near) if p),
                            lex.matched(q, i), near))  # fmt: skip
        out.append(hits)
    return out


def _minmax(xs: Sequence[float]) -> list[float]:
    lo, hi = min(xs), max(xs)
    span = hi - lo
    return [(x - lo) / span if span > 0 else 0.0 for x in xs]


def blend(lexical: Sequence[float], semantic: Sequence[float], weight: float | None = None) -> list[float]:
    """Hybrid score: each ranker's scores scaled to 0–1 over the targets, then a weighted mean
    (``weight`` for the lexical side; default :data:`HYBRID_LEXICAL_WEIGHT`)."""
    weight = HYBRID_LEXICAL_WEIGHT if weight is None else weight
    if not lexical:
        return []
    lx, sx = _minmax(lexical), _minmax(semantic)
    return [weight * a + (1 - weight) * b for a, b in zip(lx, sx, strict=True)]


def default_method() -> str:
    """The method used when none is asked for: hybrid where the ``keel[semantic]`` extra is
    installed (the best recall@5 and hit@5 on the external evaluation sets, tuning and held
    out alike; docs/mapping-suggestions.md), lexical otherwise."""
    from .semantic import available

    return SuggestionMethod.HYBRID if available() else SuggestionMethod.LEXICAL


def check_method(method: str) -> str:
    if method not in SuggestionMethod.values:
        raise ValidationFailed(
            f"Unknown method {method!r}: use lexical, semantic or hybrid.", {"method": ["Unknown method."]}
        )
    if method != SuggestionMethod.LEXICAL:
        from .semantic import SemanticUnavailable, available

        if not available():
            raise SemanticUnavailable()
    return method


def suggest(
    user: User | None,
    source: str,
    target: str,
    *,
    top: int = DEFAULT_TOP,
    method: str = "",
    no_crosswalk: bool = False,
    trusted: bool = False,
) -> list[Suggestion]:
    """Ranked suggestions, ``top`` per source item, in source order then rank (``method``:
    blank for :func:`default_method`)."""
    method = method or default_method()
    check_method(method)
    if not 1 <= top <= MAX_TOP:
        raise ValidationFailed(f"top is between 1 and {MAX_TOP}.", {"top": [f"Between 1 and {MAX_TOP}."]})
    tstd = get_standard(target, "target")
    sources, excluded = source_items(user, source.strip(), tstd, no_crosswalk=no_crosswalk, trusted=trusted)
    if not sources:
        return []
    targets = target_items(tstd)
    hits = rank(sources, targets, excluded, top=top, method=method)
    out = []
    for item, row in zip(sources, hits, strict=True):
        for r, h in enumerate(row, start=1):
            t = targets[h.index]
            score = round(h.score, 4) if math.isfinite(h.score) else 0.0
            out.append(Suggestion(item.key, item.label, t.key, t.label, r, score, method, h.explanation,
                                  h.matched, h.nearest))  # fmt: skip
    return out


__all__ = ["ORG", "Suggestion", "suggest"]
