"""Concurrent writers on risks (issue 9, defect 1 and "Done when"), on PostgreSQL: pairs of
simultaneous updates of different fields of one risk — through the services, the API and the
edit page — lose nothing and the trail agrees with the table; simultaneous creates get distinct
references. ``widen_race`` holds each writer between its change and its trail entry, so
without the row lock every pair would lose one write."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User
from keel.risks import services
from keel.risks.models import Risk
from keel.risks.tests import factories as f
from tests.formpost import form_values

from .harness import postgres_only, run_at_once, widen_race
from .replay import library_back_after_flush, replayed

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]
PAIRS = 100
A, B = Actor.system("writer-a"), Actor.system("writer-b")


def test_a_hundred_pairs_of_service_updates_of_one_risk_lose_nothing(
    isms: ManagementSystem, admin: User
) -> None:
    risk = f.is_risk(isms, admin)
    lost = 0
    with widen_race(0.02):
        for i in range(PAIRS):
            results = run_at_once(
                lambda i=i: services.update_risk(A, risk.pk, title=f"Title {i}"),
                lambda i=i: services.update_risk(B, risk.pk, threat=f"Threat {i}"),
            )
            assert not [r for r in results if isinstance(r, BaseException)], results
            now = Risk.objects.get(pk=risk.pk)
            lost += (now.title, now.threat) != (f"Title {i}", f"Threat {i}")
    assert lost == 0, f"{lost} of {PAIRS} pairs lost a write"
    now = Risk.objects.get(pk=risk.pk)
    assert replayed(now, ("title", "threat")) == {"title": now.title, "threat": now.threat}


def test_simultaneous_creates_get_distinct_references(isms: ManagementSystem, admin: User) -> None:
    f.methodology()
    f.ai_system(isms)

    def create(register: str, i: int) -> Risk:
        data: dict[str, Any] = {"title": f"Risk {i}", "inherent_likelihood": 2, "inherent_impact": 2}
        if register == "is":
            data["process"] = "Remote work"
        else:
            data["ai_system"] = "credit-scoring"
        return services.create_risk(A, register=register, management_system=isms.pk, owner=admin, **data)

    with widen_race(0.02):
        results = run_at_once(*(lambda i=i, r=r: create(r, i) for i in range(6) for r in ("is", "ai")))
    assert not [r for r in results if isinstance(r, BaseException)], results
    refs = sorted(r.ref_id for r in results)
    assert refs == sorted([f"IS-{n:03d}" for n in range(1, 7)] + [f"AI-{n:03d}" for n in range(1, 7)])


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_api_patches_and_edit_pages_at_once_lose_nothing(
    isms: ManagementSystem, admin: User, login_client: Callable[[User], Client]
) -> None:
    risk = f.is_risk(isms, admin)
    one, two = login_client(admin), login_client(admin)
    url = f"/api/v1/risks/{risk.ref_id}"
    with widen_race(0.02):
        for i in range(5):  # two API clients, different fields, no If-Match: both apply
            results = run_at_once(
                lambda i=i: _patch(one, url, {"title": f"API title {i}"}),
                lambda i=i: _patch(two, url, {"vulnerability": f"API vulnerability {i}"}),
            )
            assert [r.status_code for r in results] == [200, 200]
            now = Risk.objects.get(pk=risk.pk)
            assert (now.title, now.vulnerability) == (f"API title {i}", f"API vulnerability {i}")
        page = reverse("risk-edit", args=[risk.ref_id])
        for i in range(5):  # two people save the same edit page: one saves, the other is told
            a, b = form_values(one.get(page).content.decode()), form_values(two.get(page).content.decode())
            results = run_at_once(
                lambda a=a, i=i: one.post(page, {**a, "title": f"Page title {i}"}),
                lambda b=b, i=i: two.post(page, {**b, "threat": f"Page threat {i}"}),
            )
            codes = sorted(r.status_code for r in results)
            assert codes == [302, 422], codes  # never two silent saves of the same version
            told = next(r for r in results if r.status_code == 422).content.decode()
            assert "Someone else saved this record" in told
            now = Risk.objects.get(pk=risk.pk)
            saved = results[0].status_code == 302
            assert (now.title == f"Page title {i}") is saved
            assert (now.threat == f"Page threat {i}") is not saved
    now = Risk.objects.get(pk=risk.pk)
    fields = ("title", "threat", "vulnerability")
    assert replayed(now, fields) == {k: getattr(now, k) for k in fields}
