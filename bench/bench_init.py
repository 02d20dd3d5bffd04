"""Benchmark ``keel init``: a fresh initialisation and reloads of the standards library.

    .venv/bin/python bench/bench_init.py [--repeat N]

Everything happens in temporary data folders on SQLite (``DATABASE_URL`` is ignored), so the
numbers compare across machines and never touch a real database. Prints the median and the
range of each measurement against its target:

- fresh ``keel init`` (a new process: start-up, every migration, both standards): < 10 s
- reload with no change (``load_library`` on a loaded database): < 1 s
- reload with every guidance text changed (every entry is updated): < 1 s (informational)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

TARGET_INIT = 10.0
TARGET_RELOAD = 1.0


def fresh_init(home: Path) -> float:
    """Wall-clock seconds of ``keel init`` in a new process on an empty data folder."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KEEL_TEST_SQLITE_NAME"}}
    env["KEEL_HOME"] = str(home)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "keel.site.cli", "init"], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"keel init failed:\n{result.stderr}")
    return elapsed


def revised_copy(source: Path, target: Path) -> Path:
    """A copy of the data files with every guidance text changed."""
    shutil.copytree(source, target)
    for path in target.glob("*/*.yaml"):
        if path.name == "standard.yaml":
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in doc.get("entries", []):
            guidance = entry.get("guidance") or {}
            guidance["intent"] = f"{guidance.get('intent', '')} (revised)"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def timed(repeat: int, action: Callable[[int], Any]) -> list[float]:
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - started)
    return times


def line(name: str, times: list[float], target: float | None) -> str:
    median = statistics.median(times)
    verdict = "" if target is None else (f"  target < {target:g} s  " + ("OK" if median < target else "SLOW"))
    return (
        f"{name:<44} median {median:6.3f} s  (min {min(times):.3f}, max {max(times):.3f}, "
        f"n={len(times)}){verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each measurement (default 5)")
    args = parser.parse_args()
    repeat = max(1, args.repeat)

    with tempfile.TemporaryDirectory(prefix="keel-bench-") as tmp:
        root = Path(tmp)
        print(f"Python {sys.version.split()[0]}, SQLite in {root}, {repeat} repetitions")

        init_times = [fresh_init(root / f"home-{i}") for i in range(repeat)]
        print(line("fresh keel init (migrations + standards)", init_times, TARGET_INIT), flush=True)

        # Reloads run in this process, against the first initialised data folder.
        os.environ.pop("DATABASE_URL", None)
        os.environ["KEEL_HOME"] = str(root / "home-0")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
        import django

        django.setup()
        from keel.platform.actor import Actor
        from keel.standards.loader import DATA_DIR
        from keel.standards.services import load_library

        actor = Actor.system("bench")

        def reload_unchanged(_: int) -> None:
            reports = load_library(actor)
            assert not any(r.changed for r in reports), "the data changed during the benchmark"

        print(line("reload, nothing changed", timed(repeat, reload_unchanged), TARGET_RELOAD), flush=True)

        revised = revised_copy(DATA_DIR, root / "revised-data")

        def reload_revised(i: int) -> None:
            # Alternate between the revised and the original files so every run updates every entry.
            reports = load_library(actor, revised if i % 2 == 0 else DATA_DIR)
            assert sum(len(r.updated) for r in reports) > 0

        print(line("reload, every guidance text changed", timed(repeat, reload_revised), TARGET_RELOAD))
        from django.db import connections

        connections.close_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
