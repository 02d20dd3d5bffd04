"""End-to-end: a compliance manager works in the SoA editor — edits rows inline with htmx
(an exclusion with its justification, accountable person and review date; a status override
with its reason; a target date), sees a refused input change nothing, approves versions and
compares them — in Chromium, under the content security policy. Each step is checked in the
page and in the database."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, Browser, Seed

pytestmark = pytest.mark.browser

MANAGER = "cora@example.com"
ACCOUNTABLE = "bo@example.com"


@dataclass
class Editor:
    soa_id: str
    rows: dict[str, str]  # Annex A ref id → row id


@pytest.fixture
def soa(seed: Seed) -> Editor:
    """The integrated system's 27001 SoA; A.5.19 is implemented by a control with full
    coverage, A.5.15 only planned; a compliance manager and a person to be accountable."""
    from keel.controls import services as controls
    from keel.organisation import people as people
    from keel.platform.actor import Actor
    from keel.platform.choices import Role
    from keel.platform.models import User
    from keel.soa import services
    from keel.soa.tests.factories import complete_rows

    system = Actor.system("browser-test")
    people.create_user(
        system, MANAGER, full_name="Cora Manager", password=PASSWORD, role=Role.COMPLIANCE_MANAGER
    )
    people.create_user(
        system, ACCOUNTABLE, full_name="Bo Facilities", password=PASSWORD, role=Role.CONTRIBUTOR
    )
    for title, status, key in (
        ("Supplier due diligence", "implemented", "iso27001:2022:A.5.19"),
        ("Access control policy", "planned", "iso27001:2022:A.5.15"),
    ):
        control = controls.create_control(
            system,
            title=title,
            type="process",
            frequency="quarterly",
            status=status,
            management_systems=["integrated"],
        )
        controls.link_requirement(system, control.pk, key, "full", "")
    statement = services.create_soa(system, "integrated", "iso27001:2022")
    # every applicable row has a reason and an owner, as approval requires (docs/soa.md)
    complete_rows(statement, User.objects.get(email=ACCOUNTABLE))
    rows = {r.requirement.ref_id: str(r.pk) for r in statement.rows.select_related("requirement")}
    return Editor(soa_id=str(statement.pk), rows=rows)


def _row(editor: Editor, ref: str) -> Any:
    from keel.soa.models import SoARow

    return SoARow.objects.select_related("accountable").get(pk=editor.rows[ref])


def _open_editor(web: Browser, editor: Editor, ref: str) -> Any:
    """Click the row's Edit button; the form replaces the row in place (htmx)."""
    page = web.page
    row_id = editor.rows[ref]
    page.locator(f"#row-{row_id}").get_by_role("link", name=re.compile("^Edit")).click()
    form = page.locator(f"#row-{row_id}.row-editing")
    expect(form).to_be_visible()
    return form


