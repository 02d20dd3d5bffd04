"""``?management_system=`` on every list endpoint and list page: a system that does not exist
and a system outside the caller's perimeter get the same answer, and no answer names a system
the caller may not see (issue 10, "Done when" 2).

The API operations are taken from the OpenAPI document and the pages from the URL
configuration, so a list added later is covered without editing this file.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from keel.organisation.models import ManagementSystem, Organisation
from keel.organisation.resolvers import UNKNOWN_SYSTEM
from keel.organisation.tests.factories import ManagementSystemFactory
from keel.platform.choices import Role
from keel.platform.models import User
from keel.site.api import api

API = "/api/v1"
SECRET_SHORT = "bravo-hidden-sys"
SECRET_NAME = "Bravo Hidden System"


@pytest.fixture
def world(org: Organisation, make_user: Callable[..., User]) -> dict[str, Any]:
    a = ManagementSystemFactory.create(
        organisation=org, name="Alpha", short_name="alpha", standards=["iso27001:2022", "iso42001:2023"]
    )
    b = ManagementSystemFactory.create(
        organisation=org,
        name=SECRET_NAME,
        short_name=SECRET_SHORT,
        standards=["iso27001:2022", "iso42001:2023"],
    )
    return {"a": a, "b": b, "make_user": make_user}


@functools.cache
def _schema() -> dict[str, Any]:
    """The published document, built once per run (building it takes seconds)."""
    return api.get_openapi_schema()


def _list_operations() -> list[str]:
    """Every GET operation of the API without a path parameter: the lists (and a few singletons,
    which must not leak either)."""
    paths = _schema()["paths"]
    return sorted(
        path.removeprefix(API)
        for path, methods in paths.items()
        if "get" in methods and "{" not in path and not path.endswith("openapi.json")
    )


def _declares_filter(path: str) -> bool:
    op = _schema()["paths"][API + path]["get"]
    return any(p.get("name") == "management_system" for p in op.get("parameters", []))


LIST_OPERATIONS = _list_operations()
# Values for the other required query parameters of some operations.
REQUIRED = {"target": "iso27001:2022"}


def _required(path: str) -> dict[str, str]:
    op = _schema()["paths"][API + path]["get"]
    return {
        p["name"]: REQUIRED[p["name"]]
        for p in op.get("parameters", [])
        if p.get("required") and p.get("in") == "query" and p["name"] in REQUIRED
    }


def _assert_no_leak(body: str, b: ManagementSystem) -> None:
    assert SECRET_SHORT not in body
    assert SECRET_NAME not in body
    assert str(b.pk) not in body


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN])
@pytest.mark.parametrize("path", LIST_OPERATIONS)
def test_api_list_answers_the_same_for_unknown_and_outside_systems(
    world: dict[str, Any], login_client: Callable[[User], Client], path: str, role: str
) -> None:
    # given a user with a role over system A only
    user = world["make_user"](role, world["a"])
    client = login_client(user)
    b: ManagementSystem = world["b"]
    # when the list is filtered by a system that does not exist, by B's short name and by B's id
    answers = [
        client.get(API + path, {**_required(path), "management_system": ref})
        for ref in ("nope", SECRET_SHORT, str(b.pk))
    ]
    # then all three answers are the same and none names B
    # (the moment an answer was made, e.g. the checks' ``checked_at``, may differ by a second)
    bodies = [re.sub(r'"checked_at": ?"[^"]*"', '"checked_at": ""', r.content.decode()) for r in answers]
    assert len({r.status_code for r in answers}) == 1, (path, [r.status_code for r in answers])
    assert len(set(bodies)) == 1, (path, bodies)
    for body in bodies:
        _assert_no_leak(body, b)
    if _declares_filter(path) and answers[0].status_code != 403:
        assert answers[0].status_code == 422, (path, bodies[0])
        assert answers[0].json()["error"]["message"] == UNKNOWN_SYSTEM


def test_api_list_filter_still_finds_a_visible_system(
    world: dict[str, Any], login_client: Callable[[User], Client]
) -> None:
    client = login_client(world["make_user"](Role.VIEWER, world["a"]))
    for ref in ("alpha", str(world["a"].pk)):
        for path in ("/controls", "/evidence", "/risks", "/assets", "/ai-systems", "/datasets", "/soa"):
            assert client.get(API + path, {"management_system": ref}).status_code == 200, (path, ref)


def _pages(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every page route without a parameter (the API excluded)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if "<" in route or route.startswith("api/"):
            continue
        if isinstance(p, URLResolver):
            yield from _pages(p, route)
        elif isinstance(p, URLPattern):
            yield "/" + route.lstrip("^").rstrip("$")


def _filter_pages(client: Client) -> list[str]:
    out = []
    for url in sorted(set(_pages())):
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        if response.status_code == 200 and re.search(
            r'<select[^>]*name="management_system"', response.content.decode()
        ):
            out.append(url)
    return out


def test_list_pages_answer_the_same_for_unknown_and_outside_systems(
    world: dict[str, Any], login_client: Callable[[User], Client]
) -> None:
    # given a viewer of system A only, and the pages that offer the management-system filter
    client = login_client(world["make_user"](Role.VIEWER, world["a"]))
    b: ManagementSystem = world["b"]
    pages = _filter_pages(client)
    assert {"/controls/", "/evidence/", "/assets/", "/ai-systems/", "/datasets/"} <= set(pages), pages
    for url in pages:
        # when each is filtered by a system that does not exist, by B's short name and by B's id
        answers = [client.get(url, {"management_system": ref}) for ref in ("nope", SECRET_SHORT, str(b.pk))]
        # then the answers are the same page and none names B
        bodies = [r.content.decode() for r in answers]
        assert len({r.status_code for r in answers}) == 1, url
        normalised = {re.sub(r"\b[A-Za-z0-9]{64}\b", "<csrf>", body) for body in bodies}  # masked CSRF tokens
        first, *others = sorted(normalised)
        for other in others:
            diff = [d for d in difflib.ndiff(first.splitlines(), other.splitlines()) if d[:1] in "+-"]
            assert not diff, (url, diff[:6])
        for body in bodies:
            _assert_no_leak(body, b)
        assert UNKNOWN_SYSTEM in bodies[0] or "filters were not understood" in bodies[0], url
