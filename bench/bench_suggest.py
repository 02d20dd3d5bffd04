"""Benchmark mapping suggestions: quality (recall@1/5/10 on a held-out half of our own
ISO/IEC 27001 → 42001 crosswalk) and speed (500 controls against ISO/IEC 42001).

    .venv/bin/python bench/bench_suggest.py [--methods lexical,semantic,hybrid] [--controls 500]
        [--crosswalk FILE]

Quality: every related pair (source 27001 entry, target 42001 entry, relation not
``not_related``) of the shipped crosswalk data file is a pair the ranker should find. Source
entries are split in two halves by a hash of their reference: the *development* half was
used to choose the field weights and the hybrid weight, the *held-out* half is reported (the
development half is printed beside it). recall@k = share of the pairs whose target is among
the top k suggestions for their source, ranked with ``--no-crosswalk`` over every mappable
42001 entry (clauses and Annex A controls). Variants:

- ``baseline (title words)``: the share of title words in common (Jaccard, no stemming, no
  IDF) — what a naive matcher does;
- ``titles only``: our method on the titles (no guidance text);
- ``+ guidance``: our method with Keel's guidance text (intent, auditor focus, evidence);
- ``+ guidance + templates``: the target entries also carry the texts of the control
  templates linked to them (the default; see the caveat in docs/mapping-suggestions.md).

Without the crosswalk data file (before it is merged) the bench falls back to the control
templates' links as the evaluation pairs (each template's 27001 links × its 42001 links), and
then skips the template enrichment, which would leak the answer.

Speed: 500 controls (texts of the control templates, varied) against ISO/IEC 42001 through
the real ``suggest()`` path; semantic timed with a cold and a warm embedding cache. Runs on
SQLite in a temporary data folder. Semantic and hybrid need the ``keel[semantic]`` extra.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
XWALK = ROOT / "keel" / "mapping" / "data" / "crosswalks" / "iso27001-2022--iso42001-2023.yaml"
SRC, TGT = "iso27001:2022", "iso42001:2023"
KS = (1, 5, 10)


def _setup() -> None:
    home = tempfile.mkdtemp(prefix="keel-bench-suggest-")
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


def _held_out(ref: str) -> bool:
    return int(hashlib.sha256(ref.encode()).hexdigest(), 16) % 2 == 1


def _pairs(path: Path | None) -> tuple[set[tuple[str, str]], str]:
    import yaml

    if path is not None and path.exists():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        pairs = {
            (f"{SRC}:{r['source']}", f"{TGT}:{r['target']}")
            for r in data["relations"]
            if r.get("relation") != "not_related" and r.get("source")
        }
        return pairs, f"crosswalk {path.name}"
    from keel.controls.models import TemplateRequirement

    by_t: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for tid, key in TemplateRequirement.objects.values_list("template_id", "requirement__key"):
        by_t[tid][key.rsplit(":", 1)[0]].add(key)
    pairs = {(s, t) for d in by_t.values() for s in d.get(SRC, ()) for t in d.get(TGT, ())}
    return pairs, "control templates' links (stand-in: no crosswalk data file)"


def _words(text: str) -> set[str]:
    from keel.mapping.suggest.text import STOP_WORDS

    return {w for w in re.findall(r"[a-z][a-z0-9]+", text.lower()) if w not in STOP_WORDS}


def _recall(ranked: dict[str, list[str]], pairs: set[tuple[str, str]]) -> dict[int, float]:
    out = {}
    for k in KS:
        found = sum(1 for s, t in pairs if t in ranked.get(s, [])[:k])
        out[k] = found / len(pairs) if pairs else 0.0
    return out


def _strip(items: list[Any], keep: tuple[str, ...]) -> list[Any]:
    from keel.mapping.suggest.documents import Item

    return [
        Item(i.key, i.label, {k: v for k, v in i.fields.items() if k in keep}, i.pk, i.kind) for i in items
    ]


def quality(methods: list[str], xwalk: Path | None, weights: list[float]) -> None:
    from keel.mapping.suggest.documents import requirement_items
    from keel.mapping.suggest.engine import rank
    from keel.mapping.suggest.lexical import LexicalRanker
    from keel.standards.models import Requirement

    pairs, where = _pairs(xwalk)
    stand_in = where.startswith("control")
    sources_all = requirement_items(Requirement.objects.filter(standard__key=SRC))
    targets_t = requirement_items(Requirement.objects.filter(standard__key=TGT), with_templates=True)
    tkeys = {t.key for t in targets_t}
    skeys = {s.key for s in sources_all}
    pairs = {(s, t) for s, t in pairs if s in skeys and t in tkeys}
    sources = [s for s in sources_all if any(p[0] == s.key for p in pairs)]
    split = {
        "held-out": {p for p in pairs if _held_out(p[0])},
        "development": {p for p in pairs if not _held_out(p[0])},
    }
    print(f"Evaluation pairs: {len(pairs)} from {where}")
    print(
        f"  {len({p[0] for p in split['held-out']})} source entries / {len(split['held-out'])} pairs held out, "
        f"{len({p[0] for p in split['development']})} / {len(split['development'])} for development; "
        f"{len(targets_t)} candidate 42001 entries"
    )
    variants: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
        ("titles only", ("title",), ("title",)),
        ("+ guidance", ("title", "body", "guidance"), ("title", "body", "guidance")),
    ]
    if not stand_in:
        variants.append(
            (
                "+ guidance + templates",
                ("title", "body", "guidance"),
                ("title", "body", "guidance", "templates"),
            )
        )
    rows: list[tuple[str, str, dict[str, dict[int, float]], float]] = []

    # Baseline: share of title words (Jaccard).
    started = time.perf_counter()
    tw = [(t.key, _words(t.fields["title"])) for t in targets_t]
    ranked = {}
    for s in sources:
        sw = _words(s.fields["title"])
        scored = sorted(tw, key=lambda kv: -len(sw & kv[1]) / (len(sw | kv[1]) or 1))
        ranked[s.key] = [k for k, _ in scored[:10]]
    rows.append(
        ("baseline (title words)", "jaccard", {n: _recall(ranked, p) for n, p in split.items()},
         time.perf_counter() - started)
    )  # fmt: skip

    for method in methods:
        for name, skeep, tkeep in variants:
            srcs, tgts = _strip(sources, skeep), _strip(targets_t, tkeep)
            started = time.perf_counter()
            lex = LexicalRanker(tgts, sources=srcs)
            sem = None
            if method != "lexical":
                from keel.mapping.suggest.semantic import SemanticRanker

                sem = SemanticRanker(tgts, with_guidance="guidance" in tkeep)
            hits = rank(srcs, tgts, [set() for _ in srcs], top=10, method=method, lexical=lex, semantic=sem)
            ranked = {s.key: [tgts[h.index].key for h in row] for s, row in zip(srcs, hits, strict=True)}
            rows.append((name, method, {n: _recall(ranked, p) for n, p in split.items()},
                         time.perf_counter() - started))  # fmt: skip
        if method == "hybrid" and weights:
            from keel.mapping.suggest import engine

            srcs = _strip(sources, ("title", "body", "guidance"))
            tgts = _strip(
                targets_t,
                ("title", "body", "guidance", "templates") if not stand_in else ("title", "body", "guidance"),
            )
            lex = LexicalRanker(tgts, sources=srcs)
            from keel.mapping.suggest.semantic import SemanticRanker

            sem = SemanticRanker(tgts)
            default = engine.HYBRID_LEXICAL_WEIGHT
            for w in weights:
                engine.HYBRID_LEXICAL_WEIGHT = w
                hits = rank(
                    srcs, tgts, [set() for _ in srcs], top=10, method="hybrid", lexical=lex, semantic=sem
                )
                ranked = {s.key: [tgts[h.index].key for h in row] for s, row in zip(srcs, hits, strict=True)}
                rows.append(
                    (
                        f"  hybrid weight {w:.2f}",
                        "hybrid",
                        {n: _recall(ranked, p) for n, p in split.items()},
                        0.0,
                    )
                )
            engine.HYBRID_LEXICAL_WEIGHT = default

    print()
    head = f"{'variant':<26} {'method':<9} " + " ".join(f"{'R@' + str(k):>6}" for k in KS)
    print(f"{head}   | development: " + " ".join(f"{'R@' + str(k):>6}" for k in KS) + "   time")
    for name, method, rec, secs in rows:
        held = " ".join(f"{rec['held-out'][k]:6.3f}" for k in KS)
        dev = " ".join(f"{rec['development'][k]:6.3f}" for k in KS)
        print(f"{name:<26} {method:<9} {held}   |              {dev}   {secs:5.2f} s")


def speed(methods: list[str], n: int) -> None:
    from keel.controls.models import Control, ControlTemplate
    from keel.mapping.suggest.engine import suggest

    templates = list(ControlTemplate.objects.all())
    Control.objects.bulk_create(
        [
            Control(
                ref_id=f"BC-{i:04d}",
                title=templates[i % len(templates)].title + ("" if i < len(templates) else f" ({i})"),
                description=templates[i % len(templates)].description,
                type="process",
                frequency="annually",
            )
            for i in range(n)
        ]
    )
    print()
    print(f"Speed: {n} controls against {TGT}, top 5 each, every control ranked (--no-crosswalk)")
    print(f"  ({os.cpu_count()} CPU cores; the semantic ranker uses at most 2 threads)")
    for method in methods:
        runs = ["cold cache", "warm cache"] if method != "lexical" else ["run 1", "run 2"]
        for label in runs:
            started, cpu = time.perf_counter(), time.process_time()
            rows = suggest(None, "org", TGT, top=5, method=method, no_crosswalk=True, trusted=True)
            secs, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"  {method:<9} {label:<11} {secs:6.2f} s wall, {cpu:6.2f} s CPU on all threads "
                f"({len(rows)} suggestions; load average {os.getloadavg()[0]:.1f})"
            )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--methods", default=None, help="comma-separated; default: lexical, plus semantic and "
                        "hybrid when the keel[semantic] extra is installed")  # fmt: skip
    parser.add_argument("--controls", type=int, default=500)
    parser.add_argument("--crosswalk", type=Path, default=XWALK, help="crosswalk data file with the pairs")
    parser.add_argument(
        "--hybrid-weights", default="", help="also try these lexical weights, e.g. 0.3,0.5,0.7"
    )
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    _setup()
    from keel.mapping.suggest.semantic import available

    methods = (
        args.methods.split(",")
        if args.methods
        else ["lexical", *(["semantic", "hybrid"] if available() else [])]
    )
    if not available() and set(methods) - {"lexical"}:
        print("semantic/hybrid asked but the keel[semantic] extra is not installed", file=sys.stderr)
        return 2
    weights = [float(w) for w in args.hybrid_weights.split(",") if w.strip()]
    if not args.skip_quality:
        quality(methods, args.crosswalk, weights)
    if not args.skip_speed:
        speed(methods, args.controls)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
