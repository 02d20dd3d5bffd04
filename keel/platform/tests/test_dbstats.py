"""Planner statistics: ANALYZE after bulk writes, PRAGMA optimize when a SQLite connection closes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from keel.platform.dbbackends.sqlite3.base import DatabaseWrapper
from keel.platform.dbstats import refresh_statistics


@pytest.mark.django_db
def test_refresh_statistics_analyses_the_database() -> None:
    took = refresh_statistics()
    assert took >= 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1")
            assert cursor.fetchone()[0] > 0
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'standards_requirement'")
            assert cursor.fetchone()[0] > 0


def _wrapper(path: Path) -> DatabaseWrapper:
    settings = {
        "NAME": str(path),
        "ENGINE": "keel.platform.dbbackends.sqlite3",
        "OPTIONS": {},
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings, alias="optimize-test")


def test_closing_a_connection_runs_pragma_optimize(tmp_path: Path, django_db_blocker: Any) -> None:
    """A separate SQLite file (pytest-django's test database stays open for the whole run)."""
    with django_db_blocker.unblock():
        _optimize_on_close(tmp_path / "keel.sqlite3")


def _optimize_on_close(db: Path) -> None:
    wrapper = _wrapper(db)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, kind TEXT, n INTEGER)")
        cursor.execute("CREATE INDEX item_kind ON item (kind)")
        cursor.executemany(
            "INSERT INTO item (kind, n) VALUES (%s, %s)", [(f"k{i % 7}", i) for i in range(500)]
        )
        cursor.execute("SELECT count(*) FROM item WHERE kind = %s", ["k3"])
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() is None  # no statistics before the close
    wrapper.close()

    again = _wrapper(db)
    with again.cursor() as cursor:
        cursor.execute("SELECT tbl FROM sqlite_stat1")
        assert ("item",) in cursor.fetchall()
    again.close()
