"""End-to-end (issue 16, "Done when"): an AI incident of type "harm to people" marked as a
serious incident is reported in the pages and shows its EU AI Act deadline 15 days after
awareness; it is walked through the runbook — triage with a playbook step ticked, the
notification recorded as made, a timeline entry, the post-incident review — to closure."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser


def _move_to(web: Browser, stage: str) -> None:
    web.page.select_option("#advance-to", stage)
    web.page.get_by_role("button", name="Move on").click()


def test_an_incident_from_report_to_closure(web: Browser, seed: Seed) -> None:
    from django.utils import timezone

    page = web.page
    page.set_default_timeout(30_000)  # a shared CI machine under load: the first page compiles templates
    aware = timezone.localtime() - dt.timedelta(hours=1)
    due = aware + dt.timedelta(days=15)

    web.login(seed.admin_email, start="/incidents/new/")
    page.select_option("#id_incident_type", "ai-harm")
    page.select_option("#id_management_system", "integrated")
    page.fill("#id_title", "Applicants refused on a misread payslip")
    page.fill("#id_aware_at", aware.strftime("%Y-%m-%dT%H:%M"))
    page.check("#id_serious_ai_incident")
    page.get_by_role("button", name="Report").click()

    # the EU AI Act clock: 15 days after awareness, counting down
    clock = page.locator("#clock-ai-act-serious-incident")
    expect(clock).to_contain_text(due.strftime("%-d %b %Y %H:%M"))
    expect(clock).to_contain_text(re.compile(r"14 d 2[23] h left"))
    expect(page.locator("#runbook [aria-current=step]")).to_have_text("Reported")

    # triage: a playbook step ticked, the notification recorded as made
    _move_to(web, "triage")
    expect(page.locator("#runbook [aria-current=step]")).to_have_text("Triage")
    page.get_by_role("button", name="Tick step 1").click()
    expect(page.locator("#step-1")).to_contain_text("Done ")
    page.fill("#met-note-ai-act-serious-incident", "Reported to the market surveillance authority, case 77")
    page.get_by_role("button", name="Record as made").click()
    expect(page.locator("#clock-ai-act-serious-incident")).to_contain_text("case 77")
    expect(page.locator("#clock-ai-act-serious-incident")).to_contain_text("met")

    # contain, investigate, a timeline entry
    _move_to(web, "contain")
    _move_to(web, "investigate")
    page.fill("#timeline-text", "Parser fixed for the payroll provider's payslips.")
    page.select_option("#timeline-kind", "action")
    page.get_by_role("button", name="Add to the timeline").click()
    expect(page.locator("#timeline")).to_contain_text("Parser fixed")

    # closing before the review is refused, with the reason
    _move_to(web, "closed")
    expect(page.get_by_text("Record the post-incident review")).to_be_visible()

    # the review, then closure
    page.fill("#review-review_what_happened", "Income read as weekly for one provider's payslips.")
    page.fill("#review-review_root_cause", "A format change at the payroll provider went untested.")
    page.fill("#review-review_lessons", "Contract tests on every payslip format we accept.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The post-incident review is recorded.")).to_be_visible()
    _move_to(web, "resolve")
    _move_to(web, "closed")
    expect(page.locator("#runbook [aria-current=step]")).to_have_text("Closed")
    expect(page.get_by_text("Closed ", exact=False).first).to_be_visible()
    web.assert_no_csp_violations()

    # the list shows it closed
    page.goto(web.url("/incidents/?status=closed"))
    expect(page.locator("#incident-table")).to_contain_text("Applicants refused on a misread payslip")
