"""Run service calls at the same moment from several threads, each with its own database
connection, to prove that concurrent writers lose nothing (docs/adr/0014-concurrent-writers.md).

PostgreSQL at READ COMMITTED is where lost updates happen (SQLite serialises writers), so the
tests that use this run on PostgreSQL only (``postgres_only``) and in CI's PostgreSQL pass.

:func:`widen_race` makes the race certain instead of likely: every trail write (which comes
after a service has read and changed its record) first waits a little, so without a row lock
both writers read the same old row before either saves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections

from keel.platform import trail

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="lost updates happen on PostgreSQL; SQLite serialises writers"
)


def run_at_once(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Start every call at the same moment, each in its own thread and connection; return each
    result or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[i] = call()
        except BaseException as exc:  # reported to the test, which decides
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        if t.is_alive():
            raise AssertionError("a concurrent writer did not finish in time (deadlock?)")
    return results


@contextmanager
def widen_race(seconds: float = 0.05) -> Iterator[None]:
    """Hold every writer for ``seconds`` between changing its record and writing the trail."""
    real = trail.record

    def slow_record(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return real(*args, **kwargs)

    with mock.patch.object(trail, "record", slow_record):
        yield
