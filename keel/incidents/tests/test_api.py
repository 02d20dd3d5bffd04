"""The incidents API: the done-when of issue 16 (a serious harm-to-people incident shows its
deadline 15 days after awareness, 2 and 10 days in the special cases), the runbook through the
API, errors and permissions."""

from __future__ import annotations

import datetime as dt
import json
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


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("facts", "days"),
    [({}, 15), ({"widespread_or_critical": True}, 2), ({"death": True}, 10)],
)
def test_a_serious_harm_to_people_incident_shows_its_deadline_in_the_api(
    admin_client: Client, aims: Any, facts: dict[str, bool], days: int
) -> None:
    aware = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    r = send(
        admin_client,
        "/incidents",
        {
            "incident_type": "ai-harm",
            "management_system": "aims",
            "title": "Loan refused on a wrong income reading",
            "aware_at": aware.isoformat(),
            "serious_ai_incident": True,
            **facts,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["ref_id"] == "INC-001" and body["family"] == "ai" and body["status"] == "report"
    (clock,) = [c for c in body["clocks"] if c["clock"] == "ai-act-serious-incident"]
    assert _at(clock["due_at"]) == aware + dt.timedelta(days=days)
    assert clock["overdue"] is False and clock["met_at"] is None
    assert days * 24 - 4 <= clock["hours_left"] <= days * 24 - 3
    listed = admin_client.get(f"{API}/incidents?open_clocks=true").json()
    assert listed["count"] == 1 and listed["items"][0]["clocks"][0]["due_at"] == clock["due_at"]


def test_the_runbook_through_the_api(admin_client: Client, isms: Any) -> None:
    incident = f.incident(isms, personal_data_breach=True)
    path = f"/incidents/{incident.ref_id}"
    got = admin_client.get(API + path)
    assert got.status_code == 200 and got["ETag"]
    body = got.json()
    assert [c["clock"] for c in body["clocks"]] == ["gdpr-breach-notification"] and len(body["steps"]) == 6
    r = send(
        admin_client, path, {"severity": "high", "nis2_significant": True}, "PATCH", HTTP_IF_MATCH=got["ETag"]
    )
    assert r.status_code == 200, r.content
    assert len(r.json()["clocks"]) == 4
    assert send(admin_client, path, {"title": "x"}, "PATCH", HTTP_IF_MATCH='"stale"').status_code == 409
    assert send(admin_client, path, {"title": None}, "PATCH").status_code == 422
    clock = r.json()["clocks"][0]
    met = send(admin_client, f"{path}/clocks/{clock['clock']}/met", {"note": "CSIRT case 113"})
    assert met.status_code == 200 and met.json()["met_at"] and met.json()["overdue"] is False
    step = body["steps"][0]["id"]
    assert send(admin_client, f"{path}/steps/{step}", {"done": True}).json()["done_at"]
    assert (
        send(admin_client, f"{path}/timeline", {"text": "Called the insurer.", "kind": "action"}).status_code
        == 201
    )
    refused = send(admin_client, f"{path}/advance", {"to": "closed"})
    assert refused.status_code == 422 and "post-incident review" in refused.json()["error"]["message"]
    review = {
        "what_happened": "Stolen laptop.",
        "root_cause": "Left in a car.",
        "lessons": "Encryption held.",
    }
    assert send(admin_client, f"{path}/review", review, "PUT").status_code == 200
    closed = send(admin_client, f"{path}/advance", {"to": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert send(admin_client, f"{path}/advance", {"to": "learn"}).status_code == 409
    kinds = [e["kind"] for e in closed.json()["timeline"]]
    assert "notification" in kinds and "action" in kinds and kinds[-1] == "status"


def test_errors_and_permissions(
    client: Client, admin_client: Client, isms: Any, aims: Any, login_client: Any, make_user: Any
) -> None:
    f.incident(isms)
    r = send(admin_client, "/incidents", {"incident_type": "nope", "management_system": "isms", "title": "x"})
    assert r.status_code == 422 and "incident_type" in r.json()["error"]["fields"]
    assert admin_client.get(f"{API}/incidents/INC-999").status_code == 404
    assert admin_client.get(f"{API}/incidents?status=bogus").status_code == 422
    assert client.get(f"{API}/incidents").status_code == 401
    naive = (timezone.localtime() - dt.timedelta(days=1)).replace(tzinfo=None, microsecond=0).isoformat()
    r = send(
        admin_client,
        "/incidents",
        {"incident_type": "security-incident", "management_system": "isms", "title": "x", "aware_at": naive},
    )
    assert r.status_code == 201, r.content  # no offset: the organisation's time zone
    assert (
        send(
            admin_client,
            f"/incidents/{r.json()['ref_id']}/timeline",
            {"text": "x", "at": "2999-01-01T00:00:00"},
        ).status_code
        == 422
    )
    contributor = login_client(make_user(Role.CONTRIBUTOR, aims))
    assert contributor.get(f"{API}/incidents").json()["count"] == 0  # isms is not theirs
    assert contributor.get(f"{API}/incidents/INC-001").status_code == 404
    ok = send(
        contributor,
        "/incidents",
        {"incident_type": "ai-misuse", "management_system": "aims", "title": "Prompt injection"},
    )
    assert ok.status_code == 201
    assert send(contributor, f"/incidents/{ok.json()['ref_id']}/advance", {"to": "triage"}).status_code == 403
    assert send(contributor, "/incident-types", {"name": "Mine", "family": "ai"}).status_code == 403


def test_the_catalogue_through_the_api(admin_client: Client, org: Any) -> None:
    types = admin_client.get(f"{API}/incident-types").json()
    assert types["count"] == 7
    harm = admin_client.get(f"{API}/incident-types/ai-harm").json()
    assert (
        harm["family"] == "ai"
        and "ai-act-serious-incident" in harm["clocks"]
        and harm["steps"][0]["stage"] == "triage"
    )
    clocks = {c["slug"]: c for c in admin_client.get(f"{API}/incident-clocks").json()["items"]}
    assert clocks["ai-act-serious-incident"]["duration"] == 15
    assert {(v["condition"], v["duration"]) for v in clocks["ai-act-serious-incident"]["variants"]} == {
        ("widespread_or_critical", 2),
        ("death", 10),
    }
    assert clocks["nis2-final-report"]["unit"] == "months"
    r = send(
        admin_client,
        "/incident-clocks",
        {
            "name": "Lender notice",
            "regime": "contract",
            "duration": 48,
            "unit": "hours",
            "variants": [{"condition": "death", "duration": 12, "unit": "hours"}],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["slug"] == "lender-notice" and r.json()["applies_when"] == ""
    r = send(
        admin_client,
        "/incident-types",
        {"name": "Lender data incident", "family": "security", "clocks": ["lender-notice"]},
    )
    assert r.status_code == 201 and r.json()["clocks"] == ["lender-notice"]
    step = send(
        admin_client,
        "/incident-types/lender-data-incident/steps",
        {"text": "Call the lender.", "stage": "contain"},
    )
    assert step.status_code == 201 and step.json()["order"] == 1
    assert (
        send(
            admin_client, "/incident-types/lender-data-incident/steps", {"text": "x", "stage": "closed"}
        ).status_code
        == 422
    )
    assert (
        send(
            admin_client, "/incident-types/lender-data-incident", {"name": "Lender incident"}, "PATCH"
        ).json()["name"]
        == "Lender incident"
    )
    assert (
        send(
            admin_client,
            "/incident-clocks/lender-notice/variants",
            {"condition": "death", "duration": 1, "unit": "hours"},
        ).status_code
        == 422
    )
