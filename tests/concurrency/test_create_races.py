"""Concurrent creates that check for a duplicate before inserting (issue 9, the lock audit), on
PostgreSQL: two at once both pass the check, and the later insert hits the unique constraint.
It must answer a clear conflict (409), never an IntegrityError (500), and write one record."""

from __future__ import annotations

from typing import Any

import pytest

from keel.aisystems import services as ai_services
from keel.aisystems.models import Metric
from keel.aisystems.tests import factories as f
from keel.assets import services as asset_services
from keel.assets.models import ClassificationLevel
from keel.gap import services as gap_services
from keel.gap.models import CoverageDecision
from keel.mapping.models import SuggestionDecision
from keel.mapping.suggest import services as suggest_services
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import Conflict
from keel.platform.models import TrailEntry
from keel.standards.models import Requirement, Standard

from .harness import postgres_only, run_at_once, widen_race
from .replay import library_back_after_flush

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]
A, B = Actor.system("writer-a"), Actor.system("writer-b")
ROUNDS = 5


def _one_created_one_conflict(results: list[Any]) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results


def test_two_creates_of_one_metric_at_once_give_one_metric_and_a_conflict(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    data: dict[str, Any] = {"name": "Accuracy", "direction": "higher", "threshold": "0.9", "unit": "ratio"}
    with widen_race(0.05):
        for i in range(ROUNDS):
            results = run_at_once(
                lambda i=i: ai_services.create_metric(A, system.pk, short_name=f"m{i}", **data),
                lambda i=i: ai_services.create_metric(B, system.pk, short_name=f"m{i}", **data),
            )
            _one_created_one_conflict(results)
    assert Metric.objects.filter(ai_system=system).count() == ROUNDS
    assert TrailEntry.objects.filter(object_type="aisystems.metric", action="create").count() == ROUNDS


def test_two_creates_of_one_classification_level_at_once_give_one_level_and_a_conflict(db: Any) -> None:
    with widen_race(0.05):
        for i in range(ROUNDS):
            results = run_at_once(
                *(
                    lambda i=i, who=who: asset_services.create_level(
                        who, key=f"level-{i}", name=f"Level {i}", rank=50 + i
                    )
                    for who in (A, B)
                )
            )
            _one_created_one_conflict(results)
    assert ClassificationLevel.objects.filter(key__startswith="level-").count() == ROUNDS


def test_two_first_gap_decisions_at_once_give_one_decision_and_a_conflict(isms: ManagementSystem) -> None:
    if not Standard.objects.filter(key="iso27001:2022").exists():
        from keel.standards.services import load_library

        load_library(Actor.system("test-setup"))
        isms.standards.set(Standard.objects.filter(key="iso27001:2022"))  # the fixture ran before
    keys = [f"iso27001:2022:A.5.{n}" for n in range(1, 11)]
    conflicts = 0
    with widen_race(0.05):
        for key in keys:
            results = run_at_once(
                lambda key=key: gap_services.decide(A, isms.pk, key, "covered", "Checked by A"),
                lambda key=key: gap_services.decide(B, isms.pk, key, "partial", "Checked by B"),
            )
            # both first (one conflict), or one after the other (the second replaces the first)
            errors = [r for r in results if isinstance(r, BaseException)]
            assert all(isinstance(e, Conflict) for e in errors) and len(errors) < 2, results
            conflicts += len(errors)
    assert CoverageDecision.objects.filter(management_system=isms).count() == len(keys)
    assert conflicts, "no pair raced: the test proved nothing"


def test_two_first_decisions_on_one_mapping_suggestion_at_once_give_one_decision(db: Any) -> None:
    if not Standard.objects.filter(key="iso42001:2023").exists():
        from keel.standards.services import load_library

        load_library(Actor.system("test-setup"))
    sources = [f"iso27001:2022:A.5.{n}" for n in range(1, 11)]
    targets = list(
        Requirement.objects.filter(standard__key="iso42001:2023")
        .order_by("sort_order")
        .values_list("key", flat=True)[:10]
    )
    conflicts = 0
    with widen_race(0.05):
        for source, target in zip(sources, targets, strict=True):
            results = run_at_once(
                lambda s=source, t=target: suggest_services.decide(A, s, t, "rejected"),
                lambda s=source, t=target: suggest_services.decide(B, s, t, "rejected", explanation="B"),
            )
            errors = [r for r in results if isinstance(r, BaseException)]
            assert all(isinstance(e, Conflict) for e in errors) and len(errors) < 2, results
            conflicts += len(errors)
    assert SuggestionDecision.objects.filter(source_requirement__key__in=sources).count() == len(sources)
    assert conflicts, "no pair raced: the test proved nothing"
