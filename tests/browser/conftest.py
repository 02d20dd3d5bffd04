"""Browser tests: pytest-django's ``live_server`` driven by Playwright (sync API) in Debian's
Chromium. The live server uses a transactional database, so each test loads the standards and
its own records; the database is emptied after every test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = os.environ.get("KEEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "browser-test-password-9"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Playwright's sync API runs an event loop in this thread,
    so Django's async-safety check is lifted while it runs (the ORM calls stay synchronous)."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "('apt-get install chromium') or set KEEL_CHROMIUM to its path."
        )
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield b
            finally:
                b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Seed:
    admin_email: str
    party_id: str
    objects: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def seed(transactional_db: Any, settings: Any) -> Seed:
    """Standards, an organisation with one management system, an admin and one interested party."""
    from keel.organisation import people as people
    from keel.organisation import services as organisation
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.platform.models import User
    from keel.standards.services import load_library

    system = Actor.system("browser-test")
    load_library(system)
    organisation.save_organisation(system, name="Browser Test Ltd")
    organisation.create_management_system(
        system,
        name="Integrated",
        short_name="integrated",
        operating_model="unified",
        standards=["iso27001:2022", "iso42001:2023"],
    )
    admin: User = people.create_user(
        system, "admin@example.com", full_name="Ada Admin", password=PASSWORD, role=Role.ADMIN
    )
    party = organisation.save_interested_party(
        system,
        name="Customers",
        category="customer",
        needs_expectations="Their data kept safe.",
        standards=["iso27001:2022"],
    )
    return Seed(admin_email=admin.email, party_id=str(party.pk))


@dataclass
class Browser:
    page: Any
    base: str
    console_errors: list[str]

    def url(self, path: str) -> str:
        return self.base + path

    def login(self, email: str, password: str = PASSWORD, start: str = "/") -> None:
        self.page.goto(self.url(start))
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def pick(self, select: str, *searches: str, root: Any = None) -> None:
        """Choose in the picker of the select ``select`` (keel.js hides the select behind its
        search box) as a person does: type each search, take the first match with the keyboard."""
        box = (root or self.page).locator(
            f"{select} >> xpath=preceding-sibling::span[contains(@class, 'picker-anchor')][1]//input"
        )
        for text in searches:
            box.click()
            box.fill(text)
            # the list shown on focus is replaced once the search has run: wait for its answer
            self.page.wait_for_function(
                """([id, words]) => {
                    const li = document.querySelector("#" + id + " [role=option]");
                    const text = li ? (li.textContent + " " + li.getAttribute("data-value")).toLowerCase() : "";
                    return li !== null && words.every((w) => text.includes(w));
                }""",
                arg=[box.get_attribute("aria-controls"), text.lower().split()],
            )
            box.press("ArrowDown")
            box.press("Enter")

    def assert_no_csp_violations(self) -> None:
        violations = [e for e in self.console_errors if "Content Security Policy" in e]
        assert not violations, "CSP violations in the browser console:\n" + "\n".join(violations)


@pytest.fixture
def web(browser: Any, live_server: Any, seed: Seed) -> Iterator[Browser]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    session = Browser(page=page, base=live_server.url, console_errors=errors)
    try:
        yield session
        session.assert_no_csp_violations()
    finally:
        context.close()
