"""Issue 9, defect 3, for risks, AI systems, datasets, metrics, models, assets and levels: an
edit based on an older version is a conflict the person sees, never a silent overwrite (on any
database). The API: GET gives an ``ETag`` and ``version``; PATCH with a stale ``If-Match`` or
body ``version`` is a 409 ``edit_conflict`` with the current version, and nothing changes;
without one PATCH works as before. The pages: the second of two people who opened the same
edit page gets the conflict, with what changed, and the first one's change stays."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.aisystems import services as ai
from keel.aisystems.models import AISystem
from keel.aisystems.tests import factories as af
from keel.assets import services as assets
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import TrailEntry, User
from keel.risks.models import Risk
from keel.risks.tests import factories as rf
from tests.formpost import form_values

pytestmark = pytest.mark.django_db
API = "/api/v1"
SYSTEM = Actor.system("stale-edit-tests")


def _patch(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(API + url, json.dumps(body), content_type="application/json", headers=headers)


def _records(isms: ManagementSystem, aims: ManagementSystem, admin: User) -> dict[str, tuple[str, str, str]]:
    """``{kind: (url, field to change, value)}`` of one record of each kind."""
    risk = rf.is_risk(isms, admin)
    system = af.ai_system(aims, "credit-scoring")
    af.dataset(aims, "raw")
    metric = af.metric(system)
    model = ai.create_model(SYSTEM, system.pk, name="scorer", version="1.0", model_type="classifier")
    asset = assets.create_asset(SYSTEM, management_system=isms, name="Laptop", type="device")
    level = assets.create_level(SYSTEM, key="internal", name="Internal", rank=2)
    return {
        "risk": (f"/risks/{risk.ref_id}", "title", "Laptop stolen from a car"),
        "ai system": ("/ai-systems/credit-scoring", "purpose", "Scores applications."),
        "dataset": ("/datasets/raw", "licence", "CC-BY 4.0"),
        "metric": (f"/metrics/{metric.pk}", "name", "Accuracy (weekly)"),
        "model": (f"/models/{model.pk}", "name", "scorer-v2"),
        "asset": (f"/assets/{asset.ref_id}", "location", "Berlin office"),
        "level": (f"/classification-levels/{level.key}", "name", "Internal use"),
    }


KINDS = ["risk", "ai system", "dataset", "metric", "model", "asset", "level"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_stale_patch_is_a_conflict_and_changes_nothing(
    kind: str, admin_client: Client, isms: ManagementSystem, aims: ManagementSystem, admin: User
) -> None:
    url, field, value = _records(isms, aims, admin)[kind]
    got = admin_client.get(API + url)
    etag = got["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    if kind != "model":  # a model's body "version" is its own version label: ETag only
        assert got.json()["version"] == etag.strip('"')
    # someone else changes it first (without a version: scripts keep working as before)
    first = _patch(admin_client, url, {field: value})
    assert first.status_code == 200, first.content
    assert first["ETag"] != etag
    entries = TrailEntry.objects.count()
    # then a change based on the old version is refused with the current version
    stale = _patch(admin_client, url, {field: "Overwritten"}, **{"If-Match": etag})
    assert stale.status_code == 409, stale.content
    error = stale.json()["error"]
    assert error["code"] == "edit_conflict"
    assert error["current_version"] == first["ETag"].strip('"') == stale["ETag"].strip('"')
    assert admin_client.get(API + url).json()[field] == value
    assert TrailEntry.objects.count() == entries
    # and the same with the current version applies
    fresh = _patch(admin_client, url, {field: "Applied"}, **{"If-Match": first["ETag"]})
    assert fresh.status_code == 200 and fresh.json()[field] == "Applied"


def test_a_stale_body_version_is_a_conflict_too(
    admin_client: Client, isms: ManagementSystem, aims: ManagementSystem, admin: User
) -> None:
    url, field, value = _records(isms, aims, admin)["risk"]
    version = admin_client.get(API + url).json()["version"]
    assert _patch(admin_client, url, {field: value, "version": version}).status_code == 200
    r = _patch(admin_client, url, {field: "Overwritten", "version": version})
    assert r.status_code == 409 and r.json()["error"]["code"] == "edit_conflict"
    assert Risk.objects.get().title == value


def _open(client: Client, url: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200
    return form_values(page.content.decode())


@pytest.mark.parametrize("page", ["risk", "ai system"])
def test_the_second_of_two_people_on_one_edit_page_gets_a_conflict(
    page: str,
    isms: ManagementSystem,
    aims: ManagementSystem,
    admin: User,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    if page == "risk":
        record: Any = rf.is_risk(isms, admin)
        url, field = reverse("risk-edit", args=[record.ref_id]), "title"
    else:
        record = af.ai_system(aims, "credit-scoring")
        url, field = reverse("ai-system-edit", args=[record.short_name]), "name"
    alice, bob = login_client(admin), login_client(make_user("admin", None))
    alice_form, bob_form = _open(alice, url), _open(bob, url)
    assert alice.post(url, {**alice_form, field: "Alice's title"}).status_code == 302
    r = bob.post(url, {**bob_form, field: "Bob's title"})
    assert r.status_code in (409, 422)
    text = r.content.decode()
    assert "Someone else saved this record" in text and "Alice&#x27;s title" in text
    record.refresh_from_db()
    assert getattr(record, field) == "Alice's title"
    # Bob's input is kept, re-based on the current version: saving again is his deliberate choice
    again = form_values(text)
    assert again[field] == "Bob's title"
    assert bob.post(url, again).status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == "Bob's title"
    assert isinstance(record, Risk | AISystem)
