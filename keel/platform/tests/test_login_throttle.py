"""Issue 9 defect 11: throttling failed logins per account and per address without locking an
office out, and the trail keeping what was typed as bounded, unverified input."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from keel.organisation.tests.factories import TEST_PASSWORD
from keel.platform.accounts import ATTEMPTED_EMAIL_MAX
from keel.platform.models import TrailEntry, User

pytestmark = pytest.mark.django_db
OFFICE = "203.0.113.7"


def _login(email: str, password: str) -> int:
    client = Client(REMOTE_ADDR=OFFICE)
    return client.post("/login/", {"email": email, "password": password}).status_code


def test_an_address_over_its_limit_still_lets_a_colleague_with_the_right_password_in(
    make_user: Callable[..., User], settings: Any
) -> None:
    limit = settings.KEEL_LOGIN_MAX_FAILURES
    colleague = make_user("viewer", email="colleague@example.com")
    # Given four times the limit of failures from one office address, over other names
    for i in range(limit * 4):
        assert _login(f"nobody{i}@example.com", "wrong-password") == 401
    # Then an attempt naming no account is refused from there
    assert _login("someone-else@example.com", "wrong-password") == 429
    # But the colleague, who has not failed from there, gets in with the right password
    assert _login(colleague.email, TEST_PASSWORD) == 302


def test_an_account_is_locked_after_its_own_failures_even_with_the_right_password(
    make_user: Callable[..., User], settings: Any
) -> None:
    user = make_user("viewer", email="target@example.com")
    for _ in range(settings.KEEL_LOGIN_MAX_FAILURES):
        assert _login(user.email, "wrong-password") == 401
    assert _login(user.email, TEST_PASSWORD) == 429


def test_the_trail_keeps_what_was_typed_bounded_cleaned_and_marked_unverified(db: Any) -> None:
    typed = "x" * 400 + "\x7f\u202e@example.com"  # DEL and a right-to-left override
    assert _login(typed, "wrong-password") == 401
    entry = TrailEntry.objects.filter(action="login_failed").latest("seq")
    changes = json.loads(entry.payload)["changes"]
    kept = changes["attempted_email"][1]
    assert len(kept) <= ATTEMPTED_EMAIL_MAX and len(entry.object_id) <= 128
    assert all(c.isprintable() for c in kept)
    assert changes["unverified_input"] == [None, True]
    assert "unverified" in entry.object_repr


def test_the_current_password_check_on_the_account_page_is_throttled_like_a_login(
    make_user: Callable[..., User], settings: Any
) -> None:
    user = make_user("viewer", email="me@example.com")
    client = Client(REMOTE_ADDR=OFFICE)
    client.force_login(user)
    new = "another-good-passphrase-7"
    form = {"new_password": new, "confirm_password": new}
    for _ in range(settings.KEEL_LOGIN_MAX_FAILURES):
        response = client.post("/account/password/", {**form, "current_password": "not-it"})
        assert "not your current password" in response.content.decode()
    # Then even the right current password is refused for now, and nothing changes
    response = client.post("/account/password/", {**form, "current_password": TEST_PASSWORD})
    assert "Too many wrong passwords" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
