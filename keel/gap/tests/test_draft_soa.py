"""The draft SoA from the gap result: machine-written rows, links from the chains, approval
refused until a person has reviewed each machine-written row, and reviewing clears the flag."""

from __future__ import annotations

from typing import Any

import pytest

from keel.controls.models import ControlLink
from keel.gap import services
from keel.platform.actor import Actor
from keel.platform.errors import PermissionDenied, ValidationFailed
from keel.soa import queries as soa_queries
from keel.soa import services as soa_services
from keel.soa.tests.factories import complete_rows


@pytest.fixture
def who(admin: Any) -> Actor:
    return Actor.for_user(admin, "web")


def test_draft_writes_machine_reasons_and_links_the_chain_controls(world: dict[str, Any], who: Actor) -> None:
    # When
    result = services.draft_soa(who, world["ms"], "t:2024")
    # Then every Annex A row of T got machine-written reasons
    assert result["rows_written"] == ["T.1", "T.2", "T.3", "T.4", "T.5"]
    soa = soa_queries.find_soa(world["ms"].pk, "t:2024")
    rows = {r["ref_id"]: r for r in soa_queries.rows(soa)}
    assert all(r["machine_written"] for r in rows.values())
    assert rows["T.2"]["business_need"].startswith("[Machine-written")
    assert "covered through KC-2" in rows["T.2"]["business_need"]
    assert "Gap analysis" in rows["T.5"]["business_need"] and "gap" in rows["T.5"]["business_need"]
    # and the chain controls now implement the Annex A controls: full for a full chain
    links = {
        (lk.control.ref_id, lk.requirement.ref_id): lk.coverage
        for lk in ControlLink.objects.filter(requirement__standard=world["t"]).select_related(
            "control", "requirement"
        )
    }
    assert links == {("KC-1", "T.1"): "partial", ("KC-2", "T.2"): "full", ("KC-2", "T.3"): "partial"}
    assert rows["T.2"]["controls"][0]["ref_id"] == "KC-2"


def test_approval_is_refused_until_each_machine_row_is_reviewed(world: dict[str, Any], who: Actor) -> None:
    services.draft_soa(who, world["ms"], "t:2024")
    soa = soa_queries.find_soa(world["ms"].pk, "t:2024")
    assert who.user is not None
    complete_rows(soa, who.user)  # every row has an owner: only the review is missing
    # When approving the draft
    with pytest.raises(ValidationFailed) as exc:
        soa_services.approve(who, soa.pk)
    # Then the message lists the rows to review
    assert "machine-written" in exc.value.message
    assert "T.1, T.2, T.3, T.4, T.5" in exc.value.message
    # When a person saves each row (reviewing it) — one with a rewrite, the others as they are
    for row in soa.rows.all():
        data = {"business_need": "Needed for our customers."} if row.requirement.ref_id == "T.1" else {}
        soa_services.update_row(who, row.pk, **data)
    # Then the flag is gone and the SoA can be approved
    assert not soa.rows.filter(machine_written=True).exists()
    assert soa_services.approve(who, soa.pk).number == 1


def test_a_row_a_person_wrote_is_left_alone(world: dict[str, Any], who: Actor) -> None:
    soa = soa_services.create_soa(who, world["ms"].pk, "t:2024")
    row = soa.rows.get(requirement__ref_id="T.2")
    soa_services.update_row(who, row.pk, business_need="Our own words.")
    result = services.draft_soa(who, world["ms"], "t:2024")
    assert "T.2" in result["rows_kept"] and "T.2" not in result["rows_written"]
    row.refresh_from_db()
    assert (row.business_need, row.machine_written) == ("Our own words.", False)


def test_a_confirmed_not_applicable_becomes_a_machine_written_exclusion(
    world: dict[str, Any], who: Actor
) -> None:
    services.decide(who, world["ms"], "t:2024:T.5", "not_applicable", "We build no such thing.")
    services.draft_soa(who, world["ms"], "t:2024")
    row = soa_queries.find_soa(world["ms"].pk, "t:2024").rows.get(requirement__ref_id="T.5")
    assert (row.applicable, row.machine_written) == (False, True)
    assert "We build no such thing." in row.justification


def test_drafting_twice_rewrites_only_machine_rows_and_adds_no_duplicate_links(
    world: dict[str, Any], who: Actor
) -> None:
    services.draft_soa(who, world["ms"], "t:2024")
    again = services.draft_soa(who, world["ms"], "t:2024")
    assert again["links_added"] == []
    assert ControlLink.objects.filter(requirement__standard=world["t"]).count() == 3


def test_drafting_needs_edit_soa(world: dict[str, Any], make_user: Any) -> None:
    viewer = make_user("viewer")
    with pytest.raises(PermissionDenied):
        services.draft_soa(Actor.for_user(viewer, "web"), world["ms"], "t:2024")
