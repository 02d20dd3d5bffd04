"""Services of the SoA: creating it, editing rows, extra rows, approval and versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from keel.aisystems.tests.factories import ai_system
from keel.controls import services as controls
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.soa import queries, services
from keel.soa.models import SoARow, SoAVersion

from .factories import SYSTEM, complete_rows, row, soa_for

MakeUser = Callable[..., User]
pytestmark = pytest.mark.django_db


def test_given_a_system_when_the_soa_is_created_then_it_has_one_row_per_annex_a_control(
    isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # When
    s27 = soa_for(isms, "iso27001:2022")
    s42 = soa_for(aims, "iso42001:2023")

    # Then
    assert s27.rows.count() == 93
    assert s42.rows.count() == 38
    assert list(s27.rows.order_by("sort_order").values_list("requirement__ref_id", flat=True)[:2]) == [
        "A.5.1",
        "A.5.2",
    ]
    assert TrailEntry.objects.filter(object_id=str(s27.pk), action="create").count() == 1


def test_creating_again_changes_nothing(isms: ManagementSystem) -> None:
    first = soa_for(isms)
    entries = TrailEntry.objects.count()
    again = soa_for(isms)
    assert again.pk == first.pk
    assert again.rows.count() == 93
    assert TrailEntry.objects.count() == entries


def test_a_standard_the_system_does_not_cover_is_refused(isms: ManagementSystem) -> None:
    with pytest.raises(ValidationFailed, match="does not cover iso42001:2023"):
        services.create_soa(SYSTEM, isms.pk, "iso42001:2023")
    assert not isms.soas.exists()


def test_an_exclusion_needs_a_justification_and_nothing_changes_without_one(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    r = row(soa, "A.7.12")
    with pytest.raises(ValidationFailed, match="justification"):
        services.update_row(SYSTEM, r.pk, applicable=False)
    r.refresh_from_db()
    assert r.applicable is True


def test_an_override_needs_a_reason(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    with pytest.raises(ValidationFailed, match="override_reason"):
        services.update_row(SYSTEM, row(soa, "A.5.1").pk, status_override="implemented")


def test_an_unknown_field_is_refused(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    with pytest.raises(ValidationFailed, match="Unknown field"):
        services.update_row(SYSTEM, row(soa, "A.5.1").pk, colour="blue")


def test_a_row_edit_is_recorded_in_the_trail_with_its_changes(isms: ManagementSystem, admin: User) -> None:
    soa = soa_for(isms)
    r = row(soa, "A.7.12")
    services.update_row(
        Actor.for_user(admin, "web"),
        r.pk,
        applicable=False,
        justification="No cabling of ours.",
        accountable=admin,
        review_date=dt.date(2027, 6, 1),
    )
    entry = TrailEntry.objects.filter(object_id=str(r.pk)).get()
    assert entry.management_system_id == isms.pk
    assert '"applicable":[true,false]' in entry.payload
    assert "No cabling of ours." in entry.payload


def test_derived_status_follows_the_linked_controls_of_the_soa_system_only(
    isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # Given a control of the ISMS implementing A.5.1 fully, and one of another system
    soa = soa_for(isms)
    mine = controls.create_control(
        SYSTEM,
        management_systems=[isms.pk],
        title="Policy set",
        type="policy",
        frequency="annually",
        status="implemented",
    )
    other = controls.create_control(
        SYSTEM,
        management_systems=[aims.pk],
        title="Other",
        type="policy",
        frequency="annually",
        status="planned",
    )
    controls.link_requirement(SYSTEM, mine.pk, "iso27001:2022:A.5.1", "full")
    controls.link_requirement(SYSTEM, other.pk, "iso27001:2022:A.5.1", "full")

    # When
    data = {r["ref_id"]: r for r in queries.rows(soa)}

    # Then only the ISMS control counts
    assert [c["ref_id"] for c in data["A.5.1"]["controls"]] == [mine.ref_id]
    assert data["A.5.1"]["status"] == "implemented_no_evidence"  # implemented, no evidence linked
    assert data["A.5.2"]["status"] == "not_started"


def test_an_override_is_shown_next_to_the_rule(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    services.update_row(
        SYSTEM, row(soa, "A.5.2").pk, status_override="planned", override_reason="Budgeted for Q3."
    )
    data = {r["ref_id"]: r for r in queries.rows(soa)}["A.5.2"]
    assert (data["status"], data["derived_status"], data["override_reason"]) == (
        "planned",
        "not_started",
        "Budgeted for Q3.",
    )


def test_an_additional_control_gets_its_own_row(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    extra = controls.create_control(
        SYSTEM,
        management_systems=[isms.pk],
        title="Bug bounty",
        type="process",
        frequency="continuous",
        status="implemented",
    )
    added = services.add_control_row(
        SYSTEM, soa.pk, extra.ref_id, business_need="Researchers find what we miss."
    )
    data = queries.rows(soa)
    assert data[-1]["ref_id"] == extra.ref_id and data[-1]["kind"] == "additional"
    assert data[-1]["status"] == "implemented_no_evidence"
    with pytest.raises(Conflict):
        services.add_control_row(SYSTEM, soa.pk, extra.ref_id)
    with pytest.raises(Conflict, match="Annex A rows cannot be removed"):
        services.remove_control_row(SYSTEM, row(soa, "A.5.1").pk)
    services.remove_control_row(SYSTEM, added.pk)
    assert soa.rows.count() == 93


def test_a_control_of_another_system_cannot_be_added(isms: ManagementSystem, aims: ManagementSystem) -> None:
    soa = soa_for(isms)
    other = controls.create_control(
        SYSTEM, management_systems=[aims.pk], title="Other", type="policy", frequency="annually"
    )
    with pytest.raises(ValidationFailed, match="is not a control of ISMS"):
        services.add_control_row(SYSTEM, soa.pk, other.ref_id)


def test_editing_needs_edit_soa_over_the_system(
    isms: ManagementSystem, aims: ManagementSystem, make_user: MakeUser
) -> None:
    soa = soa_for(isms)
    for user in (make_user(Role.CONTRIBUTOR), make_user(Role.COMPLIANCE_MANAGER, aims)):
        with pytest.raises(PermissionDenied):
            services.update_row(Actor.for_user(user, "web"), row(soa, "A.5.1").pk, business_need="x")
    manager = make_user(Role.COMPLIANCE_MANAGER, isms)
    services.update_row(Actor.for_user(manager, "web"), row(soa, "A.5.1").pk, business_need="x")


# ---------------------------------------------------------------- approval and versions


def _exclude(soa_row: SoARow, user: User | None = None) -> None:
    services.update_row(
        SYSTEM,
        soa_row.pk,
        applicable=False,
        justification="Not ours.",
        accountable=user,
        review_date=dt.date(2027, 1, 1) if user else None,
    )


def test_approval_needs_a_named_person(isms: ManagementSystem) -> None:
    soa = soa_for(isms)
    with pytest.raises(ValidationFailed, match="named person"):
        services.approve(SYSTEM, soa.pk)


def test_approval_needs_complete_exclusions(isms: ManagementSystem, admin: User) -> None:
    soa = soa_for(isms)
    _exclude(row(soa, "A.7.12"))
    with pytest.raises(ValidationFailed, match=r"A\.7\.12"):
        services.approve(Actor.for_user(admin, "web"), soa.pk)
    assert not SoAVersion.objects.exists()


def test_approving_freezes_a_numbered_version_and_compare_shows_the_differences(
    isms: ManagementSystem, admin: User
) -> None:
    # Given an approved version 1
    soa = soa_for(isms)
    complete_rows(soa, admin)
    who = Actor.for_user(admin, "web")
    v1 = services.approve(who, soa.pk, note="First")
    assert (v1.number, v1.approved_by, len(v1.rows)) == (1, admin, 93)
    with pytest.raises(Conflict, match="Nothing changed"):
        services.approve(who, soa.pk)

    # When a control is excluded and version 2 approved
    _exclude(row(soa, "A.7.12"), admin)
    v2 = services.approve(who, soa.pk)

    # Then version 1 is unchanged and the comparison names the row and its fields
    v1.refresh_from_db()
    assert next(r for r in v1.rows if r["ref_id"] == "A.7.12")["applicable"] is True
    changes = queries.compare_rows(v1.rows, v2.rows)
    assert [c["ref_id"] for c in changes] == ["A.7.12"]
    assert changes[0]["fields"]["applicable"] == [True, False]
    assert changes[0]["fields"]["status"] == ["not_started", "not_applicable"]
    assert TrailEntry.objects.filter(action="approve", object_id=str(v2.pk)).exists()


def test_the_export_header_says_draft_when_rows_changed_since_approval(
    isms: ManagementSystem, admin: User
) -> None:
    soa = soa_for(isms)
    assert queries.export_header(soa, queries.rows(soa))["approved"] is False
    complete_rows(soa, admin)
    services.approve(Actor.for_user(admin, "web"), soa.pk)
    header = queries.export_header(soa, queries.rows(soa))
    assert header["version"] == "1" and header["approver"] == (admin.full_name or admin.email)
    services.update_row(SYSTEM, row(soa, "A.5.1").pk, business_need="Customers ask.")
    assert queries.export_header(soa, queries.rows(soa))["version"].startswith("2 (draft")


def test_rows_can_be_filtered_by_ai_system(aims: ManagementSystem) -> None:
    soa = soa_for(aims, "iso42001:2023")
    ai_system(aims, "helix", name="Helix")
    ai_system(aims, "atlas", name="Atlas")
    services.update_row(SYSTEM, soa.rows.order_by("sort_order").first().pk, ai_systems=["  Helix ", "Atlas"])  # type: ignore[union-attr]
    only = queries.rows(soa, ai_system="Helix")
    assert len(only) == 1 and only[0]["ai_systems"] == ["Atlas", "Helix"]
    assert queries.rows(soa, ai_system="atlas") == only  # by short name too


def test_rows_run_a_fixed_number_of_queries(
    isms: ManagementSystem, django_assert_num_queries: Callable[..., object]
) -> None:
    soa = soa_for(isms)
    for i in range(3):
        c = controls.create_control(
            SYSTEM, management_systems=[isms.pk], title=f"C{i}", type="policy", frequency="annually"
        )
        controls.link_requirement(SYSTEM, c.pk, f"iso27001:2022:A.5.{i + 1}", "partial")
    with django_assert_num_queries(
        7
    ):  # rows, their AI systems and legal requirements, control links, evidence by control and by requirement, risks
        queries.rows(soa)
