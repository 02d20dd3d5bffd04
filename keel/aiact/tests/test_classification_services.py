"""Stored classifications: versions never overwritten, a trail entry each, the redo flag when the
intended use changes, permission and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from keel.aiact import services
from keel.aiact.models import Classification
from keel.aisystems import services as ai
from keel.aisystems.tests import factories as af
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def test_each_classification_is_a_new_version_and_the_old_one_never_changes(aims: ManagementSystem) -> None:
    # Given a credit-scoring system classified once as minimal by mistake
    system = af.ai_system(aims)
    first = services.classify_system(SYSTEM, system, role="deployer", answers={"eu_use": True})
    # When it is classified again with the Annex III answer
    second = services.classify_system(
        SYSTEM, system.short_name, role="deployer", answers={"eu_use": True, "annex3_5b": True}
    )
    # Then there are two versions, the first unchanged, each with its trail entry
    first.refresh_from_db()
    assert (first.version, first.tier, second.version, second.tier) == (1, "minimal", 2, "high_risk")
    assert second.reasons and second.questionnaire_version
    entries = TrailEntry.objects.filter(object_type="aiact.classification").order_by("seq")
    assert [json.loads(e.payload)["changes"]["tier"] for e in entries] == [
        [None, "minimal"],
        ["minimal", "high_risk"],
    ]
    # and a stored version refuses a change of content
    first.tier = "high_risk"
    with pytest.raises(Conflict):
        first.save()


def test_a_change_of_intended_use_makes_the_classification_due_and_a_new_one_clears_it(
    aims: ManagementSystem,
) -> None:
    system = af.ai_system(aims, intended_use="Sorts incoming documents.")
    services.classify_system(SYSTEM, system, role="provider", answers={"eu_use": True})
    ai.update_system(SYSTEM, system.pk, intended_use="Ranks job applicants.")
    c = services.current_classification(system)
    assert c is not None and (c.redo_due, c.redo_reason) == (True, "the intended use was changed")
    again = services.classify_system(
        SYSTEM, system, role="provider", answers={"eu_use": True, "annex3_4a": True}
    )
    assert (again.redo_due, services.current_classification(system)) == (False, again)


def test_bad_answers_and_missing_permission_change_nothing(
    aims: ManagementSystem, make_user: Callable[..., User]
) -> None:
    system = af.ai_system(aims)
    with pytest.raises(ValidationFailed) as exc:
        services.classify_system(SYSTEM, system, role="owner", answers={"eu_use": "maybe"})
    assert set(exc.value.fields) == {"role", "answers"}
    viewer = make_user(Role.VIEWER, aims)
    with pytest.raises(PermissionDenied):
        services.classify_system(
            Actor.for_user(viewer, Channel.WEB), system, role="deployer", answers={"eu_use": True}
        )
    assert not Classification.objects.exists()
