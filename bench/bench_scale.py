"""Benchmark Keel at scale (issue 13 item 7): an organisation with 2,000 controls, 5,000 risks
and 20,000 pieces of evidence, 500 people and 500 context records of each kind.

    .venv/bin/python bench/bench_scale.py [--controls 2000] [--risks 5000] [--evidence 20000]
        [--repeat 3] [--json bench/results/scale-after.json] [--skip pdf,xlsx]
        [--database-url postgres://postgres@127.0.0.1:5432/h4]

On SQLite in a temporary data folder by default; with ``--database-url`` on that (empty, or
emptied: every table in its public schema is dropped first) PostgreSQL database. The fixture is
bulk-inserted by the generators of bench_controls.py, bench_risks.py and bench_evidence.py (it
is not what is measured); the measured paths are the real pages (a logged-in client), the real
API views and the real export code. Prints, for each: median time (and range), bytes and the
number of SQL queries; ``--json`` also writes them to a file (bench/results/).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench_controls import build_catalogue
from bench_evidence import build_evidence
from bench_risks import build_risks


def _measure(fn: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Run ``fn`` once counting its queries (a warm-up), then ``repeat`` times timed."""
    from django.db import connection

    count = [0]

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        size = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "bytes": size if isinstance(size, int) else None,
        "queries": count[0],
    }


def _reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _build(args: argparse.Namespace) -> tuple[Any, Any, int]:
    """The organisation at scale (bulk-inserted: the fixture, not what is measured)."""
    from keel.organisation import people as people
    from keel.organisation import services as organisation
    from keel.organisation.models import ContextIssue, InterestedParty, Organisation
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.platform.models import User
    from keel.soa.services import create_soa
    from keel.standards.models import Requirement, Standard
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
    rng = random.Random(42)
    controls = build_catalogue(ms, args.controls, args.links, rng, kinds=("annex_control",))
    build_risks(operator, ms, admin, controls, args.risks, rng)
    annex = list(
        Requirement.objects.filter(standard__key="iso27001:2022", kind="annex_control").values_list(
            "pk", flat=True
        )
    )
    build_evidence(ms, controls, annex, args.evidence, rng, versions_each=1)
    User.objects.bulk_create(
        User(email=f"person{i:04d}@example.com", full_name=f"Person {i}", department=f"Dept {i % 12}")
        for i in range(args.people)
    )
    org = Organisation.objects.get()
    standards = list(Standard.objects.all())
    parties = InterestedParty.objects.bulk_create(
        InterestedParty(
            organisation=org,
            name=f"Party {i}",
            category="customer",
            needs_expectations=f"What party {i} needs from us, in a sentence or two of text.",
        )
        for i in range(args.context)
    )
    issues = ContextIssue.objects.bulk_create(
        ContextIssue(
            organisation=org,
            title=f"Issue {i}",
            description=f"Issue {i}, described in a sentence or two of text.",
            kind="internal",
            category="technological",
            effect="risk",
        )
        for i in range(args.context)
    )
    InterestedParty.standards.through.objects.bulk_create(
        InterestedParty.standards.through(interestedparty_id=p.pk, standard_id=s.pk)
        for p in parties
        for s in standards
    )
    ContextIssue.standards.through.objects.bulk_create(
        ContextIssue.standards.through(contextissue_id=x.pk, standard_id=s.pk)
        for x in issues
        for s in standards
    )
    soa = create_soa(operator, ms.pk, "iso27001:2022")
    return soa, admin, len(controls)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--controls", type=int, default=2000)
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--risks", type=int, default=5000)
    parser.add_argument("--evidence", type=int, default=20000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--context", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated: pdf, xlsx, pages")
    parser.add_argument("--only", default="", help="measure only the figures whose label contains this")
    parser.add_argument("--json", default="", help="write the figures to this file")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--reuse", action="store_true", help="with --database-url: measure the data a previous run left there"
    )
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    home = tempfile.mkdtemp(prefix="keel-bench-scale-")
    os.environ.pop("DATABASE_URL", None)
    reuse = bool(args.reuse and args.database_url)
    if args.database_url:
        if not reuse:
            _reset_postgres(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
    os.environ["KEEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "keel.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from keel.controls.models import Control, ControlLink
    from keel.platform.dbstats import refresh_statistics
    from keel.platform.errors import KeelError
    from keel.platform.models import User
    from keel.risks import exports as risk_exports
    from keel.risks import queries as risk_queries
    from keel.soa import exports
    from keel.soa.models import StatementOfApplicability

    started = time.perf_counter()
    if reuse:
        soa = StatementOfApplicability.objects.get(standard__key="iso27001:2022")
        admin = User.objects.get(email="bench@example.com")
        n_controls = Control.objects.count()
    else:
        soa, admin, n_controls = _build(args)
    refresh_statistics()
    built = time.perf_counter() - started
    vendor = connection.vendor
    setup = (
        f"{vendor}, {n_controls} controls, {ControlLink.objects.count()} links to Annex A controls, "
        f"{args.risks} risks, {args.evidence} evidence, {args.people} people, {args.context} parties and "
        f"{args.context} issues; SoA 27001 of {soa.rows.count()} rows (fixture built in {built:.0f} s)"
    )
    print(f"Python {sys.version.split()[0]}, {setup}, {args.repeat} repetitions")

    web = Client()
    web.force_login(admin)
    results: dict[str, Any] = {"setup": setup, "figures": {}}

    def record(label: str, fn: Callable[[], Any]) -> None:
        if args.only and args.only not in label:
            return
        try:
            r = _measure(fn, args.repeat)
        except KeelError as exc:  # e.g. WeasyPrint or Pango missing: say so and measure the rest
            print(f"{label:<44} not measured ({exc})")
            return
        results["figures"][label] = r
        size = f"{r['bytes'] / 1024:8.0f} KiB" if r["bytes"] is not None else " " * 12
        print(
            f"{label:<44} median {r['median_s']:6.3f} s (min {r['min_s']:.3f}, max {r['max_s']:.3f}) "
            f"{size} {r['queries']:4d} queries"
        )

    def page(url: str) -> Callable[[], int]:
        def run() -> int:
            response = web.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            return len(response.content)

        return run

    if "pages" not in skip:
        for label, url in (
            ("SoA editor page (27001)", f"/soa/{soa.pk}/"),
            ("coverage matrix page (default)", "/controls/matrix/"),
            ("/people/", "/people/"),
            ("/context/", "/context/"),
            ("controls list page", "/controls/"),
            ("risk list page (50 rows)", "/risks/"),
            ("risk list page, AI register, high", "/risks/?register=ai&level=high"),
            ("dashboard", "/"),
        ):
            record(label, page(url))
    # The risk list query at 10 and 50 rows (the page's query, with its annotations).
    for n in (10, 50):

        def risk_rows(n: int = n) -> None:
            assert len(list(risk_queries.risks(admin, risk_queries.RiskFilters())[:n])) == n

        record(f"risk list query, {n} rows", risk_rows)
    formats = [f for f in ("xlsx", "pdf") if f not in skip]
    for fmt in formats:
        record(f"SoA export 27001 ({fmt})", lambda fmt=fmt: len(exports.export([soa], fmt)))
    if "xlsx" not in skip:

        def register_xlsx() -> int:
            rows = risk_queries.export_rows(
                risk_queries.risks(None, risk_queries.RiskFilters(register="is", status="all"))
            )
            return len(risk_exports.to_xlsx(rows, "is"))

        record("risk register XLSX (IS register)", register_xlsx)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
