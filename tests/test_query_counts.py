"""Query-count baselines: every list endpoint of the API and every list page has its number of
queries saved in ``tests/query_counts.json`` (keel/platform/tests/query_counts.py says how to
regenerate it on purpose), measured on the demo organisation as its administrator.

A paged API list is read at ``limit=5`` and at ``limit=50``: the count must be the same at both
(no query per row) and equal to the baseline. The lists that do not page (arrays) and the list
pages are compared with their baseline at the demo's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from keel.platform.models import User
from keel.platform.tests.query_counts import WRITE, get_counted, load_baselines, save_baselines
from keel.platform.tests.shared_db import LoadedDemo
from keel.site.api import api
from keel.site.demo import DEMO_ADMIN_EMAIL

PREFIX = "/api/v1"
# List pages whose URL name does not end in "-list".
OTHER_LIST_PAGES = (
    "people",
    "trail",
    "context",
    "control-templates",
    "risk-snapshots",
    "classification",
    "dashboard",
)
# The query a list needs to answer at all.
REQUIRED_QUERY = {"/api/v1/mapping-suggestions": "source=org&target=iso42001:2023"}


@cache
def list_operations() -> dict[str, bool]:
    """Every GET operation without path parameters that answers a list, by path; True when it
    pages (a ``Page`` with ``items``, read with ``limit``), False for a plain array."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    lists: dict[str, bool] = {}
    for path, methods in schema["paths"].items():
        op = methods.get("get")
        if op is None or "{" in path:
            continue
        answer = op["responses"].get(200) or op["responses"].get("200") or {}
        body = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if body.get("type") == "array":
            lists[path] = False
        elif "$ref" in body and "items" in components[body["$ref"].split("/")[-1]].get("properties", {}):
            lists[path] = True
    return lists


def _walk(patterns: list[Any]) -> Iterator[URLPattern]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns)
        else:
            yield p


@cache
def list_pages() -> tuple[str, ...]:
    names = {p.name for p in _walk(get_resolver().url_patterns) if p.name and not p.pattern.converters}
    return tuple(sorted(n for n in names if n.endswith("-list") or n in OTHER_LIST_PAGES))


@pytest.fixture
def counted(demo: LoadedDemo) -> Iterator[dict[str, int]]:
    """The counts measured by this test; written to the file when regenerating."""
    measured: dict[str, int] = {}
    yield measured
    if WRITE:
        save_baselines({**load_baselines(), **measured})


def _admin() -> Client:
    client = Client()
    client.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    return client


def _check(key: str, count: int, measured: dict[str, int]) -> None:
    measured[key] = count
    if WRITE:
        return
    baseline = load_baselines().get(key)
    assert baseline is not None, f"{key} has no query-count baseline: run with KEEL_WRITE_QUERY_COUNTS=1"
    assert count == baseline, f"{key} ran {count} queries; its baseline is {baseline}"


def test_every_list_endpoint_and_page_has_a_baseline() -> None:
    assert len(list_operations()) >= 30 and len(list_pages()) >= 10, "the enumeration found the lists"
    keys = {f"GET {p}" for p in list_operations()} | {f"page {n}" for n in list_pages()}
    saved = set(load_baselines())
    missing = sorted(keys - saved)
    assert not missing, f"lists without a query-count baseline (KEEL_WRITE_QUERY_COUNTS=1): {missing}"
    stale = sorted(saved - keys)
    assert not stale, f"baselines of lists that no longer exist: {stale}"


@pytest.mark.parametrize("path", sorted(list_operations()))
def test_api_list_queries(path: str, counted: dict[str, int]) -> None:
    client = _admin()
    client.get(PREFIX + "/users/me")  # the session is loaded once, outside the count
    query = REQUIRED_QUERY.get(path, "")
    if not list_operations()[path]:
        count, _ = get_counted(client, f"{path}?{query}")
        _check(f"GET {path}", count, counted)
        return
    few, small = get_counted(client, f"{path}?limit=5&{query}")
    many, large = get_counted(client, f"{path}?limit=50&{query}")
    rows = len(large.json()["items"])
    assert len(small.json()["items"]) == min(5, rows)
    assert few == many, f"GET {path}: {few} queries for {min(5, rows)} rows, {many} for {rows}"
    _check(f"GET {path}", many, counted)


@pytest.mark.parametrize("name", list_pages())
def test_list_page_queries(name: str, counted: dict[str, int]) -> None:
    client = _admin()
    client.get(reverse("account"))
    count, _ = get_counted(client, reverse(name))
    _check(f"page {name}", count, counted)
