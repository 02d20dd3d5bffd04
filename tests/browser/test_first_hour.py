"""Issue 13, done when: from an empty install, a newcomer follows the dashboard's first-run
checklist to a dashboard that shows a readiness figure for both standards, choosing references
with pickers only (no typed keys), in Chromium under the content security policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, Browser

pytestmark = pytest.mark.browser


@pytest.fixture
def empty_install(transactional_db: Any, settings: Any) -> str:
    """What ``keel init`` leaves: the standards, templates and crosswalks, an organisation and its
    first administrator; no management system, control, methodology, AI system or SoA."""
    from keel.controls.services import load_templates
    from keel.mapping.services import load_crosswalks
    from keel.organisation import people
    from keel.organisation import services as organisation
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.standards.services import load_library

    system = Actor.system("browser-test")
    load_library(system)
    load_templates(system)
    load_crosswalks(system)
    organisation.save_organisation(system, name="First Hour Ltd")
    admin = people.create_user(
        system, "newcomer@example.com", full_name="Nia Newcomer", password=PASSWORD, role=Role.ADMIN
    )
    return admin.email


@pytest.fixture
def newcomer(browser: Any, live_server: Any, empty_install: str) -> Iterator[Browser]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    session = Browser(page=page, base=live_server.url, console_errors=errors)
    try:
        yield session
        session.assert_no_csp_violations()
        assert not errors, errors
    finally:
        context.close()


def _step(page: Any, key: str) -> Any:
    return page.locator(f"#step-{key}")


def test_from_an_empty_install_to_a_readiness_figure_for_both_standards(
    newcomer: Browser, empty_install: str
) -> None:
    page = newcomer.page
    newcomer.login(empty_install)
    # Given the dashboard of an empty install: the checklist, nothing done
    expect(page.locator("#first-h")).to_have_text("First steps")
    expect(page.get_by_text("0 of 5 done")).to_be_visible()

    # 1. Create a management system covering both standards
    _step(page, "system").get_by_role("link", name="Create a management system").click()
    page.fill("#id_name", "Integrated ISMS and AIMS")
    page.fill("#id_short_name", "integrated")
    page.check("input[name=operating_model][value=unified]")
    page.check("input[name=standards][value='iso27001:2022']")
    page.check("input[name=standards][value='iso42001:2023']")
    page.get_by_role("button", name=re.compile("Save|Create")).click()
    page.goto(newcomer.url("/"))
    expect(_step(page, "system")).to_have_class("step-done")

    # 2. Adopt templates: every template of the library, on every page, in one step
    _step(page, "controls").get_by_role("link", name="Template library").click()
    page.check("input[name=all_matching]")
    page.get_by_role("button", name="Adopt selected").click()
    expect(page.locator(".msg-success")).to_contain_text("adopted into Integrated ISMS and AIMS")

    # A control's requirement is chosen with the picker: words, arrow key, Enter — no key typed
    page.locator("table a[href^='/controls/KC-']").first.click()
    field = page.locator("input[data-picker=requirements]")
    field.click()
    page.keyboard.type("supplier relationships")
    option = page.locator(".picker-list [role=option]").first
    expect(option).to_contain_text("Information security in supplier relationships")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(field).to_have_value(re.compile(r"^iso27001:2022:A\.5\.19$"))

    # 3. The risk methodology: the form starts from sensible defaults, no demo names
    page.goto(newcomer.url("/"))
    _step(page, "methodology").get_by_role("link", name="New methodology").click()
    expect(page.locator("#id_name")).not_to_have_value(re.compile("Tessellate"))
    page.get_by_role("button", name=re.compile("Save|Create|Put")).click()

    # 4. The first AI system
    page.goto(newcomer.url("/"))
    _step(page, "ai_system").get_by_role("link", name="New AI system").click()
    page.fill("#id_short_name", "support-assistant")
    page.fill("#id_name", "Support assistant")
    page.select_option("#id_origin", index=1)
    page.get_by_role("button", name=re.compile("Save|Create")).click()

    # 5. Draft the SoA of ISO 27001 from the gap analysis the checklist links to
    page.goto(newcomer.url("/"))
    _step(page, "soa").get_by_role("link", name="Gap analysis").click()
    page.select_option("#gap-target", "iso27001:2022")
    page.select_option("#gap-ms", label="Integrated ISMS and AIMS")
    page.get_by_role("button", name="Analyse").click()
    page.get_by_role("button", name=re.compile("SoA from this result")).click()
    expect(page.locator(".msg-success")).to_contain_text("Draft SoA written")
    # and the ISO 42001 one from the dashboard's readiness card, which offers it
    page.goto(newcomer.url("/"))
    page.get_by_role("link", name="Draft it from the gap analysis").click()
    page.get_by_role("button", name=re.compile("SoA from this result")).click()
    expect(page.locator(".msg-success")).to_contain_text("Draft SoA written")

    # Then the dashboard shows a readiness figure for both standards, and the checklist is done
    page.goto(newcomer.url("/"))
    expect(page.locator("#first-h")).to_have_count(0)
    rings = page.locator("svg.ring")
    expect(rings).to_have_count(2)
    for name in ("ISO/IEC 27001", "ISO/IEC 42001"):
        label = page.locator(f"svg.ring[aria-label^='Readiness of {name}']").get_attribute("aria-label")
        assert label is not None and re.search(r": \d+ %$", label), label
    page.wait_for_load_state("networkidle")  # nothing in flight when the database is emptied


def test_at_390_px_the_menu_folds_and_wide_tables_scroll_inside_their_card(
    browser: Any, live_server: Any, empty_install: str
) -> None:
    from keel.controls import services as controls
    from keel.controls.models import ControlTemplate
    from keel.gap import services as gap
    from keel.organisation import services as organisation
    from keel.platform.actor import Actor
    from keel.soa.models import StatementOfApplicability

    system = Actor.system("browser-test")
    ms = organisation.create_management_system(
        system,
        name="Integrated",
        short_name="integrated",
        operating_model="unified",
        standards=["iso27001:2022", "iso42001:2023"],
    )
    controls.adopt_templates(system, ControlTemplate.objects.values_list("key", flat=True), ms.pk)
    gap.draft_soa(system, ms, "iso27001:2022")
    soa = StatementOfApplicability.objects.get()
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    session = Browser(page=page, base=live_server.url, console_errors=errors)
    try:
        session.login(empty_install)
        # The sidebar waits behind the menu button; it opens over the page and closes again
        expect(page.locator("#site-nav")).to_be_hidden()
        page.get_by_role("link", name="Menu").click()
        expect(page.locator("#site-nav")).to_be_visible()
        expect(page.locator(".menu-toggle")).to_have_attribute("aria-expanded", "true")
        page.get_by_role("link", name="Close menu").click()
        expect(page.locator("#site-nav")).to_be_hidden()
        # The SoA, the coverage matrix and the control list never scroll the page sideways
        for path in (f"/soa/{soa.pk}/", "/controls/matrix/", "/controls/", "/"):
            page.goto(session.url(path))
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide at 390 px"
        page.wait_for_load_state("networkidle")
        session.assert_no_csp_violations()
    finally:
        context.close()
