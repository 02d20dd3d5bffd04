"""Issue 11 item 3, the browser journey: from a fresh install (what 'keel init' and 'keel
createuser' leave: the library and one administrator, no organisation, no other people), through
pages only — the set-up page creates the organisation, a management system is created, the 40-row
register is imported through the wizard (its owners are unknown: they become people without a
login), the gap analysis is run for ISO/IEC 42001 and the SoA is drafted from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from keel.controls.tests import isms_sheet

from .conftest import PASSWORD, Browser

pytestmark = pytest.mark.browser

ADMIN = "first.admin@example.com"


@pytest.fixture
def fresh_install(transactional_db: Any) -> str:
    """What 'keel init' and 'keel createuser --role admin' leave behind, and nothing else."""
    from keel.controls.services import load_templates
    from keel.mapping.services import load_crosswalks
    from keel.organisation import people
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.standards.services import load_library

    operator = Actor.cli()
    load_library(operator)
    load_templates(operator)
    load_crosswalks(operator)
    people.create_user(operator, ADMIN, full_name="First Admin", password=PASSWORD, role=Role.ADMIN)
    return ADMIN


@pytest.fixture
def web_fresh(browser: Any, live_server: Any, fresh_install: str) -> Iterator[Browser]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    session = Browser(page=page, base=live_server.url, console_errors=errors)
    try:
        yield session
        session.assert_no_csp_violations()
    finally:
        context.close()


def test_from_a_fresh_install_to_a_draft_soa_through_pages_only(web_fresh: Browser, tmp_path: Path) -> None:
    from keel.controls.models import Control
    from keel.organisation.models import ManagementSystem, Organisation
    from keel.platform.models import User
    from keel.soa.models import StatementOfApplicability

    page = web_fresh.page
    web_fresh.login(ADMIN)

    # The set-up page creates the organisation
    expect(page.get_by_text("No organisation yet")).to_be_visible()
    page.goto(web_fresh.url("/organisation/"))
    page.fill("#id_name", "Northwind Analytics")
    page.locator("input[name=climate_relevance]").first.check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("The organisation profile is saved.")).to_be_visible()
    assert Organisation.objects.get().name == "Northwind Analytics"

    # A management system covering both standards
    page.goto(web_fresh.url("/organisation/systems/new/"))
    page.fill("#id_name", "Integrated management system")
    page.fill("#id_short_name", "ims")
    page.locator("input[name=operating_model][value=unified]").check()
    page.locator("input[name=standards][value='iso27001:2022']").check()
    page.locator("input[name=standards][value='iso42001:2023']").check()
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_text("Management system Integrated management system created.")).to_be_visible()
    ms = ManagementSystem.objects.get(short_name="ims")

    # The 40-row register through the import wizard: the preview lists the people to add
    register = tmp_path / "isms-register.xlsx"
    register.write_bytes(isms_sheet.workbook())
    page.goto(web_fresh.url("/controls/import/"))
    page.set_input_files("#id_file", str(register))
    page.get_by_role("button", name="Preview the import").click()
    people = page.locator("[data-testid=people-to-add]")
    expect(people).to_contain_text("People to add")
    for name in isms_sheet.OWNERS:
        expect(people).to_contain_text(name)
    assert Control.objects.count() == 0 and User.objects.count() == 1
    page.locator("[data-testid=import-confirm]").click()
    expect(page.get_by_role("heading", name="Imported isms-register.xlsx")).to_be_visible()
    assert Control.objects.filter(management_systems=ms).count() == 40
    assert Control.objects.filter(owner__isnull=True).count() == 0

    # The owners are in the directory, without a login
    page.goto(web_fresh.url("/people/?login=no"))
    for name in isms_sheet.OWNERS:
        expect(page.locator("table")).to_contain_text(name)
    page.get_by_role("link", name="Dana Whitfield").click()
    expect(page.get_by_text("has no login")).to_be_visible()
    expect(page.get_by_text("Information security policy")).to_be_visible()

    # The gap analysis for ISO/IEC 42001, then the SoA drafted from it
    page.goto(web_fresh.url("/gap/"))
    page.select_option("#gap-target", "iso42001:2023")
    page.select_option("#gap-ms", str(ms.pk))
    page.locator("form[aria-label='Choose the analysis'] button[type=submit]").click()
    expect(page.locator('[data-figure="gap"]')).to_be_visible()
    page.get_by_role("button", name="Draft the").click()
    expect(page.get_by_text("Draft SoA written")).to_be_visible()
    soa = StatementOfApplicability.objects.get(management_system=ms, standard__key="iso42001:2023")
    assert soa.rows.count() > 0
