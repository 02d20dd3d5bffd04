"""End-to-end (issue 14, "Done when"): draft a policy, send it for review, the author's approval
is refused, another person approves it, it is published to a department; a member of staff
without a login acknowledges it through the emailed link; the outstanding list updates."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import PASSWORD, Browser, Seed

pytestmark = pytest.mark.browser


def test_draft_review_approve_publish_and_acknowledge_by_link(
    web: Browser, seed: Seed, browser: Any, settings: Any
) -> None:
    from keel.organisation import directory, people
    from keel.platform.actor import Actor
    from keel.platform.choices import Role

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    system = Actor.system("browser-test")
    people.create_user(
        system, "bo@example.com", full_name="Bo Approver", password=PASSWORD, role=Role.COMPLIANCE_MANAGER
    )
    directory.create_person(system, "Sam Staff", email="sam@example.com", department="Support")
    page = web.page
    page.set_default_timeout(30_000)  # a shared CI machine under load: the first page compiles templates

    # The administrator drafts a policy and sends it for review
    web.login(seed.admin_email, start="/documents/new/")
    page.fill("#id_title", "Clear desk policy")
    page.check("input[name=management_systems][value=integrated]")
    page.fill("#id_body", "Leave **nothing** on your desk at the end of the day.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#document-status")).to_have_text("Draft")
    expect(page.locator("#document-body strong")).to_have_text("nothing")  # Markdown, rendered
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("#document-status")).to_have_text("In review")

    # Its author may not approve it: refused, with the reason
    page.locator("#approve-button").click()
    expect(page.get_by_text("cannot approve it")).to_be_visible()
    expect(page.locator("#document-status")).to_have_text("In review")
    document_url = page.url

    # Another person approves it
    other = browser.new_context()
    try:
        approver = Browser(page=other.new_page(), base=web.base, console_errors=web.console_errors)
        approver.page.set_default_timeout(30_000)
        approver.login("bo@example.com", start=document_url.removeprefix(web.base))
        approver.page.locator("#approve-button").click()
        expect(approver.page.locator("#document-status")).to_have_text("Approved")
    finally:
        other.close()

    # The author publishes it to the Support department: Sam has no login and gets an email
    page.reload()
    page.check("input[name=audience][value=department]")
    page.check("input[name=departments][value=Support]")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("1 person is asked to acknowledge it")).to_be_visible()
    page.goto(web.url("/documents/acknowledgements/"))
    expect(page.locator("#acknowledgement-table")).to_contain_text("Sam Staff")
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]
    link = re.search(r"https?://\S+/acknowledge/\S+/", mail.outbox[0].body)
    assert link is not None

    # Sam opens the link without logging in and acknowledges
    anonymous = browser.new_context()
    try:
        sam = anonymous.new_page()
        sam.set_default_timeout(30_000)
        sam.goto(link.group(0))  # the emailed link, on the live server (the request's own address)
        expect(sam.get_by_role("heading", name="Clear desk policy")).to_be_visible()
        sam.locator("#ack-button").click()
        expect(sam.locator("#ack-done")).to_be_visible()
    finally:
        anonymous.close()

    # The outstanding list no longer names Sam
    page.reload()
    expect(page.locator("#acknowledgement-table")).not_to_contain_text("Sam Staff")
