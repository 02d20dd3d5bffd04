"""Shared test fixtures: the standards library is loaded once per test database; people,
organisation and management systems come from factories; the demo organisation is loaded once
per test run (per xdist worker) for the tests that ask for ``demo``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from keel.organisation.models import ManagementSystem, Organisation
from keel.organisation.tests.factories import (
    ManagementSystemFactory,
    OrganisationFactory,
    RoleAssignmentFactory,
    UserFactory,
)
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, User
from keel.platform.tests.shared_db import FAST_HASHERS, LoadedDemo, SharedRows

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test accounts only


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Load both standards, the control-template library and the crosswalks into the test database once;
    every test sees them (as after ``keel init``)."""
    with django_db_blocker.unblock():
        _load_libraries()
    yield


def _load_libraries() -> None:
    """What ``keel init`` loads: both standards, the control templates and the crosswalks."""
    from keel.controls.services import load_templates
    from keel.mapping.services import load_crosswalks
    from keel.standards.services import load_library

    load_library(Actor.system("test-setup"))
    load_templates(Actor.system("test-setup"))
    load_crosswalks(Actor.system("test-setup"))


@pytest.fixture(autouse=True)
def libraries_back_after_a_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[None]:
    """A transactional test (a browser test's live server, a race test) ends by emptying every
    table, the session's standards library included; load it again so the tests after it in
    this worker see what ``keel init`` gives. Set up before the database fixtures, so it runs
    after their flush."""
    yield
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        from keel.standards.models import Standard

        with django_db_blocker.unblock():
            if not Standard.objects.exists():
                _load_libraries()


@pytest.fixture(scope="session", autouse=True)
def static_files_scanned_once() -> Iterator[None]:
    """whitenoise scans every static file each time its middleware starts, and the test client
    starts the middleware for every ``Client()``: thousands of scans of the same folders. The
    static files do not change during a run, so the first scan's result is reused (whitenoise
    itself is unchanged: it still serves, and tests of static files still go through it)."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    original = WhiteNoiseMiddleware.add_files_from_finders
    scanned: dict[str, Any] = {}

    def add_files_from_finders(self: WhiteNoiseMiddleware) -> None:
        if "files" not in scanned:
            before = set(self.files)
            original(self)
            scanned["files"] = {k: v for k, v in self.files.items() if k not in before}
        self.files.update(scanned["files"])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders  # type: ignore[method-assign]
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    _openapi_document_built_once()


def _openapi_document_built_once() -> None:
    """django-ninja builds the OpenAPI document from every schema each time it is asked (a
    second or more of CPU), and the suite asks for it dozens of times, several of them while
    collecting: ``/api/v1/openapi.json`` in several tests, the matrix, the query counts, the
    system filter, schemathesis. The routes do not change during a run, so each document is
    built once per process and every caller gets its own deep copy (a caller may change it)."""
    import copy

    from ninja import NinjaAPI

    original = NinjaAPI.get_openapi_schema
    if getattr(original, "built_once", False):
        return
    built: dict[tuple[int, str | None, str], Any] = {}

    def get_openapi_schema(
        self: NinjaAPI, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        key = (id(self), path_prefix, repr(sorted((path_params or {}).items())))
        if key not in built:
            built[key] = original(self, path_prefix=path_prefix, path_params=path_params)
        return copy.deepcopy(built[key], memo={id(self): self})  # the API object itself is shared

    get_openapi_schema.built_once = True  # type: ignore[attr-defined]
    NinjaAPI.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash with MD5 (production settings keep Argon2 —
    ``keel/platform/tests/test_settings.py`` checks that)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def evidence_files_in_a_temporary_folder(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Evidence files written by a test go to a fresh temporary folder, never to KEEL_HOME."""
    settings.KEEL_EVIDENCE_ROOT = tmp_path_factory.mktemp("evidence")


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def org(db: Any) -> Organisation:
    return OrganisationFactory.create()


@pytest.fixture
def isms(org: Organisation) -> ManagementSystem:
    return ManagementSystemFactory.create(
        organisation=org, name="ISMS", short_name="isms", standards=["iso27001:2022"]
    )


@pytest.fixture
def aims(org: Organisation) -> ManagementSystem:
    return ManagementSystemFactory.create(
        organisation=org, name="AIMS", short_name="aims", standards=["iso42001:2023"]
    )


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    """``make_user(role, management_system=None)``: a user with a password and that role."""

    def make(role: str | None = None, management_system: ManagementSystem | None = None, **kw: Any) -> User:
        user: User = UserFactory.create(**kw)
        if role is not None:
            RoleAssignmentFactory.create(user=user, role=role, management_system=management_system)
        return user

    return make


