"""The AI-system API: inventory, models, evaluations, datasets with lineage, metrics, readings
and flags — happy paths, the one error format, the gate, idempotent pushes, perimeter filtering
and fixed query counts at two sizes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from keel.aisystems.models import MetricFlag, MetricReading
from keel.impact.tests import factories as impact_factories
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.platform.tests.query_counts import queries_of

from . import factories as f

API = "/api/v1"


def send(client: Client, path: str, body: Any, method: str = "POST") -> Any:
    return client.generic(method, API + path, json.dumps(body), content_type="application/json")


def test_create_list_and_filter_ai_systems(admin_client: Client, aims: ManagementSystem, admin: User) -> None:
    # Given / When an embedded system is created through the API
    r = send(
        admin_client,
        "/ai-systems",
        {
            "short_name": "hr-cv",
            "name": "CV screening",
            "management_system": "aims",
            "origin": "embedded",
            "ai_roles": ["customer"],
            "owner": admin.email,
            "deployment_regions": ["UK"],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["lifecycle_stage"] == "design" and r.json()["owner"] == admin.email
    f.ai_system(aims, "credit-scoring")

    # Then the filters select it
    assert [
        i["short_name"] for i in admin_client.get(f"{API}/ai-systems?origin=embedded").json()["items"]
    ] == ["hr-cv"]
    assert [i["short_name"] for i in admin_client.get(f"{API}/ai-systems?role=customer").json()["items"]] == [
        "hr-cv"
    ]
    assert admin_client.get(f"{API}/ai-systems?stage=design").json()["count"] == 2
    assert admin_client.get(f"{API}/ai-systems/hr-cv").json()["origin"] == "embedded"


def test_an_unknown_field_is_refused_in_the_error_format(
    admin_client: Client, aims: ManagementSystem
) -> None:
    r = send(
        admin_client,
        "/ai-systems",
        {"short_name": "x", "name": "X", "management_system": "aims", "origin": "in_house", "colour": "red"},
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "validation_error"


def test_the_stage_action_is_refused_by_the_gate_with_both_conditions(
    admin_client: Client, aims: ManagementSystem
) -> None:
    f.ai_system(aims, lifecycle_stage="verification")
    r = send(admin_client, "/ai-systems/credit-scoring/stage", {"stage": "deployment"})
    assert r.status_code == 409
    message = r.json()["error"]["message"]
    assert "no model version to deploy" in message and "no approved impact assessment" in message
    assert admin_client.get(f"{API}/ai-systems/credit-scoring").json()["lifecycle_stage"] == "verification"


def test_the_gate_refuses_a_version_never_evaluated_in_the_api(
    admin_client: Client, aims: ManagementSystem
) -> None:
    # Given version 1 evaluated and passing, version 2 never evaluated, an approved assessment
    system = f.ai_system(aims, lifecycle_stage="verification")
    v1 = f.model_version(system, "1")
    v2 = f.model_version(system, "2")
    impact_factories.approved(system)
    f.passing_evaluation(system, v1)

    # When the gate is asked about each
    ok = admin_client.get(f"{API}/ai-systems/credit-scoring/gate", {"model_version": "gbm@1"})
    refused = admin_client.get(f"{API}/ai-systems/credit-scoring/gate", {"model_version": str(v2.pk)})

    # Then it names the reason for the one never evaluated
    assert ok.status_code == 200 and ok.json()["passed"] is True and ok.json()["blockers"] == []
    body = refused.json()
    assert body["passed"] is False and body["model_version"] == "2" and body["model"] == "gbm"
    assert "model version gbm 2 has never been evaluated" in body["blockers"][0]

    # and deploying it is refused with 409, nothing changed; the passing one deploys
    r = send(admin_client, "/ai-systems/credit-scoring/deploy", {"model_version": "gbm@2"})
    assert r.status_code == 409 and "never been evaluated" in r.json()["error"]["message"]
    assert admin_client.get(f"{API}/model-versions/{v2.pk}").json()["status"] == "development"
    r = send(admin_client, "/ai-systems/credit-scoring/stage", {"stage": "deployment", "model_version": "2"})
    assert r.status_code == 409
    r = send(admin_client, "/ai-systems/credit-scoring/deploy", {"model_version": "gbm@1", "note": "Go."})
    assert r.status_code == 200 and r.json()["passed"] is True, r.content
    assert admin_client.get(f"{API}/ai-systems/credit-scoring").json()["lifecycle_stage"] == "deployment"
    assert admin_client.get(f"{API}/model-versions?status=deployed").json()["count"] == 1


def test_model_versions_with_their_datasets(admin_client: Client, aims: ManagementSystem) -> None:
    f.ai_system(aims)
    f.dataset(aims, "train-set", may_train=True)
    f.dataset(aims, "holdout", may_evaluate=True)
    model_id = send(
        admin_client, "/models", {"ai_system": "credit-scoring", "name": "gbm", "model_type": "regressor"}
    ).json()["id"]
    r = send(
        admin_client,
        "/model-versions",
        {"model": model_id, "label": "3.3", "trained_on": ["train-set"], "evaluated_on": ["holdout"]},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["trained_on"], body["evaluated_on"], body["status"]) == (
        ["train-set"],
        ["holdout"],
        "development",
    )
    # the direction reads the same from the dataset side
    assert admin_client.get(f"{API}/model-versions?trained_on=train-set").json()["count"] == 1
    assert admin_client.get(f"{API}/model-versions?trained_on=holdout").json()["count"] == 0
    # a hold-out set that may not train is refused as training data, nothing changed
    r = send(admin_client, f"/model-versions/{body['id']}", {"trained_on": ["holdout"]}, "PATCH")
    assert r.status_code == 422 and "not marked for AI training" in r.json()["error"]["message"]
    r = send(admin_client, f"/model-versions/{body['id']}", {"notes": "Six more months."}, "PATCH")
    assert r.json()["notes"] == "Six more months." and r.json()["trained_on"] == ["train-set"]
    assert admin_client.get(f"{API}/models/{model_id}").json()["versions"][0]["label"] == "3.3"


def test_models_and_evaluations(admin_client: Client, aims: ManagementSystem) -> None:
    f.ai_system(aims)
    r = send(
        admin_client,
        "/models",
        {
            "ai_system": "credit-scoring",
            "name": "gbm",
            "version": "3",
            "model_type": "regressor",
            "base_model": "none",
        },
    )
    assert r.status_code == 201, r.content
    model_id = r.json()["id"]
    r = send(
        admin_client,
        "/evaluations",
        {
            "ai_system": "credit-scoring",
            "model_version": "gbm@3",
            "metric": "AUC",
            "comparison": "ge",
            "criterion_value": "0.75",
            "result_value": "0.7",
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["passed"] is False
    assert (r.json()["model"], r.json()["version"]) == ("gbm", "3")
    assert admin_client.get(f"{API}/evaluations?passed=false").json()["count"] == 1
    assert admin_client.get(f"{API}/evaluations", {"model": model_id}).json()["count"] == 1
    r = send(admin_client, f"/models/{model_id}", {"base_model": "gbm-base"}, "PATCH")
    assert r.json()["base_model"] == "gbm-base" and [v["label"] for v in r.json()["versions"]] == ["3"]


def test_dataset_lineage_both_ways_and_cycle_refusal(admin_client: Client, aims: ManagementSystem) -> None:
    for name, parents in (("raw", []), ("clean", ["raw"]), ("features", ["clean"])):
        body = {
            "short_name": name,
            "name": name.title(),
            "management_system": "aims",
            "acquisition": "collected",
            "derived_from": parents,
        }
        assert send(admin_client, "/datasets", body).status_code == 201
    detail = admin_client.get(f"{API}/datasets/clean").json()
    assert [(n["short_name"], n["depth"]) for n in detail["upstream"]] == [("raw", 1)]
    assert [(n["short_name"], n["depth"]) for n in detail["downstream"]] == [("features", 1)]
    r = send(admin_client, "/datasets/raw", {"derived_from": ["features"]}, "PATCH")
    assert r.status_code == 422
    assert "lineage cannot go in a circle" in r.json()["error"]["message"]
    r = send(
        admin_client,
        "/datasets/raw/quality-checks",
        {"metric": "Completeness", "comparison": "ge", "criterion_value": 0.9, "result_value": 0.95},
    )
    assert r.status_code == 201 and r.json()["passed"] is True


def test_pushing_the_same_reading_twice_answers_201_then_200(
    admin_client: Client, aims: ManagementSystem
) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    body = {"system": "credit-scoring", "metric": "accuracy", "value": "0.85", "at": "2026-05-01T12:00:00Z"}
    first = send(admin_client, "/metric-readings", body)
    again = send(admin_client, "/metric-readings", body)
    assert (
        first.status_code == 201 and first.json()["created"] is True and first.json()["flag_opened"] is True
    )
    assert again.status_code == 200 and again.json()["created"] is False
    assert MetricReading.objects.count() == 1
    listed = admin_client.get(f"{API}/metric-readings?system=credit-scoring&breach=true").json()
    assert listed["count"] == 1 and listed["items"][0]["metric"] == "accuracy"
    flag = MetricFlag.objects.get()
    r = send(admin_client, f"/metric-flags/{flag.pk}/close", {"note": "Retrained."})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "closed"


def test_a_contributor_pushes_but_cannot_change_the_threshold(
    aims: ManagementSystem, make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    system = f.ai_system(aims)
    metric = f.metric(system)
    client = login_client(make_user(Role.CONTRIBUTOR, aims))
    ok = send(client, "/metric-readings", {"system": "credit-scoring", "metric": "accuracy", "value": 0.95})
    assert ok.status_code == 201
    refused = send(client, f"/metrics/{metric.pk}", {"threshold": "0.5"}, "PATCH")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"


def test_a_reader_over_another_system_sees_none_of_these(
    aims: ManagementSystem,
    isms: ManagementSystem,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    f.ai_system(aims)
    f.dataset(aims, "raw")
    client = login_client(make_user(Role.VIEWER, isms))
    assert client.get(f"{API}/ai-systems").json()["count"] == 0
    assert client.get(f"{API}/datasets").json()["count"] == 0
    assert client.get(f"{API}/ai-systems/credit-scoring").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/ai-systems",
        "/models",
        "/model-versions",
        "/evaluations",
        "/datasets",
        "/metrics",
        "/metric-readings",
        "/metric-flags",
        "/ai-lifecycle-records",
    ],
)
def test_lists_run_a_fixed_number_of_queries(admin_client: Client, aims: ManagementSystem, path: str) -> None:
    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            system = f.ai_system(aims, f"sys-{i}")
            services_model(system)
            f.passing_evaluation(system)
            f.record(system)
            f.dataset(aims, f"data-{i}", ai_systems=[system.short_name])
            f.metric(system)
            from keel.aisystems import services

            services.push_reading(
                f.SYSTEM, system.short_name, "accuracy", "0.5", f"2026-05-01T0{i % 9}:00:00Z"
            )

    grow(1, 0)
    small = queries_of(admin_client, f"{API}{path}?limit=500")
    grow(4, 1)
    assert queries_of(admin_client, f"{API}{path}?limit=500") == small


def services_model(system: Any) -> None:
    from keel.aisystems import services

    services.create_model(f.SYSTEM, system.pk, name="m", version="1", model_type="classifier")


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("9999-12-31T23:59:59-05:00", "out of range"),
        ("0001-01-01T00:00:00+05:00", "out of range"),
        ("2999-01-01T00:00:00Z", "in the future"),
    ],
)
def test_a_reading_out_of_range_or_from_the_future_is_refused(
    admin_client: Client, aims: ManagementSystem, at: str, message: str
) -> None:
    # Given a metric
    system = f.ai_system(aims)
    f.metric(system)
    # When a reading is pushed at a time that cannot be stored or has not happened yet
    r = send(
        admin_client,
        "/metric-readings",
        {"system": "credit-scoring", "metric": "accuracy", "value": 0.5, "at": at},
    )
    # Then it is refused with a clear message and nothing is stored, no flag opened
    assert r.status_code == 422 and message in r.json()["error"]["message"], r.content
    assert MetricReading.objects.count() == 0 and MetricFlag.objects.count() == 0
    # and the list filter says the same instead of failing
    listed = admin_client.get(f"{API}/metric-readings", {"since": "9999-12-31T23:59:59-05:00"})
    assert listed.status_code == 422
