"""The improvement API: the whole loop through the API, its refusals, filters and permissions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keel.organisation.models import ManagementSystem
from keel.platform.models import User

from . import factories as f

API = "/api/v1"
pytestmark = pytest.mark.django_db


def send(client: Client, path: str, body: Any = None, method: str = "POST", **headers: Any) -> Any:
    return client.generic(
        method, API + path, json.dumps(body or {}), content_type="application/json", **headers
    )


def test_the_loop_through_the_api(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    r = send(
        admin_client,
        "/nonconformities",
        {
            "title": "Model card missing for credit scoring",
            "description": "No model card was published for release 3.2.",
            "source": "monitoring",
            "kind": "minor",
            "management_systems": ["isms"],
            "requirements": ["iso27001:2022:10.2"],
            "owner": admin.email,
            "raised_on": "2026-03-02",
        },
    )
    assert r.status_code == 201, r.content
    nc = r.json()
    assert nc["ref_id"] == "NC-001" and nc["status"] == "open" and nc["owner"] == admin.email
    assert nc["missing_for_closure"] == [
        "correction not recorded",
        "root cause not recorded",
        "no corrective action",
        "effectiveness not recorded",
    ]
    r = send(admin_client, "/nonconformities/NC-001/close", {})
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("NC-001 cannot be closed yet: correction not recorded;")
    r = send(
        admin_client,
        "/nonconformities/NC-001/correction",
        {"correction": "Card published.", "version": "stale"},
    )
    assert r.status_code == 409
    r = send(
        admin_client,
        "/nonconformities/NC-001/correction",
        {"correction": "Card published.", "corrected_on": "2026-03-03"},
    )
    assert r.status_code == 200 and r.json()["status"] == "root_cause"
    r = send(
        admin_client,
        "/nonconformities/NC-001/root-cause",
        {
            "method": "five_whys",
            "whys": ["No card", "Release checklist lacks it"],
            "conclusion": "Checklist gap.",
        },
    )
    assert r.status_code == 200 and r.json()["root_cause_whys"] == ["No card", "Release checklist lacks it"]
    r = send(
        admin_client,
        "/nonconformities/NC-001/actions",
        {
            "description": "Add the model card to the release checklist.",
            "owner": admin.email,
            "due_on": "2026-04-30",
        },
    )
    assert r.status_code == 201, r.content
    ca = r.json()
    assert ca["ref_id"] == "CA-001" and ca["status"] == "open" and ca["nonconformity"] == "NC-001"
    r = send(
        admin_client,
        "/corrective-actions/CA-001/complete",
        {"note": "Checklist updated.", "done_on": "2026-04-02"},
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = send(
        admin_client,
        "/nonconformities/NC-001/effectiveness",
        {
            "effective": True,
            "checked_on": "2026-04-20",
            "evidence_note": "Release 3.3 shipped with its card.",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["checked_by"] == admin.email
    r = send(admin_client, "/nonconformities/NC-001/close", {"closed_on": "2026-04-21"})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["missing_for_closure"] == []
    r = admin_client.get(API + "/nonconformities/NC-001")
    assert r.status_code == 200 and r.headers["ETag"]
    assert [c["effective"] for c in r.json()["effectiveness_checks"]] == [True]


def test_refusals_and_unknowns(admin_client: Client, isms: ManagementSystem) -> None:
    r = send(admin_client, "/nonconformities", {"title": "x", "description": "x", "source": "gossip"})
    assert r.status_code == 422
    r = send(
        admin_client,
        "/nonconformities",
        {"title": "x", "description": "x", "source": "complaint", "requirements": ["nope:1"]},
    )
    assert r.status_code == 422 and "requirements" in r.json()["error"]["fields"]
    r = send(
        admin_client,
        "/nonconformities",
        {"title": "x", "description": "x", "source": "complaint", "colour": "red"},
    )
    assert r.status_code == 422
    assert admin_client.get(API + "/nonconformities/NC-999").status_code == 404
    assert admin_client.get(API + "/corrective-actions/CA-999").status_code == 404
    nc = f.nonconformity(isms)
    assert send(admin_client, f"/nonconformities/{nc.ref_id}", {"title": None}, "PATCH").status_code == 422
    r = send(admin_client, f"/nonconformities/{nc.ref_id}", {"kind": "major"}, "PATCH")
    assert r.status_code == 200 and r.json()["kind"] == "major"


def test_lists_filter_page_and_stay_in_the_perimeter(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    isms: ManagementSystem,
    aims: ManagementSystem,
) -> None:
    owner = make_user(None, email="owner@example.com")
    a = f.analysed(isms, title="ISMS one")
    f.action(a, owner, due_on=dt.date(2026, 3, 10))
    f.nonconformity(aims, title="AIMS one", source="incident")
    f.nonconformity(None, title="Organisation one", source="complaint")
    viewer = login_client(make_user("viewer", isms))
    r = viewer.get(API + "/nonconformities")
    assert r.status_code == 200
    assert sorted(i["title"] for i in r.json()["items"]) == ["ISMS one", "Organisation one"]
    r = viewer.get(API + "/nonconformities?overdue_actions=true")
    assert [i["title"] for i in r.json()["items"]] == ["ISMS one"]
    r = viewer.get(API + "/nonconformities?source=complaint")
    assert [i["title"] for i in r.json()["items"]] == ["Organisation one"]
    r = viewer.get(API + "/nonconformities?status=open_any&limit=1")
    assert r.json()["count"] == 2 and len(r.json()["items"]) == 1
    assert viewer.get(API + "/nonconformities?status=bogus").status_code == 422
    r = viewer.get(API + "/corrective-actions?overdue=true")
    assert [i["ref_id"] for i in r.json()["items"]] == ["CA-001"]
    assert viewer.get(API + "/nonconformities/NC-002").status_code in (403, 404)
    # a viewer reads but does not raise or close
    r = send(
        viewer,
        "/nonconformities",
        {"title": "x", "description": "x", "source": "complaint", "management_systems": ["isms"]},
    )
    assert r.status_code == 403
    assert send(viewer, "/nonconformities/NC-001/close", {}).status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(
    admin_client: Client, isms: ManagementSystem, admin: User
) -> None:
    f.action(f.analysed(isms), admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(API + "/nonconformities").status_code == 200
        return len(ctx.captured_queries)

    first = count()
    for i in range(3):
        f.action(f.analysed(isms, title=f"More {i}"), admin)
    assert count() == first
