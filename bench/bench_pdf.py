"""Benchmark the PDF exports on the demo: the SoA PDF of ISO/IEC 27001 and of ISO/IEC 42001, the
gap PDF (target ISO/IEC 42001) and the impact assessment PDF (Helix credit scoring, approved,
and the HR CV-screening draft, watermarked), each rendered through the same export services
the pages, the API and the CLI call (``keel.soa.exports.export``, ``keel.gap.exports.export``,
``keel.impact.exports.to_pdf``).

    .venv/bin/python bench/bench_pdf.py [--repeat 5] [--profile soa27001|soa42001|gap|impact]

Loads the demo (``keel demo``) into a temporary data folder on SQLite (``DATABASE_URL`` is
ignored; loading is not measured; ``--home DIR`` reuses a folder across runs), then prints, per PDF, the median seconds of ``--repeat``
runs, their range, the median CPU seconds of the process (less sensitive to a busy machine than
wall time), the page count and the file size, then the machine's load average. The issue's target: each under 2 s on the demo.
``--profile NAME`` prints the 25 most expensive functions (cumulative) of one more run.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _timed(fn: Callable[[], bytes], repeat: int) -> tuple[float, float, float, float, bytes]:
    """Median, min and max wall seconds, median CPU seconds of this process, the last result."""
    times, cpu = [], []
    data = b""
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        data = fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), min(times), max(times), statistics.median(cpu), data


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--profile", choices=["soa27001", "soa42001", "gap", "impact", "impact-draft"], default=None
    )
    parser.add_argument(
        "--home", default=None, help="reuse this data folder (the demo is loaded once; default: a new one)"
    )
    args = parser.parse_args()

    home = args.home or tempfile.mkdtemp(prefix="keel-bench-pdf-")
    os.environ["DATABASE_URL"] = ""
    os.environ["KEEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "keel.settings"
    import django

    django.setup()
    from keel.site.cli import main as keel

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = keel(["demo"])
    if code:
        raise SystemExit(f"keel demo failed with exit code {code}")
    print(f"demo loaded in {time.perf_counter() - started:.1f} s (not measured) into {home}")

    from keel.gap import exports as gap_exports
    from keel.gap import queries as gap_queries
    from keel.impact import exports as impact_exports
    from keel.impact import queries as impact_queries
    from keel.platform.models import User
    from keel.soa import exports as soa_exports
    from keel.soa import queries as soa_queries
    from keel.standards.models import Standard

    def soa_pdf(key: str) -> Callable[[], bytes]:
        (soa,) = soa_queries.soas().filter(standard__key=key)
        return lambda: soa_exports.export([soa], "pdf")

    def gap_pdf() -> bytes:
        target = Standard.objects.get(key="iso42001:2023")
        (ms,) = {s.management_system for s in soa_queries.soas().filter(standard=target)}
        return gap_exports.export(gap_queries.report(target, ms), "pdf")

    def impact_pdf(short_name: str) -> Callable[[], bytes]:
        reader = User.objects.get(email__startswith="admin@")  # the demo's administrator
        latest = impact_queries.base().filter(ai_system__short_name=short_name).order_by("-version")[0]
        return lambda: impact_exports.to_pdf(impact_queries.assessment_for(reader, latest.pk))

    cases: dict[str, tuple[str, Callable[[], bytes]]] = {
        "soa27001": ("SoA PDF, ISO/IEC 27001:2022", soa_pdf("iso27001:2022")),
        "soa42001": ("SoA PDF, ISO/IEC 42001:2023", soa_pdf("iso42001:2023")),
        "gap": ("gap PDF, target ISO/IEC 42001:2023", gap_pdf),
        "impact": ("impact assessment PDF, credit-scoring", impact_pdf("credit-scoring")),
        "impact-draft": ("impact assessment PDF, draft", impact_pdf("hr-cv-screening")),
    }
    for fn in (c[1] for c in cases.values()):
        fn()  # warm up: imports, template loading, font configuration
    print(f"{'PDF':38} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>6} {'pages':>6} {'KB':>6}")
    for label, fn in cases.values():
        median, low, high, cpu, data = _timed(fn, args.repeat)
        print(
            f"{label:38} {median:9.2f} {low:7.2f} {high:7.2f} {cpu:6.2f} {page_count(data):6d} {len(data) // 1024:6d}"
        )
    print(
        f"load average (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(cases[args.profile][1])
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
