"""The support API: create, read, change and refuse through the same services as the pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from keel.platform.choices import Role

from . import factories as f

API = "/api/v1"
pytestmark = pytest.mark.django_db


def send(client: Client, path: str, body: Any = None, method: str = "POST", **headers: Any) -> Any:
    return client.generic(
        method, API + path, json.dumps(body or {}), content_type="application/json", **headers
    )


def test_roles_and_records_through_the_api(admin_client: Client, admin: Any, isms: Any) -> None:
    r = send(
        admin_client,
        "/ms-roles",
        {
            "management_system": "isms",
            "name": "Security officer",
            "responsibilities": "Runs the ISMS.",
            "holder": admin.email,
            "standards": ["iso27001:2022"],
        },
    )
    assert r.status_code == 201, r.content
    role = r.json()
    assert role["holder"] == admin.email and role["standards"] == ["iso27001:2022"]
    r = send(
        admin_client,
        f"/ms-roles/{role['id']}",
        {"authorities": "Stop releases"},
        "PATCH",
        HTTP_IF_MATCH='"stale"',
    )
    assert r.status_code == 409
    r = send(
        admin_client,
        f"/ms-roles/{role['id']}",
        {"authorities": "Stop releases", "version": role["version"]},
        "PATCH",
    )
    assert r.status_code == 200 and r.json()["authorities"] == "Stop releases"
    assert send(admin_client, f"/ms-roles/{role['id']}", {"name": None}, "PATCH").status_code == 422
    r = send(admin_client, "/competences", {"role": role["id"], "name": "CISSP"})
    assert r.status_code == 201, r.content
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    body = {
        "management_system": "isms",
        "person": admin.email,
        "competence": r.json()["id"],
        "kind": "qualification",
        "title": "CISSP",
        "achieved_on": "2023-01-01",
        "expires_on": past,
    }
    r = send(admin_client, "/competence-records", body)
    assert r.status_code == 201 and r.json()["expired"] is True
    assert admin_client.get(f"{API}/competence-records?expired=yes").json()["count"] == 1
    assert admin_client.get(f"{API}/competence-records?expired=no").json()["count"] == 0
    # the filters declared once (issue 10): the shared ones, a list's own, a bad value refused
    assert admin_client.get(f"{API}/ms-roles?management_system=isms&q=Security").json()["count"] == 1
    assert admin_client.get(f"{API}/ms-roles?q=Auditor").json()["count"] == 0
    assert admin_client.get(f"{API}/competence-records?expired=someday").status_code == 422
    assert admin_client.get(f"{API}/concerns?status=open").status_code == 200
    assert admin_client.get(f"{API}/concerns?status=lost").status_code == 422


def test_objective_readings_through_the_api(admin_client: Client, isms: Any) -> None:
    r = send(
        admin_client,
        "/objectives",
        {
            "management_system": "isms",
            "title": "Patch fast",
            "measure": "Days to patch",
            "target": "7",
            "direction": "lower",
        },
    )
    assert r.status_code == 201, r.content
    ref = r.json()["ref_id"]
    day = timezone.localdate().isoformat()
    r = send(admin_client, "/objective-readings", {"objective": ref, "value": "9", "on": day})
    assert r.status_code == 201 and r.json()["on_target"] is False
    assert (
        send(admin_client, "/objective-readings", {"objective": ref, "value": "9.0", "on": day}).status_code
        == 200
    )
    assert (
        send(admin_client, "/objective-readings", {"objective": ref, "value": "3", "on": day}).status_code
        == 409
    )
    listed = admin_client.get(f"{API}/objective-readings?objective={ref}").json()
    assert listed["count"] == 1 and Decimal(listed["items"][0]["value"]) == 9
    assert Decimal(admin_client.get(f"{API}/objectives/{ref}").json()["latest_value"]) == 9


def test_a_concern_hides_its_reporter_from_all_but_administrators(
    admin_client: Client, login_client: Any, make_user: Any, isms: Any
) -> None:
    viewer = login_client(make_user(Role.VIEWER, email="viewer@example.com"))
    r = send(
        viewer,
        "/concerns",
        {"management_system": "isms", "summary": "Odd answers", "description": "The bot invents policy."},
    )
    assert r.status_code == 201, r.content
    assert r.json()["reporter"] is None
    ref = r.json()["ref_id"]
    assert admin_client.get(f"{API}/concerns/{ref}").json()["reporter"] == "viewer@example.com"
    manager = login_client(make_user(Role.COMPLIANCE_MANAGER))
    assert manager.get(f"{API}/concerns/{ref}").json()["reporter"] is None
    assert send(viewer, f"/concerns/{ref}", {"status": "closed", "response": "x"}, "PATCH").status_code == 403
    r = send(manager, f"/concerns/{ref}", {"response": "Grounded its answers in the policy set."}, "PATCH")
    assert r.status_code == 200 and r.json()["status"] == "answered"
    auditor = login_client(make_user(Role.AUDITOR))
    assert (
        send(
            auditor, "/concerns", {"management_system": "isms", "summary": "s", "description": "d"}
        ).status_code
        == 403
    )


def test_keel_objectives_reading_add(isms: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from keel.site.cli import main

    objective = f.objective(isms)
    day = timezone.localdate().isoformat()
    assert (
        main(["objectives", "reading", "add", objective.ref_id, "0.04", "--on", day, "--format", "json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "objective": objective.ref_id,
        "on": day,
        "value": "0.04",
        "target": "0.05",
        "on_target": True,
        "created": True,
    }
    assert main(["objectives", "reading", "add", objective.ref_id, "0.04", "--on", day]) == 0
    assert "already stored" in capsys.readouterr().out
    assert main(["objectives", "reading", "add", objective.ref_id, "0.09", "--on", day]) == 1
    assert "already has a reading" in capsys.readouterr().err
    assert objective.readings.count() == 1
