"""A NUL character in a query string must give a clear answer, not a server error
(PostgreSQL refuses NUL in text, so it must never reach a query)."""

from __future__ import annotations

import pytest
from django.test import Client

URLS = [
    "/controls/?q=a%00b",
    "/standards/iso27001:2022/?q=a%00b",
    "/trail/?actor=a%00b",
    "/api/v1/requirements?text=a%00b",
    "/api/v1/controls?q=a%00b",
    "/api/v1/interested-parties?q=a%00b",
]


@pytest.mark.parametrize("url", URLS)
def test_given_a_nul_in_the_query_string_then_a_400_not_a_500(admin_client: Client, url: str) -> None:
    response = admin_client.get(url)
    assert response.status_code == 400, url
    text = response.content.decode()
    assert "control character" in text
    if url.startswith("/api/"):
        assert response.json()["error"]["code"] == "bad_request"
