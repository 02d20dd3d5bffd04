"""Pages of the SoA: list and editor with fixed queries, inline edits, approval, compare, export."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from keel.controls import services as controls
from keel.organisation.models import ManagementSystem, Organisation
from keel.organisation.tests.factories import ManagementSystemFactory
from keel.platform.models import User
from keel.platform.tests.query_counts import queries_of
from keel.soa.models import SoAVersion

from .factories import SYSTEM, complete_rows, row, soa_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_list_runs_a_fixed_number_of_queries(admin_client: Client, org: Organisation) -> None:
    counts = []
    for n in (1, 4):
        for _ in range(n):
            soa_for(ManagementSystemFactory.create(organisation=org, standards=["iso27001:2022"]))
        counts.append(queries_of(admin_client, "/soa/"))
    assert counts[0] == counts[1]


def test_the_editor_runs_a_fixed_number_of_queries(admin_client: Client, isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    counts = []
    for i in range(2):
        c = controls.create_control(
            SYSTEM, management_systems=[isms.pk], title=f"C{i}", type="policy", frequency="annually"
        )
        for ref in ("A.5.1", "A.5.2", "A.5.3")[: 1 + 2 * i]:
            controls.link_requirement(SYSTEM, c.pk, f"iso27001:2022:{ref}", "full")
        counts.append(queries_of(admin_client, f"/soa/{soa.pk}/"))
    assert counts[0] == counts[1]


def test_inline_exclusion_without_justification_shows_the_error_and_changes_nothing(
    admin_client: Client, isms: ManagementSystem
) -> None:
    soa = soa_for(isms)
    r = row(soa, "A.7.12")
    response = admin_client.post(f"/soa/rows/{r.pk}/edit/", {"business_need": ""}, **HTMX)
    assert response.status_code == 200
    assert b"An excluded control needs a justification." in response.content
    r.refresh_from_db()
    assert r.applicable is True


def test_inline_exclusion_saves_and_returns_the_row(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    soa = soa_for(isms)
    r = row(soa, "A.7.12")
    response = admin_client.post(
        f"/soa/rows/{r.pk}/edit/",
        {"justification": "No cabling of ours.", "accountable": str(admin.pk), "review_date": "2027-02-01"},
        **HTMX,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith(f'<tr id="row-{r.pk}" class="row-saved"') and "Excluded" in text
    r.refresh_from_db()
    assert (r.applicable, r.accountable) == (False, admin)


def test_override_is_shown_as_such(admin_client: Client, isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    r = row(soa, "A.5.1")
    response = admin_client.post(
        f"/soa/rows/{r.pk}/edit/",
        {"applicable": "on", "status_override": "implemented", "override_reason": "Done outside Keel."},
        **HTMX,
    )
    assert b"Override" in response.content and b"Rule: Not started" in response.content


def test_approve_then_compare_and_export(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    complete_rows(soa, admin)
    response = admin_client.post(f"/soa/{soa.pk}/approve/", {"note": "First"})
    assert response.status_code == 302 and SoAVersion.objects.filter(soa=soa, number=1).exists()
    again = admin_client.post(f"/soa/{soa.pk}/approve/", follow=True)
    assert b"Nothing changed since version 1" in again.content
    admin_client.post(
        f"/soa/rows/{row(soa, 'A.5.1').pk}/edit/", {"applicable": "on", "business_need": "Asked."}
    )
    compare = admin_client.get(f"/soa/{soa.pk}/compare/?from=1&to=current")
    assert compare.status_code == 200
    assert "<strong>Business need</strong>: <del>Best practice.</del> → Asked." in compare.content.decode()
    bad = admin_client.get(f"/soa/{soa.pk}/compare/?from=9")
    assert bad.status_code == 422 and b"no version 9" in bad.content
    export = admin_client.get(f"/soa/{soa.pk}/export/?format=xlsx")
    assert export["Content-Disposition"].startswith("attachment;")
    wb = load_workbook(io.BytesIO(export.content))
    assert "Version 2 (draft" in str(wb[wb.sheetnames[0]]["A2"].value)


def test_given_an_approved_soa_when_nothing_changed_then_the_page_shows_the_approved_version(
    admin_client: Client, admin: User
) -> None:
    from keel.platform.actor import Actor
    from keel.soa import services

    ms = ManagementSystemFactory.create(name="Page MS", short_name="page-ms", standards=["iso42001:2023"])
    soa = services.create_soa(Actor.cli(), ms.pk, "iso42001:2023")
    complete_rows(soa, admin)
    services.approve(Actor.for_user(admin, "web"), soa.pk)
    html = admin_client.get(f"/soa/{soa.pk}/").content.decode()
    assert "Version 1" in html and "draft; changes since" not in html
