"""End-to-end (issue 15, "Done when"): an internal audit is planned — the independence check
refuses the owner of a control in its scope as lead auditor — run, a finding becomes a
nonconformity; closing the nonconformity early is refused with the missing steps named; the
correction, root cause, a corrective action done and an effectiveness check later it closes, and
the audit is reported and closed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, Browser, Seed

pytestmark = pytest.mark.browser


def test_internal_audit_finding_becomes_a_nonconformity_that_closes_after_its_steps(
    web: Browser, seed: Seed
) -> None:
    from keel.audits import services as audits
    from keel.controls import services as controls
    from keel.organisation import directory, people
    from keel.organisation.models import ManagementSystem
    from keel.platform.actor import Actor
    from keel.platform.choices import Role

    system = Actor.system("browser-test")
    owner = directory.create_person(system, "Tom Owner", email="tom@example.com")
    people.create_user(
        system, "luis@example.com", full_name="Luis Auditor", password=PASSWORD, role=Role.AUDITOR
    )
    ms = ManagementSystem.objects.get(short_name="integrated")
    control = controls.create_control(
        system,
        management_systems=[ms.pk],
        title="Quarterly access review",
        type="process",
        frequency="quarterly",
        owner=owner,
    )
    year = dt.date.today().year
    audits.create_programme(
        system,
        title="Programme",
        first_year=year,
        last_year=year + 2,
        management_systems=["integrated"],
        standards=["iso27001:2022", "iso42001:2023"],
    )
    page = web.page
    page.set_default_timeout(30_000)

    # Plan the audit: its control's owner may not lead it
    web.login(seed.admin_email, start="/audits/new/")
    page.fill("#id_title", "Access management")
    page.fill("#id_planned_start", dt.date.today().isoformat())
    page.fill("#id_planned_end", (dt.date.today() + dt.timedelta(days=2)).isoformat())
    page.fill("#id_requirements", "iso27001:2022:A.5.18")
    page.fill("#id_controls", control.ref_id)
    page.check("input[name=management_systems][value=integrated]")
    web.pick("#id_lead_auditor", "Tom Owner")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Tom Owner owns control {control.ref_id}")).to_be_visible()
    web.pick("#id_lead_auditor", "Luis Auditor")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#audit-status")).to_have_text("Planned")
    audit_url = page.url

    # Run it: a nonconformity on the control
    page.locator("#move-in_progress").click()
    expect(page.locator("#audit-status")).to_have_text("In progress")
    page.locator("#checklist").get_by_role("link", name=control.ref_id).click()
    page.select_option("#id_result", "minor_nc")
    page.fill("#id_notes", "The review of last quarter has no sign-off.")
    page.get_by_role("button", name="Save the result").click()
    expect(page.locator("#checklist")).to_contain_text("Minor nonconformity")
    page.select_option("#finding-grade", "minor_nc")
    page.fill("#finding-title", "Access review not signed off")
    page.fill("#finding-description", "Last quarter's access review has no record of its sign-off.")
    page.fill("#finding-controls", control.ref_id)
    page.get_by_role("button", name="Record the finding").click()
    expect(page.locator("#finding-1")).to_contain_text("Not raised yet")
    page.locator("#raise-1").get_by_role("button", name="Raise as nonconformity").click()
    nc_link = page.locator("#finding-1 a.ref")
    expect(nc_link).to_contain_text("NC-")
    nc_link.click()
    expect(page.locator("#nc-status")).to_be_visible()

    # Closing it now is refused, naming every missing step
    page.locator("#close-button").click()
    expect(
        page.get_by_text(
            "cannot be closed yet: correction not recorded; root cause not recorded; no corrective action"
        )
    ).to_be_visible()

    # Correction, root cause, a corrective action done, its effectiveness checked: it closes
    page.fill("#correction-correction", "The owner signed off last quarter's review.")
    page.get_by_role("button", name="Record the correction").click()
    page.select_option("#root-cause-method", "free")
    page.fill("#root-cause-conclusion", "Nothing reminded the owner when the quarter ended.")
    page.get_by_role("button", name="Record the root cause").click()
    page.fill("#action-description", "A quarterly reminder to the owner, and the sign-off in the ticket.")
    web.pick("#action-owner", "Tom Owner")
    page.fill("#action-due_on", (dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add a corrective action").click()
    page.locator("#close-button").click()
    expect(
        page.get_by_text(re.compile(r"cannot be closed yet: CA-\d+ is not done; effectiveness not recorded"))
    ).to_be_visible()
    page.locator("form[id^=done-form-] textarea[name=note]").fill(
        "Reminder set up; sign-off field added to the ticket."
    )
    page.get_by_role("button", name="Mark CA-").click()
    expect(page.get_by_text(re.compile(r"CA-\d+ is done"))).to_be_visible()
    page.check("input[name=effective][value=yes]")
    page.fill("#effectiveness-evidence_note", "This quarter's review was signed off on time.")
    page.get_by_role("button", name="Record the check").click()
    page.locator("#close-button").click()
    expect(page.locator("#nc-status")).to_have_text("Closed")

    # The audit is reported and closed
    page.goto(audit_url)
    expect(page.locator("#finding-1")).to_contain_text("Closed")
    page.goto(audit_url + "edit/")
    page.fill("#id_conclusion", "Access management is effective, with one minor nonconformity now closed.")
    page.get_by_role("button", name="Save").click()
    page.locator("#move-reported").click()
    expect(page.locator("#audit-status")).to_have_text("Reported")
    page.locator("#move-closed").click()
    expect(page.locator("#audit-status")).to_have_text("Closed")
    web.assert_no_csp_violations()
