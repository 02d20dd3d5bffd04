"""Issue 9 defect 12: what a password reset does to API tokens.

An administrator's reset of someone else's password (page, API or CLI) revokes that person's
live tokens; a user changing their own password keeps theirs (docs/permissions.md)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from keel.organisation.tests.factories import TEST_PASSWORD
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role, TrailAction
from keel.platform.models import TrailEntry, User

pytestmark = pytest.mark.django_db
NEW = "a-brand-new-passphrase-42"


def _bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_an_admin_reset_through_the_api_revokes_the_persons_tokens(
    admin: User, make_user: Callable[..., User]
) -> None:
    # Given a contributor with a working token
    person = make_user(Role.CONTRIBUTOR)
    _token, secret = accounts.create_token(Actor.for_user(person, "web"), person)
    assert _bearer(secret).get("/api/v1/users/me").status_code == 200
    # When an administrator sets their password through the API
    _a, admin_secret = accounts.create_token(Actor.for_user(admin, "web"), admin)
    response = _bearer(admin_secret).post(
        f"/api/v1/users/{person.pk}/password", json.dumps({"password": NEW}), content_type="application/json"
    )
    assert response.status_code == 204, response.content
    # Then the person's token is refused, the admin's own still works, and the trail says so
    assert _bearer(secret).get("/api/v1/users/me").status_code == 401
    assert _bearer(admin_secret).get("/api/v1/users/me").status_code == 200
    entry = TrailEntry.objects.filter(action=TrailAction.UPDATE, object_id=str(person.pk)).latest("seq")
    assert json.loads(entry.payload)["changes"]["api_tokens_revoked"] == [None, 1]


def test_an_admin_reset_on_the_people_page_revokes_the_tokens(
    admin_client: Client, make_user: Callable[..., User]
) -> None:
    person = make_user(Role.CONTRIBUTOR)
    _token, secret = accounts.create_token(Actor.for_user(person, "web"), person)
    response = admin_client.post(
        f"/people/{person.pk}/password/", {"new_password": NEW, "confirm_password": NEW}
    )
    assert response.status_code in (200, 302), response.status_code
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert _bearer(secret).get("/api/v1/users/me").status_code == 401


def test_changing_ones_own_password_keeps_ones_tokens(make_user: Callable[..., User]) -> None:
    person = make_user(Role.CONTRIBUTOR)
    _token, secret = accounts.create_token(Actor.for_user(person, "web"), person)
    client = Client()
    client.force_login(person)
    response = client.post(
        "/account/password/",
        {"current_password": TEST_PASSWORD, "new_password": NEW, "confirm_password": NEW},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert _bearer(secret).get("/api/v1/users/me").status_code == 200
    # and the session stays logged in
    assert client.get("/account/").status_code == 200
