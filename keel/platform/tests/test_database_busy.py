"""SQLite's "database is locked" is never a 500: pages and API calls answer 503 with
Retry-After (issue 9, defect 10b)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from keel.organisation.models import ManagementSystem

API_CONTROL = {
    "title": "Backups",
    "type": "technical",
    "frequency": "quarterly",
    "management_systems": ["isms"],
}
PAGE_CONTROL = {
    "ref_id": "",
    "title": "Backups",
    "description": "",
    "owner": "",
    "type": "technical",
    "frequency": "quarterly",
    "status": "planned",
    "effectiveness": "not_assessed",
    "management_systems": ["isms"],
    "tags": "",
}


@pytest.fixture
def write_lock_held_elsewhere() -> Iterator[None]:
    """Another connection holds SQLite's write lock; ours waits only 50 ms for it."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock only")
    name = connection.settings_dict["NAME"]
    if str(name).startswith(("file:memorydb", ":memory:")) or "mode=memory" in str(name):
        pytest.skip("needs an on-disk test database")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout=50")
    other = sqlite3.connect(name, timeout=0.05, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout=20000")


@pytest.mark.django_db(transaction=True)
def test_an_api_write_answers_503_with_retry_after(
    isms: ManagementSystem, admin_client: Client, write_lock_held_elsewhere: Any
) -> None:
    response = admin_client.post(
        "/api/v1/controls",
        API_CONTROL,
        content_type="application/json",
    )
    assert response.status_code == 503, response.content
    assert response["Retry-After"].isdigit()
    assert response.json()["error"]["code"] == "database_busy"


@pytest.mark.django_db(transaction=True)
def test_a_page_write_answers_a_friendly_503(
    isms: ManagementSystem, admin_client: Client, write_lock_held_elsewhere: Any
) -> None:
    response = admin_client.post("/controls/new/", PAGE_CONTROL)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit() and "try again" in response.content.decode()


@pytest.fixture
def locked(monkeypatch: Any) -> None:
    """The control service meets SQLite's lock error (as it does when a long import holds the
    write lock past busy_timeout); works on an in-memory test database too."""
    from django.db import OperationalError

    from keel.controls import services

    def busy(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "create_control", busy)


@pytest.mark.django_db
def test_the_lock_error_from_a_service_is_503_in_the_api(
    isms: ManagementSystem, admin_client: Client, locked: None
) -> None:
    response = admin_client.post(
        "/api/v1/controls",
        API_CONTROL,
        content_type="application/json",
    )
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert response.json()["error"]["code"] == "database_busy"


@pytest.mark.django_db
def test_the_lock_error_from_a_service_is_a_503_page(
    isms: ManagementSystem, admin_client: Client, locked: None
) -> None:
    response = admin_client.post("/controls/new/", PAGE_CONTROL)
    assert response.status_code == 503 and "try again" in response.content.decode()


@pytest.mark.django_db
def test_other_database_errors_stay_server_errors(
    isms: ManagementSystem, admin: Any, monkeypatch: Any
) -> None:
    from django.db import OperationalError

    from keel.controls import services

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("no such table: controls_control")

    monkeypatch.setattr(services, "create_control", broken)
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    response = client.post(
        "/api/v1/controls",
        API_CONTROL,
        content_type="application/json",
    )
    assert response.status_code == 500
