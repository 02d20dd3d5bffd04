"""The audits API: shapes, the flow through the endpoints, errors and permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from keel.platform.choices import Role

from . import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"


def send(client: Client, path: str, body: Any = None, method: str = "POST", **headers: Any) -> Any:
    return client.generic(
        method, API + path, json.dumps(body or {}), content_type="application/json", **headers
    )


def test_an_audit_through_the_api(admin_client: Client, isms: Any, make_user: Any) -> None:
    owner = make_user(email="owner@example.com")
    f.control("KC-401", isms, owner=owner, frequency="monthly")
    r = send(
        admin_client,
        "/audit-programmes",
        {
            "title": "Programme",
            "first_year": 2026,
            "last_year": 2028,
            "standards": ["iso27001:2022"],
            "management_systems": [isms.short_name],
        },
    )
    assert r.status_code == 201, r.content
    prog = r.json()
    assert prog["ref_id"] == "AP-001" and prog["standards"] == ["iso27001:2022"]
    body = {
        "programme": "AP-001",
        "title": "Access",
        "planned_start": "2026-05-04",
        "planned_end": "2026-05-06",
        "requirements": [f.CLAUSE],
        "controls": ["KC-401"],
        "lead_auditor": owner.email,
    }
    r = send(admin_client, "/audits", body)
    assert r.status_code == 422 and "owns control KC-401" in r.json()["error"]["message"]
    assert list(r.json()["error"]["fields"]) == ["lead_auditor"]
    body["lead_auditor"] = make_user(email="lead@example.com").email
    r = send(admin_client, "/audits", body)
    assert r.status_code == 201, r.content
    audit = r.json()
    assert (
        audit["ref_id"] == "AUD-2026-01" and audit["status"] == "planned" and audit["controls"] == ["KC-401"]
    )
    items = admin_client.get(f"{API}/audit-items?audit=AUD-2026-01").json()
    assert items["count"] == 2 and items["items"][1]["control"] == "KC-401"
    control_item = items["items"][1]["id"]
    r = send(
        admin_client,
        f"/audit-items/{control_item}/sample",
        {"period_start": "2026-01-01", "period_end": "2026-03-31", "seed": 7},
    )
    assert r.status_code == 409 and "has not started" in r.json()["error"]["message"]
    r = send(admin_client, "/audits/AUD-2026-01/status", {"status": "in_progress"})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = send(
        admin_client,
        f"/audit-items/{control_item}/sample",
        {"period_start": "2026-01-01", "period_end": "2026-03-31", "seed": 7},
    )
    assert r.status_code == 201 and [s["label"] for s in r.json()] == ["2026-01", "2026-02", "2026-03"]
    sample_id = r.json()[0]["id"]
    r = send(
        admin_client, f"/samples/{sample_id}", {"result": "effective", "note": "Signed off."}, method="PATCH"
    )
    assert r.status_code == 200 and r.json()["result"] == "effective"
    r = send(
        admin_client,
        f"/audit-items/{control_item}",
        {"result": "major_nc", "notes": "Two months unsigned."},
        method="PATCH",
    )
    assert r.status_code == 200 and r.json()["result"] == "major_nc"
    r = send(
        admin_client,
        "/findings",
        {
            "audit": "AUD-2026-01",
            "grade": "major_nc",
            "title": "Reviews skipped",
            "description": "No review in February or March.",
            "item": control_item,
        },
    )
    assert r.status_code == 201 and r.json()["ref"] == "F-1" and r.json()["controls"] == ["KC-401"]
    finding_id = r.json()["id"]
    r = send(admin_client, f"/findings/{finding_id}/nonconformity", {"owner": owner.email})
    assert r.status_code == 201 and r.json()["nonconformity"].startswith("NC-")
    assert admin_client.get(f"{API}/findings?raised=yes").json()["count"] == 1
    assert admin_client.get(f"{API}/samples?audit=AUD-2026-01").json()["count"] == 3
    r = admin_client.get(f"{API}/audits/AUD-2026-01")
    assert r.status_code == 200 and r["ETag"]
    stale = send(admin_client, "/audits/AUD-2026-01", {"title": "X", "version": "stale"}, method="PATCH")
    assert stale.status_code == 409


def test_permissions_and_not_found(login_client: Any, make_user: Any, isms: Any) -> None:
    a = f.audit(f.programme([isms]))
    auditor = login_client(make_user(Role.AUDITOR))
    assert auditor.get(f"{API}/audits/{a.ref_id}").status_code == 200
    assert (
        send(auditor, "/audit-programmes", {"title": "X", "first_year": 2026, "last_year": 2026}).status_code
        == 403
    )
    assert send(auditor, f"/audits/{a.ref_id}/status", {"status": "in_progress"}).status_code == 403
    assert auditor.get(f"{API}/audits/AUD-1999-01").status_code == 404
    assert auditor.get(f"{API}/audits?status=bogus").status_code == 422
