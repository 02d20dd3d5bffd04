"""Constraints of the crosswalk models hold in the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from keel.mapping.choices import Origin, Relation
from keel.mapping.models import Crosswalk, CrosswalkRelation
from keel.standards.models import Requirement, Standard


@pytest.fixture
def crosswalk(db: Any) -> Crosswalk:
    return Crosswalk.objects.create(
        key="test-27001-42001",
        name="Test",
        source=Standard.objects.get(key="iso27001:2022"),
        target=Standard.objects.get(key="iso42001:2023"),
        origin=Origin.USER,
    )


def _req(key: str) -> Requirement:
    return Requirement.objects.get(key=key)


def test_relation_inverse_swaps_subset_and_superset_only() -> None:
    assert Relation.inverse("subset") == "superset"
    assert Relation.inverse("superset") == "subset"
    for same in ("equal", "intersects", "not_related"):
        assert Relation.inverse(same) == same


def test_related_has_a_source_and_not_related_may_name_one(crosswalk: Crosswalk) -> None:
    target = _req("iso42001:2023:A.5.2")
    CrosswalkRelation.objects.create(
        crosswalk=crosswalk, target=target, relation=Relation.NOT_RELATED, rationale="AI only"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CrosswalkRelation.objects.create(
            crosswalk=crosswalk, target=target, relation=Relation.SUBSET, rationale="no source"
        )
    # a pair reviewed and found to share only a theme keeps its source and rationale
    pair = CrosswalkRelation.objects.create(
        crosswalk=crosswalk,
        source=_req("iso27001:2022:A.5.1"),
        target=target,
        relation=Relation.NOT_RELATED,
        rationale="source given",
    )
    assert pair.source is not None


def test_one_relation_per_pair(crosswalk: Crosswalk) -> None:
    source, target = _req("iso27001:2022:A.5.19"), _req("iso42001:2023:A.10.3")
    CrosswalkRelation.objects.create(
        crosswalk=crosswalk, source=source, target=target, relation=Relation.SUBSET, rationale="r"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CrosswalkRelation.objects.create(
            crosswalk=crosswalk, source=source, target=target, relation=Relation.EQUAL, rationale="r"
        )


def test_a_crosswalk_relates_two_different_standards(db: Any) -> None:
    iso27001 = Standard.objects.get(key="iso27001:2022")
    with pytest.raises(IntegrityError), transaction.atomic():
        Crosswalk.objects.create(key="self", name="Self", source=iso27001, target=iso27001)
