"""Raising a nonconformity: the service every source calls."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from keel.improvement import services
from keel.improvement.choices import NonconformitySource, NonconformityStatus
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform.actor import Actor
from keel.platform.errors import PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry

pytestmark = pytest.mark.django_db


def test_raise_gives_an_open_nc_with_links_and_a_trail_entry(
    system_actor: Actor, org: Organisation, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # When
    nc = services.raise_nonconformity(
        system_actor,
        organisation=org,
        title="Access reviews skipped in Q2",
        description="No quarterly access review record for Q2.",
        source=NonconformitySource.INTERNAL_AUDIT,
        source_ref="AUD-2026-01 F-3",
        kind="major",
        management_systems=[isms, aims.short_name],
        requirements=["iso27001:2022:9.2"],
        raised_on=dt.date(2026, 5, 4),
    )
    second = services.raise_nonconformity(
        system_actor, organisation=None, title="B", description="B", source="incident"
    )
    # Then
    assert nc.ref_id == "NC-001" and second.ref_id == "NC-002"
    assert nc.status == NonconformityStatus.OPEN
    assert {m.short_name for m in nc.management_systems.all()} == {isms.short_name, aims.short_name}
    assert [r.key for r in nc.requirements.all()] == ["iso27001:2022:9.2"]
    entry = TrailEntry.objects.filter(object_id=str(nc.pk)).get()
    assert json.loads(entry.payload)["changes"]["ref_id"] == [None, "NC-001"]


def test_raise_refuses_an_unknown_source_and_changes_nothing(system_actor: Actor, org: Organisation) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.raise_nonconformity(
            system_actor, organisation=org, title="A", description="A", source="gossip"
        )
    assert "source" in exc.value.fields
    assert not services.Nonconformity.objects.exists()


def test_a_viewer_may_not_raise(make_user, org: Organisation, isms: ManagementSystem) -> None:  # type: ignore[no-untyped-def]
    viewer = make_user("viewer")
    with pytest.raises(PermissionDenied):
        services.raise_nonconformity(
            Actor.for_user(viewer, "web"),
            organisation=org,
            title="A",
            description="A",
            source="complaint",
            management_systems=[isms],
        )


def test_figures_and_for_source(system_actor: Actor, org: Organisation, isms: ManagementSystem) -> None:
    from keel.improvement import figures

    services.raise_nonconformity(
        system_actor,
        organisation=org,
        title="A",
        description="A",
        source="internal_audit",
        source_ref="AUD-1 F-1",
        management_systems=[isms],
        raised_on=dt.date(2026, 3, 1),
    )
    f = figures.figures(management_systems=[isms.pk], since=dt.date(2026, 1, 1), on=dt.date(2026, 6, 30))
    assert f.open == 1 and f.raised_in_period == 1 and f.by_status == {"open": 1}
    assert [nc.source_ref for nc in figures.for_source("internal_audit", "AUD-1 F-1")] == ["AUD-1 F-1"]
