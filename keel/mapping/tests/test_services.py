"""Relation services: add, change and withdraw relations and create crosswalks, each with its
trail entry; the rules of docs/crosswalks.md hold in the app too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from keel.mapping import services
from keel.mapping.choices import Origin
from keel.mapping.models import CrosswalkRelation
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role, TrailAction
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User

KEY = "iso27001-2022--iso42001-2023"
pytestmark = pytest.mark.django_db


def rel(source: str | None, target: str) -> CrosswalkRelation:
    return CrosswalkRelation.objects.get(
        crosswalk__key=KEY,
        source__key=f"iso27001:2022:{source}" if source else None,
        target__key=f"iso42001:2023:{target}",
    )


def last_trail() -> TrailEntry:
    entry = TrailEntry.objects.order_by("-seq").first()
    assert entry is not None
    return entry


def test_editing_a_shipped_relation_marks_it_edited_and_records_the_change(admin: User) -> None:
    row = rel("A.8.15", "A.6.2.8")
    services.update_relation(
        Actor.for_user(admin, "web"), row.pk, relation="subset", extension="Log model versions."
    )
    row.refresh_from_db()
    assert (row.relation, row.extension, row.edited, row.origin) == (
        "subset",
        "Log model versions.",
        True,
        "shipped",
    )
    entry = last_trail()
    assert entry.action == TrailAction.UPDATE and entry.actor_label == admin.email
    assert '"relation":["intersects","subset"]' in entry.payload


def test_saving_without_a_change_does_not_mark_a_shipped_relation_edited(system_actor: Actor) -> None:
    row = rel("A.8.15", "A.6.2.8")
    before = TrailEntry.objects.count()
    services.update_relation(system_actor, row.pk, rationale=row.rationale)
    row.refresh_from_db()
    assert not row.edited
    assert TrailEntry.objects.count() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"relation": "subset", "extension": ""}, "extension", "needs an extension note"),
        ({"relation": "equal"}, "relation", "6.2.8"),  # not forbidden: sanity check below
    ],
)
def test_a_relation_keeps_the_rules(
    system_actor: Actor, fields: dict[str, str], field: str, message: str
) -> None:
    row = rel("A.8.15", "A.6.2.8")
    if fields.get("relation") == "equal":
        services.update_relation(system_actor, row.pk, **fields)  # equal is allowed on an Annex A control
        assert rel("A.8.15", "A.6.2.8").relation == "equal"
        return
    with pytest.raises(ValidationFailed) as info:
        services.update_relation(system_actor, row.pk, **fields)
    assert message in " ".join(info.value.fields[field])
    assert rel("A.8.15", "A.6.2.8").relation == "intersects"


@pytest.mark.parametrize("target", ["4.1", "5.2", "6.1.1", "6.1.3", "8.2"])
def test_equal_is_refused_on_the_clauses_where_42001_adds_ai_content(
    system_actor: Actor, target: str
) -> None:
    row = rel(target, target)
    with pytest.raises(ValidationFailed) as info:
        services.update_relation(system_actor, row.pk, relation="equal")
    assert "adds content the source does not have" in info.value.message


def test_a_related_entry_replaces_the_targets_not_related_marker(system_actor: Actor) -> None:
    # Given 42001 A.7.4 marked not related
    marker = rel(None, "A.7.4")
    assert marker.withdrawn_at is None

    # When a person relates 27001 A.8.33 (test information) to it
    row = services.save_relation(
        system_actor, KEY, "A.8.33", "A.7.4", "intersects", "Test data is protected.", "Add quality criteria."
    )

    # Then the new relation is theirs and the marker is withdrawn (kept, and edited so reloads leave it)
    assert (row.origin, row.source.key, row.target.key) == (
        Origin.USER,
        "iso27001:2022:A.8.33",
        "iso42001:2023:A.7.4",
    )
    marker.refresh_from_db()
    assert marker.withdrawn_at is not None and marker.edited


def test_not_related_is_refused_while_the_target_has_related_entries(system_actor: Actor) -> None:
    with pytest.raises(Conflict) as info:
        services.save_relation(system_actor, KEY, None, "A.10.3", "not_related", "Nothing relates.")
    assert "A.10.3 is related to A.5.19" in info.value.message


def test_a_theme_only_pair_is_kept_and_unknown_entries_are_refused(system_actor: Actor) -> None:
    pair = services.save_relation(system_actor, KEY, "A.5.1", "A.7.4", "not_related", "Shares only a theme.")
    assert pair.source is not None and pair.relation == "not_related"
    marker = CrosswalkRelation.objects.get(
        crosswalk__key=KEY, source__isnull=True, target__key="iso42001:2023:A.7.4"
    )
    assert marker.withdrawn_at is None  # a theme-only pair does not replace the no-counterpart marker
    with pytest.raises(ValidationFailed) as info:
        services.save_relation(system_actor, KEY, None, "A.7.6", "intersects", "x", "y")
    assert "source" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        services.save_relation(system_actor, KEY, "A.5.99", "A.7.4", "intersects", "x", "y")
    assert "'A.5.99' is not an entry of iso27001:2022" in info.value.message
    with pytest.raises(ValidationFailed):
        services.save_relation(system_actor, KEY, "A.5.1", "A.5.1.9", "intersects", "x", "y")


def test_withdrawing_keeps_the_row_and_a_reload_does_not_bring_it_back(system_actor: Actor) -> None:
    from keel.mapping.services import load_crosswalks

    row = rel("A.5.23", "A.10.3")
    services.withdraw_relation(system_actor, row.pk)
    row.refresh_from_db()
    assert row.withdrawn_at is not None and row.edited
    assert last_trail().action == TrailAction.UPDATE
    (report,) = load_crosswalks(system_actor)
    row.refresh_from_db()
    assert row.withdrawn_at is not None
    assert "iso27001:2022:A.5.23 → iso42001:2023:A.10.3" in report.kept

    # Adding it again brings it back
    services.save_relation(system_actor, KEY, "A.5.23", "A.10.3", "intersects", "Back.", "Add AI criteria.")
    row.refresh_from_db()
    assert row.withdrawn_at is None and row.rationale == "Back."


def test_a_user_crosswalk_between_any_two_loaded_standards(system_actor: Actor) -> None:
    cw = services.create_crosswalk(
        system_actor, "iso42001-to-27001", "42001 to 27001", "iso42001:2023", "iso27001:2022"
    )
    assert (cw.origin, cw.source.key, cw.target.key) == (Origin.USER, "iso42001:2023", "iso27001:2022")
    assert last_trail().action == TrailAction.CREATE
    row = services.save_relation(
        system_actor, cw.key, "A.10.3", "A.5.19", "intersects", "Suppliers.", "Add security."
    )
    assert row.crosswalk == cw
    with pytest.raises(Conflict):
        services.create_crosswalk(
            system_actor, "iso42001-to-27001", "Again", "iso42001:2023", "iso27001:2022"
        )
    with pytest.raises(ValidationFailed):
        services.create_crosswalk(system_actor, "Bad Key!", "x", "iso42001:2023", "iso27001:2022")
    with pytest.raises(ValidationFailed):
        services.create_crosswalk(system_actor, "same-std", "x", "iso42001:2023", "iso42001:2023")


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER])
def test_roles_without_edit_mappings_change_nothing(
    role: str, make_user: Callable[..., User], org: Any
) -> None:
    who = Actor.for_user(make_user(role), "web")
    with pytest.raises(PermissionDenied):
        services.withdraw_relation(who, rel("A.5.23", "A.10.3").pk)
    assert rel("A.5.23", "A.10.3").withdrawn_at is None


def test_a_compliance_manager_over_one_system_cannot_edit_crosswalks(
    make_user: Callable[..., User], isms: ManagementSystem
) -> None:
    # Crosswalks are organisation-level records: the role is needed at organisation level.
    who = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), "web")
    with pytest.raises(PermissionDenied):
        services.update_relation(who, rel("A.5.23", "A.10.3").pk, rationale="Mine.")
    org_manager = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER), "web")
    services.update_relation(org_manager, rel("A.5.23", "A.10.3").pk, rationale="Mine.")
    assert rel("A.5.23", "A.10.3").rationale == "Mine."
