"""The import wizard: upload → dry-run preview → confirm."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.controls.models import Control, ControlLink
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.importing.staging import stage_upload
from keel.platform.models import User

from .isms_sheet import workbook

FILE = (
    "Control register (draft)\n\n"
    "Control ID;Control Name;Status;ISO 27001:2022 reference\n"
    "KC-1;Contrôle d'accès;Done;A.5.15\n"
    "KC-2;Backups;Planned;A.12.3.1\n"
).encode("cp1252")
BAD = FILE + b"KC-3;Broken;Maybe;A.99.1\n"  # the unknown requirement rejects the row


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    """Staged uploads go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "files"


def upload(client: Client, data: bytes, **extra: Any) -> Any:
    return client.post(
        reverse("control-import"),
        {"file": SimpleUploadedFile("register.csv", data, content_type="text/csv"), **extra},
    )


def token_of(html: str) -> str:
    m = re.search(r'name="token" value="([0-9a-f]{32})"', html)
    assert m, "the preview carries the staged upload's token"
    return m.group(1)


def test_the_upload_form_offers_the_systems_the_user_may_edit(
    isms: ManagementSystem, aims: ManagementSystem, make_user: Callable[..., User], login_client: Any
) -> None:
    manager = make_user(Role.COMPLIANCE_MANAGER, management_system=isms)
    html = login_client(manager).get(reverse("control-import")).content.decode()
    assert 'value="isms"' in html and 'value="aims"' not in html
    assert "organisation-level" not in html


def test_given_a_messy_file_then_the_preview_shows_every_row_and_nothing_changes_until_confirmed(
    isms: ManagementSystem, admin_client: Client
) -> None:
    # When
    response = upload(admin_client, FILE, management_system="isms")

    # Then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Contrôle d&#x27;accès" in html and "iso27001:2022:A.8.13" in html
    assert "2013 numbering" in html and "cp1252" in html
    assert Control.objects.count() == 0

    # When confirmed
    response = admin_client.post(
        reverse("control-import-confirm"),
        {"token": token_of(html), "management_system": "isms", "standard": ""},
    )

    # Then
    assert response.status_code == 200 and "Imported register.csv" in response.content.decode()
    assert sorted(Control.objects.filter(management_systems=isms).values_list("ref_id", flat=True)) == [
        "KC-1",
        "KC-2",
    ]
    # The staged file is gone: confirming twice does not import twice.
    again = admin_client.post(reverse("control-import-confirm"), {"token": token_of(html)})
    assert again.status_code == 422 and "no longer available" in again.content.decode()


def test_given_rejected_rows_then_confirming_changes_nothing_unless_valid_rows_only(
    isms: ManagementSystem, admin_client: Client
) -> None:
    html = upload(admin_client, BAD).content.decode()
    assert (
        "&#x27;A.99.1&#x27;" in html
        and "&#x27;Maybe&#x27; is not understood" in html
        and "Import the valid rows only" in html
    )
    token = token_of(html)
    response = admin_client.post(reverse("control-import-confirm"), {"token": token})
    assert response.status_code == 422 and Control.objects.count() == 0
    response = admin_client.post(reverse("control-import-confirm"), {"token": token, "only_valid": "on"})
    assert response.status_code == 200 and Control.objects.count() == 2


def test_an_unreadable_file_is_refused_with_the_reason(isms: ManagementSystem, admin_client: Client) -> None:
    response = upload(admin_client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel")
    assert response.status_code == 422 and "old Excel" in response.content.decode()


def test_someone_else_s_upload_cannot_be_confirmed(
    isms: ManagementSystem, admin: User, make_user: Callable[..., User], login_client: Any
) -> None:
    token = stage_upload(FILE, "register.csv", admin)
    other = make_user(Role.ADMIN)
    response = login_client(other).post(reverse("control-import-confirm"), {"token": token})
    assert response.status_code == 422 and Control.objects.count() == 0


def test_the_preview_runs_a_fixed_number_of_queries(
    isms: ManagementSystem, admin_client: Client, django_assert_num_queries: Any
) -> None:
    def rows(n: int) -> bytes:
        lines = [f"KC-{i};Control {i};Done;A.5.{i % 30 + 1}" for i in range(n)]
        return ("Ref;Title;Status;ISO 27001 reference\n" + "\n".join(lines)).encode()

    admin_client.get(reverse("control-import"))  # the session and the user are loaded once
    with CaptureQueriesContext(connection) as small:
        upload(admin_client, rows(3))
    with django_assert_num_queries(len(small.captured_queries)):
        upload(admin_client, rows(60))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_roles_without_edit_controls_cannot_import(
    isms: ManagementSystem, role: str, make_user: Callable[..., User], login_client: Any
) -> None:
    client = login_client(make_user(role))
    assert client.get(reverse("control-import")).status_code == 403


def test_previews_never_confirmed_are_forgotten_after_a_day(isms: ManagementSystem, admin: User) -> None:
    import os
    import time

    from django.core.files.storage import default_storage

    from keel.platform.importing.staging import staged_upload

    old = stage_upload(FILE, "old.csv", admin)
    for suffix in ("bin", "json"):
        path = default_storage.path(f"imports/{old}.{suffix}")
        os.utime(path, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    fresh = stage_upload(FILE, "new.csv", admin)
    assert staged_upload(fresh, admin)[1] == "new.csv"
    with pytest.raises(Exception, match="no longer available"):
        staged_upload(old, admin)


def test_given_a_real_register_then_the_wizard_skips_the_total_row_and_keeps_the_bare_refs_choice(
    isms: ManagementSystem, admin_client: Client
) -> None:
    # Given the 40-row register with a TOTAL footer, and bare numbers forced to Annex A
    response = admin_client.post(
        reverse("control-import"),
        {"file": SimpleUploadedFile("register.xlsx", workbook()), "bare_refs": "annex"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "skipped a total row" in html
    assert 'name="bare_refs" value="annex"' in html

    # When the preview is confirmed with the options it shows
    admin_client.post(reverse("control-import-confirm"), {"token": token_of(html), "bare_refs": "annex"})

    # Then every row is a control, the footer is not, and "5.2" was read as Annex A 5.2
    assert Control.objects.count() == 40 and not Control.objects.filter(ref_id__iexact="total").exists()
    links = set(
        ControlLink.objects.filter(control__ref_id="ISMS-01").values_list("requirement__key", flat=True)
    )
    assert links == {"iso27001:2022:A.5.1", "iso27001:2022:A.5.2"}


def test_the_wizard_words_its_messages_for_the_browser(isms: ManagementSystem, admin_client: Client) -> None:
    # Given a file with a column Keel does not know and a reference both standards have
    data = b"Control ID,Title,Notes,Requirements\nKC-1,Access,hello,A.5.2\n"

    # When previewed
    html = upload(admin_client, data).content.decode()

    # Then the warning and the rejection say what to do in the page, not which option to type
    assert "Notes" in html and "rename it to a column name the import guide lists" in html
    assert "ambiguous" in html and "the standard of bare references" in html
    assert "--map" not in html and "--standard" not in html
