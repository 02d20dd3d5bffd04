"""Concurrent writers on nonconformities, on PostgreSQL (docs/adr/0014-concurrent-writers.md):
two closers, two editors, two editors from the same version, two raisers. Each race is widened
(:func:`widen_race`), so without the row lock one of each pair's writes would be lost."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from keel.improvement import actions, services
from keel.improvement.models import Nonconformity
from keel.organisation.tests.factories import OrganisationFactory, UserFactory
from keel.platform.actor import Actor
from keel.platform.concurrency import EditConflict, version_of
from keel.platform.errors import ValidationFailed
from keel.platform.models import TrailEntry
from tests.concurrency.harness import postgres_only, run_at_once, widen_race

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
ACTOR = Actor.system("race")
RAISED = dt.date(2026, 3, 2)


def _nc(title: str = "Start") -> Nonconformity:
    return services.raise_nonconformity(
        ACTOR, organisation=None, title=title, description="start", source="internal_audit", raised_on=RAISED
    )


def _ready_to_close() -> Nonconformity:
    owner = UserFactory.create(email="owner@example.com")
    nc = _nc()
    services.record_correction(ACTOR, nc.pk, correction="Contained.", corrected_on=RAISED)
    services.record_root_cause(ACTOR, nc.pk, method="free", conclusion="No owner.", analysed_on=RAISED)
    ca = actions.add_action(ACTOR, nc.pk, description="Name one.", owner=owner, due_on=dt.date(2026, 4, 1))
    actions.complete_action(ACTOR, ca.pk, done_on=dt.date(2026, 3, 20), note="Named.")
    services.record_effectiveness(
        ACTOR, nc.pk, effective=True, checked_by=owner, checked_on=dt.date(2026, 4, 2), evidence_note="RACI"
    )
    return nc


def _trail(nc: Nonconformity, field: str) -> list[Any]:
    entries = TrailEntry.objects.filter(
        object_type="improvement.nonconformity", object_id=str(nc.pk)
    ).order_by("seq")
    changes = [json.loads(e.payload).get("changes") or {} for e in entries]
    return [c[field][1] for c in changes if field in c]


def test_two_closers_close_once() -> None:
    OrganisationFactory.create()
    nc = _ready_to_close()
    with widen_race(0.05):
        results = run_at_once(
            lambda: services.close_nonconformity(ACTOR, nc.pk, closed_on=dt.date(2026, 4, 3)),
            lambda: services.close_nonconformity(ACTOR, nc.pk, closed_on=dt.date(2026, 4, 4)),
        )
    closed = [r for r in results if isinstance(r, Nonconformity)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(closed) == 1 and len(refused) == 1, results
    assert "already closed" in refused[0].message
    assert _trail(nc, "status").count("closed") == 1
    assert Nonconformity.objects.get(pk=nc.pk).closed_on == closed[0].closed_on


def test_two_editors_of_different_fields_lose_nothing() -> None:
    OrganisationFactory.create()
    nc = _nc()
    with widen_race(0.01):
        for i in range(20):
            results = run_at_once(
                lambda i=i: services.update_nonconformity(ACTOR, nc.pk, title=f"title {i}"),
                lambda i=i: services.update_nonconformity(ACTOR, nc.pk, description=f"description {i}"),
            )
            for r in results:
                if isinstance(r, BaseException):
                    raise r
            stored = Nonconformity.objects.get(pk=nc.pk)
            assert (stored.title, stored.description) == (f"title {i}", f"description {i}"), f"pair {i}"
    assert _trail(nc, "title")[-1] == "title 19" and len(_trail(nc, "title")) == 21
    assert Nonconformity.objects.get(pk=nc.pk).revision == 41  # the raise and 40 edits


def test_two_editors_from_the_same_version_one_conflicts() -> None:
    OrganisationFactory.create()
    nc = _nc()
    seen = version_of(nc)
    with widen_race(0.05):
        results = run_at_once(
            lambda: services.update_nonconformity(ACTOR, nc.pk, expected_version=seen, title="Mine"),
            lambda: services.update_nonconformity(ACTOR, nc.pk, expected_version=seen, title="Yours"),
        )
    conflicts = [r for r in results if isinstance(r, EditConflict)]
    saved = [r for r in results if isinstance(r, Nonconformity)]
    assert len(conflicts) == 1 and len(saved) == 1, results
    assert Nonconformity.objects.get(pk=nc.pk).title == saved[0].title


def test_two_raisers_get_two_references() -> None:
    OrganisationFactory.create()
    results = run_at_once(lambda: _nc("One"), lambda: _nc("Two"))
    for r in results:
        if isinstance(r, BaseException):
            raise r
    assert sorted(r.ref_id for r in results) == ["NC-001", "NC-002"]