def test_edit_rows_inline_approve_and_compare_versions(web: Browser, soa: Editor) -> None:
    from keel.platform.models import TrailEntry
    from keel.soa.models import SoAVersion

    page = web.page
    web.login(MANAGER, start="/soa/")
    # Given the SoA list, the manager opens the integrated system's 27001 SoA
    page.get_by_role("link", name="Integrated").click()
    expect(page.locator("h1")).to_contain_text("Statement of Applicability — ISO/IEC 27001:2022")
    expect(page.locator(".lede")).to_contain_text("Version 1 (draft, not approved)")
    expect(page.locator("#soa-rows tbody tr")).to_have_count(93)
    expect(page.locator(f"#row-{soa.rows['A.5.19']}")).to_contain_text("Implemented")
    expect(page.locator(f"#row-{soa.rows['A.5.15']}")).to_contain_text("Planned")
    page.evaluate("window.__keelMarker = 'same page'")

    # When she excludes A.7.4 without a justification
    form = _open_editor(web, soa, "A.7.4")
    form.locator("input[name=applicable]").uncheck()
    form.get_by_role("button", name="Save").click()
    # Then the form says why, in place, and nothing changed
    expect(form.locator(".errorlist")).to_contain_text("An excluded control needs a justification.")
    expect(form.locator(".form-error")).to_be_visible()
    row = _row(soa, "A.7.4")
    assert row.applicable is True and row.justification == ""

    # When she gives the justification, the person accountable and a review date
    form.locator("textarea[name=justification]").fill("No offices: the team works remotely.")
    web.pick("select[name=accountable]", "Bo Facilities", root=form)
    form.locator("input[name=review_date]").fill("2027-06-30")
    form.get_by_role("button", name="Save").click()
    # Then the row shows the exclusion, without a page load
    saved = page.locator(f"#row-{soa.rows['A.7.4']}")
    expect(saved).not_to_have_class(re.compile("row-editing"))
    expect(saved).to_contain_text("Excluded")
    expect(saved).to_contain_text("No offices: the team works remotely.")
    expect(saved).to_contain_text(f"Accountable: {ACCOUNTABLE} · review 2027-06-30")
    expect(saved).to_contain_text("Not applicable (excluded)")
    assert page.evaluate("window.__keelMarker") == "same page"
    row = _row(soa, "A.7.4")
    assert (row.applicable, row.justification) == (False, "No offices: the team works remotely.")
    assert row.accountable is not None and row.accountable.email == ACCOUNTABLE
    assert row.review_date == dt.date(2027, 6, 30)

    # When she overrides A.5.15's status without a reason
    form = _open_editor(web, soa, "A.5.15")
    expect(form).to_contain_text("status by the rule: Planned")
    form.locator("select[name=status_override]").select_option("partly_implemented")
    form.locator("input[name=target_date]").fill("2027-03-31")
    form.get_by_role("button", name="Save").click()
    # Then it is refused and nothing is saved (not even the valid target date)
    expect(form.locator(".errorlist")).to_contain_text("A manual status override needs a reason.")
    row = _row(soa, "A.5.15")
    assert (row.status_override, row.target_date) == ("", None)

    # When she adds the reason
    form.locator("textarea[name=override_reason]").fill("Single sign-on covers half the systems.")
    form.get_by_role("button", name="Save").click()
    # Then the status shows as an override, next to what the rule gives, with the target date
    saved = page.locator(f"#row-{soa.rows['A.5.15']}")
    expect(saved.locator(".badge", has_text="Override")).to_be_visible()
    expect(saved).to_contain_text("Partly implemented")
    expect(saved).to_contain_text("Rule: Planned — Single sign-on covers half the systems.")
    expect(saved).to_contain_text("Target 2027-03-31")
    row = _row(soa, "A.5.15")
    assert row.status_override == "partly_implemented"
    assert row.override_reason == "Single sign-on covers half the systems."
    assert row.target_date == dt.date(2027, 3, 31)
    assert TrailEntry.objects.filter(object_id=soa.rows["A.5.15"], action="update").count() == 1

    # When she approves the SoA as version 1
    page.fill("#approve-note", "First review with the board.")
    page.get_by_role("button", name="Approve as version 1").click()
    # Then the page header names the version, its date and its approver
    expect(page.locator(".msg-success")).to_contain_text("Version 1 of the SoA is approved.")
    today = dt.date.today().isoformat()
    expect(page.locator(".lede")).to_contain_text(f"Version 1 · Approved: {today} · Approver: Cora Manager")
    version = SoAVersion.objects.get(soa_id=soa.soa_id)
    assert (version.number, version.approved_by.email, version.note) == (
        1,
        MANAGER,
        "First review with the board.",
    )
    assert {r["ref_id"]: r["status_override"] for r in version.rows}["A.5.15"] == "partly_implemented"

    # When she later sets a target date on A.8.8 and approves version 2
    form = _open_editor(web, soa, "A.8.8")
    form.locator("input[name=target_date]").fill("2027-09-30")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(f"#row-{soa.rows['A.8.8']}")).to_contain_text("Target 2027-09-30")
    page.reload()
    expect(page.locator(".lede")).to_contain_text("Version 2 (draft; changes since version 1)")
    page.get_by_role("button", name="Approve as version 2").click()
    expect(page.locator(".msg-success")).to_contain_text("Version 2 of the SoA is approved.")
    assert list(
        SoAVersion.objects.filter(soa_id=soa.soa_id).values_list("number", flat=True).order_by("number")
    ) == [
        1,
        2,
    ]

    # And compares version 1 with version 2
    page.get_by_role("link", name="Compare versions").click()
    page.select_option("#from", "1")
    page.select_option("#to", "2")
    page.get_by_role("button", name="Compare").click()
    # Then the one change is listed with its old and new value
    expect(page).to_have_url(re.compile(r"from=1&to=2"))
    changes = page.locator("#soa-changes tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text("A.8.8")
    expect(changes.first).to_contain_text("Target date")
    expect(changes.first).to_contain_text("2027-09-30")
    # And version 2 against the current rows shows no difference
    page.select_option("#from", "2")
    page.select_option("#to", "current")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#soa-changes")).to_contain_text("No differences.")
