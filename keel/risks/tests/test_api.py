"""The risk, asset and classification API: happy paths, the approval rules through HTTP, the
one error format, perimeter filtering and fixed query counts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keel.assets import services as asset_services
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.risks.defaults import default_methodology
from keel.risks.models import Risk

from . import factories as f

SOON = (timezone.localdate() + dt.timedelta(days=100)).isoformat()  # within the longest exception

API = "/api/v1"
pytestmark = pytest.mark.django_db


def send(client: Client, path: str, body: Any = None, method: str = "POST") -> Any:
    return client.generic(method, API + path, json.dumps(body or {}), content_type="application/json")


def test_methodology_versions_through_the_api(admin_client: Client) -> None:
    r = send(admin_client, "/risk-methodologies", default_methodology())
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 1 and r.json()["matrix"][4][4] == "critical"
    bad = {**default_methodology(), "matrix": [["low"]]}
    r = send(admin_client, "/risk-methodologies", bad)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = send(admin_client, "/risk-methodologies", {**default_methodology(), "name": "Second"})
    assert r.json()["version"] == 2
    assert [m["version"] for m in admin_client.get(f"{API}/risk-methodologies").json()] == [2, 1]
    assert admin_client.get(f"{API}/risk-methodologies/current").json()["name"] == "Second"


def test_create_filter_approve_and_void_through_the_api(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    f.methodology()
    f.control("KC-001", isms)
    asset = asset_services.create_asset(f.SYSTEM, management_system=isms.pk, name="Laptops", type="device")
    body = {
        "register": "is",
        "management_system": "isms",
        "title": "Stolen laptop",
        "owner": admin.email,
        "asset": asset.ref_id,
        "threat": "Theft",
        "affects_confidentiality": True,
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "treatment_option": "modify",
        "controls": ["KC-001"],
        "residual_likelihood": 2,
        "residual_impact": 2,
    }
    r = send(admin_client, "/risks", body)
    assert r.status_code == 201, r.content
    risk = r.json()
    assert risk["ref_id"] == "IS-001" and risk["inherent_level"] == "high" and risk["residual_level"] == "low"
    assert risk["controls"] == [{"ref_id": "KC-001", "title": "Control KC-001"}]
    assert admin_client.get(f"{API}/risks?register=ai").json()["count"] == 0
    assert admin_client.get(f"{API}/risks?register=is&level=low").json()["count"] == 1
    assert admin_client.get(f"{API}/risks?map=inherent&likelihood=4&impact=4").json()["count"] == 1
    # the owner approves
    r = send(admin_client, "/risks/IS-001/approve")
    assert r.status_code == 200 and r.json()["acceptance"] == "accepted"
    assert r.json()["approvals"][0]["controls"] == ["KC-001"]
    # a change to the residual values voids the acceptance
    r = send(admin_client, "/risks/IS-001", {"residual_impact": 3}, "PATCH")
    assert r.status_code == 200 and r.json()["acceptance"] == "voided"
    assert r.json()["approvals"][0]["state"] == "voided"


def test_approval_above_criteria_is_refused_with_a_clear_message(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    risk = f.is_risk(isms, admin, residual_likelihood=5, residual_impact=5)
    r = send(admin_client, f"/risks/{risk.ref_id}/approve")
    assert r.status_code == 409
    assert "above the acceptance criteria" in r.json()["error"]["message"]
    assert Risk.objects.get(pk=risk.pk).acceptance == "none"
    r = send(
        admin_client,
        f"/risks/{risk.ref_id}/exception",
        {"reason": "Waiting for budget", "expires": SOON},
    )
    assert r.status_code == 200 and r.json()["acceptance"] == "exception_pending"
    r = send(admin_client, f"/risks/{risk.ref_id}/exception/approve")
    assert r.status_code == 403 and "different person" in r.json()["error"]["message"]


def test_treatment_actions_and_snapshots(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    risk = f.ai_risk(isms, admin)
    r = send(
        admin_client,
        f"/risks/{risk.ref_id}/actions",
        {"title": "Fairness dashboard", "owner": admin.email, "due_date": "2030-01-01"},
    )
    assert r.status_code == 201
    r = send(admin_client, f"/risks/{risk.ref_id}/actions/{r.json()['id']}", {"status": "done"}, "PATCH")
    assert r.json()["status"] == "done"
    detail = admin_client.get(f"{API}/risks/{risk.ref_id}").json()
    assert detail["plan_version"] == 2 and detail["ai_system"] == "credit-scoring"
    assert detail["risk_source"] == f.RISK_SOURCE and detail["actions"][0]["status"] == "done"
    r = send(admin_client, "/risk-snapshots", {"register": "ai", "cycle": "2026 Q4"})
    assert r.status_code == 201 and r.json()["risk_count"] == 1
    assert send(admin_client, "/risk-snapshots", {"register": "ai", "cycle": "2026 Q4"}).status_code == 409


def test_assets_and_levels_through_the_api(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    r = send(
        admin_client,
        "/classification-levels",
        {
            "key": "confidential",
            "name": "Confidential",
            "rank": 3,
            "handling": "Need to know.",
            "ai_training_allowed": False,
            "ai_evaluation_allowed": True,
            "licence_scope": "Internal",
            "training_data_deletion": "Delete and retrain.",
        },
    )
    assert r.status_code == 201, r.content
    r = send(
        admin_client,
        "/assets",
        {
            "name": "Customer database",
            "type": "information",
            "management_system": "isms",
            "owner": admin.email,
            "classification": "confidential",
        },
    )
    assert (
        r.status_code == 201
        and r.json()["ref_id"] == "AS-001"
        and r.json()["classification"] == "confidential"
    )
    assert admin_client.get(f"{API}/assets?classification=confidential").json()["count"] == 1
    assert send(admin_client, "/classification-levels/confidential/retire").json()["retired_at"]
    r = send(
        admin_client,
        "/assets",
        {"name": "X", "type": "information", "management_system": "isms", "classification": "confidential"},
    )
    assert r.status_code == 422 and "retired" in r.json()["error"]["message"]
    assert send(admin_client, "/assets/AS-001/retire").status_code == 200
    assert admin_client.get(f"{API}/assets").json()["count"] == 0
    assert (
        send(admin_client, "/assets", {"name": "X", "type": "nope", "management_system": "isms"}).status_code
        == 422
    )


def test_risk_list_is_filtered_to_the_callers_systems(
    isms: ManagementSystem,
    aims: ManagementSystem,
    admin: User,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    f.is_risk(isms, admin)
    f.is_risk(aims, admin)
    viewer = login_client(make_user(Role.VIEWER, aims))
    body = viewer.get(f"{API}/risks").json()
    assert body["count"] == 1 and body["items"][0]["management_system"] == "aims"


@pytest.mark.parametrize("path", ["/risks", "/assets"])
def test_lists_run_a_fixed_number_of_queries(
    admin_client: Client, admin: User, isms: ManagementSystem, path: str
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(API + path).status_code == 200
        return len(ctx)

    def add(n: int) -> None:
        for i in range(n):
            asset = asset_services.create_asset(
                f.SYSTEM, management_system=isms.pk, name=f"A{i}", type="device", owner=admin
            )
            f.is_risk(isms, admin, asset=asset, process="", controls=[f.control(f"KC-{i:03d}", isms).ref_id])

    add(1)
    small = count()
    add(7)
    assert count() == small


@pytest.mark.parametrize("register", ["is", "ai"])
def test_export_rows_run_a_fixed_number_of_queries(
    admin: User, isms: ManagementSystem, register: str
) -> None:
    from keel.risks import queries

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            queries.export_rows(queries.risks(None, queries.RiskFilters(register=register, status="all")))
        return len(ctx)

    def add(n: int) -> None:
        for i in range(n):
            asset = asset_services.create_asset(
                f.SYSTEM, management_system=isms.pk, name=f"A{i}", type="device"
            )
            f.is_risk(isms, admin, asset=asset, process="", controls=[f.control(f"KC-{i:03d}", isms).ref_id])
            f.ai_risk(isms, admin)

    add(1)
    small = count()
    add(5)
    assert count() == small
