"""Issue 13 item 9: no errors in the browser console. Every page of the demo (the routes enumerated
by ``tests/test_visible_text.py``, so a new page is covered without editing this file) is opened
in Chromium as the demo's administrator, then a few htmx swaps are made (a list filtered, an
inline edit row opened and cancelled). Console errors, uncaught page errors and
``securitypolicyviolation`` events are collected; the test fails listing each page and message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Reported to Python through a binding (it runs outside the page, so the policy does not block it).
LISTEN_FOR_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__keelCsp(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || "?"}:${e.lineNumber}`);
});
"""


class Console:
    """What the browser reported, keyed by the page it happened on."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.where = "(no page yet)"
        self.found: list[str] = []
        page.on(
            "console",
            lambda msg: self._add(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self._add(f"uncaught: {exc}"))
        page.expose_function("__keelCsp", lambda text: self._add(f"CSP violation: {text}"))
        page.add_init_script(LISTEN_FOR_CSP)

    def _add(self, message: str) -> None:
        self.found.append(f"{self.where}: {message}")

    def at(self, where: str) -> None:
        self.where = where


@pytest.fixture
def demo_console(
    browser: Any, live_server: Any, transactional_db: Any, settings: Any, tmp_path: Path
) -> Iterator[tuple[Any, str, Console]]:
    """The demo loaded into the live server's database, a page logged in as its administrator."""
    from keel.controls.services import load_templates
    from keel.mapping.services import load_crosswalks
    from keel.platform.actor import Actor
    from keel.site.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, load_demo
    from keel.standards.services import load_library

    settings.KEEL_EVIDENCE_ROOT = tmp_path
    # what `keel init` loads (an earlier transactional test may have emptied the tables)
    load_library(Actor.system("browser-test"))
    load_templates(Actor.system("browser-test"))
    load_crosswalks(Actor.system("browser-test"))
    load_demo(Actor.cli())
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(90_000)  # the crosswalk suggestions load a model first
    console = Console(page)
    page.goto(live_server.url + "/login/")
    page.fill("#email", DEMO_ADMIN_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    try:
        yield page, live_server.url, console
    finally:
        context.close()


def _swap(page: Any, console: Console, where: str, action: Any, settled: Any) -> None:
    """One htmx swap: ``action`` triggers it, ``settled`` waits for its result."""
    console.at(where)
    action()
    settled()
    page.wait_for_load_state("networkidle")


def test_no_console_errors_on_any_demo_page_or_htmx_swap(demo_console: tuple[Any, str, Console]) -> None:
    from django.urls import resolve, reverse

    from tests.test_visible_text import ARGUMENTS, WITH_QUERY, _page_urls, _post_only

    page, base, console = demo_console
    urls, unknown = _page_urls()
    assert not unknown, f"routes with arguments test_visible_text.py cannot fill yet: {unknown}"
    assert len(urls) > 60  # the enumeration found the pages
    opened = 0
    for url in urls:
        if _post_only(cast(Any, SimpleNamespace(callback=resolve(url.split("?")[0]).func))):
            continue  # an action, not a page (Chromium reports its empty 405 as an error)
        console.at(url)
        try:
            response = page.goto(base + url, wait_until="load")
        except PlaywrightError as exc:
            if "Download is starting" in exc.message:
                continue  # a file (an export), not a page
            raise
        assert response is not None, url
        assert response.status == 200, f"{url} answered {response.status}"
        opened += 1
    assert opened > 60

    # htmx swaps: a list filtered, inline edit rows opened and cancelled
    page.goto(base + "/context/")
    _swap(
        page,
        console,
        "/context/ filter by standard",
        lambda: page.get_by_label("Standard").select_option("iso42001:2023"),
        lambda: expect(page).to_have_url(re.compile(r"standard=iso42001%3A2023")),
    )
    page.goto(base + "/context/")
    row = page.locator("[id^=party-]").first
    _swap(
        page,
        console,
        "/context/ edit a party inline",
        lambda: row.get_by_role("link", name="Edit").click(),
        lambda: expect(page.locator(".row-editing").first).to_be_visible(),
    )
    _swap(
        page,
        console,
        "/context/ cancel the inline edit",
        lambda: page.locator(".row-editing").first.get_by_role("link", name="Cancel").click(),
        lambda: expect(page.locator(".row-editing")).to_have_count(0),
    )
    page.goto(base + "/controls/")
    _swap(
        page,
        console,
        "/controls/ search",
        lambda: page.locator("input[name=q]").first.fill("access"),
        lambda: expect(page).to_have_url(re.compile(r"q=access")),
    )
    page.goto(base + "/risks/")
    _swap(
        page,
        console,
        "/risks/ search",
        lambda: page.locator("input[name=q]").first.fill("model"),
        lambda: expect(page).to_have_url(re.compile(r"q=model")),
    )
    # more inline rows: a row of a statement of applicability, a control's link to a requirement
    soa_url = reverse("soa-detail", kwargs=ARGUMENTS["soa-detail"]())
    page.goto(base + soa_url)
    _swap(
        page,
        console,
        f"{soa_url} edit a row inline",
        lambda: page.locator("td.row-actions a[hx-get]").first.click(),
        lambda: expect(page.locator("form[hx-post]").first).to_be_visible(),
    )
    control_url = reverse("control-detail", kwargs=ARGUMENTS["control-detail"]())
    page.goto(base + control_url)
    _swap(
        page,
        console,
        f"{control_url} edit a requirement link inline",
        lambda: page.locator("#control-links a[hx-get]").first.click(),
        lambda: expect(page.locator("#control-links form").first).to_be_visible(),
    )
    # the gap analysis opens a requirement's chains beside the table
    gap_url = WITH_QUERY[0]()
    page.goto(base + gap_url)
    _swap(
        page,
        console,
        f"{gap_url} open a requirement's details",
        lambda: page.locator("td.row-actions a[hx-get]").first.click(),
        lambda: expect(page.locator("#gap-detail h2, #gap-detail h3").first).to_be_visible(),
    )
    # the standard's tree searched in place, the trail filtered
    page.goto(base + reverse("standard-detail", kwargs={"key": "iso27001:2022"}))
    _swap(
        page,
        console,
        "standard tree search",
        lambda: page.fill("#tree-q", "supplier"),
        lambda: expect(page).to_have_url(re.compile(r"q=supplier")),
    )
    page.goto(base + reverse("trail"))
    _swap(
        page,
        console,
        "trail filter",
        # the select behind the picker (the picker's own search box shares its label)
        lambda: page.locator("#id_object_type").select_option(index=1, force=True),
        lambda: expect(page).to_have_url(re.compile(r"\?.+=")),
    )
    assert not console.found, f"{len(console.found)} browser console errors:\n" + "\n".join(console.found)


def test_the_listener_reports_a_csp_violation_and_a_script_error(browser: Any, live_server: Any) -> None:
    """The collector above must be able to fail: an inline style and a thrown error are caught."""
    context = browser.new_context()
    try:
        page = context.new_page()
        console = Console(page)
        console.at("/login/")
        page.goto(live_server.url + "/login/")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
        page.evaluate("setTimeout(() => { throw new Error('thrown on purpose'); }, 0)")
        page.wait_for_timeout(300)
        found = "\n".join(console.found)
        assert "/login/: CSP violation: style-src-attr blocked inline" in found
        assert "/login/: uncaught: thrown on purpose" in found
    finally:
        context.close()
