"""API tests that every operation must pass: the schema (permission and error format declared),
the docs page, authentication and CSRF, the channel in the trail, fixed query counts of the
lists, and unknown paths and methods.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keel.organisation import services as organisation
from keel.organisation.choices import ScopeStatus
from keel.organisation.models import ContextIssue, Organisation
from keel.organisation.tests.factories import (
    ContextIssueFactory,
    InterestedPartyFactory,
    ManagementSystemFactory,
    RoleAssignmentFactory,
)
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import ApiToken, User
from keel.platform.pages import AUTHENTICATED
from keel.platform.permissions import Perm
from keel.standards.models import Standard

from .support import API, LoginClient, MakeUser, assert_error, bearer, get, last_entry, make_scope, post

pytestmark = pytest.mark.django_db


# ================================================================ the API as a whole


def served_schema() -> dict[str, Any]:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in served_schema()["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_given_the_schema_then_every_operation_declares_its_permission_and_the_error_format() -> None:
    ops = operations()
    assert len(ops) >= 30
    for path, method, op in ops:
        where = f"{method.upper()} {path}"
        perm = op.get("x-keel-permission")
        assert perm in [*Perm.values, AUTHENTICATED], f"{where} declares no known x-keel-permission"
        for status in ("401", "403", "422"):
            content = op["responses"].get(status, {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            assert ref == "#/components/schemas/ErrorOut", f"{where} does not declare {status} with ErrorOut"
        assert op.get("summary"), f"{where} has no summary"


def test_given_the_schema_then_it_is_a_consistent_openapi_document(db: Any) -> None:
    # when
    response = Client().get(f"{API}/openapi.json")
    # then
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    op_ids = [op["operationId"] for _, _, op in operations()]
    assert len(op_ids) == len(set(op_ids))
    components = doc["components"]["schemas"]
    error = components["ErrorOut"]
    assert error["required"] == ["error"]

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components, ref
    for path in doc["paths"]:
        collection = path.removeprefix(API).split("/")[1]
        assert collection == collection.lower() and "_" not in collection, path
        # plural nouns; "soa", "evidence" and "people" are the names the issues give these collections;
        # "risk-assessments-due" reads as a phrase (the risk assessments that are due)
        assert collection.endswith("s") or collection in UNCOUNTABLE_COLLECTIONS, path
    for scheme in doc["components"]["securitySchemes"].values():
        assert scheme["type"] in {"http", "apiKey"}


UNCOUNTABLE_COLLECTIONS = {
    "soa",
    "evidence",
    "people",
    "risk-assessments-due",
    "operating-model",  # one per organisation (the issue names it so), not a collection
    "my-work",  # the caller's work, as the issue names it
}  # "people": the plural of person


def test_given_no_internet_when_opening_the_docs_then_swagger_loads_from_our_static_files(db: Any) -> None:
    # when
    response = Client().get(f"{API}/docs")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert f"/static/{asset}" in html
        assert finders.find(asset), f"{asset} is not bundled"
    assert "http://" not in html and "https://" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


# ================================================================ authentication


def test_given_no_credentials_when_calling_then_401_in_the_error_format(db: Any) -> None:
    assert_error(Client().get(f"{API}/management-systems"), 401, "unauthenticated")
    assert_error(
        Client().post(f"{API}/context-issues", {}, content_type="application/json"), 401, "unauthenticated"
    )


def test_given_a_bad_or_revoked_token_when_calling_then_401(make_user: MakeUser, org: Organisation) -> None:
    # given
    token, client = bearer(make_user(Role.ADMIN))
    assert get(client, "/users/me").status_code == 200
    assert_error(
        Client(headers={"Authorization": "Bearer keel_nope"}).get(f"{API}/users/me"), 401, "unauthenticated"
    )
    # when
    accounts.revoke_token(Actor.system(), token.pk)
    # then
    assert_error(get(client, "/users/me"), 401, "unauthenticated")
    assert_error(post(client, "/context-issues"), 401, "unauthenticated")


def test_given_a_user_without_any_role_then_403_everywhere_but_users_me(
    make_user: MakeUser, login_client: LoginClient, org: Organisation
) -> None:
    # given
    user = make_user(None)
    client = login_client(user)
    # when / then
    for path in (
        "/management-systems",
        "/scope-statements",
        "/interested-parties",
        "/context-issues",
        "/users",
        "/role-assignments",
        "/api-tokens",
        "/trail-entries",
    ):
        assert_error(get(client, path), 403, "permission_denied")
    assert_error(post(client, "/interested-parties", {"nonsense": 1}), 403, "permission_denied")
    me = get(client, "/users/me")
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["roles"] == [] and me.json()["permissions"] == []


def test_given_a_session_when_posting_without_the_csrf_token_then_403_and_with_it_201(
    admin: User, org: Organisation
) -> None:
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    body = {
        "title": "Supply chain",
        "description": "Chip shortages",
        "kind": "external",
        "category": "economic",
    }
    # when
    refused = client.post(f"{API}/context-issues", body, content_type="application/json")
    client.get(f"{API}/docs")  # sets the CSRF cookie
    accepted = client.post(
        f"{API}/context-issues",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    # then
    assert_error(refused, 403, "permission_denied")
    assert accepted.status_code == 201
    assert ContextIssue.objects.filter(title="Supply chain").count() == 1


def test_given_a_token_when_writing_then_the_trail_records_channel_api(
    make_user: MakeUser, org: Organisation
) -> None:
    # given
    user = make_user(Role.COMPLIANCE_MANAGER)
    _, client = bearer(user)
    # when
    response = post(
        client,
        "/interested-parties",
        {"name": "Regulators", "category": "regulator", "needs_expectations": "Timely incident reports"},
    )
    # then
    assert response.status_code == 201
    entry = last_entry()
    assert (entry.channel, entry.action, entry.object_type) == (
        "api",
        "create",
        "organisation.interestedparty",
    )
    assert entry.object_id == response.json()["id"]
    assert entry.actor_id == user.pk


def test_given_a_session_when_writing_then_the_trail_records_channel_web(admin_client: Client) -> None:
    post(
        admin_client,
        "/context-issues",
        {
            "title": "Talent",
            "description": "Hiring ML engineers",
            "kind": "internal",
            "category": "organisational",
        },
    )
    assert last_entry().channel == "web"


# ================================================================ fixed query counts


def _systems(n: int, org: Organisation, admin: User) -> None:
    for _ in range(n):
        ManagementSystemFactory(organisation=org)


def _scopes(n: int, org: Organisation, admin: User) -> None:
    for _ in range(n):
        make_scope(ManagementSystemFactory(organisation=org), "iso27001:2022", ScopeStatus.APPROVED, 1, admin)


def _parties(n: int, org: Organisation, admin: User) -> None:
    stds = list(Standard.objects.all())
    for _ in range(n):
        InterestedPartyFactory(organisation=org).standards.set(stds)


def _issues(n: int, org: Organisation, admin: User) -> None:
    stds = list(Standard.objects.all())
    for _ in range(n):
        ContextIssueFactory(organisation=org).standards.set(stds)


def _users(n: int, org: Organisation, admin: User) -> None:
    ms = ManagementSystemFactory(organisation=org)
    for _ in range(n):
        RoleAssignmentFactory(
            role=Role.CONTRIBUTOR, management_system=ms, granted_by=admin, user__password=None
        )


def _tokens(n: int, org: Organisation, admin: User) -> None:
    for i in range(n):
        ApiToken.objects.create(user=admin, name=f"t{i}", prefix="keel_x", token_hash=uuid.uuid4().hex * 2)


def _trail(n: int, org: Organisation, admin: User) -> None:
    for _ in range(n):
        organisation.save_context_issue(
            Actor.for_user(admin, "api"),
            title=f"Issue {uuid.uuid4()}",
            description="d",
            kind="internal",
            category="social",
        )


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/management-systems", _systems),
        ("/scope-statements", _scopes),
        ("/interested-parties", _parties),
        ("/context-issues", _issues),
        ("/users", _users),
        ("/role-assignments", _users),
        ("/api-tokens", _tokens),
        ("/trail-entries", _trail),
    ],
)
def test_given_3_or_30_rows_when_listing_then_the_number_of_queries_is_the_same(
    admin_client: Client,
    admin: User,
    org: Organisation,
    path: str,
    make: Callable[[int, Organisation, User], None],
) -> None:
    counts = []
    for n in (3, 27):
        # given: 3, then 30 rows
        make(n, org, admin)
        # when
        with CaptureQueriesContext(connection) as ctx:
            response = get(admin_client, path, {"limit": 500})
        assert response.status_code == 200
        assert response.json()["count"] >= n
        counts.append(len(ctx.captured_queries))
    # then
    assert counts[0] == counts[1], f"{path}: {counts[0]} queries for 3 rows, {counts[1]} for 30"


def test_given_unknown_api_path_then_404_in_the_error_format(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/no-such-collection")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_given_wrong_method_then_405_in_the_error_format(admin_client: Client) -> None:
    response = admin_client.put("/api/v1/standards", data="{}", content_type="application/json")
    assert response.status_code == 405
    body = response.json()
    assert body["error"]["code"] == "method_not_allowed" and "PUT" in body["error"]["message"]
    assert "GET" in response["Allow"]
