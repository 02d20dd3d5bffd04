"""Benchmark imports of hostile and large files: peak memory (RSS) and time of each import, and
how long it holds SQLite's write lock (issue 9, defects 5 and 10).

    .venv/bin/python bench/bench_import_memory.py [--cases wide_xlsx,tiny_csv,...]
        [--modes dry,real] [--valid-rows 19000] [--home DIR]

Builds the input files (about 20 MB each, except the wide XLSX which is small and wide), then
runs each import in its own subprocess through the service the wizard and the CLI use
(``keel.controls.importing.services.import_controls``), on SQLite in a temporary data folder
(``DATABASE_URL`` is ignored). For each case and mode it prints the child's peak RSS
(``ru_maxrss`` from ``os.wait4``), the wall time, the longest time one write transaction held
SQLite's lock (BEGIN IMMEDIATE to COMMIT/ROLLBACK), and the outcome (rows, or the file error).
A case that runs out of the child's 3 GB address-space cap is reported as such. Target: every
case under 300 MB.

Cases:
  wide_xlsx     3,000 rows, one cell in column XFD on each (35 KB; the sheet claims 16,384 columns)
  tiny_csv      about 1.5 M tiny rows (19.5 MB)
  long_cells    rows whose description is 100,000 characters (19.5 MB)
  many_columns  a 4-column header and rows of 10,000 cells (19.5 MB)
  valid_csv     --valid-rows valid control rows with long descriptions (about 19.5 MB)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET = 19_500_000
CASES = ("wide_xlsx", "tiny_csv", "long_cells", "many_columns", "valid_csv")


# ---------------------------------------------------------------- files


def build(case: str, folder: Path, valid_rows: int) -> Path:
    path = folder / (f"{case}.xlsx" if case.endswith("xlsx") else f"{case}.csv")
    if path.exists():
        return path
    if case == "wide_xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["Control ID", "Title", "Status"])
        for i in range(3000):
            ws.append([f"KC-{i}", f"Control {i}", "Planned"])
            ws.cell(row=i + 2, column=16384, value="x")
        wb.save(path)
        return path
    with path.open("w", encoding="utf-8", newline="") as fh:
        if case == "tiny_csv":
            fh.write("Ref,Title\n")
            i = 0
            while fh.tell() < TARGET:
                fh.write(f"K{i},T\n")
                i += 1
        elif case == "long_cells":
            fh.write("Ref,Title,Description\n")
            i = 0
            while fh.tell() < TARGET:
                fh.write(f"KC-{i},Control {i},{'d' * 100_000}\n")
                i += 1
        elif case == "many_columns":
            fh.write("Ref,Title,Status,Type\n")
            row = ",".join(["x"] * 10_000) + "\n"
            i = 0
            while fh.tell() < TARGET:
                fh.write(f"KC-{i},Control {i},Planned,{row}")
                i += 1
        elif case == "valid_csv":
            fh.write("Control ID,Title,Description,Status,Type,Frequency\n")
            pad = max(1, TARGET // max(valid_rows, 1) - 80)
            for i in range(valid_rows):
                fh.write(
                    f"KC-{i + 1:05d},Control number {i},{'Reviewed and kept. ' * (pad // 19)}"
                    ",Planned,Technical,Annual\n"
                )
        else:
            raise SystemExit(f"unknown case {case}")
    return path


# ---------------------------------------------------------------- one import, in the child


def _setup(home: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["KEEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "keel.settings"
    import django

    django.setup()


def child_setup(home: str) -> None:
    _setup(home)
    from django.core.management import call_command

    from keel.organisation.models import ManagementSystem, Organisation
    from keel.platform.actor import Actor
    from keel.standards.services import load_library

    call_command("migrate", verbosity=0)
    load_library(Actor.system("bench"))
    org = Organisation.objects.first() or Organisation.objects.create(name="Bench Ltd")
    if not ManagementSystem.objects.filter(short_name="isms").exists():
        ManagementSystem.objects.create(organisation=org, name="ISMS", short_name="isms")


def _watch_write_lock() -> dict[str, float]:
    """Times every write transaction on the default connection (BEGIN IMMEDIATE … end)."""
    from django.db import connection

    held = {"longest": 0.0, "total": 0.0, "transactions": 0}
    started: list[float] = []
    begin = connection._start_transaction_under_autocommit  # type: ignore[attr-defined]
    commit, rollback = connection._commit, connection._rollback  # type: ignore[attr-defined]

    def _begin() -> None:
        begin()
        started.append(time.perf_counter())

    def _end(fn: Any) -> Any:
        def end() -> Any:
            try:
                return fn()
            finally:
                if started:
                    spent = time.perf_counter() - started.pop()
                    held["longest"] = max(held["longest"], spent)
                    held["total"] += spent
                    held["transactions"] += 1

        return end

    connection._start_transaction_under_autocommit = _begin  # type: ignore[attr-defined]
    connection._commit = _end(commit)  # type: ignore[attr-defined]
    connection._rollback = _end(rollback)  # type: ignore[attr-defined]
    return held


def child_run(home: str, path: str, mode: str) -> None:
    _setup(home)
    from keel.controls.importing.services import import_controls
    from keel.platform.actor import Actor

    try:
        from keel.platform.spreadsheets import ImportFileError
    except ImportError:  # main before the shared reader
        from keel.platform.spreadsheets import ImportFileError

    held = _watch_write_lock()
    data = Path(path).read_bytes()
    started = time.perf_counter()
    result: dict[str, Any] = {}
    try:
        plan = import_controls(
            Actor.system("bench"),
            data,
            Path(path).name,
            management_system="isms",
            dry_run=mode == "dry",
            only_valid=True,
        )
        s = plan.summary()
        result["outcome"] = f"{s['rows']} rows, {s['created']} created, {s['rejected']} rejected"
        result["applied"] = bool(plan.applied)
    except ImportFileError as exc:
        result["outcome"] = f"file error: {exc.message[:90]}"
    except MemoryError:
        result["outcome"] = "MemoryError"
    result["seconds"] = time.perf_counter() - started
    result["lock_longest"] = held["longest"]
    result["lock_transactions"] = held["transactions"]
    print(json.dumps(result))


# ---------------------------------------------------------------- the parent


def _cap_memory() -> None:
    limit = 3 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_child(args: list[str]) -> tuple[dict[str, Any], float, int]:
    proc = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_cap_memory,
    )
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024
    lines = [ln for ln in out.decode().splitlines() if ln.startswith("{")]
    if lines:
        return json.loads(lines[-1]), peak_mb, proc.returncode
    tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
    return {"outcome": f"crashed: {tail[0][:90]}"}, peak_mb, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--modes", default="dry,real")
    parser.add_argument("--valid-rows", type=int, default=19_000)
    parser.add_argument("--files", default="", help="folder for the input files (kept between runs)")
    parser.add_argument("--child-setup", help=argparse.SUPPRESS)
    parser.add_argument("--child-run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_setup:
        child_setup(args.child_setup)
        return 0
    if args.child_run:
        child_run(*args.child_run)
        return 0

    files = Path(args.files or tempfile.mkdtemp(prefix="keel-bench-import-files-"))
    files.mkdir(parents=True, exist_ok=True)
    template = tempfile.mkdtemp(prefix="keel-bench-import-template-")
    setup, _, code = run_child(["--child-setup", template])
    if code != 0:
        print(f"setup failed: {setup}")
        return 1
    print(f"{'case':<14}{'mode':<6}{'MB in':>7}{'peak RSS MB':>13}{'s':>8}{'lock s':>8}  outcome")
    for case in args.cases.split(","):
        path = build(case, files, args.valid_rows)
        for mode in args.modes.split(","):
            home = tempfile.mkdtemp(prefix="keel-bench-import-")
            shutil.copytree(template, home, dirs_exist_ok=True)  # a fresh database each run
            result, peak, _ = run_child(["--child-run", home, str(path), mode])
            size = path.stat().st_size / 1e6
            print(
                f"{case:<14}{mode:<6}{size:>7.1f}{peak:>13.0f}{result.get('seconds', float('nan')):>8.1f}"
                f"{result.get('lock_longest', float('nan')):>8.2f}  {result['outcome']}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
