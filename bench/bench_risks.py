"""Benchmark risk management with 5,000 risks: the register page, the heat-map page, the API list
and the register XLSX export.

    .venv/bin/python bench/bench_risks.py [--risks 5000] [--controls 300] [--repeat 5]

Runs on SQLite in a temporary data folder (``DATABASE_URL`` is ignored). Risks are
bulk-inserted over both registers, with one to three controls each (the fixture is not what is
measured); the measured paths are the real page views (logged-in client), the real API view and
the real export code. Prints medians and ranges in seconds, and the number of queries of each
page, which stays the same whatever the number of risks.
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


def build_risks(
    operator: Any, ms: Any, owner: Any, controls: list[Any], n_risks: int, rng: random.Random
) -> list[Any]:
    """A methodology, five AI systems and ``n_risks`` risks over both registers (every third in
    the AI register), each treated by one to three of ``controls`` (bulk-inserted: the fixture,
    not what is measured). Shared with bench_scale.py."""
    from keel.aisystems.models import AISystem
    from keel.risks.defaults import default_methodology
    from keel.risks.models import Risk
    from keel.risks.services import create_methodology
    from keel.standards.models import Requirement

    m = create_methodology(operator, **default_methodology())
    systems = [
        AISystem.objects.create(
            short_name=f"ai-{i}", name=f"AI system {i}", origin="in_house", management_system=ms
        )
        for i in range(5)
    ]
    sources = list(Requirement.objects.filter(kind="annex_c_risk_source"))
    objectives = list(Requirement.objects.filter(kind="annex_c_objective"))
    n_l, n_i = len(m.likelihood), len(m.impact)
    rows = []
    for i in range(1, n_risks + 1):
        register = "ai" if i % 3 == 0 else "is"
        li, ii = rng.randint(1, n_l), rng.randint(1, n_i)
        rl, ri = max(1, li - rng.randint(0, 2)), max(1, ii - rng.randint(0, 1))
        rows.append(
            Risk(
                ref_id=f"{register.upper()}-{i:05d}",
                register=register,
                title=f"Risk {i}",
                management_system=ms,
                methodology=m,
                owner=owner,
                process="Benchmark" if register == "is" else "",
                ai_system=rng.choice(systems) if register == "ai" else None,
                risk_source=rng.choice(sources) if register == "ai" else None,
                objective=rng.choice(objectives) if register == "ai" else None,
                inherent_likelihood=li,
                inherent_impact=ii,
                inherent_level=m.level_of(li, ii),
                treatment_option="modify",
                residual_likelihood=rl,
                residual_impact=ri,
                residual_level=m.level_of(rl, ri),
            )
        )
    risks = Risk.objects.bulk_create(rows, batch_size=1000)
    through = Risk.controls.through
    through.objects.bulk_create(
        (
            through(risk_id=r.pk, control_id=c.pk)
            for r in risks
            for c in rng.sample(controls, rng.randint(1, 3))
        ),
        batch_size=2000,
    )
    return risks


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--risks", type=int, default=5000)
    parser.add_argument("--controls", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="keel-bench-risks-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["KEEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "keel.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from keel.controls.models import Control
    from keel.organisation import people as people
    from keel.organisation import services as organisation
    from keel.platform import accounts as accounts
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.risks import exports, queries
    from keel.risks.models import Risk
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
    controls = Control.objects.bulk_create(
        Control(ref_id=f"KC-{i:04d}", title=f"Control {i}", type="process", frequency="quarterly")
        for i in range(1, args.controls + 1)
    )
    build_risks(operator, ms, admin, controls, args.risks, random.Random(42))
    through = Risk.controls.through
    print(
        f"Python {sys.version.split()[0]}, SQLite in {home}: {Risk.objects.count()} risks "
        f"({Risk.objects.filter(register='ai').count()} AI), {through.objects.count()} risk-control links, "
        f"{args.repeat} repetitions"
    )

    web = Client()
    web.force_login(admin)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(client: Client, url: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]

        return run

    for label, client, url in (
        ("register page /risks/ (50 per page)", web, "/risks/"),
        ("register page, AI register filtered", web, "/risks/?register=ai&level=high"),
        ("register page, one heat-map cell", web, "/risks/?map=inherent&version=1&likelihood=3&impact=3"),
        ("heat-map page /risks/heat-map/", web, "/risks/heat-map/"),
        ("API GET /risks?limit=50", api, "/api/v1/risks?limit=50"),
        ("API GET /risks?limit=500", api, "/api/v1/risks?limit=500"),
    ):
        count = [0]

        def counter(
            execute: Any, sql: str, params: Any, many: bool, context: Any, count: list[int] = count
        ) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            get(client, url)()
        med, lo, hi = _timed(get(client, url), args.repeat)
        print(f"{label:<42} median {med:6.3f} s  (min {lo:.3f}, max {hi:.3f})  {count[0]} queries")

    n_is = Risk.objects.filter(register="is").count()
    holder: dict[str, Any] = {}

    def read_rows() -> None:
        holder["rows"] = queries.export_rows(
            queries.risks(None, queries.RiskFilters(register="is", status="all"))
        )

    def write_xlsx() -> None:
        exports.to_xlsx(holder["rows"], "is")

    for label, fn in (
        (f"register rows for export (IS, {n_is} risks)", read_rows),
        (f"XLSX writing (IS, {n_is} risks)", write_xlsx),
    ):
        med, lo, hi = _timed(fn, max(1, args.repeat // 2))
        print(f"{label:<42} median {med:6.3f} s  (min {lo:.3f}, max {hi:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
