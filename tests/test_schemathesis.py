"""Schemathesis over the whole API, in-process and bounded (issue 9, "Proof that lasts").

Every operation of ``/api/v1/openapi.json`` is called through Django's WSGI application as an
administrator with a bearer token, with ``SCHEMATHESIS_EXAMPLES`` generated examples each
(positive and negative data), and each response is checked: never a 5xx, a status code, content
type and body that the schema declares. Select it with ``-m schemathesis``; it runs in the
SQLite pass of the suite. Bound: about 2 minutes on two cores (docs/api.md says how many
requests and how long the last measured run took)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.hypothesis import builder
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from keel.organisation.tests.factories import (
    ManagementSystemFactory,
    OrganisationFactory,
    RoleAssignmentFactory,
    UserFactory,
)
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.tests.shared_db import SharedRows

pytestmark = [
    pytest.mark.schemathesis,
    pytest.mark.usefixtures("untraced"),
    pytest.mark.django_db,
    # the SQLite pass runs it; the PostgreSQL pass has the concurrency suite and stays bounded
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="run in the SQLite pass"),
]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "2"))
# Schemathesis's coverage phase gives each operation about 60 boundary and wrong-type cases (over
# 13,000 requests for 230 operations); the suite runs an even spread of at most this many per
# operation (0: all of them, SCHEMATHESIS_COVERAGE_CASES=0).
COVERAGE_CASES = int(os.environ.get("SCHEMATHESIS_COVERAGE_CASES", "30"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
COUNT: dict[str, Any] = {"requests": 0, "operations": 0, "started": None}


@pytest.fixture(scope="module", autouse=True)
def report_count(request: pytest.FixtureRequest) -> Iterator[None]:
    COUNT["started"] = time.monotonic()
    yield
    elapsed = time.monotonic() - COUNT["started"]
    line = (
        f"schemathesis: {COUNT['requests']} requests over {COUNT['operations']} operations in {elapsed:.1f} s"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print("\n" + line)


def _administrator_with_a_token() -> dict[str, str]:
    """The organisation, an ISMS and an AIMS, an administrator and a bearer token for them."""
    org = OrganisationFactory.create()
    ManagementSystemFactory.create(
        organisation=org, name="ISMS", short_name="isms", standards=["iso27001:2022"]
    )
    ManagementSystemFactory.create(
        organisation=org, name="AIMS", short_name="aims", standards=["iso42001:2023"]
    )
    admin = UserFactory.create(email="admin@example.com")  # as conftest's ``admin``
    RoleAssignmentFactory.create(user=admin, role=Role.ADMIN, management_system=None)
    _token, secret = accounts.create_token(Actor.for_user(admin, "web"), admin)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def _shared_bearer(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """Written once for the module in a kept transaction (``SharedRows``); each operation's
    test runs in a savepoint inside it, rolled back to these rows after it (as before, when
    each test wrote them afresh)."""
    rows: SharedRows[dict[str, str]] = SharedRows(django_db_blocker)
    yield rows.open(_administrator_with_a_token)
    rows.close()


@pytest.fixture
def bearer(_shared_bearer: dict[str, str], db: Any) -> dict[str, str]:
    return _shared_bearer


# Schemathesis computes every operation's coverage-phase cases (boundary values, missing and
# wrongly typed fields: about 8,700 cases, most of this module's requests) while collecting, in
# every process that collects the suite: each xdist worker, and the PostgreSQL pass that skips
# this module. That took about 13 CPU seconds per process. The cases are now computed by the
# same schemathesis function, with the same arguments, just before the one test that uses them
# runs (``coverage_cases_before_the_test``): the same cases, in the same order, built once.
_add_coverage = builder.add_coverage
PENDING_COVERAGE = "keel_pending_coverage"


def _add_coverage_when_run(test: Any, *args: Any, **kwargs: Any) -> Any:
    setattr(test, PENDING_COVERAGE, (args, kwargs))
    return test


builder.add_coverage = _add_coverage_when_run


@pytest.fixture(autouse=True)
def coverage_cases_before_the_test(request: pytest.FixtureRequest) -> None:
    """Attaches the operation's coverage-phase cases (as explicit examples) to its test."""
    test = request.function
    pending = getattr(test, PENDING_COVERAGE, None)
    # A schemathesis that no longer builds coverage cases through ``builder.add_coverage`` fails
    # here rather than silently running without them (or building them while collecting).
    assert pending is not None, "schemathesis did not hand over the coverage cases: see the note above"
    args, kwargs = pending
    delattr(test, PENDING_COVERAGE)
    before = len(getattr(test, "hypothesis_explicit_examples", []))
    _add_coverage(test, *args, **kwargs)
    examples = getattr(test, "hypothesis_explicit_examples", None)
    if COVERAGE_CASES and examples is not None and len(examples) - before > COVERAGE_CASES:
        # An even spread over the operation's coverage cases (every parameter's boundary and
        # wrong-type values come in runs), the same on every run.
        added = examples[before:]
        step = len(added) / COVERAGE_CASES
        examples[before:] = [added[int(i * step)] for i in range(COVERAGE_CASES)]


def _load() -> Any:
    """The published document (as ``/api/v1/openapi.json`` serves it) and the WSGI app it runs on."""
    from django.core.wsgi import get_wsgi_application

    from keel.site.api import schema as openapi_document

    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(openapi_document(), default=str)))
    loaded.app = get_wsgi_application()
    return loaded


schema = _load()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case: Any, bearer: dict[str, str]) -> None:
    if COUNT.get("last") != case.operation.label:
        COUNT["operations"] += 1
        COUNT["last"] = case.operation.label
    COUNT["requests"] += 1
    case.call_and_validate(headers=bearer, checks=CHECKS)
