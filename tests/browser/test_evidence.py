"""End-to-end: upload a file as evidence through the page, see its version with its SHA-256,
upload a second version, and download both — in Chromium, under the content security policy."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser

FIRST = b"system,account,action\ngithub,ex-contractor,removed\n"
SECOND = b"system,account,action\naws-prod,svc-legacy,removed\n"


def test_upload_see_the_version_then_download(web: Browser, seed: Seed, tmp_path: Path) -> None:
    page = web.page
    web.login(seed.admin_email, start="/evidence/")
    expect(page.get_by_role("heading", name="Evidence", exact=True)).to_be_visible()

    # When the user adds a file through the form
    page.get_by_role("link", name="Add evidence").first.click()
    expect(page.locator("#id_url")).to_be_hidden()  # a file by default: the link field is hidden
    page.check("input[name=kind][value=link]")
    expect(page.locator("#id_url")).to_be_visible()
    expect(page.locator("#id_file")).to_be_hidden()
    page.check("input[name=kind][value=file]")
    page.fill("#id_title", "Quarterly access review")
    page.set_input_files(
        "#id_file", files=[{"name": "access-review.csv", "mimeType": "text/csv", "buffer": FIRST}]
    )
    page.check("input[name=management_systems][value=integrated]")
    page.fill("#id_valid_until", "2099-01-31")
    page.get_by_role("button", name="Add evidence").click()

    # Then its page shows version 1 with the file's SHA-256
    expect(page.get_by_role("heading", name="Quarterly access review")).to_be_visible()
    expect(page.locator("#version-1")).to_contain_text("access-review.csv")
    expect(page.locator("#version-1")).to_contain_text(hashlib.sha256(FIRST).hexdigest())

    # When a second version is uploaded
    page.set_input_files(
        "#version-file", files=[{"name": "access-review-q3.csv", "mimeType": "text/csv", "buffer": SECOND}]
    )
    page.fill("#version-note", "Q3 review")
    page.get_by_role("button", name="Add version").click()

    # Then both versions are listed, the new one current
    expect(page.locator("#version-2")).to_contain_text("access-review-q3.csv")
    expect(page.locator("#version-2")).to_contain_text("current")
    expect(page.locator("#version-1")).to_contain_text(hashlib.sha256(FIRST).hexdigest())

    # And each downloads as an attachment with its own content
    for number, content in ((1, FIRST), (2, SECOND)):
        with page.expect_download() as info:
            page.locator(f"#version-{number} a[download]").click()
        download = info.value
        target = tmp_path / f"v{number}.csv"
        download.save_as(target)
        assert target.read_bytes() == content
    assert download.suggested_filename == "access-review-q3.csv"
