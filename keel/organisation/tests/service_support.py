"""Helpers shared by the organisation app's service tests (test_services_*.py): a failing call
must change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import models

from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
    ScopeStatement,
)
from keel.platform.actor import Actor
from keel.platform.choices import Channel
from keel.platform.errors import KeelError
from keel.platform.models import ApiToken, LoginAttempt, TrailEntry, User

ISO27001 = "iso27001:2022"


ISO42001 = "iso42001:2023"
COUNTED: list[type[models.Model]] = [
    Organisation,
    ManagementSystem,
    ScopeStatement,
    InterestedParty,
    ContextIssue,
    User,
    RoleAssignment,
    ApiToken,
    LoginAttempt,
    TrailEntry,
]

MakeUser = Callable[..., User]


@contextmanager
def changes_nothing(expected: type[KeelError] = KeelError, match: str | None = None) -> Iterator[None]:
    """Assert the block raises ``expected`` and that no row of any core table (nor the trail)
    was added or removed."""
    before = {m.__name__: m._default_manager.count() for m in COUNTED}
    last = TrailEntry.objects.order_by("-seq").values_list("hash", flat=True).first()
    with pytest.raises(expected, match=match):
        yield
    assert {m.__name__: m._default_manager.count() for m in COUNTED} == before
    assert TrailEntry.objects.order_by("-seq").values_list("hash", flat=True).first() == last


def last_entry(object_id: Any = None) -> TrailEntry:
    qs = TrailEntry.objects.order_by("-seq")
    if object_id is not None:
        qs = qs.filter(object_id=str(object_id))
    entry = qs.first()
    assert entry is not None
    return entry


def changes_of(entry: TrailEntry) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(entry.payload)["changes"]
    return result


def as_user(user: User) -> Actor:
    return Actor.for_user(user, Channel.WEB, "203.0.113.7")
