"""The documents API: draft, review, approval refused for the author (403) and given by another,
publish, acknowledgements per person, coverage, versions; lists answer in a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User

from .factories import approved_policy, policy

pytestmark = pytest.mark.django_db


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def test_the_workflow_through_the_api(
    make_user: Callable[..., User], login_client: Callable[[User], Client], isms: ManagementSystem
) -> None:
    author = make_user(Role.COMPLIANCE_MANAGER, email="author@example.com")
    approver = make_user(Role.COMPLIANCE_MANAGER, email="approver@example.com")
    reader = make_user(Role.VIEWER, isms, email="reader@example.com")
    a, b = login_client(author), login_client(approver)

    r = _json(
        a,
        "POST",
        "/api/v1/documents",
        {
            "title": "AI policy",
            "kind": "policy",
            "owner": author.email,
            "management_systems": ["isms"],
            "requirements": ["iso42001:2023:5.2", "iso42001:2023:A.2.2"],
            "body": "We use AI responsibly.",
        },
    )
    assert r.status_code == 201, r.json()
    doc = r.json()
    assert (doc["ref_id"], doc["status"], doc["current_version"]) == ("DOC-001", "draft", "1.0")
    assert (
        _json(a, "POST", "/api/v1/documents/DOC-001/review", {"reviewers": [approver.email]}).status_code
        == 200
    )
    refused = _json(a, "POST", "/api/v1/documents/DOC-001/approve", {})
    assert refused.status_code == 403 and "cannot approve it" in refused.json()["error"]["message"]
    ok = _json(b, "POST", "/api/v1/documents/DOC-001/approve", {})
    assert ok.status_code == 200 and ok.json()["approver"] == approver.email

    r = _json(
        a, "POST", "/api/v1/documents/DOC-001/publish", {"audience": "people", "people": [reader.email]}
    )
    assert r.status_code == 201 and r.json()["asked"] == 1
    acks = a.get("/api/v1/acknowledgements", {"person": reader.email, "status": "pending"}).json()
    assert [x["document"] for x in acks["items"]] == ["DOC-001"]
    done = _json(
        login_client(reader), "POST", f"/api/v1/acknowledgements/{acks['items'][0]['id']}/acknowledge"
    )
    assert done.status_code == 200 and done.json()["channel"] == "keel"
    assert a.get("/api/v1/acknowledgements", {"status": "pending"}).json()["count"] == 0

    cov = a.get("/api/v1/documents/coverage", {"management_system": "isms"}).json()
    assert [c["standard"] for c in cov] == [
        "iso27001:2022"
    ]  # isms covers 27001 only: the AI policy's keys are elsewhere
    versions = a.get("/api/v1/document-versions", {"document": "DOC-001"}).json()
    assert [v["label"] for v in versions["items"]] == ["1.0"]


def test_lists_run_a_fixed_number_of_queries(
    make_user: Callable[..., User], admin_client: Client, isms: ManagementSystem
) -> None:
    author = make_user(Role.COMPLIANCE_MANAGER, email="author@example.com")
    approver = make_user(Role.COMPLIANCE_MANAGER, email="approver@example.com")

    def counts() -> list[int]:
        out = []
        for url in (
            "/api/v1/documents",
            "/api/v1/document-versions",
            "/api/v1/acknowledgements",
            "/documents/",
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert admin_client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    approved_policy(author, approver, [isms], requirements=["iso27001:2022:5.2"])
    one = counts()
    for n in range(3):
        approved_policy(author, approver, [isms], title=f"Policy {n}", requirements=["iso27001:2022:A.5.1"])
    assert counts() == one


def test_the_list_filters_mean_the_same_in_the_api_and_on_the_page(
    make_user: Callable[..., User], login_client: Callable[[User], Client], isms: ManagementSystem
) -> None:
    """The document list's filters are declared once (issue 10): the API's ``review_due`` is a
    plain yes/no (no by default), the page's a checkbox, and both narrow the list alike."""
    author = make_user(Role.COMPLIANCE_MANAGER, email="author@example.com")
    overdue = policy(author, [isms], title="Backup policy", next_review_on=dt.date(2020, 1, 1))
    policy(author, [isms], title="Access policy", next_review_on=dt.date(2999, 1, 1))
    client = login_client(author)

    def api(query: str) -> list[str]:
        r = client.get(f"/api/v1/documents?{query}")
        assert r.status_code == 200, r.json()
        return [d["ref_id"] for d in r.json()["items"]]

    assert len(api("")) == 2 and len(api("review_due=false")) == 2
    assert api("review_due=true") == [overdue.ref_id] == api("q=Backup&kind=policy&status=draft")
    assert api("status=approved") == [] and len(api("status=all&order=-title")) == 2
    bad = client.get("/api/v1/documents?status=someday")
    assert bad.status_code == 422 and "status" in json.dumps(bad.json())
    assert client.get(f"/api/v1/documents?q={'x' * 101}").status_code == 422

    page = client.get(reverse("document-list"), {"review_due": "on"}).content.decode()
    assert "Backup policy" in page and "Access policy" not in page
    refused = client.get(reverse("document-list"), {"status": "someday", "q": "Access"}).content.decode()
    assert "not understood" in refused and "Backup policy" in refused  # nothing half-applied
