"""The warm-up that ``keel serve`` runs in gunicorn's master before the workers fork."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.template import engines

from keel.site.warmup import warm
from keel.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """Requests answered through the WSGI handler close old connections at their start and end;
    Django's test client switches that off so the test's transaction survives, and so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_warm_answers_the_public_pages_without_writing() -> None:
    from keel.platform.models import TrailEntry

    before = TrailEntry.objects.count()
    statuses = warm(application, close_connections=False)
    assert statuses["/login/"] == 200
    # Pages behind the login redirect to it: warm never needs an account.
    assert all(code in (200, 302) for code in statuses.values()), statuses
    assert TrailEntry.objects.count() == before


def test_warm_leaves_the_login_template_compiled() -> None:
    warm(application, paths=("/login/",), close_connections=False)
    loaders = engines["django"].engine.template_loaders
    cached = [loader for loader in loaders if hasattr(loader, "get_template_cache")]
    if not cached:
        pytest.skip("the template loader does not cache (DEBUG on)")
    assert cached[0].get_template_cache, "no template was compiled by the warm-up"
