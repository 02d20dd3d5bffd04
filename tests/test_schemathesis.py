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
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [
    pytest.mark.schemathesis,
    pytest.mark.django_db,
    # the SQLite pass runs it; the PostgreSQL pass has the concurrency suite and stays bounded
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="run in the SQLite pass"),
]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "2"))
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


@pytest.fixture
def bearer(admin: Any, isms: Any, aims: Any) -> dict[str, str]:
    from keel.platform import accounts as accounts
    from keel.platform.actor import Actor

    _token, secret = accounts.create_token(Actor.for_user(admin, "web"), admin)
    return {"Authorization": f"Bearer {secret}"}


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
