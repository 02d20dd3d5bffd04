"""Fixtures shared by the organisation app's tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from keel.organisation.models import ContextIssue, InterestedParty, ManagementSystem, Organisation
from keel.organisation.tests.factories import ContextIssueFactory, InterestedPartyFactory
from keel.platform.actor import Actor

from .support import LoginClient, MakeUser


@pytest.fixture
def as_role(make_user: MakeUser, login_client: LoginClient, org: Organisation) -> Callable[..., Client]:
    """``as_role(role, management_system=None)``: a logged-in client of a new user with that role."""

    def make(role: str | None, management_system: ManagementSystem | None = None) -> Client:
        return login_client(make_user(role, management_system))

    return make


@pytest.fixture
def party(org: Organisation) -> InterestedParty:
    p = InterestedPartyFactory(organisation=org, name="Customers")
    return p  # type: ignore[no-any-return]


@pytest.fixture
def issue(org: Organisation) -> ContextIssue:
    return ContextIssueFactory(organisation=org, title="AI Act")  # type: ignore[no-any-return]


@pytest.fixture
def cli() -> Actor:
    return Actor.cli()
