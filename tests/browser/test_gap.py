"""End-to-end: the gap analysis page in Chromium under the content security policy — filter by
status and open a requirement's drill-down (htmx), then confirm its status with a reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser


@pytest.fixture
def gap_seed(seed: Seed) -> Seed:
    """The shipped crosswalk and one ISMS control on 27001 A.5.24 (carried to 42001 A.8.4)."""
    from keel.controls import services as controls
    from keel.mapping.services import load_crosswalks
    from keel.organisation.models import ManagementSystem
    from keel.platform.actor import Actor

    system = Actor.system("browser-test")
    load_crosswalks(system)
    ms = ManagementSystem.objects.get(short_name="integrated")
    control = controls.create_control(
        system,
        management_systems=[ms.pk],
        title="Security incident response runbook",
        type="process",
        frequency="per_event",
        status="implemented",
    )
    controls.link_requirement(system, control.pk, "iso27001:2022:A.5.24", "full")
    return seed


def test_filter_drill_down_and_confirm(web: Browser, gap_seed: Seed) -> None:
    page = web.page
    web.login(gap_seed.admin_email)
    # Given the gap page of the integrated system against ISO 42001
    page.goto(web.url("/gap/"))
    expect(page.get_by_role("heading", name="Gap analysis", exact=True)).to_be_visible()
    expect(page.locator('[data-figure="partial"] .stat-value')).to_have_text("1")
    page.evaluate("window.__keelMarker = 'same page'")
    # When the user keeps only the partly covered requirements (htmx swaps the table)
    page.select_option("#gap-status", "partial")
    expect(page.locator("#gap-rows tbody tr")).to_have_count(1)
    expect(page.locator("#gap-rows")).to_contain_text("A.8.4")
    # and opens its drill-down
    page.locator("#gap-rows").get_by_role("link", name="Details of A.8.4").click()
    detail = page.locator("#gap-detail")
    expect(detail).to_contain_text("iso27001:2022:A.5.24")
    expect(detail.locator(".chain .badge", has_text="intersects")).to_be_visible()
    # When they confirm it as covered, with a reason
    detail.locator("select[name=status]").select_option("covered")
    detail.locator("textarea[name=reason]").fill("Our runbook already tells users about AI incidents.")
    detail.get_by_role("button", name="Save decision").click()
    # Then the drill-down shows the decision, on the same page
    expect(detail).to_contain_text("Saved.")
    expect(detail.locator('[data-status="covered"]').first).to_be_visible()
    expect(detail).to_contain_text("Decision history")
    assert page.evaluate("window.__keelMarker") == "same page"
