"""Benchmark the evidence register: API list time with 5,000 pieces of evidence (with versions
and links to controls and requirements), the validity filter, the dashboard summary, and the
Statement of Applicability export with the evidence column filled.

    .venv/bin/python bench/bench_evidence.py [--evidence 5000] [--controls 500] [--repeat 5]

Runs on SQLite in a temporary data folder (``DATABASE_URL`` is ignored). The register is
bulk-inserted (links as evidence, no files: the fixture is not what is measured); the measured
paths are the real API view, query and export code. Prints medians and ranges in seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
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


def _line(label: str, result: tuple[float, float, float]) -> None:
    med, lo, hi = result
    print(f"{label:<52} median {med:6.3f} s  (min {lo:.3f}, max {hi:.3f})")


def build_evidence(
    ms: Any, controls: list[Any], requirements: list[int], n: int, rng: random.Random, versions_each: int = 2
) -> list[Any]:
    """``n`` pieces of evidence (links, ``versions_each`` versions, the last current) of ``ms``,
    each behind one of ``controls``, every fifth also linked to one of ``requirements``
    (bulk-inserted: the fixture, not what is measured). Shared with bench_scale.py."""
    from keel.evidence.models import Evidence, EvidenceControl, EvidenceRequirement, EvidenceVersion

    today = dt.date.today()
    evidence = Evidence.objects.bulk_create(
        (Evidence(ref_id=f"EV-{i:05d}", title=f"Evidence {i}", kind="link") for i in range(1, n + 1)),
        batch_size=2000,
    )
    versions = []
    for e in evidence:
        for number in range(1, versions_each + 1):
            collected = today - dt.timedelta(days=rng.randint(0, 400))
            valid = rng.choice([None, collected + dt.timedelta(days=rng.randint(30, 400))])
            versions.append(
                EvidenceVersion(
                    evidence_id=e.pk,
                    number=number,
                    url=f"https://tickets.example.com/{e.ref_id}/{number}",
                    collected_on=collected,
                    valid_until=valid,
                )
            )
    EvidenceVersion.objects.bulk_create(versions, batch_size=2000)
    current = {v.evidence_id: v.pk for v in versions if v.number == versions_each}
    for e in evidence:
        e.current_version_id = current[e.pk]
    Evidence.objects.bulk_update(evidence, ["current_version"], batch_size=2000)
    Evidence.management_systems.through.objects.bulk_create(
        (Evidence.management_systems.through(evidence_id=e.pk, managementsystem_id=ms.pk) for e in evidence),
        batch_size=2000,
    )
    EvidenceControl.objects.bulk_create(
        (EvidenceControl(evidence_id=e.pk, control_id=rng.choice(controls).pk) for e in evidence),
        batch_size=2000,
    )
    EvidenceRequirement.objects.bulk_create(
        (
            EvidenceRequirement(evidence_id=e.pk, requirement_id=rng.choice(requirements))
            for e in evidence[::5]
        ),
        batch_size=2000,
    )
    return evidence


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evidence", type=int, default=5000)
    parser.add_argument("--controls", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="keel-bench-evidence-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["KEEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "keel.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from keel.controls.models import Control, ControlLink
    from keel.evidence import queries
    from keel.evidence.models import Evidence, EvidenceControl, EvidenceRequirement, EvidenceVersion
    from keel.organisation import people as people
    from keel.organisation import services as organisation
    from keel.platform import accounts as accounts
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.platform.errors import KeelError
    from keel.soa import exports
    from keel.soa.services import create_soa
    from keel.standards.models import Requirement
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
    annex = list(
        Requirement.objects.filter(standard__key="iso27001:2022", kind="annex_control").values_list(
            "pk", flat=True
        )
    )
    controls = Control.objects.bulk_create(
        Control(
            ref_id=f"KC-{i:04d}",
            title=f"Control {i}",
            type="process",
            frequency="quarterly",
            status="implemented",
        )
        for i in range(1, args.controls + 1)
    )
    Control.management_systems.through.objects.bulk_create(
        Control.management_systems.through(control_id=c.pk, managementsystem_id=ms.pk) for c in controls
    )
    ControlLink.objects.bulk_create(
        ControlLink(control_id=c.pk, requirement_id=rng.choice(annex), coverage="full") for c in controls
    )
    build_evidence(ms, controls, annex, args.evidence, rng)
    print(
        f"Python {sys.version.split()[0]}, SQLite in {home}: {Evidence.objects.count()} evidence, "
        f"{EvidenceVersion.objects.count()} versions, {EvidenceControl.objects.count()} control links, "
        f"{EvidenceRequirement.objects.count()} requirement links, {len(controls)} controls, "
        f"{args.repeat} repetitions"
    )

    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(url: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]

        return run

    for limit in (50, 500):
        _line(f"API GET /evidence?limit={limit}", _timed(get(f"/api/v1/evidence?limit={limit}"), args.repeat))
    _line(
        "API GET /evidence?validity=expiring&order=valid_until",
        _timed(get("/api/v1/evidence?validity=expiring&order=valid_until&limit=50"), args.repeat),
    )
    _line(
        "API GET /evidence?q=Evidence 42",
        _timed(get("/api/v1/evidence?q=Evidence%2042&limit=50"), args.repeat),
    )
    _line("Dashboard expiry summary (query)", _timed(lambda: queries.expiry_summary(admin), args.repeat))

    soa = create_soa(operator, ms.pk, "iso27001:2022")
    rows = exports.prepare(soa).rows
    print(f"SoA 27001: {len(rows)} rows, {sum(len(r['evidence']) for r in rows)} evidence entries in them")
    for fmt in ("json", "xlsx", "pdf"):
        try:
            result = _timed(lambda fmt=fmt: exports.export([soa], fmt), args.repeat)
        except KeelError as exc:
            print(f"SoA export 27001 {fmt:<4}: not measured ({exc})")
            continue
        _line(f"SoA export 27001 ({fmt}) with evidence", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