@pytest.fixture
def admin(make_user: Callable[..., User], org: Organisation) -> User:
    return make_user(Role.ADMIN, email="admin@example.com")


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def login_client() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# ---------------------------------------------------------------- the demo organisation, once


_demo_rows: SharedRows[LoadedDemo] | None = None
_demo_evidence: list[Path] = []  # the folder of the demo's evidence files, made once


def _load_demo() -> LoadedDemo:
    """``load_demo(Actor.cli())`` on the standards-only test database; its evidence files go to
    a folder of their own that every demo test then uses."""
    from django.test import override_settings

    from keel.site.demo import load_demo
    from keel.standards.models import Standard

    if not Standard.objects.exists():  # a transactional test before emptied every table
        _load_libraries()
    head = TrailEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    lines: list[str] = []
    with override_settings(KEEL_EVIDENCE_ROOT=_demo_evidence[0]):
        report = load_demo(Actor.cli(), progress=lines.append)
    return LoadedDemo(report=report, lines=lines, trail_head_before=head, evidence_root=_demo_evidence[0])


@pytest.fixture(scope="session")
def _demo_holder(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedRows[LoadedDemo]]:
    global _demo_rows
    _demo_evidence.append(tmp_path_factory.mktemp("demo-evidence"))
    _demo_rows = SharedRows(django_db_blocker)
    yield _demo_rows
    _demo_rows.close()
    _demo_rows = None


@pytest.fixture(scope="module")
def _demo_loaded(_demo_holder: SharedRows[LoadedDemo]) -> None:
    """Loads the demo in its kept transaction unless it is already there. Module scope: it must
    run before the test's own transaction (``db``), which then nests inside it."""
    if not _demo_holder.is_open:
        _demo_holder.open(_load_demo)


@pytest.fixture
def demo(_demo_loaded: None, db: Any, settings: Any) -> LoadedDemo:
    """The demo organisation, loaded once per test run (per xdist worker) and shared: each test
    runs in a savepoint rolled back to the loaded demo after it."""
    assert _demo_rows is not None and _demo_rows.value is not None, "the demo is loaded"
    settings.KEEL_EVIDENCE_ROOT = _demo_rows.value.evidence_root
    return _demo_rows.value


def _uses_demo(item: pytest.Item) -> bool:
    return "demo" in getattr(item, "fixturenames", ())


_ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

# Fixtures through which a test reaches the database (pytest-django's, and ours built on them:
# item.fixturenames is the closure, so a test asking for ``org`` or ``demo`` lists ``db`` too).
_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def _reaches_the_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    return not _DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def _same_on_every_database(item: pytest.Item) -> bool:
    """Whether this test does the same work whatever database the pass runs on: it never reaches the database through a fixture (the CLI journey and the backup tests run Keel
    in subprocesses on a SQLite home of their own), unless it is marked ``postgres`` (it reaches
    PostgreSQL through DATABASE_URL itself). The PostgreSQL pass leaves such tests to the SQLite
    pass."""
    return item.get_closest_marker("postgres") is None and not _reaches_the_database(item)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL (unless KEEL_FULL_MATRIX=1) the tests that would do exactly what the SQLite
    pass does are deselected (docs/testing.md, "Keeping CI inside its time"). Then the tests of
    the loaded demo run last (in their collected order), so that a worker loads the demo once and
    keeps it for all of them."""
    if _ON_POSTGRES and os.environ.get("KEEL_FULL_MATRIX", "") != "1":
        kept, dropped = [], []
        for item in items:
            (dropped if _same_on_every_database(item) else kept).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    items.sort(key=_uses_demo)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that does not ask for the demo never sees it: the shared demo is rolled back
    before it, and loaded again before the next demo test (the ordering above makes that rare:
    only when tests are run in another order)."""
    if _demo_rows is None:
        return
    if _uses_demo(item):
        if not _demo_rows.is_open:
            _demo_rows.open(_load_demo)
    elif _demo_rows.is_open:
        _demo_rows.close()


@pytest.fixture
def untraced() -> Iterator[None]:
    """Runs a test without coverage's line tracer. For the permission matrix and schemathesis:
    tens of thousands of requests through code the rest of the suite covers, where tracing
    every line cost about a third of their CPU time (docs/testing.md). A run without coverage
    is unchanged."""
    import coverage

    cov = coverage.Coverage.current()
    if cov is None:
        yield
        return
    cov.stop()
    try:
        yield
    finally:
        cov.start()
