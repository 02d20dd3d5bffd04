"""The /soa API: list (fixed queries), create, detail, row PATCH, versions, approve, compare."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keel.aisystems.tests.factories import ai_system
from keel.controls import services as controls
from keel.organisation.models import ManagementSystem, Organisation
from keel.organisation.tests.factories import ManagementSystemFactory
from keel.platform.models import User
from keel.soa.models import SoAVersion

from .factories import SYSTEM, complete_rows, row, soa_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_given_1_or_6_soas_when_listing_then_the_number_of_queries_is_the_same(
    admin_client: Client, org: Organisation
) -> None:
    counts = []
    for n in (1, 5):
        for _ in range(n):
            soa_for(ManagementSystemFactory.create(organisation=org, standards=["iso27001:2022"]))
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(f"{API}/soa", {"limit": 500})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert response.json()["count"] == 6
    assert response.json()["items"][0]["rows"] == 93
    assert counts[0] == counts[1]


def test_detail_runs_a_fixed_number_of_queries_whatever_the_links(
    admin_client: Client, isms: ManagementSystem
) -> None:
    soa = soa_for(isms)
    counts = []
    for i in range(2):
        c = controls.create_control(
            SYSTEM,
            management_systems=[isms.pk],
            title=f"C{i}",
            type="policy",
            frequency="annually",
            status="implemented",
        )
        for ref in ("A.5.1", "A.5.2", "A.5.3")[: 1 + 2 * i]:
            controls.link_requirement(SYSTEM, c.pk, f"iso27001:2022:{ref}", "full")
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(f"{API}/soa/{soa.pk}")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    body = response.json()
    assert len(body["items"]) == 93
    assert body["items"][0]["status"] == "implemented_no_evidence"  # no evidence linked


def test_create_then_create_again_is_idempotent(admin_client: Client, isms: ManagementSystem) -> None:
    first = _post(admin_client, f"{API}/soa", {"management_system": "isms", "standard": "iso27001:2022"})
    again = _post(admin_client, f"{API}/soa", {"management_system": "isms", "standard": "iso27001:2022"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["rows"] == 93


def test_create_for_an_uncovered_standard_is_a_422(admin_client: Client, isms: ManagementSystem) -> None:
    r = _post(admin_client, f"{API}/soa", {"management_system": "isms", "standard": "iso42001:2023"})
    assert r.status_code == 422 and "does not cover" in r.json()["error"]["message"]


def test_patch_a_row_to_exclude_it(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    r = row(soa, "A.7.12")
    response = _patch(
        admin_client,
        f"{API}/soa/{soa.pk}/rows/{r.pk}",
        {
            "applicable": False,
            "justification": "Cloud only.",
            "accountable": admin.email,
            "review_date": "2027-01-31",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["applicable"], body["status"], body["accountable"]) == (False, "not_applicable", admin.email)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"applicable": False}, "justification"),
        ({"accountable": "nobody@example.com"}, "accountable"),
        ({"status_override": "done"}, "status_override"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_row_patches_are_422_naming_the_field(
    admin_client: Client, isms: ManagementSystem, body: dict[str, Any], field: str
) -> None:
    soa = soa_for(isms)
    r = row(soa, "A.5.1")
    response = _patch(admin_client, f"{API}/soa/{soa.pk}/rows/{r.pk}", body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    r.refresh_from_db()
    assert r.applicable is True


def test_a_row_of_another_soa_is_404(
    admin_client: Client, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    soa, other = soa_for(isms), soa_for(aims, "iso42001:2023")
    stranger = other.rows.first()
    assert stranger is not None
    assert (
        _patch(admin_client, f"{API}/soa/{soa.pk}/rows/{stranger.pk}", {"business_need": "x"}).status_code
        == 404
    )


def test_approve_versions_and_compare(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    complete_rows(soa, admin)
    assert _post(admin_client, f"{API}/soa/{soa.pk}/approve", {"note": "v1"}).status_code == 201
    assert _post(admin_client, f"{API}/soa/{soa.pk}/approve").status_code == 409
    _patch(admin_client, f"{API}/soa/{soa.pk}/rows/{row(soa, 'A.5.1').pk}", {"business_need": "Lenders ask."})
    current = admin_client.get(f"{API}/soa/{soa.pk}/compare", {"from_version": 1}).json()
    assert current["to_version"] == "current"
    assert current["changes"][0]["fields"]["business_need"] == ["Best practice.", "Lenders ask."]
    v2 = _post(admin_client, f"{API}/soa/{soa.pk}/approve").json()
    assert (v2["number"], v2["approved_by"], v2["rows"]) == (2, admin.email, 93)
    versions = admin_client.get(f"{API}/soa/{soa.pk}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    diff = admin_client.get(f"{API}/soa/{soa.pk}/compare", {"from_version": 1, "to_version": 2}).json()
    assert [c["ref_id"] for c in diff["changes"]] == ["A.5.1"]
    bad = admin_client.get(f"{API}/soa/{soa.pk}/compare", {"from_version": 7})
    assert bad.status_code == 422 and "Approved versions: 1, 2" in bad.json()["error"]["message"]
    assert SoAVersion.objects.count() == 2


def test_filter_by_ai_system(admin_client: Client, aims: ManagementSystem) -> None:
    soa = soa_for(aims, "iso42001:2023")
    ai_system(aims, "helix", name="Helix")
    first = soa.rows.order_by("sort_order").first()
    assert first is not None
    _patch(admin_client, f"{API}/soa/{soa.pk}/rows/{first.pk}", {"ai_systems": ["Helix"]})
    body = admin_client.get(f"{API}/soa/{soa.pk}", {"ai_system": "Helix"}).json()
    assert [i["id"] for i in body["items"]] == [str(first.pk)]


def test_a_role_over_another_system_cannot_see_the_soa(
    login_client: Callable[[User], Client],
    make_user: Callable[..., User],
    isms: ManagementSystem,
    aims: ManagementSystem,
) -> None:
    soa = soa_for(isms)
    soa_for(aims, "iso42001:2023")
    client = login_client(make_user("viewer", aims))
    assert client.get(f"{API}/soa/{soa.pk}").status_code == 403
    listed = client.get(f"{API}/soa").json()["items"]
    assert [i["standard"] for i in listed] == ["iso42001:2023"]
