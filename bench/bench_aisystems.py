"""Benchmark the AI system inventory: metric-reading push throughput (through the service and
through the API) and the dataset page time (lineage both ways) in a 1,000-dataset graph.

    .venv/bin/python bench/bench_aisystems.py [--readings 2000] [--datasets 1000] [--repeat 5]

Runs on SQLite in a temporary data folder (``DATABASE_URL`` is ignored). The dataset graph is
bulk-inserted (the fixture is not what is measured): 1,000 datasets in 10 layers of 100, each
derived from two datasets of the layer above, so a middle dataset has hundreds of ancestors and
descendants. Prints readings per second and page medians and ranges in seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
    parser.add_argument("--readings", type=int, default=2000)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="keel-bench-ai-")
    os.environ.pop("DATABASE_URL", None)
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

    from keel.aisystems import services
    from keel.aisystems.models import Dataset, DatasetDerivation
    from keel.organisation import people as people
    from keel.organisation import services as organisation
    from keel.platform import accounts as accounts
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.standards.services import load_library

    operator = Actor.cli()
    load_library(operator)
    organisation.save_organisation(operator, name="Bench Ltd")
    ms = organisation.create_management_system(
        operator,
        name="Integrated",
        short_name="integrated",
        operating_model="unified",
        standards=["iso42001:2023"],
    )
    admin = people.create_user(operator, "bench@example.com", role=Role.ADMIN)
    _token, secret = accounts.create_token(operator, admin, "bench")
    system = services.create_system(
        operator, management_system=ms, short_name="scoring", name="Scoring", origin="in_house"
    )
    services.create_metric(
        operator, system.pk, short_name="auc", name="AUC", direction="higher", threshold="0.75"
    )
    actor = Actor.for_user(admin, "api")
    rng = random.Random(42)
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    # ------------------------------------------------ push throughput: the service
    n = args.readings
    started = time.perf_counter()
    for i in range(n):
        value = f"{rng.uniform(0.7, 0.9):.4f}"  # about a quarter are breaches
        services.push_reading(actor, "scoring", "auc", value, t0 + dt.timedelta(minutes=i))
    service_rate = n / (time.perf_counter() - started)
    stored = dict(services.get_metric(system, "auc").readings.values_list("at", "value"))
    started = time.perf_counter()
    for i in range(n // 4):  # the same readings again: idempotent, nothing stored
        at = t0 + dt.timedelta(minutes=i)
        services.push_reading(actor, "scoring", "auc", stored[at], at)
    repeat_rate = (n // 4) / (time.perf_counter() - started)

    # ------------------------------------------------ push throughput: the API
    client = Client(headers={"authorization": f"Bearer {secret}"})
    started = time.perf_counter()
    for i in range(n):
        body = {
            "system": "scoring",
            "metric": "auc",
            "value": f"{rng.uniform(0.7, 0.9):.4f}",
            "at": (t0 + dt.timedelta(days=30, minutes=i)).isoformat(),
        }
        r = client.post("/api/v1/metric-readings", json.dumps(body), content_type="application/json")
        assert r.status_code == 201, r.content
    api_rate = n / (time.perf_counter() - started)

    # ------------------------------------------------ the lineage graph
    layers, width = 10, max(args.datasets // 10, 1)
    rows = [
        Dataset(
            short_name=f"d-{layer}-{i}",
            name=f"Dataset {layer}.{i}",
            management_system=ms,
            acquisition="derived",
        )
        for layer in range(layers)
        for i in range(width)
    ]
    Dataset.objects.bulk_create(rows, batch_size=500)
    by_name = {d.short_name: d.pk for d in Dataset.objects.all()}
    edges = []
    for layer in range(1, layers):
        for i in range(width):
            for parent in rng.sample(range(width), 3):
                source, derived = by_name[f"d-{layer - 1}-{parent}"], by_name[f"d-{layer}-{i}"]
                edges.append(DatasetDerivation(source_id=source, derived_id=derived))
    DatasetDerivation.objects.bulk_create(edges, batch_size=500)
    from keel.aisystems import lineage

    middle = f"d-{layers // 2}-{width // 2}"
    info = lineage.lineage(Dataset.objects.get(short_name=middle))
    page = Client()
    page.force_login(admin)
    url = f"/datasets/{middle}/"
    assert page.get(url).status_code == 200
    from keel.aisystems import queries

    target = Dataset.objects.get(short_name=middle)
    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # the lineage itself
        queries.dataset_lineage(target)
    med, lo, hi = _timed(lambda: page.get(url), args.repeat)
    leaf = f"d-{layers - 1}-0"
    lmed, llo, lhi = _timed(lambda: page.get(f"/datasets/{leaf}/"), args.repeat)
    rmed, rlo, rhi = _timed(lambda: page.get("/datasets/d-0-0/"), args.repeat)

    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"metric push via the service: {service_rate:,.0f} readings/s ({n} new readings)")
    print(f"metric push via the service, same reading again (idempotent): {repeat_rate:,.0f} readings/s")
    print(f"metric push via the API (bearer token): {api_rate:,.0f} readings/s ({n} new readings)")
    print(
        f"dataset page, {len(rows)} datasets / {len(edges)} derivations, middle dataset "
        f"({info.upstream_count} upstream, {info.downstream_count} downstream, {len(executed)} lineage queries): "
        f"median {med:.3f}s (min {lo:.3f}, max {hi:.3f})"
    )
    print(f"dataset page, a root dataset (all downstream): median {rmed:.3f}s (min {rlo:.3f}, max {rhi:.3f})")
    print(f"dataset page, a leaf dataset (all upstream): median {lmed:.3f}s (min {llo:.3f}, max {lhi:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
