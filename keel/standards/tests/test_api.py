"""API tests of the standards library: ``/api/v1/standards`` and ``/api/v1/requirements``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import User
from keel.standards.models import Requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_client(make_user: Callable[..., User], login_client: Callable[[User], Client], org: Any) -> Client:
    return login_client(make_user(Role.VIEWER))


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------- standards


def test_given_a_viewer_when_listing_standards_then_each_has_counts_by_kind(viewer_client: Client) -> None:
    # when
    response = viewer_client.get("/api/v1/standards")
    # then
    assert response.status_code == 200
    by_key = {s["key"]: s for s in response.json()}
    assert set(by_key) == {"iso27001:2022", "iso42001:2023"}
    assert by_key["iso27001:2022"]["counts"]["annex_control"] == 93
    assert by_key["iso27001:2022"]["counts"]["annex_theme"] == 4
    assert by_key["iso42001:2023"]["counts"]["annex_control"] == 38
    assert by_key["iso42001:2023"]["total"] == sum(by_key["iso42001:2023"]["counts"].values())


def test_given_a_key_with_colons_when_getting_a_standard_then_it_is_found(viewer_client: Client) -> None:
    # when
    response = viewer_client.get("/api/v1/standards/iso42001:2023")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["key"] == "iso42001:2023"
    assert body["edition"] == "2023"
    assert body["counts"]["annex_control"] == 38
    assert "description" in body


def test_given_an_unknown_key_when_getting_a_standard_then_404_names_the_known_ones(
    viewer_client: Client,
) -> None:
    error = assert_error(viewer_client.get("/api/v1/standards/iso9001:2015"), 404, "not_found")
    assert "iso27001:2022" in error["message"]


# ---------------------------------------------------------------- requirements: list


def test_given_standard_and_kind_filters_when_listing_requirements_then_only_those_are_paged(
    viewer_client: Client,
) -> None:
    # when
    response = viewer_client.get(
        "/api/v1/requirements", {"standard": "iso27001:2022", "kind": "annex_control", "limit": 10}
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 93
    assert body["limit"] == 10 and body["offset"] == 0
    assert len(body["items"]) == 10
    assert {i["kind"] for i in body["items"]} == {"annex_control"}
    assert {i["standard"] for i in body["items"]} == {"iso27001:2022"}
    assert body["items"][0]["key"] == "iso27001:2022:A.5.1"
    assert body["items"][0]["parent"] == "iso27001:2022:A.5"


def test_given_an_offset_when_listing_requirements_then_the_next_page_follows_on(
    viewer_client: Client,
) -> None:
    # given
    params = {"standard": "iso42001:2023", "kind": "annex_control"}
    everything = viewer_client.get("/api/v1/requirements", {**params, "limit": 500}).json()["items"]
    # when
    page = viewer_client.get("/api/v1/requirements", {**params, "limit": 5, "offset": 5}).json()
    # then
    assert [i["key"] for i in page["items"]] == [i["key"] for i in everything[5:10]]
    assert page["offset"] == 5


def test_given_a_parent_filter_when_listing_requirements_then_only_its_children_come_back(
    viewer_client: Client,
) -> None:
    # when
    body = viewer_client.get("/api/v1/requirements", {"parent": "iso27001:2022:4"}).json()
    # then
    assert [i["ref_id"] for i in body["items"]] == ["4.1", "4.2", "4.3", "4.4"]


def test_given_text_when_listing_requirements_then_matching_entries_come_back(viewer_client: Client) -> None:
    # when
    body = viewer_client.get(
        "/api/v1/requirements", {"standard": "iso27001:2022", "text": "cryptography"}
    ).json()
    same = viewer_client.get(
        "/api/v1/requirements", {"standard": "iso27001:2022", "q": "cryptography"}
    ).json()
    # then
    assert "iso27001:2022:A.8.24" in [i["key"] for i in body["items"]]
    assert body["count"] < 20
    assert same == body


def test_given_descending_key_order_when_listing_requirements_then_keys_descend(
    viewer_client: Client,
) -> None:
    body = viewer_client.get(
        "/api/v1/requirements", {"standard": "iso42001:2023", "order": "-key", "limit": 20}
    ).json()
    keys = [i["key"] for i in body["items"]]
    assert keys == sorted(keys, reverse=True)


def test_given_a_withdrawn_entry_when_listing_then_it_shows_only_when_asked(viewer_client: Client) -> None:
    # given
    Requirement.objects.filter(key="iso27001:2022:A.5.7").update(withdrawn_at=timezone.now())
    params = {"standard": "iso27001:2022", "kind": "annex_control", "limit": 500}
    # when
    live = viewer_client.get("/api/v1/requirements", params).json()
    every = viewer_client.get("/api/v1/requirements", {**params, "include_withdrawn": "true"}).json()
    # then
    assert live["count"] == 92
    assert every["count"] == 93
    assert [i["withdrawn"] for i in every["items"] if i["key"] == "iso27001:2022:A.5.7"] == [True]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "control"}, "kind"),
        ({"standard": "iso9001:2015"}, "standard"),
        ({"parent": "iso27001:2022:Z.9"}, "parent"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
        ({"order": "sideways"}, "order"),
    ],
)
def test_given_bad_filters_when_listing_requirements_then_422_names_the_field(
    viewer_client: Client, params: dict[str, Any], field: str
) -> None:
    error = assert_error(viewer_client.get("/api/v1/requirements", params), 422, "validation_error")
    assert field in error["fields"]


def test_given_page_sizes_3_and_30_when_listing_requirements_then_queries_are_the_same(
    viewer_client: Client,
) -> None:
    # given
    counts = []
    for limit in (3, 30):
        # when
        with CaptureQueriesContext(connection) as ctx:
            response = viewer_client.get(
                "/api/v1/requirements", {"standard": "iso27001:2022", "limit": limit}
            )
        assert len(response.json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    # then
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- requirements: detail


def test_given_a_clause_key_when_getting_the_requirement_then_guidance_and_structure_come_back(
    viewer_client: Client,
) -> None:
    # when
    response = viewer_client.get("/api/v1/requirements/iso42001:2023:4.1")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["ref_id"] == "4.1"
    assert body["parent"] == "iso42001:2023:4"
    assert body["hs_key"] and body["hs_relation"] == "shared"
    assert body["intent"] and body["auditor_focus"] and body["typical_evidence"]
    assert body["amendments"] == []  # 42001 was published with the climate text: no amendment
    assert body["children"] == []
    for field in ("documented_information", "documented_information_note", "withdrawn"):
        assert field in body


def test_given_a_theme_key_when_getting_the_requirement_then_its_children_are_listed_in_order(
    viewer_client: Client,
) -> None:
    body = viewer_client.get("/api/v1/requirements/iso27001:2022:A.5").json()
    assert len(body["children"]) == 37
    assert body["children"][:2] == ["iso27001:2022:A.5.1", "iso27001:2022:A.5.2"]


def test_given_an_unknown_key_when_getting_a_requirement_then_404(viewer_client: Client) -> None:
    assert_error(viewer_client.get("/api/v1/requirements/iso27001:2022:A.9.99"), 404, "not_found")


# ---------------------------------------------------------------- access


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/standards",
        "/api/v1/standards/iso27001:2022",
        "/api/v1/requirements",
        "/api/v1/requirements/iso27001:2022:4.1",
    ],
)
def test_given_no_credentials_when_reading_then_401(db: Any, path: str) -> None:
    assert_error(Client().get(path), 401, "unauthenticated")


@pytest.mark.parametrize("path", ["/api/v1/standards", "/api/v1/requirements"])
def test_given_a_user_without_any_role_when_reading_then_403(
    make_user: Callable[..., User], login_client: Callable[[User], Client], path: str
) -> None:
    assert_error(login_client(make_user(None)).get(path), 403, "permission_denied")


def test_given_a_bearer_token_when_reading_then_it_works_until_revoked(
    make_user: Callable[..., User], org: Any
) -> None:
    # given
    user = make_user(Role.AUDITOR)
    token, secret = accounts.create_token(Actor.system(), user, "script")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    # when / then
    assert client.get("/api/v1/requirements", {"limit": 1}).status_code == 200
    accounts.revoke_token(Actor.system(), token.pk)
    assert_error(client.get("/api/v1/requirements", {"limit": 1}), 401, "unauthenticated")
