"""Benchmark the control catalogue: API list time with 2,000 controls and 5,000 links, and the
Statement of Applicability export time.

    .venv/bin/python bench/bench_controls.py [--controls 2000] [--links 5000] [--repeat 5]

Runs on SQLite in a temporary data folder (``DATABASE_URL`` is ignored). The catalogue is
bulk-inserted (the fixture is not what is measured); the measured paths are the real API view
and the real export code. Prints medians and ranges in seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), max(times)


def build_catalogue(
    ms: Any,
    n_controls: int,
    n_links: int,
    rng: random.Random,
    kinds: tuple[str, ...] = ("annex_control", "clause"),
) -> list[Any]:
    """Bulk-insert ``n_controls`` controls of ``ms`` and ``n_links`` random links to requirements
    of ``kinds`` (the fixture, not what is measured). Shared with bench_scale.py."""
    from keel.controls.models import Control, ControlLink
    from keel.standards.models import Requirement

    requirements = list(Requirement.objects.filter(kind__in=kinds).values_list("pk", flat=True))
    controls = Control.objects.bulk_create(
        (
            Control(
                ref_id=f"KC-{i:04d}",
                title=f"Control {i}",
                description="Benchmark control.",
                type="process",
                frequency="quarterly",
                status=rng.choice(["planned", "in_progress", "implemented"]),
            )
            for i in range(1, n_controls + 1)
        ),
        batch_size=1000,
    )
    Control.management_systems.through.objects.bulk_create(
        (Control.management_systems.through(control_id=c.pk, managementsystem_id=ms.pk) for c in controls),
        batch_size=2000,
    )
    pairs: set[tuple[Any, int]] = set()
    while len(pairs) < n_links:
        pairs.add((rng.choice(controls).pk, rng.choice(requirements)))
    ControlLink.objects.bulk_create(
        (
            ControlLink(control_id=c, requirement_id=r, coverage=rng.choice(["full", "partial"]))
            for c, r in sorted(pairs, key=str)
        ),
        batch_size=2000,
    )
    return controls


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--controls", type=int, default=2000)
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="keel-bench-controls-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["KEEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "keel.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from keel.controls.models import Control, ControlLink
    from keel.organisation import people as people
    from keel.organisation import services as organisation
    from keel.platform import accounts as accounts
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.platform.dbstats import refresh_statistics
    from keel.platform.errors import KeelError
    from keel.soa import exports
    from keel.soa.services import create_soa
    from keel.standards.services import load_library

    operator = Actor.cli()
    load_library(operator)
    organisation.save_organisation(operator, name="Bench Ltd")
    ms = organisation.create_management_system(
        operator,
        name="Integrated",
        short_name="integrated",
        operating_model="unified",
        standards=["iso27001:2022", "iso42001:2023"],
    )
    admin = people.create_user(operator, "bench@example.com", role=Role.ADMIN)
    _token, secret = accounts.create_token(operator, admin, "bench")

    rng = random.Random(42)
    build_catalogue(ms, args.controls, args.links, rng)
    print(
        f"Python {sys.version.split()[0]}, SQLite in {home}: {Control.objects.count()} controls, "
        f"{ControlLink.objects.count()} links, {args.repeat} repetitions"
    )

    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def api_list(limit: int) -> Callable[[], None]:
        def run() -> None:
            response = client.get(f"/api/v1/controls?limit={limit}")
            assert response.status_code == 200, response.content[:300]

        return run

    for limit in (50, 500):
        med, lo, hi = _timed(api_list(limit), args.repeat)
        print(
            f"API GET /controls?limit={limit:<4}                 median {med:6.3f} s  (min {lo:.3f}, max {hi:.3f})"
        )

    page_client = Client()
    page_client.force_login(admin)
    busiest = (
        ControlLink.objects.values("requirement__key")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("requirement__key", flat=True)
        .first()
    )
    from django.db import connection

    def requirement_page() -> None:
        response = page_client.get(f"/standards/requirements/{busiest}/")
        assert response.status_code == 200, response.status_code

    # The requirement page with and without planner statistics (issue 13: 1.3 s before ANALYZE).
    # Each request closes its connection, and Keel's SQLite backend runs PRAGMA optimize then:
    # the first request runs without statistics, the next ones with what optimize gathered.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    times = []
    for _ in range(max(args.repeat, 2)):
        started = time.perf_counter()
        requirement_page()
        times.append(time.perf_counter() - started)
    print(
        f"requirement page {busiest}, no statistics: first request {times[0]:.3f} s, "
        f"then (after PRAGMA optimize on close) median {statistics.median(times[1:]):.3f} s"
    )
    took = refresh_statistics()
    med, lo, hi = _timed(requirement_page, args.repeat)
    print(
        f"requirement page {busiest}, after ANALYZE     median {med:6.3f} s  (min {lo:.3f}, max {hi:.3f}); "
        f"ANALYZE took {took:.3f} s"
    )

    soa = create_soa(operator, ms.pk, "iso27001:2022")
    for fmt in ("json", "xlsx", "pdf"):
        try:
            med, lo, hi = _timed(lambda fmt=fmt: exports.export([soa], fmt), args.repeat)
        except KeelError as exc:  # e.g. WeasyPrint or Pango missing: say so and measure the rest
            print(f"SoA export 27001 {fmt:<4}: not measured ({exc})")
            continue
        print(
            f"SoA export 27001 ({fmt:<4}, 93 rows)               median {med:6.3f} s  (min {lo:.3f}, max {hi:.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
