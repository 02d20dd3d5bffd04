"""Login throttling with back-off (issue 9, defect 11): every further lock-out of an account or
an address doubles the wait, up to a cap; a success resets it; another account's correct
password from the same address is never blocked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.models import LoginAttempt, User

OFFICE = "198.51.100.4"
MakeUser = Callable[..., User]


@pytest.fixture
def throttled(settings: Any) -> Any:
    settings.KEEL_LOGIN_MAX_FAILURES = 2
    settings.KEEL_LOGIN_LOCKOUT_SECONDS = 60
    settings.KEEL_LOGIN_LOCKOUT_MAX_SECONDS = 240
    return settings


def fail(email: str, times: int, ip: str = OFFICE) -> None:
    actor = Actor(user=None, label="anonymous", channel=Channel.WEB, ip=ip)
    for _ in range(times):
        accounts.record_login(actor, email, succeeded=False)


def later(seconds: int) -> None:
    """Let ``seconds`` pass (every recorded attempt moves into the past)."""
    for attempt in LoginAttempt.objects.all():
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=attempt.at - dt.timedelta(seconds=seconds))


def wait_seconds(email: str, ip: str = OFFICE) -> float:
    wait = accounts.login_wait(email, ip)
    return 0.0 if wait is None else wait.total_seconds()


def test_given_repeated_lockouts_of_an_account_then_the_wait_doubles_up_to_the_cap(
    db: Any, throttled: Any
) -> None:
    waits = []
    for _ in range(4):
        fail("target@example.com", 2)
        waits.append(wait_seconds("target@example.com", "192.0.2.99"))
        later(int(waits[-1]) + 1)
        assert not accounts.login_locked("target@example.com", "192.0.2.99")
    assert [round(w / 10) * 10 for w in waits] == [60, 120, 240, 240]


def test_given_failures_during_a_lockout_then_they_do_not_lengthen_it_and_a_success_resets_it(
    make_user: MakeUser, throttled: Any
) -> None:
    user = make_user(Role.VIEWER)
    fail(user.email, 2)
    fail(user.email, 3)  # while locked out (a script that ignores the refusal)
    assert 50 < wait_seconds(user.email) <= 60
    later(61)
    accounts.record_login(
        Actor(user=user, label=user.email, channel=Channel.WEB, ip=OFFICE), user.email, True, user
    )
    fail(user.email, 2)
    assert 50 < wait_seconds(user.email) <= 60  # the first lock-out again, not the second


def test_given_an_address_locked_out_repeatedly_then_it_backs_off_but_a_colleague_still_logs_in(
    make_user: MakeUser, throttled: Any
) -> None:
    colleague = make_user(Role.VIEWER)
    fail_many = [f"guess{n}@example.com" for n in range(8)]  # the address limit is 4 x 2
    for email in fail_many:
        fail(email, 1)
    assert 50 < wait_seconds("fresh@example.com") <= 60
    assert accounts.login_wait(colleague.email, OFFICE) is None
    later(61)
    for email in fail_many:
        fail(email, 1)
    assert 110 < wait_seconds("fresh@example.com") <= 120
    assert accounts.login_wait(colleague.email, OFFICE) is None
    assert accounts.login_wait("fresh@example.com", "198.51.100.5") is None


def test_given_a_second_lockout_then_the_login_page_says_how_long_to_wait(
    make_user: MakeUser, throttled: Any
) -> None:
    user = make_user(Role.VIEWER)
    client = Client(REMOTE_ADDR=OFFICE)
    for _ in range(2):
        client.post(reverse("login"), {"email": user.email, "password": "wrong"})
    later(61)
    for _ in range(2):
        client.post(reverse("login"), {"email": user.email, "password": "wrong"})
    response = client.post(reverse("login"), {"email": user.email, "password": "wrong"})
    assert "Wait 2 minutes" in response.content.decode()
