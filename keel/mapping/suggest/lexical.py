"""The lexical ranker (the default): TF-IDF cosine similarity over stemmed words, with field
weights.

Each text becomes a vector of stemmed terms. A term's weight in a document is
``(1 + ln tf) × idf``, where ``tf`` counts its occurrences with each field's weight (a word
in the title counts more than one in the guidance) and ``idf = ln((N + 1) / (df + 1)) + 1``
over the target requirements, so words every requirement uses ("organization",
"information") weigh little and distinctive ones ("supplier", "logging") much. The score is
the cosine of the source and target vectors, between 0 and 1. The explanation lists the
shared words that contributed most to it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .documents import Item
from .text import terms

# Field weights: the title says what a requirement is about in a few words; guidance and
# template texts add vocabulary but also noise. Chosen on the development half of the
# evaluation (bench/bench_suggest.py), never on the held-out half.
TARGET_WEIGHTS: Mapping[str, float] = {"title": 3.0, "body": 1.0, "guidance": 1.0, "templates": 0.5}
SOURCE_WEIGHTS: Mapping[str, float] = {"title": 3.0, "body": 1.0, "guidance": 1.0, "templates": 0.5}


@dataclass
class Hit:
    index: int  # of the target in the ranker's list
    score: float
    explanation: str


def _counts(
    item: Item, weights: Mapping[str, float], bigrams: bool
) -> tuple[dict[str, float], dict[str, str]]:
    tf: dict[str, float] = defaultdict(float)
    surface: dict[str, str] = {}
    for name, w in weights.items():
        text = item.fields.get(name)
        if not text or w <= 0:
            continue
        for t, word in terms(text, bigrams):
            tf[t] += w
            surface.setdefault(t, word)
    return tf, surface


class LexicalRanker:
    def __init__(
        self,
        targets: Sequence[Item],
        *,
        target_weights: Mapping[str, float] = TARGET_WEIGHTS,
        source_weights: Mapping[str, float] = SOURCE_WEIGHTS,
        bigrams: bool = False,
        sources: Sequence[Item] = (),
    ) -> None:
        self.targets = list(targets)
        self.source_weights = source_weights
        self.bigrams = bigrams
        counted = [_counts(t, target_weights, bigrams) for t in self.targets]
        df: Counter[str] = Counter()
        for tf, _ in counted:
            df.update(tf.keys())
        # Document frequencies over the targets and the source items being ranked: a word
        # that every source item repeats (a catalogue's boilerplate) tells the targets apart no
        # better than one every target uses.
        for item in sources:
            df.update(_counts(item, source_weights, bigrams)[0].keys())
        n = len(self.targets) + len(sources)
        self.idf = {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items()}
        self.default_idf = math.log(n + 1) + 1.0
        self.surface = [s for _, s in counted]
        self.index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.vectors: list[dict[str, float]] = []
        for i, (tf, _) in enumerate(counted):
            vec = {t: (1.0 + math.log1p(c - 1 if c >= 1 else c)) * self.idf[t] for t, c in tf.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            vec = {t: v / norm for t, v in vec.items()}
            self.vectors.append(vec)
            for t, v in vec.items():
                self.index[t].append((i, v))

    def vector(self, item: Item) -> dict[str, float]:
        tf, _ = _counts(item, self.source_weights, self.bigrams)
        vec = {
            t: (1.0 + math.log1p(c - 1 if c >= 1 else c)) * self.idf[t]
            for t, c in tf.items()
            if t in self.idf
        }
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def scores(self, item: Item) -> tuple[list[float], dict[str, float]]:
        """Cosine score against every target (same order as ``targets``), and the query vector."""
        q = self.vector(item)
        acc = [0.0] * len(self.targets)
        for t, qv in q.items():
            for i, dv in self.index.get(t, ()):
                acc[i] += qv * dv
        return acc, q

    def rank(self, item: Item, top: int, exclude: set[int] | frozenset[int] = frozenset()) -> list[Hit]:
        acc, q = self.scores(item)
        order = sorted((i for i in range(len(acc)) if acc[i] > 0 and i not in exclude), key=lambda i: -acc[i])
        return [Hit(i, acc[i], self.explain(q, i)) for i in order[:top]]

    def explain(self, q: Mapping[str, float], i: int, n: int = 5) -> str:
        doc = self.vectors[i]
        contrib = sorted(((qv * doc[t], t) for t, qv in q.items() if t in doc), reverse=True)
        words = [self.surface[i].get(t, t) for _, t in contrib[:n]]
        return "shared terms: " + ", ".join(words) if words else ""
