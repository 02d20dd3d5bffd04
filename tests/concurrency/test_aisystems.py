"""Concurrent writers on AI systems (issue 9 "Done when"), on PostgreSQL: a hundred pairs of
simultaneous updates of different fields of one AI system through the services, and a few
through the API, lose nothing and the trail agrees with the table (``widen_race`` makes the
lost update certain without the row lock)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from keel.aisystems import services
from keel.aisystems.models import AISystem
from keel.aisystems.tests import factories as f
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from .harness import postgres_only, run_at_once, widen_race
from .replay import library_back_after_flush, replayed

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]
PAIRS = 100
A, B = Actor.system("writer-a"), Actor.system("writer-b")
FIELDS = ("purpose", "human_oversight")


def test_a_hundred_pairs_of_service_updates_of_one_ai_system_lose_nothing(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    lost = 0
    with widen_race(0.02):
        for i in range(PAIRS):
            results = run_at_once(
                lambda i=i: services.update_system(A, system.pk, purpose=f"Purpose {i}"),
                lambda i=i: services.update_system(B, system.pk, human_oversight=f"Oversight {i}"),
            )
            assert not [r for r in results if isinstance(r, BaseException)], results
            now = AISystem.objects.get(pk=system.pk)
            lost += (now.purpose, now.human_oversight) != (f"Purpose {i}", f"Oversight {i}")
    assert lost == 0, f"{lost} of {PAIRS} pairs lost a write"
    now = AISystem.objects.get(pk=system.pk)
    assert replayed(now, FIELDS) == {k: getattr(now, k) for k in FIELDS}


def test_api_patches_of_one_ai_system_at_once_lose_nothing(
    aims: ManagementSystem, admin: User, login_client: Callable[[User], Client]
) -> None:
    system = f.ai_system(aims)
    one, two = login_client(admin), login_client(admin)
    url = f"/api/v1/ai-systems/{system.short_name}"

    def patch(client: Client, body: dict[str, str]) -> int:
        return client.patch(url, json.dumps(body), content_type="application/json").status_code

    with widen_race(0.02):
        for i in range(5):
            codes = run_at_once(
                lambda i=i: patch(one, {"purpose": f"API purpose {i}"}),
                lambda i=i: patch(two, {"human_oversight": f"API oversight {i}"}),
            )
            assert codes == [200, 200], codes
            now = AISystem.objects.get(pk=system.pk)
            assert (now.purpose, now.human_oversight) == (f"API purpose {i}", f"API oversight {i}")
    now = AISystem.objects.get(pk=system.pk)
    assert replayed(now, FIELDS) == {k: getattr(now, k) for k in FIELDS}


def test_two_deploys_of_versions_of_one_model_at_once_leave_one_deployed(aims: ManagementSystem) -> None:
    # Given two passing versions of one model and an approved impact assessment
    from keel.aisystems.models import ModelVersion
    from keel.impact.tests import factories as impact_factories

    system = f.ai_system(aims, lifecycle_stage="verification")
    for label in ("1", "2"):
        f.passing_evaluation(system, f.model_version(system, label))
    impact_factories.approved(system)

    # When both are deployed at once, and then the same one twice at once
    with widen_race(0.02):
        results = run_at_once(
            lambda: services.deploy_model_version(A, system.pk, "gbm@1"),
            lambda: services.deploy_model_version(B, system.pk, "gbm@2"),
        )
    assert not [r for r in results if isinstance(r, BaseException)], results
    # Then they ran one after the other: exactly one version is deployed, the other retired
    statuses = sorted(ModelVersion.objects.filter(model__ai_system=system).values_list("status", flat=True))
    assert statuses == ["deployed", "retired"]
    retired = ModelVersion.objects.get(model__ai_system=system, status="retired")
    with widen_race(0.02):
        results = run_at_once(
            lambda: services.deploy_model_version(A, system.pk, retired.pk),
            lambda: services.deploy_model_version(B, system.pk, retired.pk),
        )
    assert sum(isinstance(r, BaseException) and "already deployed" in str(r) for r in results) == 1, results
    assert ModelVersion.objects.filter(model__ai_system=system, status="deployed").count() == 1
