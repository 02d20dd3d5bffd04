"""API tests of the core domain, plus the checks every operation of the API must pass
(permission declared, error format declared, fixed query counts, docs page)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keel.organisation import services as organisation
from keel.organisation.choices import ScopeStatus
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
    ScopeStatement,
)
from keel.organisation.tests.factories import (
    TEST_PASSWORD,
    ContextIssueFactory,
    InterestedPartyFactory,
    ManagementSystemFactory,
    RoleAssignmentFactory,
)
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import ApiToken, TrailEntry, User
from keel.platform.pages import AUTHENTICATED
from keel.platform.permissions import Perm
from keel.standards.models import Standard

pytestmark = pytest.mark.django_db

API = "/api/v1"
MakeUser = Callable[..., User]
LoginClient = Callable[[User], Client]


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(API + path, body or {}, content_type="application/json")


def patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(API + path, body, content_type="application/json")


def get(client: Client, path: str, params: dict[str, Any] | None = None) -> Any:
    return client.get(API + path, params or {})


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def bearer(user: User) -> tuple[ApiToken, Client]:
    token, secret = accounts.create_token(Actor.system(), user, "test")
    return token, Client(headers={"Authorization": f"Bearer {secret}"})


def make_scope(
    ms: ManagementSystem,
    standard: str,
    status: str = ScopeStatus.DRAFT,
    version: int = 1,
    by: User | None = None,
) -> ScopeStatement:
    return ScopeStatement.objects.create(
        management_system=ms,
        standard=Standard.objects.get(key=standard),
        version=version,
        status=status,
        summary=f"{ms.short_name} scope",
        created_by=by,
        approved_by=by if status == ScopeStatus.APPROVED else None,
        approved_at=timezone.now() if status == ScopeStatus.APPROVED else None,
    )


def last_entry() -> TrailEntry:
    entry = TrailEntry.objects.order_by("-seq").first()
    assert entry is not None
    return entry


@pytest.fixture
def as_role(make_user: MakeUser, login_client: LoginClient, org: Organisation) -> Callable[..., Client]:
    """``as_role(role, management_system=None)``: a logged-in client of a new user with that role."""

    def make(role: str | None, management_system: ManagementSystem | None = None) -> Client:
        return login_client(make_user(role, management_system))

    return make


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


# ================================================================ management systems


def test_given_systems_when_listing_then_paged_with_standards(
    admin_client: Client, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    body = get(admin_client, "/management-systems").json()
    assert body["count"] == 2
    assert [(m["short_name"], m["standards"]) for m in body["items"]] == [
        ("aims", ["iso42001:2023"]),
        ("isms", ["iso27001:2022"]),
    ]
    filtered = get(admin_client, "/management-systems", {"standard": "iso42001:2023"}).json()
    assert [m["short_name"] for m in filtered["items"]] == ["aims"]
    ordered = get(admin_client, "/management-systems", {"order": "-name"}).json()
    assert [m["short_name"] for m in ordered["items"]] == ["isms", "aims"]


def test_given_a_short_name_or_id_when_getting_a_system_then_it_is_found(
    admin_client: Client, isms: ManagementSystem
) -> None:
    assert get(admin_client, "/management-systems/isms").json()["id"] == str(isms.pk)
    assert get(admin_client, f"/management-systems/{isms.pk}").json()["short_name"] == "isms"
    assert_error(get(admin_client, "/management-systems/nope"), 404, "not_found")


def test_given_a_compliance_manager_when_creating_and_updating_a_system_then_it_is_saved_and_trailed(
    as_role: Callable[..., Client],
) -> None:
    # given
    client = as_role(Role.COMPLIANCE_MANAGER)
    # when
    created = post(
        client,
        "/management-systems",
        {
            "name": "Integrated MS",
            "short_name": "ims",
            "operating_model": "unified",
            "standards": ["iso27001:2022", "iso42001:2023"],
        },
    )
    updated = patch(
        client, "/management-systems/ims", {"description": "One for both", "standards": ["iso42001:2023"]}
    )
    # then
    assert created.status_code == 201
    assert sorted(created.json()["standards"]) == ["iso27001:2022", "iso42001:2023"]
    assert updated.status_code == 200
    assert updated.json()["description"] == "One for both"
    assert updated.json()["standards"] == ["iso42001:2023"]
    assert last_entry().action == "update" and last_entry().object_id == created.json()["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"name": "X", "short_name": "x", "operating_model": "hybrid", "standards": ["iso27001:2022"]},
            "operating_model",
        ),
        (
            {"name": "X", "short_name": "x", "operating_model": "unified", "standards": ["iso9001:2015"]},
            "standards",
        ),
        ({"name": "X", "short_name": "x", "operating_model": "unified", "standards": []}, "standards"),
        ({"name": "X", "operating_model": "unified", "standards": ["iso27001:2022"]}, "short_name"),
        (
            {
                "name": "X",
                "short_name": "x",
                "operating_model": "unified",
                "standards": ["iso27001:2022"],
                "colour": "red",
            },
            "colour",
        ),
    ],
)
def test_given_bad_input_when_creating_a_system_then_422_with_fields_and_nothing_saved(
    admin_client: Client, body: dict[str, Any], field: str
) -> None:
    before = (ManagementSystem.objects.count(), TrailEntry.objects.count())
    error = assert_error(post(admin_client, "/management-systems", body), 422, "validation_error")
    assert field in error["fields"]
    assert (ManagementSystem.objects.count(), TrailEntry.objects.count()) == before


def test_given_a_contributor_when_creating_a_system_then_403(as_role: Callable[..., Client]) -> None:
    response = post(
        as_role(Role.CONTRIBUTOR),
        "/management-systems",
        {"name": "X", "short_name": "x", "operating_model": "unified", "standards": ["iso27001:2022"]},
    )
    assert_error(response, 403, "permission_denied")
    assert not ManagementSystem.objects.filter(short_name="x").exists()


def test_given_a_role_over_one_system_when_listing_systems_then_only_that_one_shows(
    as_role: Callable[..., Client], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    client = as_role(Role.VIEWER, isms)
    assert [m["short_name"] for m in get(client, "/management-systems").json()["items"]] == ["isms"]
    assert_error(get(client, "/management-systems/aims"), 403, "permission_denied")


# ================================================================ scope statements


def test_given_scopes_when_listing_with_filters_then_only_matching_versions(
    admin_client: Client, admin: User, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # given
    make_scope(isms, "iso27001:2022", ScopeStatus.SUPERSEDED, 1, admin)
    make_scope(isms, "iso27001:2022", ScopeStatus.APPROVED, 2, admin)
    make_scope(aims, "iso42001:2023", ScopeStatus.DRAFT, 1, admin)
    # when
    every = get(admin_client, "/scope-statements").json()
    by_ms = get(admin_client, "/scope-statements", {"management_system": "isms"}).json()
    approved = get(admin_client, "/scope-statements", {"status": "approved"}).json()
    by_std = get(admin_client, "/scope-statements", {"standard": "iso42001:2023"}).json()
    # then
    assert every["count"] == 3
    assert [(s["management_system_short_name"], s["version"]) for s in by_ms["items"]] == [
        ("isms", 2),
        ("isms", 1),
    ]
    assert [s["approved_by"] for s in approved["items"]] == [admin.email]
    assert [s["management_system_short_name"] for s in by_std["items"]] == ["aims"]
    assert_error(get(admin_client, "/scope-statements", {"status": "final"}), 422, "validation_error")
    assert_error(
        get(admin_client, "/scope-statements", {"management_system": "nope"}), 422, "validation_error"
    )


def test_given_a_role_over_one_system_then_only_its_scope_statements_are_visible(
    as_role: Callable[..., Client], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # given
    mine = make_scope(isms, "iso27001:2022")
    theirs = make_scope(aims, "iso42001:2023")
    client = as_role(Role.AUDITOR, isms)
    # when
    listed = get(client, "/scope-statements").json()
    # then
    assert [s["id"] for s in listed["items"]] == [str(mine.pk)]
    assert get(client, f"/scope-statements/{mine.pk}").status_code == 200
    assert_error(get(client, f"/scope-statements/{theirs.pk}"), 403, "permission_denied")


def test_given_a_compliance_manager_when_drafting_and_approving_then_versions_move_on(
    as_role: Callable[..., Client], aims: ManagementSystem
) -> None:
    # given
    client = as_role(Role.COMPLIANCE_MANAGER)
    body = {
        "management_system": "aims",
        "standard": "iso42001:2023",
        "summary": "Our LLM platform",
        "lifecycle_stages": ["development", "operation"],
        "ai_roles": ["provider"],
    }
    # when
    first = post(client, "/scope-statements", body)
    again = post(
        client,
        "/scope-statements",
        {"management_system": str(aims.pk), "standard": "iso42001:2023", "sites": "Remote-first"},
    )
    approved = post(client, f"/scope-statements/{first.json()['id']}/approve")
    second = post(
        client,
        "/scope-statements",
        {"management_system": "aims", "standard": "iso42001:2023", "change_note": "Adds the EU site"},
    )
    # then
    assert first.status_code == 200 and first.json()["version"] == 1 and first.json()["status"] == "draft"
    assert again.json()["id"] == first.json()["id"] and again.json()["sites"] == "Remote-first"
    assert again.json()["lifecycle_stages"] == ["development", "operation"]
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert second.json()["version"] == 2 and second.json()["summary"] == "Our LLM platform"
    assert_error(post(client, f"/scope-statements/{first.json()['id']}/approve"), 409, "conflict")
    assert last_entry().object_id == second.json()["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"management_system": "aims", "standard": "iso42001:2023", "ai_roles": ["overlord"]}, "ai_roles"),
        ({"management_system": "aims", "standard": "iso9001:2015", "summary": "x"}, "standard"),
        ({"management_system": "aims", "standard": "iso27001:2022", "summary": "x"}, "standard"),
        ({"management_system": "nope", "standard": "iso42001:2023", "summary": "x"}, "management_system"),
        ({"standard": "iso42001:2023", "summary": "x"}, "management_system"),
    ],
)
def test_given_bad_input_when_drafting_a_scope_then_422_with_fields(
    admin_client: Client, aims: ManagementSystem, body: dict[str, Any], field: str
) -> None:
    error = assert_error(post(admin_client, "/scope-statements", body), 422, "validation_error")
    assert field in {name.split(".")[0] for name in error["fields"]}
    assert not ScopeStatement.objects.exists()


def test_given_a_role_over_one_system_when_drafting_or_approving_elsewhere_then_403(
    as_role: Callable[..., Client], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # given
    client = as_role(Role.COMPLIANCE_MANAGER, isms)
    theirs = make_scope(aims, "iso42001:2023")
    # when / then
    assert (
        post(
            client,
            "/scope-statements",
            {"management_system": "isms", "standard": "iso27001:2022", "summary": "Cloud platform"},
        ).status_code
        == 200
    )
    assert_error(
        post(
            client,
            "/scope-statements",
            {"management_system": "aims", "standard": "iso42001:2023", "summary": "x"},
        ),
        403,
        "permission_denied",
    )
    assert_error(post(client, f"/scope-statements/{theirs.pk}/approve"), 403, "permission_denied")
    assert ScopeStatement.objects.get(pk=theirs.pk).status == ScopeStatus.DRAFT


def test_given_a_contributor_when_drafting_or_approving_then_403(
    as_role: Callable[..., Client], isms: ManagementSystem
) -> None:
    client = as_role(Role.CONTRIBUTOR)
    scope = make_scope(isms, "iso27001:2022")
    assert_error(
        post(client, "/scope-statements", {"management_system": "isms", "standard": "iso27001:2022"}),
        403,
        "permission_denied",
    )
    assert_error(post(client, f"/scope-statements/{scope.pk}/approve"), 403, "permission_denied")


# ================================================================ interested parties and context issues


def test_given_parties_when_listing_with_filters_pages_and_order_then_the_right_slice(
    admin_client: Client, org: Organisation
) -> None:
    # given
    for i in range(5):
        party = InterestedPartyFactory(organisation=org, name=f"Party {i}", climate_related=i == 3)
        party.standards.set(Standard.objects.filter(key="iso42001:2023" if i % 2 else "iso27001:2022"))
    InterestedPartyFactory(
        organisation=org,
        name="Regulator A",
        category="regulator",
        needs_expectations="Incident reports within 72 hours",
    )
    # when / then
    page = get(admin_client, "/interested-parties", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 6 and [p["name"] for p in page["items"]] == ["Party 2", "Party 3"]
    assert [
        p["name"]
        for p in get(admin_client, "/interested-parties", {"order": "-name", "limit": 1}).json()["items"]
    ] == ["Regulator A"]
    assert [
        p["name"]
        for p in get(admin_client, "/interested-parties", {"standard": "iso42001:2023"}).json()["items"]
    ] == ["Party 1", "Party 3"]
    assert [
        p["name"] for p in get(admin_client, "/interested-parties", {"category": "regulator"}).json()["items"]
    ] == ["Regulator A"]
    assert [
        p["name"]
        for p in get(admin_client, "/interested-parties", {"climate_related": "true"}).json()["items"]
    ] == ["Party 3"]
    assert [
        p["name"] for p in get(admin_client, "/interested-parties", {"q": "72 hours"}).json()["items"]
    ] == ["Regulator A"]
    assert_error(get(admin_client, "/interested-parties", {"category": "alien"}), 422, "validation_error")
    assert_error(get(admin_client, "/interested-parties", {"standard": "nist-csf"}), 422, "validation_error")


def test_given_an_editor_when_creating_patching_and_deleting_a_party_then_each_step_is_trailed(
    as_role: Callable[..., Client],
) -> None:
    # given
    client = as_role(Role.COMPLIANCE_MANAGER)
    # when
    created = post(
        client,
        "/interested-parties",
        {
            "name": "End users",
            "category": "end_user",
            "needs_expectations": "Explanations of AI decisions",
            "affected_not_user": False,
            "standards": ["iso42001:2023"],
            "review_date": "2026-06-30",
        },
    )
    pid = created.json()["id"]
    patched = patch(client, f"/interested-parties/{pid}", {"climate_related": True})
    shown = get(client, f"/interested-parties/{pid}")
    deleted = client.delete(f"{API}/interested-parties/{pid}")
    # then
    assert created.status_code == 201 and created.json()["standards"] == ["iso42001:2023"]
    assert patched.status_code == 200 and patched.json()["climate_related"] is True
    assert patched.json()["needs_expectations"] == "Explanations of AI decisions"
    assert shown.json()["review_date"] == "2026-06-30"
    assert deleted.status_code == 204 and not InterestedParty.objects.filter(pk=pid).exists()
    actions = list(TrailEntry.objects.filter(object_id=pid).order_by("seq").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]
    assert_error(get(client, f"/interested-parties/{pid}"), 404, "not_found")
    assert_error(get(client, "/interested-parties/not-a-uuid"), 422, "validation_error")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "customer", "needs_expectations": "x"}, "name"),
        ({"name": "P", "category": "martian", "needs_expectations": "x"}, "category"),
        (
            {"name": "P", "category": "customer", "needs_expectations": "x", "standards": ["iso9001:2015"]},
            "standards",
        ),
        (
            {"name": "P", "category": "customer", "needs_expectations": "x", "review_date": "soon"},
            "review_date",
        ),
    ],
)
def test_given_bad_input_when_creating_a_party_then_422_and_nothing_saved(
    admin_client: Client, body: dict[str, Any], field: str
) -> None:
    error = assert_error(post(admin_client, "/interested-parties", body), 422, "validation_error")
    assert field in error["fields"]
    assert not InterestedParty.objects.exists()


def test_given_a_duplicate_name_when_creating_a_party_then_422(
    admin_client: Client, org: Organisation
) -> None:
    InterestedPartyFactory(organisation=org, name="Investors")
    error = assert_error(
        post(
            admin_client,
            "/interested-parties",
            {"name": "Investors", "category": "investor", "needs_expectations": "Growth"},
        ),
        422,
        "validation_error",
    )
    assert error["fields"]


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER])
def test_given_a_read_only_role_when_writing_context_then_403(
    as_role: Callable[..., Client], org: Organisation, role: str
) -> None:
    client = as_role(role)
    party = InterestedPartyFactory(organisation=org)
    issue = ContextIssueFactory(organisation=org)
    assert get(client, "/interested-parties").status_code == 200
    assert_error(
        post(client, "/interested-parties", {"name": "P", "category": "customer", "needs_expectations": "x"}),
        403,
        "permission_denied",
    )
    assert_error(
        patch(client, f"/interested-parties/{party.pk}", {"name": "Renamed"}), 403, "permission_denied"
    )
    assert_error(client.delete(f"{API}/context-issues/{issue.pk}"), 403, "permission_denied")
    assert InterestedParty.objects.get(pk=party.pk).name == party.name
    assert ContextIssue.objects.filter(pk=issue.pk).exists()


def test_given_a_compliance_manager_over_one_system_when_writing_context_then_403(
    as_role: Callable[..., Client], isms: ManagementSystem
) -> None:
    client = as_role(Role.COMPLIANCE_MANAGER, isms)
    assert get(client, "/context-issues").status_code == 200
    assert_error(
        post(
            client,
            "/context-issues",
            {"title": "T", "description": "D", "kind": "internal", "category": "social"},
        ),
        403,
        "permission_denied",
    )


def test_given_issues_when_listing_with_filters_then_only_matching(
    admin_client: Client, org: Organisation
) -> None:
    # given
    ContextIssueFactory(
        organisation=org, title="Heat waves", kind="external", category="environmental", climate_related=True
    )
    ContextIssueFactory(
        organisation=org,
        title="Small team",
        kind="internal",
        category="organisational",
        description="Few engineers on call",
    )
    # when / then
    assert [i["title"] for i in get(admin_client, "/context-issues").json()["items"]] == [
        "Heat waves",
        "Small team",
    ]
    assert [
        i["title"] for i in get(admin_client, "/context-issues", {"kind": "internal"}).json()["items"]
    ] == ["Small team"]
    assert [
        i["title"] for i in get(admin_client, "/context-issues", {"climate_related": "true"}).json()["items"]
    ] == ["Heat waves"]
    assert [
        i["title"]
        for i in get(admin_client, "/context-issues", {"category": "environmental"}).json()["items"]
    ] == ["Heat waves"]
    assert [i["title"] for i in get(admin_client, "/context-issues", {"q": "on call"}).json()["items"]] == [
        "Small team"
    ]
    assert_error(get(admin_client, "/context-issues", {"kind": "sideways"}), 422, "validation_error")


def test_given_an_issue_when_patching_and_deleting_then_it_changes(
    admin_client: Client, org: Organisation
) -> None:
    issue = ContextIssueFactory(organisation=org)
    response = patch(
        admin_client, f"/context-issues/{issue.pk}", {"effect": "opportunity", "standards": ["iso27001:2022"]}
    )
    assert response.status_code == 200
    assert (response.json()["effect"], response.json()["standards"]) == ("opportunity", ["iso27001:2022"])
    assert get(admin_client, f"/context-issues/{issue.pk}").json()["effect"] == "opportunity"
    assert_error(
        patch(admin_client, f"/context-issues/{issue.pk}", {"effect": "disaster"}), 422, "validation_error"
    )
    assert admin_client.delete(f"{API}/context-issues/{issue.pk}").status_code == 204
    assert_error(admin_client.delete(f"{API}/context-issues/{issue.pk}"), 404, "not_found")


# ================================================================ users and role assignments


def test_given_an_admin_when_creating_a_user_with_a_role_then_both_are_saved(
    admin_client: Client, isms: ManagementSystem
) -> None:
    # when
    response = post(
        admin_client,
        "/users",
        {
            "email": "Dana@Example.com",
            "full_name": "Dana",
            "role": "contributor",
            "management_system": "isms",
        },
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "dana@example.com"
    assert [(r["role"], r["management_system_short_name"]) for r in body["roles"]] == [
        ("contributor", "isms")
    ]
    assert get(admin_client, f"/users/{body['id']}").json()["email"] == "dana@example.com"
    assert_error(post(admin_client, "/users", {"email": "dana@example.com"}), 409, "conflict")
    assert (
        "email"
        in assert_error(post(admin_client, "/users", {"email": "not-an-email"}), 422, "validation_error")[
            "fields"
        ]
    )
    assert (
        "role"
        in assert_error(
            post(admin_client, "/users", {"email": "e@example.com", "role": "king"}), 422, "validation_error"
        )["fields"]
    )


def test_given_users_when_listing_with_filters_then_only_matching(
    admin_client: Client, make_user: MakeUser, isms: ManagementSystem
) -> None:
    make_user(Role.AUDITOR, isms, email="auditor@example.com", full_name="Ann Auditor")
    make_user(Role.VIEWER, email="viewer@example.com", is_active=False)
    assert get(admin_client, "/users").json()["count"] == 3
    assert [u["email"] for u in get(admin_client, "/users", {"role": "auditor"}).json()["items"]] == [
        "auditor@example.com"
    ]
    assert [
        u["email"] for u in get(admin_client, "/users", {"management_system": "isms"}).json()["items"]
    ] == ["auditor@example.com"]
    assert [u["email"] for u in get(admin_client, "/users", {"q": "ann"}).json()["items"]] == [
        "auditor@example.com"
    ]
    assert [u["email"] for u in get(admin_client, "/users", {"is_active": "false"}).json()["items"]] == [
        "viewer@example.com"
    ]


def test_given_an_admin_when_patching_a_user_then_it_is_deactivated(
    admin_client: Client, make_user: MakeUser
) -> None:
    user = make_user(Role.VIEWER)
    response = patch(admin_client, f"/users/{user.pk}", {"is_active": False, "job_title": "Former"})
    assert response.status_code == 200 and response.json()["is_active"] is False


def test_given_a_compliance_manager_when_managing_users_then_403(
    as_role: Callable[..., Client], admin: User
) -> None:
    client = as_role(Role.COMPLIANCE_MANAGER)
    for path in ("/users", f"/users/{admin.pk}", "/role-assignments"):
        assert_error(get(client, path), 403, "permission_denied")
    assert_error(post(client, "/users", {"email": "x@example.com"}), 403, "permission_denied")
    assert_error(
        post(client, "/role-assignments", {"user": admin.email, "role": "viewer"}), 403, "permission_denied"
    )


def test_given_an_admin_when_setting_a_password_then_204_it_works_and_is_never_shown(
    make_user: MakeUser, admin: User
) -> None:
    # Given a person, and an admin calling with a token
    user = make_user(Role.VIEWER)
    _token, client = bearer(admin)

    # When the admin sets a new password
    response = post(client, f"/users/{user.pk}/password", {"password": "a-long-new-passphrase"})

    # Then it is set, the answer is empty, and the trail records the change without the password
    assert response.status_code == 204 and response.content == b""
    user.refresh_from_db()
    assert user.check_password("a-long-new-passphrase")
    entry = TrailEntry.objects.filter(object_id=str(user.pk)).latest("seq")
    assert entry.channel == "api" and entry.actor == admin
    assert "a-long-new-passphrase" not in entry.payload


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "Zq9#x"}, "password"),
        ({"password": "password1234"}, "password"),
        ({"password": ""}, "password"),
        ({}, "password"),
        ({"password": "a-long-new-passphrase", "notify": True}, "notify"),
    ],
)
def test_given_a_bad_password_body_then_422_naming_the_field_without_echoing_it(
    admin_client: Client, make_user: MakeUser, body: dict[str, Any], field: str
) -> None:
    user = make_user(Role.VIEWER)
    response = post(admin_client, f"/users/{user.pk}/password", body)
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"]
    if body.get("password"):
        assert body["password"].encode() not in response.content
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_given_an_unknown_user_or_a_non_admin_when_setting_a_password_then_404_or_403(
    admin_client: Client, as_role: Callable[..., Client], make_user: MakeUser
) -> None:
    missing = uuid.UUID(int=0)
    assert_error(
        post(admin_client, f"/users/{missing}/password", {"password": "a-long-new-passphrase"}),
        404,
        "not_found",
    )
    user = make_user(Role.VIEWER)
    client = as_role(Role.COMPLIANCE_MANAGER)
    assert_error(
        post(client, f"/users/{user.pk}/password", {"password": "a-long-new-passphrase"}),
        403,
        "permission_denied",
    )
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_given_users_me_then_the_caller_sees_their_roles_and_permissions(
    as_role: Callable[..., Client], isms: ManagementSystem
) -> None:
    body = get(as_role(Role.AUDITOR, isms), "/users/me").json()
    assert [(r["role"], r["management_system_short_name"]) for r in body["roles"]] == [("auditor", "isms")]
    # organisation-level permissions: reading the shared layer, and managing one's own tokens
    assert body["permissions"] == ["view", "own_tokens"]


def test_given_an_admin_when_granting_listing_and_revoking_roles_then_the_trail_has_each(
    admin_client: Client, admin: User, make_user: MakeUser, aims: ManagementSystem
) -> None:
    # given
    user = make_user(None, email="erin@example.com")
    # when
    granted = post(
        admin_client,
        "/role-assignments",
        {"user": "erin@example.com", "role": "auditor", "management_system": "aims"},
    )
    listed = get(admin_client, "/role-assignments", {"user": str(user.pk)}).json()
    by_ms = get(admin_client, "/role-assignments", {"management_system": "aims"}).json()
    by_role = get(admin_client, "/role-assignments", {"role": "admin"}).json()
    revoked = admin_client.delete(f"{API}/role-assignments/{granted.json()['id']}")
    # then
    assert granted.status_code == 201
    assert granted.json()["granted_by"] == admin.email
    assert [(r["user_email"], r["role"]) for r in listed["items"]] == [("erin@example.com", "auditor")]
    assert [r["user_email"] for r in by_ms["items"]] == ["erin@example.com"]
    assert [r["user_email"] for r in by_role["items"]] == [admin.email]
    assert revoked.status_code == 204 and not RoleAssignment.objects.filter(user=user).exists()
    assert [
        e.action for e in TrailEntry.objects.filter(object_type="organisation.roleassignment").order_by("seq")
    ] == ["grant", "revoke"]


def test_given_bad_grants_then_422_or_409(admin_client: Client, admin: User) -> None:
    assert (
        "user"
        in assert_error(
            post(admin_client, "/role-assignments", {"user": "ghost@example.com", "role": "viewer"}),
            422,
            "validation_error",
        )["fields"]
    )
    assert (
        "role"
        in assert_error(
            post(admin_client, "/role-assignments", {"user": admin.email, "role": "owner"}),
            422,
            "validation_error",
        )["fields"]
    )
    assert_error(
        post(admin_client, "/role-assignments", {"user": admin.email, "role": "admin"}), 409, "conflict"
    )
    last_admin = RoleAssignment.objects.get(user=admin)
    assert_error(admin_client.delete(f"{API}/role-assignments/{last_admin.pk}"), 409, "conflict")


# ================================================================ API tokens


def test_given_a_contributor_when_creating_a_token_then_the_secret_is_shown_once_and_works(
    make_user: MakeUser, login_client: LoginClient, org: Organisation
) -> None:
    # given
    user = make_user(Role.CONTRIBUTOR)
    client = login_client(user)
    # when
    created = post(client, "/api-tokens", {"name": "laptop", "expires_in_days": 30})
    listed = get(client, "/api-tokens").json()
    # then
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith(created.json()["prefix"])
    assert (
        ApiToken.objects.get(pk=created.json()["id"]).token_hash
        == hashlib.sha256(secret.encode()).hexdigest()
    )
    assert [t["name"] for t in listed["items"]] == ["laptop"]
    assert "token" not in listed["items"][0]
    me = Client(headers={"Authorization": f"Bearer {secret}"}).get(f"{API}/users/me")
    assert me.json()["email"] == user.email
    assert_error(post(client, "/api-tokens", {"expires_in_days": 0}), 422, "validation_error")


def test_given_someone_elses_token_then_only_an_admin_can_see_or_revoke_it(
    make_user: MakeUser, login_client: LoginClient, admin_client: Client
) -> None:
    # given
    owner = make_user(Role.AUDITOR, email="owner@example.com")
    other = login_client(make_user(Role.AUDITOR))
    token, _ = bearer(owner)
    # when / then
    assert get(other, "/api-tokens").json()["count"] == 0
    assert_error(get(other, "/api-tokens", {"user": owner.email}), 403, "permission_denied")
    assert_error(other.delete(f"{API}/api-tokens/{token.pk}"), 404, "not_found")
    assert [t["user"] for t in get(admin_client, "/api-tokens", {"user": owner.email}).json()["items"]] == [
        owner.email
    ]
    assert admin_client.delete(f"{API}/api-tokens/{token.pk}").status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert [t["id"] for t in get(admin_client, "/api-tokens", {"active": "false"}).json()["items"]] == [
        str(token.pk)
    ]


def test_given_a_token_when_revoking_it_with_itself_then_it_stops_working(
    make_user: MakeUser, org: Organisation
) -> None:
    token, client = bearer(make_user(Role.CONTRIBUTOR))
    assert client.delete(f"{API}/api-tokens/{token.pk}").status_code == 204
    assert last_entry().channel == "api" and last_entry().action == "revoke"
    assert_error(get(client, "/api-tokens"), 401, "unauthenticated")


def test_given_a_viewer_when_using_tokens_then_403(as_role: Callable[..., Client]) -> None:
    client = as_role(Role.VIEWER)
    assert_error(get(client, "/api-tokens"), 403, "permission_denied")
    assert_error(post(client, "/api-tokens", {"name": "x"}), 403, "permission_denied")


# ================================================================ audit trail


def test_given_changes_when_listing_the_trail_with_filters_then_matching_entries(
    admin_client: Client, make_user: MakeUser, org: Organisation
) -> None:
    # given
    editor = make_user(Role.COMPLIANCE_MANAGER, email="editor@example.com")
    _, client = bearer(editor)
    start = timezone.now()
    party_id = post(
        client,
        "/interested-parties",
        {"name": "Staff", "category": "employee", "needs_expectations": "Clear rules"},
    ).json()["id"]
    patch(client, f"/interested-parties/{party_id}", {"requirements": "Acceptable use policy"})
    # when
    by_object = get(
        admin_client, "/trail-entries", {"object_type": "organisation.interestedparty", "object_id": party_id}
    ).json()
    by_actor = get(admin_client, "/trail-entries", {"actor": "EDITOR@example.com", "channel": "api"}).json()
    updates = get(admin_client, "/trail-entries", {"action": "update", "since": start.isoformat()}).json()
    oldest_first = get(admin_client, "/trail-entries", {"order": "seq", "limit": 1}).json()
    before = get(admin_client, "/trail-entries", {"until": (start - dt.timedelta(days=1)).isoformat()}).json()
    # then
    assert [e["action"] for e in by_object["items"]] == ["update", "create"]
    assert {e["actor"] for e in by_actor["items"]} == {"editor@example.com"} and by_actor["count"] == 2
    assert [e["object_id"] for e in updates["items"]] == [party_id]
    assert oldest_first["items"][0]["seq"] == 1
    assert before["count"] == 0
    assert_error(get(admin_client, "/trail-entries", {"channel": "fax"}), 422, "validation_error")
    assert_error(get(admin_client, "/trail-entries", {"since": "yesterday"}), 422, "validation_error")


def test_given_an_entry_when_getting_it_by_seq_then_its_changes_are_parsed(
    admin_client: Client, org: Organisation
) -> None:
    issue = ContextIssueFactory(organisation=org, title="Old title")
    patch(admin_client, f"/context-issues/{issue.pk}", {"title": "New title"})
    seq = last_entry().seq
    body = get(admin_client, f"/trail-entries/{seq}").json()
    assert body["changes"] == {"title": ["Old title", "New title"]}
    assert body["prev_hash"] and body["hash"]
    assert_error(get(admin_client, "/trail-entries/999999"), 404, "not_found")


def test_given_a_role_over_one_system_when_reading_the_trail_then_only_that_systems_entries(
    as_role: Callable[..., Client], admin: User, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # given
    actor = Actor.for_user(admin, "api")
    organisation.update_management_system(actor, isms.pk, description="ISMS change")
    organisation.update_management_system(actor, aims.pk, description="AIMS change")
    aims_seq = last_entry().seq
    client = as_role(Role.AUDITOR, isms)
    # when
    body = get(client, "/trail-entries").json()
    # then
    assert {e["management_system"] for e in body["items"]} == {str(isms.pk)}
    assert_error(get(client, f"/trail-entries/{aims_seq}"), 403, "permission_denied")
    assert_error(get(client, "/trail-entries/1"), 403, "permission_denied")  # organisation-level entry


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_given_a_role_without_trail_access_when_reading_the_trail_then_403(
    as_role: Callable[..., Client], role: str
) -> None:
    client = as_role(role)
    assert_error(get(client, "/trail-entries"), 403, "permission_denied")
    assert_error(get(client, "/trail-entries/1"), 403, "permission_denied")


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
