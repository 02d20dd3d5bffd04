"""Benchmark mapping suggestions on crosswalks nobody on the team wrote (bench/data/suggest-eval/,
see its README): recall@1/5/10 and hit@5 per set and method, a title-only TF-IDF baseline
beside each, and the time of the semantic ranker for 100 sources × 100 targets.

    .venv/bin/python bench/bench_suggest.py [--sets a,b] [--methods lexical,semantic,hybrid]
        [--variants] [--skip-speed]

- recall@k: share of the gold pairs whose target is among the top k for their source;
- hit@5: share of the source items with at least one gold target in their top 5;
- ceiling R@5: the best recall@5 any ranking could reach (a source with 12 gold targets can
  find 5 of them in 5 slots).

Every method ranks every linkable target entry for every source item of the set, by text
only (no crosswalk, no decision). Sources carry their title and their own description;
targets their title and description (the publisher's text, or for ISO/IEC 27001 Keel's own
guidance, as a Keel user has it). ``--variants`` adds the alternatives measured to choose the
default (field weights, BM25 against TF-IDF, the hybrid weight, texts used). ``--learn`` measures learning
from decisions: half of the source items (by a hash of their id) have their gold pairs
accepted, the other half is ranked. Sets whose ``role`` is ``tuning`` were the only ones
looked at while choosing parameters; the others are held out.

Runs on SQLite in a temporary data folder (Keel's library is loaded for the ISO/IEC 27001
guidance). Semantic and hybrid need the ``keel[semantic]`` extra.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "suggest-eval"
KS = (1, 5, 10)
ISO27001 = "iso27001:2022"


def _setup(home: str = "") -> None:
    home = home or tempfile.mkdtemp(prefix="keel-bench-suggest-")
    os.makedirs(home, exist_ok=True)
    for stale in Path(home).glob("*.sqlite3"):
        stale.unlink()  # a fresh database each run; only the embedding cache is kept
    os.environ.pop("DATABASE_URL", None)
    os.environ["KEEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "keel.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from keel.controls.services import load_templates
    from keel.platform.actor import Actor
    from keel.standards.services import load_library

    load_library(Actor.system("bench"))
    load_templates(Actor.system("bench"))


class EvalSet:
    def __init__(self, path: Path, *, templates: bool = False) -> None:
        from keel.mapping.suggest.documents import Item, requirement_items
        from keel.standards.models import Requirement

        data = json.loads(path.read_text(encoding="utf-8"))
        self.name: str = data["name"]
        self.role: str = data["role"]
        self.sources = [
            Item(key=i, label=f"{i} {t}", fields={"title": t, "body": d}, kind="requirement")
            for i, t, d in data["sources"]
        ]
        if data["target_text"] == "keel-guidance":
            keel = {
                it.key.rsplit(":", 1)[1]: it
                for it in requirement_items(Requirement.objects.filter(standard__key=ISO27001),
                                            with_templates=templates, linkable_only=True)
            }  # fmt: skip
            missing = [i for i, _, _ in data["targets"] if i not in keel]
            if missing:
                raise SystemExit(f"{self.name}: not linkable in Keel's ISO/IEC 27001 library: {missing}")
            self.targets = [keel[i] for i, _, _ in data["targets"]]
            for it, (i, _, _) in zip(self.targets, data["targets"], strict=True):
                it.key = i
        else:
            self.targets = [
                Item(key=i, label=f"{i} {t}", fields={"title": t, "body": d}, kind="requirement")
                for i, t, d in data["targets"]
            ]
        self.pairs = {(s, t) for s, t in data["pairs"]}
        self.gold: dict[str, set[str]] = {}
        for s, t in self.pairs:
            self.gold.setdefault(s, set()).add(t)

    def ceiling(self, k: int) -> float:
        return sum(min(k, len(ts)) for ts in self.gold.values()) / len(self.pairs)


def metrics(ranked: dict[str, list[str]], es: EvalSet, keys: set[str] | None = None) -> dict[str, float]:
    pairs = [p for p in es.pairs if keys is None or p[0] in keys]
    out = {f"R@{k}": sum(1 for s, t in pairs if t in ranked.get(s, [])[:k]) / len(pairs) for k in KS}
    srcs = [s for s in es.gold if keys is None or s in keys]
    out["hit@5"] = sum(1 for s in srcs if es.gold[s] & set(ranked.get(s, [])[:5])) / len(srcs)
    return out


# --- the title-only TF-IDF baseline: plain words (no stemming), TF-IDF cosine of the titles ---
def _plain(text: str) -> list[str]:
    from keel.mapping.suggest.text import STOP_WORDS

    return [w for w in re.findall(r"[a-z][a-z0-9]+", text.lower()) if w not in STOP_WORDS]


def baseline(es: EvalSet) -> dict[str, list[str]]:
    docs = [Counter(_plain(t.fields.get("title", ""))) for t in es.targets]
    queries = [Counter(_plain(s.fields.get("title", ""))) for s in es.sources]
    df: Counter[str] = Counter()
    for d in docs + queries:
        df.update(d.keys())
    n = len(docs) + len(queries)

    def vec(c: Counter[str]) -> dict[str, float]:
        v = {w: tf * (math.log((n + 1) / (df[w] + 1)) + 1) for w, tf in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    dv = [vec(d) for d in docs]
    out = {}
    for s, q in zip(es.sources, queries, strict=True):
        qv = vec(q)
        scores = [sum(x * d.get(w, 0.0) for w, x in qv.items()) for d in dv]
        order = sorted(range(len(dv)), key=lambda i: -scores[i])[:10]
        out[s.key] = [es.targets[i].key for i in order]
    return out


def run_engine(es: EvalSet, method: str, *, learn: bool = False, **lex: Any) -> dict[str, list[str]]:
    from keel.mapping.suggest.engine import rank
    from keel.mapping.suggest.lexical import LexicalRanker

    sources, targets = es.sources, es.targets
    if learn:
        targets = _with_decisions(es)
        sources = [s for s in sources if not _taught(s.key)]
    lexical = LexicalRanker(targets, sources=sources, **lex) if method != "semantic" else None
    hits = rank(sources, targets, [set() for _ in sources], top=10, method=method, lexical=lexical)
    return {s.key: [targets[h.index].key for h in row] for s, row in zip(sources, hits, strict=True)}


def _taught(key: str) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0


def _with_decisions(es: EvalSet) -> list[Any]:
    """Targets enriched as Keel enriches them from accepted decisions: half of the source
    items (by a hash of their id) have their gold pairs accepted."""
    from keel.mapping.suggest.documents import Item, accepted_text

    accepted: dict[str, list[str]] = {}
    for s in es.sources:
        if _taught(s.key):
            for t in es.gold.get(s.key, ()):
                accepted.setdefault(t, []).append(
                    accepted_text(s.fields.get("title", ""), s.fields.get("body", ""))
                )
    return [
        Item(t.key, t.label, {**t.fields, "accepted": "\n".join(accepted.get(t.key, []))}, t.pk, t.kind)
        for t in es.targets
    ]


def _strip(items: Sequence[Any], keep: tuple[str, ...]) -> list[Any]:
    from keel.mapping.suggest.documents import Item

    return [
        Item(i.key, i.label, {k: v for k, v in i.fields.items() if k in keep}, i.pk, i.kind) for i in items
    ]


Row = tuple[str, str, dict[str, dict[str, float]]]


def quality(sets: list[EvalSet], methods: list[str], variants: bool, learn: bool) -> list[Row]:
    from keel.mapping.suggest import lexical as lx

    rows: list[Row] = []

    def measure(label: str, method: str, fn: Callable[[EvalSet], dict[str, list[str]]],
                subset: Callable[[EvalSet], set[str] | None] = lambda es: None) -> None:  # fmt: skip
        started = time.perf_counter()
        res = {es.name: metrics(fn(es), es, subset(es)) for es in sets}
        rows.append((label, method, res))
        print(f"  measured {label} / {method} in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    measure("baseline: TF-IDF of titles", "tfidf-titles", baseline)
    for method in methods:
        measure("default", method, lambda es, m=method: run_engine(es, m))  # type: ignore[misc]
    if variants:

        def sub(es: EvalSet, keep: tuple[str, ...], m: str = "lexical", **kw: Any) -> dict[str, list[str]]:
            s2 = EvalSet.__new__(EvalSet)
            s2.__dict__.update(es.__dict__)
            s2.sources, s2.targets = _strip(es.sources, keep), _strip(es.targets, keep)
            return run_engine(s2, m, **kw)

        measure("source and target titles only", "lexical", lambda es: sub(es, ("title",)))
        measure(
            "titles only", "semantic", lambda es: sub(es, ("title",), "semantic")
        ) if "semantic" in methods else None
        other = "bm25" if lx.SCORING == "tfidf" else "tfidf"
        measure(
            f"{other} instead of {lx.SCORING}", "lexical", lambda es: run_engine(es, "lexical", scoring=other)
        )
        for tw in (1.0, 2.0, 3.0):
            measure(f"title weight {tw:g} (targets and sources)", "lexical",
                    lambda es, w=tw: run_engine(es, "lexical",  # type: ignore[misc]
                                                target_weights={**lx.TARGET_WEIGHTS, "title": w},
                                                source_weights={**lx.SOURCE_WEIGHTS, "title": w}))  # fmt: skip
        if "hybrid" in methods:
            from keel.mapping.suggest import engine

            for w in (0.3, 0.7):

                def hyb(es: EvalSet, w: float = w) -> dict[str, list[str]]:
                    default, engine.HYBRID_LEXICAL_WEIGHT = engine.HYBRID_LEXICAL_WEIGHT, w
                    try:
                        return run_engine(es, "hybrid")
                    finally:
                        engine.HYBRID_LEXICAL_WEIGHT = default

                measure(f"hybrid, lexical weight {w:g}", "hybrid", hyb)
        for k1, b in ((0.9, 0.4), (1.2, 0.75), (2.0, 0.75), (1.2, 0.3)):
            measure(
                f"BM25 k1={k1:g} b={b:g}",
                "lexical",
                lambda es, k=k1, bb=b: run_engine(es, "lexical", scoring="bm25", k1=k, b=bb),
            )  # type: ignore[misc]
    if learn:
        for method in methods:
            measure(
                "half of the sources' pairs accepted: the other half",
                method,
                lambda es, m=method: run_engine(es, m, learn=True),  # type: ignore[misc]
                lambda es: {s for s in es.gold if not _taught(s)},
            )
            measure(
                "the same half, nothing accepted",
                method,
                lambda es, m=method: run_engine(es, m),  # type: ignore[misc]
                lambda es: {s for s in es.gold if not _taught(s)},
            )
    return rows


def report(sets: list[EvalSet], rows: list[Row]) -> None:
    print()
    print("| set (role) | sources / targets / pairs | ceiling R@5 |")
    print("|---|---|---:|")
    for es in sets:
        print(
            f"| {es.name} ({es.role}) | {len(es.gold)} / {len(es.targets)} / {len(es.pairs)} | {es.ceiling(5):.3f} |"
        )
    for es in sets:
        print(f"\n### {es.name} ({es.role})\n")
        print("| variant | method | R@1 | R@5 | R@10 | hit@5 |")
        print("|---|---|---:|---:|---:|---:|")
        for label, method, res in rows:
            m = res[es.name]
            print(
                f"| {label} | {method} | {m['R@1']:.3f} | {m['R@5']:.3f} | {m['R@10']:.3f} | {m['hit@5']:.3f} |"
            )
    print("\n### Mean over the sets: tuning sets | held-out sets\n")
    print("| variant | method | R@1 | R@5 | R@10 | hit@5 | held-out R@1 | R@5 | R@10 | hit@5 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, method, res in rows:
        cells = []
        for role in ("tuning", "held-out"):
            names = [es.name for es in sets if es.role == role]
            for k in ("R@1", "R@5", "R@10", "hit@5"):
                cells.append(f"{sum(res[n][k] for n in names) / len(names):.3f}" if names else "–")
        print(f"| {label} | {method} | " + " | ".join(cells) + " |")


def speed(sets: list[EvalSet]) -> None:
    """The semantic ranker for 100 sources × 100 targets, cold (model load, every text
    embedded, no cache) and warm (targets cached)."""
    import shutil

    from keel.mapping.suggest import semantic
    from keel.mapping.suggest.engine import rank

    es = next(s for s in sets if s.name == "sp800-53-to-iso27001") if any(
        s.name == "sp800-53-to-iso27001" for s in sets) else sets[0]  # fmt: skip
    sources, targets = es.sources[:100], es.targets[:100]
    shutil.rmtree(semantic.cache_dir(), ignore_errors=True)
    semantic.CACHE_SOURCES = False  # as in the product: only the targets are cached
    semantic._model = None  # the cold run loads the model
    print(f"\nSpeed: semantic ranker, {len(sources)} sources × {len(targets)} targets of {es.name}, top 10 "
          f"({os.cpu_count()} CPU cores, at most 2 threads)")  # fmt: skip
    for label in ("cold (model load, nothing cached)", "warm (target embeddings cached)"):
        started, cpu = time.perf_counter(), time.process_time()
        rank(sources, targets, [set() for _ in sources], top=10, method="semantic")
        secs, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"  {label}: {secs:.1f} s wall, {cpu:.1f} s CPU on all threads "
              f"(load average {os.getloadavg()[0]:.1f})")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default="", help="comma-separated set names; default: all")
    parser.add_argument("--methods", default=None, help="comma-separated; default: lexical, plus semantic and "
                        "hybrid when the keel[semantic] extra is installed")  # fmt: skip
    parser.add_argument("--variants", action="store_true", help="also the alternatives to the default")
    parser.add_argument("--learn", action="store_true", help="also learning from accepted decisions")
    parser.add_argument("--no-templates", action="store_true", help="ISO targets without the texts of the "
                        "control templates linked to them (the product's default enriches them)")  # fmt: skip
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--home", default="", help="data folder to reuse (keeps the embedding cache between "
                        "runs); default: a new temporary one")  # fmt: skip
    parser.add_argument(
        "--scoring", choices=["tfidf", "bm25"], default="", help="override the lexical scoring"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    _setup(args.home)
    if args.scoring:
        from keel.mapping.suggest import lexical

        lexical.SCORING = args.scoring
    from keel.mapping.suggest import semantic
    from keel.mapping.suggest.semantic import available

    semantic.CACHE_SOURCES = True  # the same sets are ranked many times

    methods = (
        args.methods.split(",")
        if args.methods
        else ["lexical", *(["semantic", "hybrid"] if available() else [])]
    )
    if not available() and set(methods) - {"lexical"}:
        print("semantic/hybrid asked but the keel[semantic] extra is not installed", file=sys.stderr)
        return 2
    wanted = {s for s in args.sets.split(",") if s}
    sets = [
        EvalSet(p, templates=not args.no_templates)
        for p in sorted(DATA.glob("*.json"))
        if not wanted or p.stem in wanted
    ]
    sets.sort(key=lambda s: (s.role != "tuning", s.name))
    rows = quality(sets, methods, args.variants, args.learn)
    report(sets, rows)
    if not args.skip_speed and "semantic" in methods:
        speed(sets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
