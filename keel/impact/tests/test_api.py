"""The impact-assessments API: the done-when journey through HTTP (inventory → impact
assessment → AI risk treated by controls → accepted residual risk → the gate), the error
format, perimeter filtering and fixed query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keel.aisystems.tests import factories as af
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.risks.tests import factories as rf

from . import factories as f

API = "/api/v1"
pytestmark = pytest.mark.django_db


def send(client: Client, path: str, body: Any = None, method: str = "POST") -> Any:
    return client.generic(method, API + path, json.dumps(body or {}), content_type="application/json")


def test_the_journey_through_the_api(
    admin_client: Client,
    admin: User,
    aims: ManagementSystem,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    rf.methodology()
    rf.control("KC-101", aims)
    rf.control("KC-102", aims)
    # An AI system enters the inventory
    r = send(
        admin_client,
        "/ai-systems",
        {
            "short_name": "loan-ai",
            "name": "Loan AI",
            "management_system": aims.short_name,
            "origin": "in_house",
            "purpose": "Scores loan applications.",
            "affected_people": "Loan applicants.",
            "owner": admin.email,
        },
    )
    assert r.status_code == 201, r.content
    # with its model and the version to deploy
    r = send(
        admin_client,
        "/models",
        {"ai_system": "loan-ai", "name": "gbm", "model_type": "regressor", "version": "1"},
    )
    assert r.status_code == 201, r.content
    # Its impact assessment is started (prefilled), gets a harm and a benefit, and is approved
    r = send(admin_client, "/impact-assessments", {"ai_system": "loan-ai", "review_interval_months": 12})
    assert r.status_code == 201, r.content
    a = r.json()
    assert (a["version"], a["status"], a["purpose"]) == (1, "draft", "Scores loan applications.")
    r = send(admin_client, f"/impact-assessments/{a['id']}/impacts", f.HARM)
    assert r.status_code == 201, r.content
    harm = r.json()
    assert harm["objective"] == "iso42001:2023:C.2.5" and harm["level"]
    assert send(admin_client, f"/impact-assessments/{a['id']}/impacts", f.BENEFIT).status_code == 201
    # its author may not approve it; another administrator does
    r = send(admin_client, f"/impact-assessments/{a['id']}/approve", {"note": "Mine."})
    assert r.status_code == 403 and "someone else" in r.json()["error"]["message"]
    reviewer = login_client(make_user(Role.ADMIN))
    r = send(reviewer, f"/impact-assessments/{a['id']}/approve", {"note": "Reviewed."})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and r.json()["due"] is False and r.json()["next_review_at"]
    # An approved version refuses changes, in the one error format
    r = send(admin_client, f"/impact-assessments/{a['id']}", {"scope": "x"}, "PATCH")
    assert r.status_code == 409 and "never changes" in r.json()["error"]["message"]
    # The harm is raised into the AI risk register
    r = send(admin_client, f"/impact-assessments/{a['id']}/impacts/{harm['id']}/raise-risk", {})
    assert r.status_code == 201, r.content
    ref = r.json()["ref_id"]
    # The risk shows the impact, and the impact shows the risk
    risk = admin_client.get(f"{API}/risks/{ref}").json()
    assert risk["impact"] == harm["id"] and risk["ai_system"] == "loan-ai"
    impacts = admin_client.get(f"{API}/impact-assessments/{a['id']}/impacts").json()
    assert [x["ref_id"] for i in impacts for x in i["risks"]] == [ref]
    # It is treated by controls, and the owner accepts the residual risk
    r = send(
        admin_client,
        f"/risks/{ref}",
        {
            "treatment_option": "modify",
            "treatment_plan": "Fairness checks and human review.",
            "controls": ["KC-101", "KC-102"],
            "residual_likelihood": 2,
            "residual_impact": 2,
        },
        "PATCH",
    )
    assert r.status_code == 200, r.content
    r = send(admin_client, f"/risks/{ref}/approve", {})
    assert r.status_code == 200, r.content
    assert admin_client.get(f"{API}/risks/{ref}").json()["acceptance"] == "accepted"
    # With a passing evaluation of its model version the deployment gate passes
    r = send(
        admin_client,
        "/evaluations",
        {
            "ai_system": "loan-ai",
            "model_version": "gbm@1",
            "metric": "AUC",
            "comparison": "ge",
            "criterion_value": "0.7",
            "result_value": "0.8",
        },
    )
    assert r.status_code == 201, r.content
    r = send(admin_client, "/ai-systems/loan-ai/stage", {"stage": "deployment"})
    assert r.status_code == 200, r.content
    assert r.json()["lifecycle_stage"] == "deployment"


def test_a_new_model_makes_the_assessment_due_in_the_api(
    admin_client: Client, aims: ManagementSystem
) -> None:
    system = af.ai_system(aims)
    a = f.approved(system)
    send(
        admin_client,
        "/models",
        {"ai_system": system.short_name, "name": "m", "version": "2", "model_type": "other"},
    )
    body = admin_client.get(f"{API}/impact-assessments/{a.pk}").json()
    assert body["due"] is True and "New model" in body["due_reason"] and body["due_since"]
    due = admin_client.get(f"{API}/impact-assessments?due=true").json()
    assert [i["id"] for i in due["items"]] == [str(a.pk)]
    assert admin_client.get(f"{API}/impact-assessments?due=false").json()["count"] == 0


def test_lists_are_filtered_to_the_callers_systems(
    client: Client, make_user: Any, aims: ManagementSystem, isms: ManagementSystem
) -> None:
    f.draft(af.ai_system(aims, "a-ai"))
    f.draft(af.ai_system(isms, "b-ai"))
    user = make_user(Role.VIEWER, aims)
    client.force_login(user)
    items = client.get(f"{API}/impact-assessments").json()["items"]
    assert [i["ai_system"] for i in items] == ["a-ai"]
    other = f.draft(af.ai_system(isms, "c-ai"))
    assert client.get(f"{API}/impact-assessments/{other.pk}").status_code == 403


def test_the_list_and_the_impacts_take_a_fixed_number_of_queries(
    admin_client: Client, aims: ManagementSystem
) -> None:
    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(API + path).status_code == 200
        return len(ctx)

    def add(n: int, start: int) -> Any:
        last = None
        for i in range(start, start + n):
            last = f.approved(af.ai_system(aims, f"sys-{i}"))
            f.impact(f.draft(last.ai_system), title="Second")
        return last

    a = add(1, 0)
    small = (count("/impact-assessments"), count(f"/impact-assessments/{a.pk}/impacts"))
    b = add(6, 1)
    f.impact(services_draft := b.ai_system.impact_assessments.get(status="draft"), title="Third")
    f.impact(services_draft, title="Fourth")
    rf.ai_risk(aims, User.objects.first(), ai_system=a.ai_system)  # type: ignore[arg-type]
    large = (count("/impact-assessments"), count(f"/impact-assessments/{services_draft.pk}/impacts"))
    assert small == large


def test_the_ai_system_shows_its_assessment_status_and_due_flag(
    admin_client: Client, aims: ManagementSystem
) -> None:
    system = af.ai_system(aims)
    assert (
        admin_client.get(f"{API}/ai-systems/{system.short_name}").json()["impact_assessment_status"] is None
    )
    a = f.approved(system)
    body = admin_client.get(f"{API}/ai-systems/{system.short_name}").json()
    assert (body["impact_assessment_status"], body["impact_assessment_due"]) == ("approved", False)
    from keel.impact.models import ImpactAssessment

    ImpactAssessment.objects.filter(pk=a.pk).update(due=True)
    items = admin_client.get(f"{API}/ai-systems").json()["items"]
    assert [i["impact_assessment_due"] for i in items] == [True]
