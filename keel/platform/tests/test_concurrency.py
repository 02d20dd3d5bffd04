"""Two processes writing at once wait for each other: no "database is locked", no lost entry,
no fork in the audit-trail chain. Runs on a fresh SQLite file database, and on a fresh
PostgreSQL database when ``DATABASE_URL`` points at PostgreSQL."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

WRITES_PER_PROCESS = 30

WRITER = """
import os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
django.setup()
from django.db import connection
from keel.platform.actor import Actor
from keel.organisation import people as people

name, count, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
connection.ensure_connection()
open(os.path.join(folder, f"ready-{name}"), "w").close()
deadline = time.monotonic() + 60
while not os.path.exists(os.path.join(folder, "go")):
    if time.monotonic() > deadline:
        sys.exit("the start signal never came")
    time.sleep(0.002)
actor = Actor.system(f"writer-{name}")
for i in range(count):
    people.create_user(actor, f"{name}-{i}@example.com")
    time.sleep(0.003)  # let the other writer in between our transactions
print("wrote", count)
"""

SUMMARY = """
import json, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
django.setup()
from keel.platform.models import TrailEntry, User
labels = list(TrailEntry.objects.order_by("seq").values_list("actor_label", flat=True))
print(json.dumps({"labels": labels, "users": User.objects.filter(email__contains="-").count()}))
"""


def _env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KEEL_TEST_SQLITE_NAME"}}
    env["KEEL_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _python(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv], env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """``None`` for a SQLite file in ``tmp_path``; else the URL of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL does not point at PostgreSQL; the SQLite variant covers this run")
    import psycopg

    name = f"keel_concurrency_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_writer_processes_neither_fail_nor_fork_the_chain(tmp_path: Path, database: str | None) -> None:
    # Given an initialised database
    env = _env(tmp_path, database)
    init = _python(env, "-m", "keel.site.cli", "init")
    assert init.returncode == 0, init.stderr
    before = json.loads(_python(env, "-c", SUMMARY).stdout)

    # When two processes, started together, each write 30 entries through a service
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(WRITES_PER_PROCESS), str(tmp_path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in ("a", "b")):
        assert time.monotonic() < deadline, "writers did not start"
        assert all(w.poll() is None for w in writers), [w.communicate() for w in writers]
        time.sleep(0.01)
    (tmp_path / "go").touch()
    results = [w.communicate(timeout=120) for w in writers]

    # Then neither failed ("database is locked" or otherwise)
    for w, (out, err) in zip(writers, results, strict=True):
        assert w.returncode == 0, err
        assert "locked" not in err
        assert out.strip() == f"wrote {WRITES_PER_PROCESS}"

    # And all 60 entries are there, from both writers
    after = json.loads(_python(env, "-c", SUMMARY).stdout)
    new = after["labels"][len(before["labels"]) :]
    order = "".join(label[-1] for label in new)
    assert sum(1 for x, y in itertools.pairwise(order) if x != y) >= 2, f"no overlap: {order}"
    assert len(new) == 2 * WRITES_PER_PROCESS
    assert new.count("writer-a") == new.count("writer-b") == WRITES_PER_PROCESS
    assert after["users"] == 2 * WRITES_PER_PROCESS

    # And the chain is one unbroken line
    verify = _python(env, "-m", "keel.site.cli", "trail", "verify", "--format", "json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    doc = json.loads(verify.stdout)
    assert doc["ok"] is True
    assert doc["count"] == len(before["labels"]) + 2 * WRITES_PER_PROCESS
