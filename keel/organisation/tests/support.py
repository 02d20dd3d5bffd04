"""Helpers shared by the organisation app's API and page tests (test_api_*.py, test_views_*.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.utils import timezone

from keel.organisation.choices import ScopeStatus
from keel.organisation.models import ManagementSystem, ScopeStatement
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.models import ApiToken, TrailEntry, User
from keel.standards.models import Standard

API = "/api/v1"
HTMX = {"HTTP_HX_REQUEST": "true"}
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
