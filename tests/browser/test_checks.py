"""End-to-end: the administrator sees a finding on the dashboard's consistency-check panel,
follows its link to the record that fixes it, fixes it, and the finding is gone — in Chromium,
under the content security policy (issue 12 item 3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser


@pytest.fixture
def contradiction(seed: Seed) -> str:
    """The integrated system's 27001 SoA excludes A.8.30 (outsourced development) while a
    control overseeing the outsourced developers, in progress, is linked to it."""
    from keel.controls import services as controls
    from keel.platform.actor import Actor
    from keel.soa import services
    from keel.soa.models import SoARow

    system = Actor.system("browser-test")
    control = controls.create_control(
        system,
        title="Oversight of outsourced development",
        type="process",
        frequency="quarterly",
        status="in_progress",
        management_systems=["integrated"],
    )
    controls.link_requirement(system, control.pk, "iso27001:2022:A.8.30", "full", "")
    statement = services.create_soa(system, "integrated", "iso27001:2022")
    row = SoARow.objects.get(soa=statement, requirement__ref_id="A.8.30")
    services.update_row(system, row.pk, applicable=False, justification="We develop everything in-house.")
    return str(row.pk)


def test_fix_a_finding_from_the_dashboard_panel(web: Browser, seed: Seed, contradiction: str) -> None:
    from keel.platform import checks
    from keel.soa.models import SoARow

    page = web.page
    web.login(seed.admin_email)
    # Given the dashboard panel flags the excluded A.8.30
    panel = page.locator("#check-panel")
    expect(panel).to_contain_text("What an auditor would flag")
    expect(panel).to_contain_text("SoA rows that contradict risks or controls")
    expect(panel.locator("#check-count")).to_have_text("1")

    # When the administrator follows the finding to the row and includes the control again
    panel.get_by_role("link", name="SoA ISO/IEC 27001 row A.8.30").click()
    expect(page.locator("h1")).to_contain_text("A.8.30")
    page.locator("input[name=applicable]").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Statement of Applicability")

    # Then the row is included, and the finding is gone from the panel and the checks page
    assert SoARow.objects.get(pk=contradiction).applicable is True
    page.goto(web.url("/"))
    expect(page.locator("#check-panel")).to_contain_text("Nothing to flag")
    expect(page.locator("#check-panel #check-count")).to_have_text("0")
    page.get_by_role("link", name="Consistency check").click()
    expect(page.locator("#check-count")).to_have_text("0")
    assert checks.run(None) == []
