"""Measure the gap analysis against an independent assessment: a fictional company's ISMS register
and a lead auditor's label (covered / partial / gap) for each of ISO/IEC 42001's 32 leaf clauses
and 38 Annex A controls, written by a reviewer who never saw Keel
(keel/gap/tests/fixtures/independent-assessment/, its README says how).

    .venv/bin/python bench/bench_gap_agreement.py [--fixture DIR] [--code DIR] [--json]

The whole journey runs through the CLI, in a fresh data folder on SQLite (``DATABASE_URL`` is
ignored): ``keel init --organisation``, ``keel system create`` (ISO 27001 and ISO 42001),
``keel import controls`` of the register as it is, ``keel gap --target iso42001:2023``. If the
import refuses the file, that is printed and the import is retried with ``--map Control=title``
(so that older code can still be measured on its rules). ``--code DIR`` runs the CLI from another
checkout (for example ``git archive main | tar -x -C /tmp/keel-main``) to measure the code before
a change the same way.

Prints agreement (n/70, %), the over-claims (Keel stronger than the label) and under-claims,
each listed, and a confusion matrix, beside a simple baseline that needs no data: every clause
partial except the two AI-only ones (6.1.4, 8.4: gap), every Annex A control gap.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "keel" / "gap" / "tests" / "fixtures" / "independent-assessment"
TARGET = "iso42001:2023"
LABELS = ("covered", "partial", "gap")
RANK = {"gap": 0, "partial": 1, "covered": 2, "not_applicable": -1}
AI_ONLY_CLAUSES = {"6.1.4", "8.4"}  # 42001 clauses with no counterpart in any ISMS (docs/crosswalks.md)


def read_labels(fixture: Path) -> dict[str, str]:
    with (fixture / "labels.csv").open(encoding="utf-8", newline="") as fh:
        return {row["requirement"].strip(): row["label"].strip() for row in csv.DictReader(fh)}


def baseline(ref: str) -> str:
    """The simple baseline: clauses partial (the AI-only ones gap), Annex A controls gap."""
    if ref.startswith("A."):
        return "gap"
    return "gap" if ref in AI_ONLY_CLAUSES else "partial"


def run_journey(fixture: Path, code: Path, home: Path) -> tuple[dict[str, str], list[str]]:
    """The CLI journey; returns {ref_id: inferred status} and notes on what the import needed."""
    env = {**os.environ, "PYTHONPATH": str(code), "KEEL_HOME": str(home), "DATABASE_URL": ""}
    notes: list[str] = []

    def keel(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "keel.site.cli", *argv], env=env, cwd=code, capture_output=True, text=True
        )
        if check and done.returncode != 0:
            raise SystemExit(f"keel {' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done

    keel("init", "--organisation", "Kestrel Ledger GmbH")
    keel(
        "system",
        "create",
        "Kestrel Ledger management system",
        "--standard",
        "iso27001:2022",
        "--standard",
        TARGET,
    )
    register = str(fixture / "isms-register.csv")
    done = keel("import", "controls", register, check=False)
    if done.returncode != 0:
        rejected = [line for line in done.stdout.splitlines() if " reject " in line]
        notes.append(
            f"keel import controls refused the register as it is (exit {done.returncode}, "
            f"{len(rejected)} rows rejected, e.g. {rejected[0].strip() if rejected else done.stderr.strip()[:200]}); "
            "retried with --map Control=title"
        )
        keel("import", "controls", register, "--map", "Control=title")
    final = keel("import", "controls", register, "--dry-run", check=False)  # what the import read
    notes += [line.strip() for line in (final.stdout + final.stderr).splitlines() if "is a heading" in line]
    report = json.loads(keel("gap", "--target", TARGET, "--format", "json").stdout)
    return {r["ref_id"]: r["inferred_status"] for r in report["requirements"]}, notes


def compare(labels: dict[str, str], predicted: dict[str, str]) -> dict[str, Any]:
    refs = sorted(
        labels,
        key=lambda r: (
            r.startswith("A."),
            [int(x) if x.isdigit() else x for x in r.replace("A.", "").split(".")],
        ),
    )
    missing = [r for r in refs if r not in predicted]
    agree = [r for r in refs if predicted.get(r) == labels[r]]
    over = [r for r in refs if r in predicted and RANK[predicted[r]] > RANK[labels[r]]]
    under = [r for r in refs if r in predicted and RANK[predicted[r]] < RANK[labels[r]]]
    matrix = {lab: {p: 0 for p in (*LABELS, "not_applicable", "missing")} for lab in LABELS}
    for r in refs:
        matrix[labels[r]][predicted.get(r, "missing")] += 1
    return {
        "n": len(refs),
        "agree": len(agree),
        "agreement": round(len(agree) / len(refs), 4) if refs else 0.0,
        "over_claims": [(r, predicted[r], labels[r]) for r in over],
        "under_claims": [(r, predicted[r], labels[r]) for r in under],
        "covered_where_gap": [r for r in refs if predicted.get(r) == "covered" and labels[r] == "gap"],
        "missing": missing,
        "matrix": matrix,
    }


def show(name: str, result: dict[str, Any]) -> None:
    print(f"\n== {name}")
    print(f"agreement: {result['agree']}/{result['n']} ({result['agreement'] * 100:.1f} %)")
    print(
        f"covered where the label is gap: {len(result['covered_where_gap'])} {result['covered_where_gap'] or ''}"
    )
    print(f"over-claims (Keel stronger than the label): {len(result['over_claims'])}")
    for ref, got, label in result["over_claims"]:
        print(f"  {ref:8} Keel {got:8} label {label}")
    print(f"under-claims (Keel weaker than the label): {len(result['under_claims'])}")
    for ref, got, label in result["under_claims"]:
        print(f"  {ref:8} Keel {got:8} label {label}")
    if result["missing"]:
        print(f"missing from the report: {result['missing']}")
    print("confusion (rows: label; columns: Keel)")
    cols = [c for c in (*LABELS, "not_applicable", "missing") if any(result["matrix"][r][c] for r in LABELS)]
    print("          " + "".join(f"{c:>10}" for c in cols))
    for lab in LABELS:
        print(f"{lab:10}" + "".join(f"{result['matrix'][lab][c]:>10}" for c in cols))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--fixture", type=Path, default=FIXTURE, help="folder with isms-register.csv and labels.csv"
    )
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="the Keel checkout whose CLI runs the journey"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead")
    args = parser.parse_args()
    labels = read_labels(args.fixture)
    with tempfile.TemporaryDirectory(prefix="keel-gap-agreement-") as home:
        predicted, notes = run_journey(args.fixture, args.code.resolve(), Path(home))
    keel_result = compare(labels, predicted)
    base_result = compare(labels, {r: baseline(r) for r in labels})
    if args.json:
        print(json.dumps({"keel": keel_result, "baseline": base_result, "notes": notes}, indent=2))
        return 0
    print(f"code: {args.code.resolve()}  fixture: {args.fixture}")
    for line in notes:
        print(f"note: {line}")
    show("Keel (keel gap --target iso42001:2023, inferred status)", keel_result)
    show("baseline (clauses partial, 6.1.4 and 8.4 gap, Annex A gap)", base_result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
