"""Issue 9 defect 12: a page route named with an id that does not exist (or a record that is not
where the URL says) answers 404 with a message, never 500.

Every URL pattern with converters is enumerated from the URL configuration and probed with
values that name nothing, as an administrator (GET, and POST for the routes that take it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, UUIDConverter

from keel.aisystems.tests.factories import ai_system as make_ai_system
from keel.organisation.models import ManagementSystem
from keel.platform.models import User

pytestmark = pytest.mark.django_db

UNKNOWN_SLUG = "no-such-record-here"


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route, p


def _probe_urls() -> list[str]:
    urls = []
    for route, p in _patterns(get_resolver()):
        converters = getattr(p.pattern, "converters", {})
        if not converters or route.startswith(("api/", "static/", "^")):
            continue
        url = "/" + route
        for name, conv in converters.items():
            if isinstance(conv, UUIDConverter):
                value = str(uuid.uuid4())
            elif isinstance(conv, IntConverter):
                value = "987654"
            else:
                value = UNKNOWN_SLUG
            url = url.replace(f"<{_spec(route, name)}>", value)
        assert "<" not in url, url
        urls.append(url)
    return sorted(set(urls))


def _spec(route: str, name: str) -> str:
    start = route.index(f":{name}>") if f":{name}>" in route else route.index(f"<{name}>") + 1
    open_at = route.rindex("<", 0, start)
    return route[open_at + 1 : route.index(">", open_at)]


def test_every_page_route_with_an_unknown_id_is_a_404_never_a_500(
    admin: User, isms: ManagementSystem
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    urls = _probe_urls()
    assert len(urls) > 30  # the enumeration found the routes
    wrong = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code >= 500 or (method == "get" and response.status_code not in (404, 405)):
                wrong.append(f"{method.upper()} {url} -> {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_editing_an_impact_through_another_assessment_is_a_404(admin: User, aims: ManagementSystem) -> None:
    from keel.impact.tests.factories import draft, impact

    a = draft(make_ai_system(aims, "first-system"))
    b = draft(make_ai_system(aims, "second-system"))
    foreign = impact(b)
    url = f"/impact-assessments/{a.pk}/impacts/{foreign.pk}/edit/"
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Changed"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.title != "Changed"
