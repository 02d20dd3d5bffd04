"""End-to-end: record an AI risk treated by a control, click its cell on the heat map into the
register filtered to that cell, and approve it as its owner — in Chromium, under the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser


@pytest.fixture
def world(seed: Seed) -> None:
    from keel.aisystems.models import AISystem
    from keel.controls import services as controls
    from keel.organisation.models import ManagementSystem
    from keel.platform.actor import Actor
    from keel.risks import services
    from keel.risks.defaults import default_methodology

    system = Actor.system("browser-test")
    services.create_methodology(system, **default_methodology())
    controls.create_control(
        system,
        title="Fairness testing",
        type="process",
        frequency="per_event",
        management_systems=["integrated"],
    )
    AISystem.objects.create(
        short_name="credit-scoring",
        name="Helix credit scoring",
        origin="in_house",
        management_system=ManagementSystem.objects.get(short_name="integrated"),
    )


def test_record_an_ai_risk_find_it_on_the_heat_map_and_accept_it(
    web: Browser, seed: Seed, world: None
) -> None:
    page = web.page
    web.login(seed.admin_email, start="/risks/new/?register=ai")
    # Given a new AI risk, scored and treated by a control
    page.fill("#id_title", "Scores disadvantage some postcodes")
    web.pick("#id_owner", seed.admin_email)
    web.pick("#id_ai_system", "credit-scoring")
    web.pick("#id_risk_source", "iso42001:2023:C.3.4")
    web.pick("#id_objective", "iso42001:2023:C.2.5")
    page.select_option("#id_inherent_likelihood", "4")
    page.select_option("#id_inherent_impact", "5")
    page.select_option("#id_treatment_option", "modify")
    web.pick("#id_controls", "KC-001")
    page.select_option("#id_residual_likelihood", "2")
    page.select_option("#id_residual_impact", "3")
    page.click("button:has-text('Create')")
    expect(page.get_by_role("heading", name=re.compile("AI-001"))).to_be_visible()
    # When the user opens the heat maps and clicks the inherent cell likelihood 4 × impact 5
    page.goto(web.url("/risks/heat-map/"))
    cell = page.locator("svg.heatmap a[aria-label^='Likelihood 4 (Likely), impact 5 (Severe)']").first
    expect(cell).to_have_attribute("aria-label", re.compile(r"Critical, 1 risk$"))
    cell.click()
    # Then the register shows exactly that risk, filtered to the cell
    expect(page).to_have_url(re.compile(r"map=inherent.*likelihood=4.*impact=5"))
    expect(page.locator("#risk-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Scores disadvantage some postcodes").click()
    # And the owner approves the plan and accepts the residual risk
    page.click("button:has-text('Approve the plan and accept the residual risk')")
    expect(page.locator(".lede .badge-ok")).to_have_text("Accepted")
    expect(page.get_by_text("Relied on: residual 2×3")).to_be_visible()
