"""The SoA import pages: upload → dry-run report → apply, on the platform's import pipeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, User
from keel.soa.models import SoARow, StatementOfApplicability

FILE = (
    b"Statement of Applicability\n\n"
    b"Annex A control;Applicable;Justification;Implementation status\n"
    b"A.5.1;yes;Policies steer the ISMS.;\n"
    b"A.7.4;no;No premises of our own: fully remote.;\n"
)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


def post_file(client: Client, data: bytes, **extra: Any) -> Any:
    return client.post(
        reverse("soa-import"),
        {
            "file": SimpleUploadedFile("soa.csv", data, content_type="text/csv"),
            "standard": "iso27001:2022",
            "management_system": "isms",
            **extra,
        },
    )


def token_of(html: str) -> str:
    m = re.search(r'name="token" value="([0-9a-f]{32})"', html)
    assert m, "the report page carries the staged upload's token"
    return m.group(1)


def test_dry_run_shows_the_report_then_apply_changes_the_soa(
    isms: ManagementSystem, admin_client: Client
) -> None:
    # When the file is uploaded
    response = post_file(admin_client, FILE)

    # Then the report is in the page, and nothing changed
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "Preview of soa.csv" in html and "delimiter “;”" in html and "header on row 3" in html
    assert 'data-testid="import-rows"' in html and "A.7.4" in html
    assert not StatementOfApplicability.objects.exists()

    # When applied
    response = admin_client.post(
        reverse("soa-import-confirm"),
        {
            "token": token_of(html),
            "standard": "iso27001:2022",
            "management_system": "isms",
            "action": "apply",
        },
    )

    # Then the SoA exists with the file's rows, and the import is in the trail
    assert response.status_code == 200, response.content.decode()
    assert "Imported soa.csv" in response.content.decode()
    row = SoARow.objects.get(soa__management_system=isms, requirement__key="iso27001:2022:A.7.4")
    assert (row.applicable, row.justification) == (False, "No premises of our own: fully remote.")
    assert TrailEntry.objects.filter(object_type="soa.import").count() == 1


def test_a_rejected_row_is_named_in_the_page_and_nothing_changes(
    isms: ManagementSystem, admin_client: Client
) -> None:
    bad = FILE + b"A.99.9;yes;;\nA.8.1;no;;\n"

    html = post_file(admin_client, bad).content.decode()
    response = admin_client.post(
        reverse("soa-import-confirm"),
        {
            "token": token_of(html),
            "standard": "iso27001:2022",
            "management_system": "isms",
            "action": "apply",
        },
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert "2 rows are rejected" in page and "an excluded control needs a justification" in page
    assert "Nothing was imported" in page and "--" not in re.sub(r"<!--.*?-->", "", page)
    assert not StatementOfApplicability.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_a_clear_message(
    isms: ManagementSystem, admin_client: Client
) -> None:
    response = post_file(admin_client, b"PK\x03\x04 not really a workbook")

    assert response.status_code == 422
    assert "soa.csv" in response.content.decode() and "XLSX" in response.content.decode()
    assert not StatementOfApplicability.objects.exists()


def test_the_column_mapping_reads_a_column_the_guess_missed(
    isms: ManagementSystem, admin_client: Client
) -> None:
    # Given a file whose status column has a name Keel does not know
    data = b"Control,Applicable,Justification,Etat\nA.5.1,yes,Policies.,implemented\n"
    html = post_file(admin_client, data).content.decode()
    assert "Etat" in html and 'name="map:Etat"' in html

    # When the column is read as the status
    response = admin_client.post(
        reverse("soa-import-confirm"),
        {
            "token": token_of(html),
            "standard": "iso27001:2022",
            "management_system": "isms",
            "map:Etat": "status",
            "action": "reread",
        },
    )

    # Then the new preview reads it (an override of the derived status), and still changes nothing
    page = response.content.decode()
    assert response.status_code == 200
    assert "status override" in page
    assert not StatementOfApplicability.objects.exists()


def test_without_edit_soa_the_pages_are_refused(
    isms: ManagementSystem, make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    client = login_client(make_user(Role.VIEWER))

    assert client.get(reverse("soa-import")).status_code == 403
    assert post_file(client, FILE).status_code == 403
    assert not StatementOfApplicability.objects.exists()
