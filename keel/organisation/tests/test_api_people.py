"""API tests of people and access: users and role assignments, API tokens and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from keel.organisation import services as organisation
from keel.organisation.models import ManagementSystem, Organisation, RoleAssignment
from keel.organisation.tests.factories import TEST_PASSWORD, ContextIssueFactory
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import ApiToken, TrailEntry, User

from .support import API, LoginClient, MakeUser, assert_error, bearer, get, last_entry, patch, post

pytestmark = pytest.mark.django_db


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
