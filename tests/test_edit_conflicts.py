"""Edits never overwrite each other silently (issue 9, defect 3), on any database: an edit
page or PATCH based on an older version is refused with what changed, and nothing is saved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.controls import services
from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import TrailEntry, User
from keel.soa.models import SoARow
from keel.soa.tests.factories import row, soa_for
from tests.formdata import initial_post_data

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _control() -> Control:
    return services.create_control(
        Actor.system("test"),
        title="Access reviews",
        description="Quarterly.",
        type="process",
        frequency="quarterly",
    )


def _patch(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


def test_given_two_open_edit_pages_when_both_save_then_the_second_is_told_what_changed_and_saves_nothing(
    admin: User, login_client: Any
) -> None:
    # Given two people (two sessions) who opened the same control's edit page
    control = _control()
    url = reverse("control-edit", args=[control.ref_id])
    first, second = login_client(admin), login_client(admin)
    form_1 = initial_post_data(first.get(url).context["form"])
    form_2 = initial_post_data(second.get(url).context["form"])

    # When the first saves a new title, then the second saves a new description
    assert first.post(url, form_1 | {"title": "Access reviews, monthly"}).status_code == 302
    trail_before = TrailEntry.objects.count()
    response = second.post(url, form_2 | {"description": "Monthly, by the team leads."})

    # Then the second save is refused, says what changed, keeps the typed input
    page = response.content.decode()
    assert response.status_code == 422
    assert "Someone else saved this record" in page and "Access reviews, monthly" in page
    assert "Monthly, by the team leads." in page
    # And nothing was saved: the first person's title stays
    control.refresh_from_db()
    assert (control.title, control.description) == ("Access reviews, monthly", "Quarterly.")
    assert TrailEntry.objects.count() == trail_before

    # When the second person saves again from the re-based form (a deliberate choice)
    again = dict(response.context["form"].data.items()) | {"title": "Access reviews, monthly"}
    assert second.post(url, again).status_code == 302
    control.refresh_from_db()
    assert (control.title, control.description) == ("Access reviews, monthly", "Monthly, by the team leads.")


def test_given_an_etag_when_patching_with_a_stale_if_match_then_409_edit_conflict_and_nothing_changes(
    admin_client: Client,
) -> None:
    # Given a script that read the control (ETag and body version agree)
    control = _control()
    url = f"{API}/controls/{control.ref_id}"
    got = admin_client.get(url)
    etag = got.headers["ETag"]
    assert etag == f'"{got.json()["version"]}"'

    # When someone else changes it, and the script then PATCHes with its old ETag
    assert _patch(admin_client, url, {"status": "implemented"}).status_code == 200
    stale = _patch(admin_client, url, {"title": "Renamed"}, if_match=etag)

    # Then 409 edit_conflict with the current version, and the title is unchanged
    assert stale.status_code == 409, stale.content
    error = stale.json()["error"]
    assert error["code"] == "edit_conflict"
    assert stale.headers["ETag"] == f'"{error["current_version"]}"' == admin_client.get(url).headers["ETag"]
    control.refresh_from_db()
    assert control.title == "Access reviews"

    # When it PATCHes with the current version (header or body field), it applies, with a new ETag
    fresh = _patch(admin_client, url, {"title": "Renamed"}, if_match=f'"{error["current_version"]}"')
    assert fresh.status_code == 200 and fresh.headers["ETag"] != stale.headers["ETag"]
    body = _patch(admin_client, url, {"title": "Renamed again", "version": fresh.json()["version"]})
    assert body.status_code == 200
    control.refresh_from_db()
    assert control.title == "Renamed again"


def test_given_a_soa_row_version_when_patching_after_another_change_then_409(
    admin_client: Client, isms: ManagementSystem
) -> None:
    # Given a row and the version a script read from the SoA
    soa = soa_for(isms)
    r = row(soa, "A.5.1")
    url = f"{API}/soa/{soa.pk}/rows/{r.pk}"
    item = next(i for i in admin_client.get(f"{API}/soa/{soa.pk}").json()["items"] if i["id"] == str(r.pk))

    # When the row changes and the script PATCHes with the old version
    assert _patch(admin_client, url, {"obligations": "GDPR Art. 32"}).status_code == 200
    stale = _patch(admin_client, url, {"business_need": "Customers ask.", "version": item["version"]})

    # Then 409 and nothing of it is saved
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "edit_conflict"
    assert SoARow.objects.get(pk=r.pk).business_need == ""
