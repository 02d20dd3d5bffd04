"""The EU AI Act API: classify, read the reasons, the catalogue with its date history, set an
obligation status with a version check, the operating-model advice, and a fixed number of
queries for the lists whatever the number of systems."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keel.aiact import services
from keel.aisystems.tests import factories as af
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor

API = "/api/v1"
pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def send(client: Client, path: str, body: Any = None, method: str = "POST", **headers: str) -> Any:
    return client.generic(
        method, API + path, json.dumps(body or {}), content_type="application/json", **headers
    )


def test_classify_and_track_obligations_through_the_api(admin_client: Client, aims: ManagementSystem) -> None:
    af.ai_system(aims, short_name="support-bot")
    r = send(
        admin_client,
        "/ai-act-classifications",
        {"ai_system": "support-bot", "role": "provider", "answers": {"eu_use": True, "art50_1": True}},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["tier"], body["transparency_cases"], body["version"]) == ("transparency", ["50(1)"], 1)
    assert any(x["question"] == "art50_1" for x in body["reasons"])
    # a bad answer is a 422 naming the field, and nothing is stored
    bad = send(
        admin_client,
        "/ai-act-classifications",
        {"ai_system": "support-bot", "role": "provider", "answers": {"x": True}},
    )
    assert bad.status_code == 422 and "answers" in bad.json()["error"]["fields"]
    listed = admin_client.get(API + "/ai-act-classifications?current=true").json()
    assert listed["count"] == 1

    catalogue = {o["key"]: o for o in admin_client.get(API + "/obligations").json()}
    art9 = catalogue["art9-risk-management"]["timelines"][0]
    assert (art9["original_date"], art9["current_date"]) == ("2026-08-02", "2027-12-02")
    assert art9["changed_by"].startswith("Regulation (EU) 2026/1744")

    rows = admin_client.get(API + "/obligation-statuses?ai_system=support-bot").json()["items"]
    assert {r["obligation"] for r in rows} == {"art4-literacy", "art50-1-interaction"}
    put = send(
        admin_client, "/obligation-statuses/support-bot/art50-1-interaction", {"status": "met"}, method="PUT"
    )
    assert put.status_code == 200 and put.json()["status"] == "met"
    stale = send(
        admin_client,
        "/obligation-statuses/support-bot/art50-1-interaction",
        {"status": "in_progress", "version": "stale"},
        method="PUT",
    )
    assert stale.status_code == 409
    ok = send(
        admin_client,
        "/obligation-statuses/support-bot/art50-1-interaction",
        {"note": "Banner shown."},
        method="PUT",
        HTTP_IF_MATCH=put["ETag"],
    )
    assert ok.status_code == 200 and ok.json()["status"] == "met"


def test_the_operating_model_advice(admin_client: Client, aims: ManagementSystem) -> None:
    answers = {"ai_centrality": "supporting", "ai_separate": "yes", "high_risk": "yes", "team_size": "large"}
    r = send(admin_client, "/operating-model", {"answers": answers})
    assert r.status_code == 201 and r.json()["recommendation"] == "federated"
    small = {**answers, "ai_separate": "no", "team_size": "small"}
    assert send(admin_client, "/operating-model", {"answers": small}).json()["recommendation"] == "unified"
    state = admin_client.get(API + "/operating-model").json()
    assert (state["current"]["version"], len(state["history"])) == (2, 2)
    assert send(admin_client, "/operating-model", {"answers": {"ai_centrality": "core"}}).status_code == 422


def test_the_lists_take_a_fixed_number_of_queries(admin_client: Client, aims: ManagementSystem) -> None:
    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(API + path).status_code == 200
        return len(ctx.captured_queries)

    def grow(n: int) -> None:
        for i in range(n):
            s = af.ai_system(aims, short_name=f"sys-{n}-{i}")
            services.classify_system(SYSTEM, s, role="deployer", answers={"eu_use": True, "annex3_5b": True})
            services.set_obligation_status(SYSTEM, s, "art26-deployer", status="in_progress")

    grow(1)
    before = {p: count(p) for p in ("/ai-act-classifications", "/obligation-statuses")}
    grow(3)
    assert {p: count(p) for p in before} == before
