"""Benchmark the gap analysis: 500 controls across three standards (ISO 27001, a generated
third standard, and the target ISO 42001), the shipped 27001 → 42001 crosswalk plus generated
crosswalks 27001 → third and third → 42001, chains up to three steps.

    .venv/bin/python bench/bench_gap.py [--controls 500] [--third 120] [--repeat 5]

Runs on SQLite in a temporary data folder (``DATABASE_URL`` is ignored). The data is
bulk-inserted (not measured); the measured paths are the real report (load + inference +
joins), the real API view and the JSON contract. Prints medians and ranges in seconds. The
issue's target: under 1 s for 500 controls across three standards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--controls", type=int, default=500)
    parser.add_argument("--third", type=int, default=120, help="entries of the generated third standard")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="keel-bench-gap-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["KEEL_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "keel.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from keel.controls.models import Control, ControlLink
    from keel.gap import queries
    from keel.mapping.models import Crosswalk, CrosswalkRelation
    from keel.mapping.services import load_crosswalks
    from keel.organisation import people as people
    from keel.organisation import services as organisation
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.standards.models import Requirement, Standard
    from keel.standards.services import load_library

    operator = Actor.cli()
    load_library(operator)
    load_crosswalks(operator)
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

    # A third standard with its crosswalks (27001 → third, third → 42001).
    third = Standard.objects.create(
        key="bench-framework:1",
        name="bench-framework",
        edition="1",
        title="Generated framework",
        revision=1,
        source="bench",
        loaded_at=timezone.now(),
    )
    entries = Requirement.objects.bulk_create(
        Requirement(
            key=f"bench-framework:1:BF-{i}",
            standard=third,
            ref_id=f"BF-{i}",
            title=f"Generated entry {i}",
            kind="annex_control",
            sort_order=i,
        )
        for i in range(args.third)
    )
    ms.standards.add(third)
    iso27001 = list(
        Requirement.objects.filter(standard__key="iso27001:2022", kind__in=["annex_control", "clause"])
    )
    iso42001 = list(
        Requirement.objects.filter(standard__key="iso42001:2023", kind__in=["annex_control", "clause"])
    )
    relations = ["equal", "subset", "superset", "intersects"]
    cw1 = Crosswalk.objects.create(
        key="bench-27001-third", name="27001 to third", source_id=iso27001[0].standard_id, target=third
    )
    cw2 = Crosswalk.objects.create(
        key="bench-third-42001", name="third to 42001", source=third, target_id=iso42001[0].standard_id
    )
    rels = []
    for cw, sources, targets in ((cw1, iso27001, entries), (cw2, entries, iso42001)):
        pairs = {(rng.choice(sources).pk, rng.choice(targets).pk) for _ in range(int(len(targets) * 1.5))}
        rels += [
            CrosswalkRelation(
                crosswalk=cw,
                source_id=s,
                target_id=t,
                relation=rng.choice(relations),
                rationale="Generated.",
                extension="Add the generated part.",
            )
            for s, t in pairs
        ]
    CrosswalkRelation.objects.bulk_create(rels)

    # 500 controls, each linked to 1-3 entries of the three standards (mostly 27001).
    pool = iso27001 * 3 + entries + iso42001
    statuses = ["implemented", "implemented", "implemented", "in_progress", "planned"]
    controls = Control.objects.bulk_create(
        Control(
            ref_id=f"BC-{i:04d}",
            title=f"Bench control {i}",
            type="process",
            frequency="quarterly",
            status=rng.choice(statuses),
        )
        for i in range(args.controls)
    )
    Control.management_systems.through.objects.bulk_create(
        Control.management_systems.through(control_id=c.pk, managementsystem_id=ms.pk) for c in controls
    )
    links = []
    for c in controls:
        for r in rng.sample(pool, rng.randint(1, 3)):
            links.append(
                ControlLink(control=c, requirement=r, coverage=rng.choice(["full", "full", "partial"]))
            )
    ControlLink.objects.bulk_create(links, ignore_conflicts=True)

    target = Standard.objects.get(key="iso42001:2023")
    rep = queries.report(target, ms)
    chains = sum(len(r.inference.chains) + len(r.inference.pending) for r in rep.results)
    longest = max((len(c.steps) for r in rep.results for c in r.inference.chains), default=0)
    n_rel = CrosswalkRelation.objects.count()
    print(
        f"gap analysis: {args.controls} controls, {ControlLink.objects.count()} links, 3 standards "
        f"({Requirement.objects.count()} entries), {n_rel} crosswalk relations"
    )
    print(
        f"  target {target.key}: {len(rep.results)} requirements, {chains} chains (longest {longest} steps)"
    )
    print(f"  summary: {rep.summary()}")
    med, lo, hi = _timed(lambda: queries.report(target, ms), args.repeat)
    print(f"  report (load + infer + join)     median {med:.3f} s  (range {lo:.3f}-{hi:.3f})  target < 1 s")
    med, lo, hi = _timed(lambda: queries.report(target, ms).contract(), args.repeat)
    print(f"  report + JSON contract           median {med:.3f} s  (range {lo:.3f}-{hi:.3f})")
    client = Client()
    client.force_login(admin)
    url = f"/api/v1/gap-analyses?target={target.key}&management_system=integrated"
    assert client.get(url).status_code == 200
    med, lo, hi = _timed(lambda: client.get(url), args.repeat)
    print(f"  GET /api/v1/gap-analyses         median {med:.3f} s  (range {lo:.3f}-{hi:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
