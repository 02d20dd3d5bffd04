"""End-to-end: log in, browse and search a standard, edit an interested party inline — in
Chromium, under the content security policy, with htmx doing the partial updates."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser


def test_login_through_the_form_lands_on_the_page_asked_for(web: Browser, seed: Seed) -> None:
    page = web.page
    # Given an anonymous visitor who asks for the context page
    page.goto(web.url("/context/"))
    expect(page).to_have_url(re.compile(r"/login/\?next=%2Fcontext%2F$"))
    # When they give a wrong password, they are told and stay on the login page
    page.fill("#email", seed.admin_email)
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("do not match")
    # When they log in properly
    page.fill("#password", "browser-test-password-9")
    page.click("button[type=submit]")
    # Then they land on the page they asked for, with the navigation marking it current
    expect(page).to_have_url(web.url("/context/"))
    expect(page.get_by_role("heading", name="Context", exact=True)).to_be_visible()
    expect(page.locator("nav[aria-label=Main] a[aria-current=page]")).to_have_text("Context")
    # every domain of the navigation is built now: none is shown as "soon"
    expect(page.get_by_role("link", name="Incidents", exact=True)).to_be_visible()
    expect(page.locator(".nav-soon")).to_have_count(0)


def test_browse_and_search_a_standard(web: Browser, seed: Seed) -> None:
    page = web.page
    web.login(seed.admin_email)
    # Given the standards list
    page.goto(web.url("/standards/"))
    page.get_by_role("link", name="ISO/IEC 27001:2022").click()
    expect(page.get_by_role("heading", name="ISO/IEC 27001:2022")).to_be_visible()
    # The tree is collapsed: opening Annex A 5 shows its controls
    cloud = page.get_by_role("link", name="Information security for use of cloud services")
    expect(cloud).to_be_hidden()
    page.locator("summary", has_text="Organizational controls").click()
    expect(cloud).to_be_visible()
    # When the user types in the search box (htmx swaps the tree in place, no page load)
    page.evaluate("window.__keelMarker = 'same page'")
    page.fill("#tree-q", "cloud services")
    # Then the tree shows only the matches and their parents, expanded
    expect(page.locator("#tree .tree-summary")).to_contain_text("match “cloud services”")
    expect(page.locator("#tree")).not_to_contain_text("Screening")
    expect(page.locator("#tree .is-match", has_text="A.5.23")).to_be_visible()
    assert page.evaluate("window.__keelMarker") == "same page"
    expect(page).to_have_url(re.compile(r"\?q=cloud(\+|%20)services$"))
    # And a match opens the requirement with its guidance
    page.locator("#tree").get_by_role("link", name="Information security for use of cloud services").click()
    expect(page.get_by_role("heading", name="Guidance")).to_be_visible()
    expect(page.locator(".breadcrumb")).to_contain_text("Organizational controls")


def test_edit_an_interested_party_inline(web: Browser, seed: Seed) -> None:
    from keel.organisation.models import InterestedParty
    from keel.platform.models import TrailEntry

    page = web.page
    web.login(seed.admin_email, start="/context/")
    row = page.locator(f"#party-{seed.party_id}")
    # Given the row of an interested party; Edit swaps it for a form, Cancel brings it back
    row.get_by_role("link", name="Edit").click()
    form_row = page.locator(f"#party-{seed.party_id}.row-editing")
    expect(form_row).to_be_visible()
    expect(form_row.get_by_label("Name")).to_be_focused()
    form_row.get_by_role("link", name="Cancel").click()
    expect(page.locator(f"#party-{seed.party_id}.row-editing")).to_have_count(0)
    expect(row).to_contain_text("Customers")
    # When the user clears the name and saves, the form says what is wrong
    row.get_by_role("link", name="Edit").click()
    form_row.get_by_label("Name").fill("")
    form_row.get_by_role("button", name="Save").click()
    expect(form_row.locator(".errorlist")).to_contain_text("This field is required.")
    assert InterestedParty.objects.get(pk=seed.party_id).name == "Customers"
    # When the user corrects it, ticks a standard and saves
    form_row.get_by_label("Name").fill("Enterprise customers")
    form_row.get_by_label("ISO/IEC 42001:2023").check()
    form_row.get_by_role("button", name="Save").click()
    # Then the row is back, showing the change, and the change is saved with its trail entry
    expect(page.locator(f"#party-{seed.party_id}.row-saved")).to_contain_text("Enterprise customers")
    expect(row).to_contain_text("42001")
    party = InterestedParty.objects.get(pk=seed.party_id)
    assert party.name == "Enterprise customers"
    assert sorted(party.standards.values_list("key", flat=True)) == ["iso27001:2022", "iso42001:2023"]
    entry = TrailEntry.objects.filter(object_id=seed.party_id, action="update").get()
    assert entry.channel == "web" and entry.actor_label == seed.admin_email
    assert '"name":["Customers","Enterprise customers"]' in entry.payload


def test_filter_context_by_standard_and_see_the_dashboard_and_trail(web: Browser, seed: Seed) -> None:
    page = web.page
    web.login(seed.admin_email, start="/context/")
    expect(page.locator("#parties-table")).to_contain_text("Customers")
    page.get_by_label("Standard").select_option("iso42001:2023")
    expect(page.locator("#parties-table")).to_contain_text("No interested parties tagged to iso42001:2023")
    expect(page).to_have_url(re.compile(r"standard=iso42001%3A2023"))
    page.goto(web.url("/"))
    expect(page.get_by_role("heading", name="Management systems and scope")).to_be_visible()
    expect(page.locator(".badge-none", has_text="No scope yet").first).to_be_visible()
    page.goto(web.url("/trail/"))
    page.get_by_label("Object type").select_option("organisation.interestedparty")
    expect(page.locator("#trail-table tbody tr")).to_have_count(1)
    expect(page.locator("#trail-table")).to_contain_text("Needs expectations")
