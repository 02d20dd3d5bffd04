"""Concurrent writers on the legal register and the Art. 27 assessment, on PostgreSQL: pairs of
simultaneous updates of different fields of one record through the services lose nothing, and
the trail agrees with the table (``widen_race`` makes the lost update certain without the lock)."""

from __future__ import annotations

import pytest

from keel.aiact import fria, services
from keel.aiact.models import FundamentalRightsAssessment
from keel.aisystems.tests import factories as af
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.support import legal
from keel.support.models import LegalRequirement

from .harness import postgres_only, run_at_once, widen_race
from .replay import library_back_after_flush, replayed

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]
PAIRS = 30
A, B = Actor.system("writer-a"), Actor.system("writer-b")


def test_pairs_of_updates_of_one_legal_requirement_lose_nothing(isms: ManagementSystem) -> None:
    lr = legal.create_legal_requirement(
        A,
        management_system=isms.short_name,
        title="GDPR",
        kind="regulation",
        source="Art. 32",
        summary="Protect.",
    )
    lost = 0
    with widen_race(0.02):
        for i in range(PAIRS):
            results = run_at_once(
                lambda i=i: legal.update_legal_requirement(A, lr.pk, source=f"Art. {i}"),
                lambda i=i: legal.update_legal_requirement(B, lr.pk, jurisdiction=f"EU {i}"),
            )
            assert not [r for r in results if isinstance(r, BaseException)], results
            now = LegalRequirement.objects.get(pk=lr.pk)
            lost += (now.source, now.jurisdiction) != (f"Art. {i}", f"EU {i}")
    assert lost == 0, f"{lost} of {PAIRS} pairs lost a write"
    now = LegalRequirement.objects.get(pk=lr.pk)
    assert replayed(now, ("source", "jurisdiction")) == {
        "source": now.source,
        "jurisdiction": now.jurisdiction,
    }


def test_pairs_of_updates_of_one_fundamental_rights_assessment_lose_nothing(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    services.classify_system(A, system, role="deployer", answers={"eu_use": True, "annex3_5b": True})
    record = fria.start(A, system)
    lost = 0
    with widen_race(0.02):
        for i in range(PAIRS):
            results = run_at_once(
                lambda i=i: fria.update(A, record.pk, processes=f"Process {i}"),
                lambda i=i: fria.update(B, record.pk, complaints=f"Complaints {i}"),
            )
            assert not [r for r in results if isinstance(r, BaseException)], results
            now = FundamentalRightsAssessment.objects.get(pk=record.pk)
            lost += (now.processes, now.complaints) != (f"Process {i}", f"Complaints {i}")
    assert lost == 0, f"{lost} of {PAIRS} pairs lost a write"
    now = FundamentalRightsAssessment.objects.get(pk=record.pk)
    assert replayed(now, ("processes", "complaints")) == {
        "processes": now.processes,
        "complaints": now.complaints,
    }
