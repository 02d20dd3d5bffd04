"""The API documentation renders in Chromium (issue 13 item 1): Swagger UI parses the OpenAPI
document (it refused it with "Parser error: duplicated mapping key") and lists the operations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser


def test_api_docs_list_the_operations_without_a_parser_error(web: Browser, seed: Seed) -> None:
    page = web.page
    web.login(seed.admin_email)
    page.goto(web.url("/api/v1/docs"))
    # Then the operations are listed, the crosswalk export among them
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert page.locator(".opblock").count() > 50
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/crosswalks/{key}/export")).to_have_count(1)
    # And no error box from the parser
    body = page.locator("body").inner_text()
    assert "Parser error" not in body and "duplicated mapping key" not in body
    expect(page.locator(".errors-wrapper")).to_have_count(0)
