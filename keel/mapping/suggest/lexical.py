"""The lexical ranker (the default without the semantic extra, and half of the hybrid): TF-IDF
cosine similarity over stemmed words with field weights, or BM25 with the same field weights
(BM25F, ``scoring="bm25"``), which measured lower on the tuning sets of the external
evaluation (docs/mapping-suggestions.md) and is kept for comparison.

Each text becomes a bag of stemmed terms in which an occurrence counts with its field's
weight (a word in a target's title counts more than one in its guidance). Term rarity is
``idf = ln((N + 1) / (df + 1)) + 1`` over the target requirements and the source items
being ranked, so words every requirement uses ("organization", "information") or that a
catalogue repeats on every item weigh little.

TF-IDF (the default): a term's weight is ``(1 + ln tf) × idf``; the score is the cosine of
the source and target vectors, 0 to 1.

BM25: a target's score for a source item is the sum over the source's terms of
``q(t) × idf(t) × tf·(k1 + 1) / (tf + k1·(1 − b + b·len/avg_len))``, where ``tf`` is the
target's weighted count of the term, ``len`` its weighted length and ``q(t) = 1 + ln`` of the
source's weighted count. Unlike the cosine, a long guidance text is not diluted into a low
score, and repeating a word saturates. The score shown is that sum divided by the most a
target could score for this source item (every term saturated), between 0 and 1.

The explanation lists the shared words that contributed most, with the target's fields they
were found in (title, guidance, text, templates, accepted).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .documents import Item
from .text import terms

# Field weights: the title says what a requirement is about in a few words; guidance and
# template texts add vocabulary but also noise; "accepted" carries the texts of source items
# people accepted for the target (what decisions teach). Chosen on the tuning sets of
# bench/data/suggest-eval (bench/bench_suggest.py --variants), never on the held-out sets.
TARGET_WEIGHTS: Mapping[str, float] = {
    "title": 3.0,
    "body": 1.0,
    "guidance": 1.0,
    "templates": 0.5,
    "accepted": 1.0,
}
SOURCE_WEIGHTS: Mapping[str, float] = {"title": 3.0, "body": 1.0, "guidance": 1.0, "templates": 0.5}
SCORING = "tfidf"
K1 = 1.2
B = 0.75

FIELD_LABELS = {"title": "title", "body": "text", "guidance": "guidance", "templates": "templates",
                "accepted": "accepted"}  # fmt: skip


@dataclass
class Hit:
    index: int  # of the target in the ranker's list
    score: float
    explanation: str
    matched: list[dict[str, object]] = field(default_factory=list)  # [{"term", "fields"}]
    nearest: str = ""  # the target's sentence nearest in meaning (semantic)


def _counts(
    item: Item, weights: Mapping[str, float], bigrams: bool
) -> tuple[dict[str, float], dict[str, str], dict[str, list[str]]]:
    tf: dict[str, float] = defaultdict(float)
    surface: dict[str, str] = {}
    where: dict[str, list[str]] = defaultdict(list)
    for name, w in weights.items():
        text = item.fields.get(name)
        if not text or w <= 0:
            continue
        for t, word in terms(text, bigrams):
            tf[t] += w
            surface.setdefault(t, word)
            if name not in where[t]:
                where[t].append(name)
    return tf, surface, where


def _log_tf(c: float) -> float:
    return 1.0 + math.log(c) if c >= 1 else c


class LexicalRanker:
    def __init__(
        self,
        targets: Sequence[Item],
        *,
        target_weights: Mapping[str, float] = TARGET_WEIGHTS,
        source_weights: Mapping[str, float] = SOURCE_WEIGHTS,
        bigrams: bool = False,
        sources: Sequence[Item] = (),
        scoring: str = "",
        k1: float = K1,
        b: float = B,
    ) -> None:
        scoring = scoring or SCORING
        if scoring not in ("bm25", "tfidf"):
            raise ValueError(f"unknown scoring {scoring!r}")
        self.targets = list(targets)
        self.source_weights = source_weights
        self.bigrams = bigrams
        self.scoring, self.k1, self.b = scoring, k1, b
        counted = [_counts(t, target_weights, bigrams) for t in self.targets]
        df: Counter[str] = Counter()
        for tf, _, _ in counted:
            df.update(tf.keys())
        # Document frequencies over the targets and the source items being ranked: a word
        # that every source item repeats (a catalogue's boilerplate) tells the targets apart no
        # better than one every target uses.
        for item in sources:
            df.update(_counts(item, source_weights, bigrams)[0].keys())
        n = len(self.targets) + len(sources)
        self.idf = {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items()}
        self.surface = [s for _, s, _ in counted]
        self.where = [w for _, _, w in counted]
        self.index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.vectors: list[dict[str, float]] = []
        lengths = [sum(tf.values()) for tf, _, _ in counted]
        avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        for i, (tf, _, _) in enumerate(counted):
            if scoring == "tfidf":
                vec = {t: _log_tf(c) * self.idf[t] for t, c in tf.items()}
                norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
                vec = {t: v / norm for t, v in vec.items()}
            else:
                norm_len = k1 * (1 - b + b * lengths[i] / (avg or 1.0))
                vec = {t: c * (k1 + 1) / (c + norm_len) for t, c in tf.items()}
            self.vectors.append(vec)
            for t, v in vec.items():
                self.index[t].append((i, v))

    def vector(self, item: Item) -> dict[str, float]:
        """The source item's query weights (only terms some target or source has)."""
        tf, _, _ = _counts(item, self.source_weights, self.bigrams)
        if self.scoring == "tfidf":
            vec = {t: _log_tf(c) * self.idf[t] for t, c in tf.items() if t in self.idf}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            return {t: v / norm for t, v in vec.items()}
        return {t: _log_tf(c) * self.idf[t] for t, c in tf.items() if t in self.idf}

    def scores(self, item: Item) -> tuple[list[float], dict[str, float]]:
        """The score against every target (same order as ``targets``), 0 to 1, and the
        source item's query weights."""
        q = self.vector(item)
        acc = [0.0] * len(self.targets)
        for t, qv in q.items():
            for i, dv in self.index.get(t, ()):
                acc[i] += qv * dv
        if self.scoring == "bm25":
            top = sum(q.values()) * (self.k1 + 1) or 1.0
            acc = [a / top for a in acc]
        return acc, q

    def rank(self, item: Item, top: int, exclude: set[int] | frozenset[int] = frozenset()) -> list[Hit]:
        acc, q = self.scores(item)
        order = sorted((i for i in range(len(acc)) if acc[i] > 0 and i not in exclude), key=lambda i: -acc[i])
        return [Hit(i, acc[i], self.explain(q, i), self.matched(q, i)) for i in order[:top]]

    def matched(self, q: Mapping[str, float], i: int, n: int = 5) -> list[dict[str, object]]:
        """The shared words that contributed most, as the target writes them, and the
        target's fields each was found in."""
        doc = self.vectors[i]
        contrib = sorted(((qv * doc[t], t) for t, qv in q.items() if t in doc), reverse=True)[:n]
        return [
            {
                "term": self.surface[i].get(t, t),
                "fields": [FIELD_LABELS.get(f, f) for f in self.where[i].get(t, [])],
            }
            for _, t in contrib
        ]

    def explain(self, q: Mapping[str, float], i: int, n: int = 5) -> str:
        found = self.matched(q, i, n)
        if not found:
            return ""
        return "shared terms: " + ", ".join(f"{m['term']} ({', '.join(m['fields'])})" for m in found)  # type: ignore[arg-type]
