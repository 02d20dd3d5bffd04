"""Rows written once and shared by many tests, the way Django's ``TestCase.setUpTestData`` does it.

``SharedRows`` opens a transaction on the test database, lets a builder write its rows, and
keeps the transaction open. Every test that runs while it is open gets its own transaction from
pytest-django as usual; nested inside the shared one it becomes a savepoint, so what a test
writes is rolled back to the shared rows after it, and the shared rows are rolled back when
``close()`` runs. The permission matrix builds its world this way once per module (per xdist
worker), and the tests of the demo organisation share one loaded demo.

Only tests in an ordinary (``TestCase``-style) transaction may run while it is open; a
``transaction=True`` test would commit on top of the shared rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.transaction import Atomic
from django.test import override_settings

T = TypeVar("T")

# The tests hash passwords with MD5 (Argon2 is deliberately slow); conftest.py sets it for every
# test, and shared rows, written before any test's settings apply, are written with it too.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class SharedRows(Generic[T]):
    def __init__(self, blocker: Any, using: str = DEFAULT_DB_ALIAS) -> None:
        self.blocker = blocker  # pytest-django's django_db_blocker
        self.using = using
        self._atomic: Atomic | None = None
        self.value: T | None = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self, build: Callable[[], T]) -> T:
        """Start the shared transaction and write the rows with ``build``; returns its result."""
        assert self._atomic is None, "the shared rows are already written"
        with self.blocker.unblock():
            atomic = transaction.atomic(using=self.using)
            # Like TestCase's own atomic: a durable block inside a test is still allowed.
            atomic._from_testcase = True
            atomic.__enter__()
            self._atomic = atomic
            try:
                with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                    self.value = build()
            except BaseException:
                self.close()
                raise
        return self.value

    def close(self) -> None:
        """Roll the shared rows back (the database is as before ``open``)."""
        atomic, self._atomic, self.value = self._atomic, None, None
        if atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True, using=self.using)
            atomic.__exit__(None, None, None)


@dataclass(frozen=True)
class LoadedDemo:
    """The demo as ``load_demo(Actor.cli())`` left it: its report, the progress lines it
    printed, the trail's head before it ran, and the folder its evidence files went to."""

    report: Any  # keel.site.demo.DemoReport
    lines: list[str]
    trail_head_before: int
    evidence_root: Path
