"""Issue 5, done when: in the browser, a compliance manager takes ONE AI system from the
inventory through an impact assessment to an AI risk raised from one of its impacts, treated by
controls, with the residual risk approved by its owner (the compliance manager owns it), then
sees the deployment gate pass once an evaluation of its model version passes too — in Chromium, under the CSP."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, Browser, Seed

pytestmark = pytest.mark.browser

MANAGER = "cora.manager@example.com"
REVIEWER = "ravi.reviewer@example.com"  # approves the assessment Cora drafted (four eyes)


@pytest.fixture
def world(seed: Seed) -> None:
    from keel.controls import services as controls
    from keel.organisation import people as people
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.risks import services
    from keel.risks.defaults import default_methodology

    system = Actor.system("browser-test")
    services.create_methodology(system, **default_methodology())
    for title in ("Fairness testing", "Human review of refusals"):
        controls.create_control(
            system, title=title, type="process", frequency="per_event", management_systems=["integrated"]
        )
    for email, name in ((MANAGER, "Cora Manager"), (REVIEWER, "Ravi Reviewer")):
        people.create_user(system, email, full_name=name, password=PASSWORD, role=Role.COMPLIANCE_MANAGER)


def test_one_ai_system_from_inventory_to_an_accepted_ai_risk(web: Browser, world: None) -> None:
    page = web.page
    web.login(MANAGER, start="/ai-systems/new/")
    # 1. The AI system enters the inventory, owned by the compliance manager
    page.fill("#id_short_name", "loan-ai")
    page.fill("#id_name", "Loan AI")
    page.select_option("#id_management_system", "integrated")
    page.select_option("#id_origin", "in_house")
    web.pick("#id_owner", MANAGER)
    page.fill("#id_purpose", "Scores consumer loan applications.")
    page.fill("#id_affected_people", "Loan applicants.")
    page.click("button:has-text('Create')")
    expect(page.get_by_role("heading", name=re.compile("Loan AI"))).to_be_visible()
    expect(page.get_by_text("it has no approved impact assessment")).to_be_visible()
    # with its model and the version to deploy (before the assessment: a new version re-opens it)
    page.click("a:has-text('Add model')")
    page.fill("#id_name", "gbm")
    page.select_option("#id_model_type", "regressor")
    page.fill("#id_version", "1")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("model version gbm 1 has never been evaluated").first).to_be_visible()

    # 2. Its impact assessment: started (prefilled from the system), scoped, one harm, approved
    page.click("button:has-text('Start assessment')")
    expect(page.locator("#id_purpose")).to_have_value("Scores consumer loan applications.")
    page.fill("#id_scope", "Loan AI scoring for EU lenders.")
    page.click("button:has-text('Save')")
    page.click("a:has-text('Add impact')")
    page.fill("#id_title", "Older applicants scored lower")
    page.select_option("#id_nature", "harm")
    page.select_option("#id_affects", "groups")
    page.select_option("#id_dimension", "fairness")
    page.select_option("#id_severity", "4")
    page.select_option("#id_likelihood", "3")
    page.fill("#id_measures", "Monthly fairness-gap check.")
    page.click("button:has-text('Save')")
    expect(page.locator("#impacts tbody tr")).to_have_count(1)
    # its author does not approve it: a second compliance manager does
    expect(page.locator("#approve-not-author")).to_be_visible()
    expect(page.locator("button:has-text('Approve version 1')")).to_have_count(0)
    assessment = urlparse(page.url).path
    page.context.clear_cookies()
    web.login(REVIEWER, start=assessment)
    page.click("button:has-text('Approve version 1')")
    expect(page.locator(".lede [data-status]")).to_have_text("Approved")
    page.context.clear_cookies()
    web.login(MANAGER, start=assessment)

    # 3. The harm is raised into the AI risk register in one step, keeping the link
    page.click("button:has-text('Raise as AI risk')")
    expect(page.get_by_role("heading", name=re.compile("AI-001"))).to_be_visible()
    expect(page.locator("#risk-impact")).to_have_text("Older applicants scored lower")

    # 4. Treated by controls picked in the risk form, with a residual rating
    page.click("a:has-text('Edit')")
    page.select_option("#id_treatment_option", "modify")
    page.fill("#id_treatment_plan", "Fairness testing before each release; human review of refusals.")
    web.pick("#id_controls", "KC-001", "KC-002")
    page.select_option("#id_residual_likelihood", "2")
    page.select_option("#id_residual_impact", "2")
    page.click("button:has-text('Save')")
    expect(page.get_by_role("heading", name=re.compile("AI-001"))).to_be_visible()

    # 5. The risk owner (the acting compliance manager) approves the residual risk
    page.click("button:has-text('Approve the plan and accept the residual risk')")
    expect(page.locator(".lede .badge-ok")).to_have_text("Accepted")

    # 6. With a passing evaluation the deployment gate passes: the system moves to deployment
    page.goto(web.url("/ai-systems/loan-ai/"))
    # the system page shows its impacts and the risk raised from one of them
    expect(page.locator("#aisystem-impacts")).to_contain_text("Older applicants scored lower")
    expect(page.locator("#aisystem-risks")).to_contain_text("AI-001")
    expect(page.get_by_text("it has no approved impact assessment")).to_have_count(0)
    page.click("a:has-text('Record evaluation')")
    page.select_option("#id_model_version", "gbm@1")
    page.fill("#id_metric", "AUC")
    page.select_option("#id_comparison", "ge")
    page.fill("#id_criterion_value", "0.7")
    page.fill("#id_result_value", "0.8")
    page.click("button:has-text('Save')")
    expect(page.get_by_text("Deployment gate: passes.")).to_be_visible()
    page.select_option("#stage-stage", "deployment")
    page.click("button:has-text('Change stage')")
    expect(page.locator(".lede .badge-role")).to_have_text("Deployment")
    expect(page.locator(".badge-ok", has_text="Deployed")).to_be_visible()
