"""The asset import pages: upload → dry-run report → apply, on the platform's import pipeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keel.assets.models import Asset
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, User

FILE = b"Asset,Type,Owner,Location\nCustomer database,database,Dana Whitfield,eu-west-1\nLaptops,laptop,,office\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


def post_file(client: Client, data: bytes, **extra: Any) -> Any:
    return client.post(
        reverse("asset-import"),
        {"file": SimpleUploadedFile("assets.csv", data, content_type="text/csv"), **extra},
    )


def token_of(html: str) -> str:
    m = re.search(r'name="token" value="([0-9a-f]{32})"', html)
    assert m, "the report page carries the staged upload's token"
    return m.group(1)


def test_dry_run_then_apply_creates_the_assets_and_the_owner(
    isms: ManagementSystem, admin_client: Client
) -> None:
    # When uploaded for the ISMS
    html = post_file(admin_client, FILE, management_system="isms").content.decode()

    # Then the report shows both rows, how each column was read, and the person to add; nothing
    # is written yet
    assert "Customer database" in html and "Laptops" in html
    assert re.search(r'name="map:Owner".*?<option value="owner" selected>', html, re.S)
    assert 'data-testid="people-to-add"' in html and "Dana Whitfield" in html
    assert not Asset.objects.exists() and not User.objects.filter(full_name="Dana Whitfield").exists()

    # When applied
    response = admin_client.post(
        reverse("asset-import-confirm"),
        {"token": token_of(html), "management_system": "isms", "action": "apply"},
    )

    # Then
    assert response.status_code == 200
    assert sorted(Asset.objects.values_list("name", flat=True)) == ["Customer database", "Laptops"]
    assert Asset.objects.get(name="Customer database").owner.full_name == "Dana Whitfield"  # type: ignore[union-attr]
    assert TrailEntry.objects.filter(object_type="assets.import").count() == 1
    assert 'href="/assets/import/"' in admin_client.get(reverse("asset-list")).content.decode()


def test_a_rejected_row_names_its_column_and_nothing_changes(
    isms: ManagementSystem, admin_client: Client
) -> None:
    # A row without a management system: the file has no such column and none was chosen
    html = post_file(admin_client, FILE).content.decode()
    response = admin_client.post(
        reverse("asset-import-confirm"), {"token": token_of(html), "action": "apply"}
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert "no management system (add a column or choose the management system)" in page
    assert "--management-system" not in page
    assert not Asset.objects.exists()


def test_a_file_without_a_name_column_is_a_clear_message(
    isms: ManagementSystem, admin_client: Client
) -> None:
    response = post_file(admin_client, b"Ref,Type,Location\nAS-9,database,eu\n", management_system="isms")

    assert response.status_code == 422
    assert "no column holds the asset&#x27;s name" in response.content.decode()
    assert not Asset.objects.exists()


def test_without_edit_assets_the_pages_are_refused(
    isms: ManagementSystem, make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    client = login_client(make_user(Role.AUDITOR))

    assert client.get(reverse("asset-import")).status_code == 403
    assert post_file(client, FILE, management_system="isms").status_code == 403
    assert client.post(reverse("asset-import-confirm"), {"token": "0" * 32}).status_code == 403
    assert not Asset.objects.exists()


def test_a_file_without_a_header_row_is_worded_for_the_page(
    isms: ManagementSystem, admin_client: Client
) -> None:
    response = post_file(admin_client, b"Colour,Size\nred,big\n", management_system="isms")

    page = response.content.decode()
    assert response.status_code == 422
    assert "No header row found in assets.csv" in page and "--map" not in page
