"""End-to-end (issue 15, "Done when", the nonconformity half): a nonconformity raised from an
audit finding goes through correction, root cause and a corrective action; closing before the
action is done and checked is refused with the missing steps named; the action is done, its
effectiveness checked, and it closes."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser


def test_raise_work_refuse_early_close_then_close(web: Browser, seed: Seed) -> None:
    page = web.page
    page.set_default_timeout(90_000)  # a loaded shared machine: the first page compiles templates
    today = dt.date.today().isoformat()

    # Raise it from an internal-audit finding
    web.login(seed.admin_email, start="/improvement/nonconformities/new/")
    page.fill("#id_title", "Leavers kept cloud access for days")
    page.fill("#id_description", "Four of 25 sampled leavers kept access 3 to 9 days.")
    page.select_option("#id_source", "internal_audit")
    page.fill("#id_source_ref", "AUD-2026-01 F-2")
    page.check("input[name=management_systems][value=integrated]")
    page.get_by_role("button", name="Raise").click()
    expect(page.locator("#nc-status")).to_have_text("Open: correction due")

    # Closing now is refused, every missing step named
    page.locator("#close-button").click()
    expect(
        page.get_by_text(
            "NC-001 cannot be closed yet: correction not recorded; root cause not recorded; no corrective action"
        )
    ).to_be_visible()

    # Correction, root cause, a corrective action
    page.fill("#correction-correction", "The four accounts were disabled.")
    page.get_by_role("button", name="Record the correction").click()
    expect(page.locator("#nc-status")).to_have_text("Root cause analysis")
    page.fill("#root-cause-whys", "Access removed late\nHR export was weekly")
    page.fill("#root-cause-conclusion", "A weekly export with no owner.")
    page.get_by_role("button", name="Record the root cause").click()
    expect(page.locator("#nc-status")).to_have_text("Corrective actions")
    page.fill("#action-description", "De-provision from the HR leaving-date event.")
    web.pick("#action-owner", seed.admin_email)
    page.fill("#action-due_on", (dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add a corrective action").click()
    expect(page.locator("#action-table")).to_contain_text("CA-001")

    # Closing with the action open is refused, naming it
    page.locator("#close-button").click()
    expect(
        page.get_by_text("NC-001 cannot be closed yet: CA-001 is not done; effectiveness not recorded")
    ).to_be_visible()

    # The action is done, its effectiveness checked, then it closes
    page.fill("#done-CA-001-note", "Workflow live.")
    page.fill("#done-CA-001-done_on", today)
    page.get_by_role("button", name="Mark CA-001 done").click()
    expect(page.locator("#nc-status")).to_have_text("Effectiveness check")
    page.check("#effectiveness-effective_0")
    page.fill("#effectiveness-evidence_note", "Leavers since the change lost access on their last day.")
    page.get_by_role("button", name="Record the check").click()
    page.locator("#close-button").click()
    expect(page.locator("#nc-status")).to_have_text("Closed")
