"""The supplier API: shape, errors and permissions, through the same services as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from keel.platform.choices import Role

from . import factories as f

API = "/api/v1"
pytestmark = pytest.mark.django_db


def send(client: Client, path: str, body: Any = None, method: str = "POST", **headers: Any) -> Any:
    return client.generic(
        method, API + path, json.dumps(body or {}), content_type="application/json", **headers
    )


def test_a_supplier_through_onboarding_in_the_api(
    admin_client: Client, admin: Any, isms: Any, make_user: Any, login_client: Any
) -> None:
    r = send(
        admin_client,
        "/suppliers",
        {
            "management_system": "isms",
            "name": "Northwind Labelling",
            "kind": "labelling",
            "criticality": "high",
            "owner": admin.email,
            "contacts": [{"name": "Kim Lee", "email": "kim@northwind.example", "role": "Delivery lead"}],
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["ref_id"] == "SUP-001" and body["status"] == "requested" and body["requested_by"] == admin.email
    )
    assert body["contacts"][0]["name"] == "Kim Lee" and body["version"]
    r = send(admin_client, "/suppliers?kind=labelling&limit=5", method="GET")
    assert r.json()["count"] == 1
    r = send(admin_client, "/suppliers?kind=spaceship", method="GET")
    assert r.status_code == 422
    # a stale PATCH is a conflict
    r = send(
        admin_client, "/suppliers/SUP-001", {"version": "stale", "criticality": "critical"}, method="PATCH"
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "edit_conflict"
    r = send(admin_client, "/suppliers/SUP-001", {"criticality": "critical"}, method="PATCH")
    assert r.status_code == 200 and r.json()["criticality"] == "critical"
    r = send(admin_client, "/suppliers/SUP-001/move", {"status": "due_diligence"})
    assert r.json()["status"] == "due_diligence"
    r = send(admin_client, "/suppliers/SUP-001/move", {"status": "approved"})
    assert r.status_code == 409 and "cannot also decide" in r.json()["error"]["message"]
    approver = make_user(Role.COMPLIANCE_MANAGER, isms)
    other = login_client(approver)
    r = send(other, "/suppliers/SUP-001/move", {"status": "approved", "reason": "Fine"})
    assert r.status_code == 200 and r.json()["decided_by"] == approver.email
    r = send(
        admin_client,
        "/suppliers/SUP-001/contracts",
        {"title": "MSA", "starts_on": "2026-01-01", "renewal_on": "2027-01-01", "notice_days": 60},
    )
    assert r.status_code == 201 and r.json()["renewal_on"] == "2027-01-01"
    r = send(admin_client, "/suppliers/SUP-001/move", {"status": "active"})
    assert r.json()["status"] == "active" and r.json()["next_review_on"]


def test_a_viewer_reads_but_cannot_write(isms: Any, aims: Any, make_user: Any, login_client: Any) -> None:
    f.supplier(isms)
    viewer = login_client(make_user(Role.VIEWER, isms))
    assert send(viewer, "/suppliers", method="GET").json()["count"] == 1
    r = send(viewer, "/suppliers", {"management_system": "isms", "name": "X", "kind": "other"})
    assert r.status_code == 403
    outsider = login_client(make_user(Role.VIEWER, aims))  # a viewer of another system
    assert send(outsider, "/suppliers/SUP-001", method="GET").status_code == 404
    assert send(outsider, "/suppliers", method="GET").json()["count"] == 0


def test_questionnaires_and_assessments_in_the_api(
    admin_client: Client, admin: Any, isms: Any, make_user: Any, login_client: Any
) -> None:
    f.seeded()
    r = send(admin_client, "/questionnaires", method="GET")
    keys = {q["key"] for q in r.json()["items"]}
    assert keys == {"security-due-diligence", "ai-component-due-diligence"}
    r = send(
        admin_client,
        "/questionnaires/ai-component-due-diligence/questions",
        {"text": "Red-team report?", "answer_type": "file", "required": False},
    )
    assert r.status_code == 201
    r = send(admin_client, "/questionnaires/ai-component-due-diligence", method="GET")
    assert r.json()["version"] == 2 and not r.json()["published"]
    r = send(
        admin_client,
        "/questionnaires/ai-component-due-diligence/questions",
        {"text": "Pick", "answer_type": "single", "options": [{"label": "A", "score": 1}]},
    )
    assert r.status_code == 422 and "at least two" in r.json()["error"]["message"]
    s = f.supplier(isms, kind="model_api")
    r = send(
        admin_client,
        "/supplier-assessments",
        {
            "supplier": s.ref_id,
            "questionnaire": "ai-component-due-diligence",
            "recipient_email": "ada@vendor.example",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["questionnaire_version"] == 1  # the latest published one, not the draft
    assert "/supplier-answer/" in body["link"] and body["status"] == "sent"
    r = send(admin_client, f"/supplier-assessments/{body['ref_id']}/review", {"decision": "acceptable"})
    assert r.status_code == 409
    r = send(admin_client, "/supplier-assessments?status=sent", method="GET")
    assert r.json()["count"] == 1


def test_the_permission_of_each_operation_is_declared() -> None:
    from keel.site.api import api

    doc = api.get_openapi_schema()
    ops = [
        op
        for path, item in doc["paths"].items()
        for op in item.values()
        if "supplier" in path or "questionnaire" in path
    ]
    assert ops and all("x-keel-permission" in op for op in ops)
