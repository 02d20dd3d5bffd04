"""The one way tests count the queries of a request, and the saved baselines.

``queries_of(client, url)`` answers how many queries a GET of ``url`` ran (and checks it
answered 200); ``get_counted`` also returns the response. Every list endpoint of the API and
every list page has a baseline in ``tests/query_counts.json``, checked at 5 and at 50 rows by
``tests/test_query_counts.py``. To regenerate the file on purpose (after a change that adds or
removes a query everywhere, say), run that test with ``KEEL_WRITE_QUERY_COUNTS=1``: it writes
the counts it measured instead of comparing them (a count that differs between 5 and 50 rows
still fails), then review the diff of the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

BASELINES = Path(__file__).resolve().parents[3] / "tests" / "query_counts.json"
WRITE = os.environ.get("KEEL_WRITE_QUERY_COUNTS", "") not in ("", "0")


def get_counted(client: Client, url: str, **kw: Any) -> tuple[int, Any]:
    """GET ``url``; the number of queries it ran and the response (which must be a 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kw)
    assert response.status_code == 200, f"GET {url}: {response.status_code} {response.content[:500]!r}"
    return len(ctx.captured_queries), response


def queries_of(client: Client, url: str, **kw: Any) -> int:
    """How many queries a GET of ``url`` ran (it must answer 200)."""
    return get_counted(client, url, **kw)[0]


def load_baselines() -> dict[str, int]:
    if not BASELINES.exists():
        return {}
    data: dict[str, int] = json.loads(BASELINES.read_text())
    return data


def save_baselines(counts: dict[str, int]) -> None:
    BASELINES.write_text(json.dumps(dict(sorted(counts.items())), indent=2) + "\n")
