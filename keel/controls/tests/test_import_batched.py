"""Applying a control import in one short, bulk-written transaction (issue 9, defect 10a):
one trail entry per control and link as the per-record services write, a bounded number of
queries under the write lock, and a refusal (nothing written) when the catalogue changed
between the plan and the write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.controls import services as control_services
from keel.controls.importing import services as import_services
from keel.controls.importing.services import import_controls
from keel.controls.models import Control, ControlLink
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict
from keel.platform.models import TrailEntry, User

OPERATOR = Actor.cli()
HEADER = "Control ID,Title,Owner,ISO 27001:2022 reference,Tags\n"


def rows(first: int, count: int, title: str = "Control") -> str:
    return "".join(
        f"KC-{n:04d},{title} {n},owner@example.com,A.5.15,cloud\n" for n in range(first, first + count)
    )


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    return make_user(Role.CONTRIBUTOR, email="owner@example.com")


def test_given_many_rows_then_the_write_is_bulk_and_the_trail_has_one_verified_entry_per_record(
    isms: ManagementSystem, owner: User
) -> None:
    # Given 20 controls already imported, and a file that updates them and adds 150 more
    import_controls(OPERATOR, (HEADER + rows(1, 20)).encode(), "first.csv", management_system="isms")
    seq_before = TrailEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    data = HEADER + rows(1, 20, "Renamed") + rows(21, 150)

    # When
    with CaptureQueriesContext(connection) as queries:
        plan = import_controls(OPERATOR, data.encode(), "second.csv", management_system="isms")

    # Then the rows were written in batches, not one service call (a dozen queries) per row
    assert plan.applied
    assert Control.objects.count() == 170
    assert ControlLink.objects.count() == 170
    assert Control.objects.get(ref_id="KC-0007").title == "Renamed 7"
    assert len(queries) < 120, "\n".join(q["sql"][:90] for q in queries.captured_queries)
    # and the trail holds 20 updates, 150 creates, 150 link creates and the import, verified
    new = list(TrailEntry.objects.filter(seq__gt=seq_before).order_by("seq"))
    assert [e.action for e in new].count("update") == 20
    assert sum(1 for e in new if e.action == "create" and e.object_type == "controls.control") == 150
    assert sum(1 for e in new if e.object_type == "controls.controllink") == 150
    assert new[-1].object_type == "controls.import"
    assert trail.verify().ok
    created = next(e for e in new if e.object_type == "controls.control" and e.action == "create")
    assert trail._systems_by_entry([created.seq])[created.seq] == [str(isms.pk)]
    payload = created.payload
    assert '"management_system_ids":["' + str(isms.pk) + '"]' in payload
    assert '"tags":[null,["cloud"]]' in payload
    update = next(e for e in new if e.action == "update")
    assert '"title":["Control 1","Renamed 1"]' in update.payload


def _changing_meanwhile(monkeypatch: pytest.MonkeyPatch, change: Callable[[], Any]) -> None:
    """Run ``change`` after the import was prepared and before its write transaction."""
    prepare = import_services._prepare

    def prepared_then_changed(actor: Actor, plan: Any) -> Any:
        batch = prepare(actor, plan)
        change()
        return batch

    monkeypatch.setattr(import_services, "_prepare", prepared_then_changed)


def test_given_a_reference_taken_while_the_import_was_prepared_then_nothing_is_imported(
    isms: ManagementSystem, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given someone creates KC-0003 between the plan and the write
    _changing_meanwhile(
        monkeypatch,
        lambda: control_services.create_control(
            OPERATOR, ref_id="kc-0003", title="Taken", type="technical", frequency="annually"
        ),
    )
    entries = TrailEntry.objects.count()

    # When / Then
    with pytest.raises(Conflict, match="KC-0003 now exist"):
        import_controls(OPERATOR, (HEADER + rows(1, 5)).encode(), "late.csv", management_system="isms")
    assert list(Control.objects.values_list("ref_id", flat=True)) == ["kc-0003"]
    assert TrailEntry.objects.count() == entries + 1
    assert trail.verify().ok


def test_given_a_control_updated_while_the_import_was_prepared_then_nothing_is_imported(
    isms: ManagementSystem, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given KC-0002 is retitled by someone between the plan and the write
    import_controls(OPERATOR, (HEADER + rows(1, 3)).encode(), "first.csv", management_system="isms")
    _changing_meanwhile(
        monkeypatch, lambda: control_services.update_control(OPERATOR, "KC-0002", title="Someone else's")
    )

    # When / Then
    with pytest.raises(Conflict, match="KC-0002 changed or went away"):
        import_controls(
            OPERATOR,
            (HEADER + rows(1, 3, "Renamed") + rows(4, 2)).encode(),
            "b.csv",
            management_system="isms",
        )
    assert sorted(Control.objects.values_list("title", flat=True)) == [
        "Control 1",
        "Control 3",
        "Someone else's",
    ]
    assert trail.verify().ok
