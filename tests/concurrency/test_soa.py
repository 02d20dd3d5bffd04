"""Concurrent edits of one SoA row on PostgreSQL (issue 9, defect 1): 100 pairs of updates of
different fields lose nothing, and the trail agrees with the table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from keel.organisation.tests.factories import ManagementSystemFactory, OrganisationFactory
from keel.platform.actor import Actor
from keel.platform.models import TrailEntry
from keel.soa import services
from keel.soa.models import SoARow
from keel.standards.models import Standard
from tests.concurrency.harness import postgres_only, run_at_once, widen_race

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def standards_loaded() -> None:
    """A transactional test empties every table when it ends, the loaded standards too: load
    them again when an earlier test took them away."""
    if not Standard.objects.filter(key="iso27001:2022").exists():
        from keel.standards.services import load_library

        load_library(Actor.system("test-setup"))


def _trail_values(row_id: Any, field: str) -> list[Any]:
    entries = TrailEntry.objects.filter(object_type="soa.soarow", object_id=str(row_id)).order_by("seq")
    changes = [json.loads(e.payload).get("changes") or {} for e in entries]
    return [c[field][1] for c in changes if field in c]


def test_100_pairs_of_row_updates_of_different_fields_lose_nothing_and_the_trail_agrees(
    standards_loaded: None,
) -> None:
    # Given the SoA of a management system and one of its rows
    org = OrganisationFactory.create()
    ms = ManagementSystemFactory.create(
        organisation=org, name="ISMS", short_name="isms", standards=["iso27001:2022"]
    )
    actor = Actor.system("race")
    soa = services.create_soa(actor, ms.pk, "iso27001:2022")
    row = soa.rows.order_by("sort_order").first()
    assert row is not None

    # When 100 pairs of edits of different fields of the row run at once, widened
    with widen_race(0.01):
        for i in range(100):
            results = run_at_once(
                lambda i=i: services.update_row(actor, row.pk, obligations=f"obligations {i}"),
                lambda i=i: services.update_row(actor, row.pk, business_need=f"need {i}"),
            )
            for r in results:
                if isinstance(r, BaseException):
                    raise r
            # Then both edits of the pair are stored
            stored = SoARow.objects.get(pk=row.pk)
            assert (stored.obligations, stored.business_need) == (f"obligations {i}", f"need {i}"), (
                f"pair {i}"
            )

    # And the trail holds each change once, in order
    assert _trail_values(row.pk, "obligations") == [f"obligations {i}" for i in range(100)]
    assert _trail_values(row.pk, "business_need") == [f"need {i}" for i in range(100)]
