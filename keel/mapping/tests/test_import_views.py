"""The crosswalk import pages: upload → dry-run report → apply, on the platform's import pipeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keel.mapping.models import Crosswalk, CrosswalkRelation
from keel.platform.choices import Role
from keel.platform.models import User

FILE = (
    b"source,target,relation,rationale,extension\n"
    b"A.10.3,A.5.19,Intersects with,Suppliers on both sides.,Add security review.\n"
    b",A.7.1,not related,Physical perimeters have no AI counterpart.,\n"
)
NEW = {"new_key": "ai-to-sec", "name": "AI to security", "source": "iso42001:2023", "target": "iso27001:2022"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"


def post_file(client: Client, data: bytes, **extra: Any) -> Any:
    return client.post(
        reverse("crosswalk-import"),
        {"file": SimpleUploadedFile("cw.csv", data, content_type="text/csv"), **extra},
    )


def token_of(html: str) -> str:
    m = re.search(r'name="token" value="([0-9a-f]{32})"', html)
    assert m, "the report page carries the staged upload's token"
    return m.group(1)


def test_dry_run_then_apply_creates_the_crosswalk(admin_client: Client) -> None:
    html = post_file(admin_client, FILE, **NEW).content.decode()
    assert "Import 2 new and 0 changed relations" in html and "A.10.3 → A.5.19" in html
    assert not Crosswalk.objects.filter(key="ai-to-sec").exists()

    response = admin_client.post(
        reverse("crosswalk-import-confirm"), {"token": token_of(html), **NEW, "action": "apply"}
    )

    assert response.status_code == 200
    assert CrosswalkRelation.objects.filter(crosswalk__key="ai-to-sec").count() == 2
    assert (
        'href="/crosswalks/ai-to-sec/"' in response.content.decode()
        or "ai-to-sec" in response.content.decode()
    )


def test_a_rejected_row_is_worded_for_the_page_and_nothing_changes(admin_client: Client) -> None:
    bad = FILE + b"A.10.3,A.99.99,equal,No such target.,\n"

    html = post_file(admin_client, bad, **NEW).content.decode()

    assert "Column “target”: target &#x27;A.99.99&#x27; is not an entry of iso27001:2022" in html
    assert 'data-testid="import-confirm"' not in html
    assert not Crosswalk.objects.filter(key="ai-to-sec").exists()


def test_a_new_crosswalk_without_its_standards_is_a_message_without_options(admin_client: Client) -> None:
    response = post_file(admin_client, FILE, new_key="ai-to-sec")

    page = response.content.decode()
    assert response.status_code == 422
    assert "choose its source and target standards" in page and "--source" not in page
    assert not Crosswalk.objects.filter(key="ai-to-sec").exists()


def test_a_file_without_the_columns_is_a_clear_message(admin_client: Client) -> None:
    response = post_file(admin_client, b"from,to\nA.1,A.2\n", **NEW)

    assert response.status_code == 422
    assert "Missing column(s): rationale, relation, target" in response.content.decode()


def test_without_edit_mappings_the_pages_are_refused(
    make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    client = login_client(make_user(Role.VIEWER))

    assert client.get(reverse("crosswalk-import")).status_code == 403
    assert post_file(client, FILE, **NEW).status_code == 403
    assert not Crosswalk.objects.filter(key="ai-to-sec").exists()
