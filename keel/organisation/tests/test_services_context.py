"""The organisation's write-side services for its context: the organisation, management
systems, scope statements, interested parties and issues. Every failing call is checked to
change nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from keel.organisation import people as people
from keel.organisation import services as org_services
from keel.organisation.choices import ScopeStatus
from keel.organisation.models import InterestedParty, ManagementSystem, Organisation
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry

from .service_support import ISO27001, ISO42001, MakeUser, as_user, changes_nothing, changes_of, last_entry

# ---------------------------------------------------------------- organisation


def test_given_no_organisation_when_saved_then_it_is_created_with_a_trail_entry(db: Any, cli: Actor) -> None:
    # When
    org = org_services.save_organisation(cli, name="Acme AI", sector="Fintech")

    # Then
    entry = last_entry(org.pk)
    assert entry.action == "create" and entry.object_type == "organisation.organisation"
    assert changes_of(entry)["name"] == [None, "Acme AI"]


def test_given_organisation_when_saved_again_then_it_is_updated_not_duplicated(
    org: Organisation, cli: Actor
) -> None:
    # When
    org_services.save_organisation(cli, sector="Insurance")

    # Then
    assert Organisation.objects.count() == 1
    entry = last_entry(org.pk)
    assert entry.action == "update" and changes_of(entry) == {"sector": ["", "Insurance"]}


def test_given_climate_determined_without_rationale_then_it_is_refused_and_nothing_changes(
    org: Organisation, cli: Actor
) -> None:
    # When / Then
    with changes_nothing(ValidationFailed, match="rationale"):
        org_services.save_organisation(cli, climate_relevance="relevant", climate_rationale="  ")
    org.refresh_from_db()
    assert org.climate_relevance == "not_determined"


def test_given_climate_determined_with_rationale_then_it_is_saved(org: Organisation, cli: Actor) -> None:
    # When
    org_services.save_organisation(
        cli,
        climate_relevance="not_relevant",
        climate_rationale="Office-based software firm; compute is small.",
    )

    # Then
    org.refresh_from_db()
    assert org.climate_relevance == "not_relevant"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"favourite_colour": "blue"}, "Unknown field"),
        ({"climate_relevance": "maybe"}, "climate_relevance"),
        ({"website": "not a url"}, "website"),
    ],
)
def test_given_bad_organisation_input_then_nothing_changes(
    org: Organisation, cli: Actor, data: dict[str, Any], message: str
) -> None:
    with changes_nothing(ValidationFailed, match=message):
        org_services.save_organisation(cli, **data)


# ---------------------------------------------------------------- management systems


def test_given_standards_when_system_created_then_it_covers_them(org: Organisation, cli: Actor) -> None:
    # When
    ms = org_services.create_management_system(
        cli, standards=[ISO27001, ISO42001], name="IMS", short_name="ims", operating_model="unified"
    )

    # Then
    assert sorted(ms.standards.values_list("key", flat=True)) == [ISO27001, ISO42001]
    entry = last_entry(ms.pk)
    assert entry.management_system_id == ms.pk
    assert changes_of(entry)["standards"] == [None, [ISO27001, ISO42001]]


def test_given_no_standard_when_system_created_then_refused(org: Organisation, cli: Actor) -> None:
    with changes_nothing(ValidationFailed, match="at least one standard"):
        org_services.create_management_system(
            cli, standards=[], name="IMS", short_name="ims", operating_model="unified"
        )


def test_given_unknown_standard_key_then_the_error_lists_the_known_ones(
    org: Organisation, cli: Actor
) -> None:
    with changes_nothing(ValidationFailed):
        try:
            org_services.create_management_system(
                cli, standards=["iso9001:2015"], name="QMS", short_name="qms", operating_model="unified"
            )
        except ValidationFailed as exc:
            assert "iso9001:2015" in exc.message
            assert ISO27001 in exc.message and ISO42001 in exc.message
            assert "standards" in exc.fields
            raise


def test_given_duplicate_short_name_then_refused(isms: ManagementSystem, cli: Actor) -> None:
    with changes_nothing(ValidationFailed, match="short_name"):
        org_services.create_management_system(
            cli, standards=[ISO27001], name="Another", short_name=isms.short_name, operating_model="unified"
        )


def test_given_duplicate_system_name_then_refused(isms: ManagementSystem, cli: Actor) -> None:
    with changes_nothing(ValidationFailed, match="already exists"):
        org_services.create_management_system(
            cli, standards=[ISO27001], name=isms.name, short_name="other", operating_model="unified"
        )


def test_given_bad_operating_model_then_refused(org: Organisation, cli: Actor) -> None:
    with changes_nothing(ValidationFailed, match="operating_model"):
        org_services.create_management_system(
            cli, standards=[ISO27001], name="X", short_name="x", operating_model="anarchic"
        )


def test_given_system_when_standards_changed_then_trail_has_the_diff(
    isms: ManagementSystem, cli: Actor
) -> None:
    # When
    org_services.update_management_system(
        cli, isms.pk, standards=[ISO27001, ISO42001], operating_model="federated"
    )

    # Then
    changes = changes_of(last_entry(isms.pk))
    assert changes["standards"] == [[ISO27001], [ISO27001, ISO42001]]
    assert changes["operating_model"] == ["unified", "federated"]


def test_given_system_when_updated_with_unknown_standard_then_nothing_changes(
    isms: ManagementSystem, cli: Actor
) -> None:
    with changes_nothing(ValidationFailed, match="Unknown standard"):
        org_services.update_management_system(cli, isms.pk, name="Renamed", standards=["nope:1"])
    isms.refresh_from_db()
    assert isms.name == "ISMS"


def test_given_unknown_system_reference_then_only_the_operator_is_told_the_known_ones(
    isms: ManagementSystem,
) -> None:
    with pytest.raises(NotFound, match="Known: isms"):
        org_services.get_management_system("does-not-exist", list_known=True)
    with pytest.raises(NotFound) as exc:
        org_services.get_management_system("does-not-exist")
    assert "isms" not in exc.value.message  # pages and API must not reveal other systems


# ---------------------------------------------------------------- scope statements

SCOPE_27001 = {"summary": "The ISMS for the SaaS platform.", "boundaries": "Engineering and operations."}


def test_given_drafts_when_approved_in_turn_then_the_older_version_is_superseded(
    isms: ManagementSystem, make_user: MakeUser, cli: Actor
) -> None:
    # Given
    manager = as_user(make_user(Role.COMPLIANCE_MANAGER))
    v1 = org_services.draft_scope(cli, isms.pk, ISO27001, **SCOPE_27001)
    org_services.approve_scope(manager, v1.pk)

    # When a new draft is started, it copies the approved version
    v2 = org_services.draft_scope(cli, isms.pk, ISO27001, sites="London; Lisbon", change_note="New office")
    # and editing it again updates the same draft
    same = org_services.draft_scope(cli, isms.pk, ISO27001, sites="London; Lisbon; remote")
    org_services.approve_scope(manager, v2.pk)

    # Then
    assert same.pk == v2.pk and v2.version == 2
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == ScopeStatus.SUPERSEDED
    assert v2.status == ScopeStatus.APPROVED and v2.approved_by == manager.user
    assert v2.summary == SCOPE_27001["summary"] and v2.sites == "London; Lisbon; remote"
    assert changes_of(last_entry(v1.pk))["status"] == ["approved", "superseded"]
    approve = last_entry(v2.pk)
    assert approve.action == "approve" and approve.management_system_id == isms.pk


def test_given_approved_or_superseded_scope_then_it_cannot_be_approved_again(
    isms: ManagementSystem, make_user: MakeUser, cli: Actor
) -> None:
    # Given
    manager = as_user(make_user(Role.COMPLIANCE_MANAGER))
    v1 = org_services.approve_scope(
        manager, org_services.draft_scope(cli, isms.pk, ISO27001, **SCOPE_27001).pk
    )
    org_services.approve_scope(manager, org_services.draft_scope(cli, isms.pk, ISO27001, sites="x").pk)

    # When / Then
    with changes_nothing(Conflict, match="only a draft"):
        org_services.approve_scope(manager, v1.pk)


def test_given_draft_when_the_cli_operator_approves_then_a_named_person_is_required(
    isms: ManagementSystem, cli: Actor
) -> None:
    # Given
    draft = org_services.draft_scope(cli, isms.pk, ISO27001, **SCOPE_27001)

    # When / Then
    with changes_nothing(ValidationFailed, match="named person"):
        org_services.approve_scope(cli, draft.pk)
    draft.refresh_from_db()
    assert draft.status == ScopeStatus.DRAFT


def test_given_draft_without_summary_then_refused(isms: ManagementSystem, cli: Actor) -> None:
    with changes_nothing(ValidationFailed, match="summary"):
        org_services.draft_scope(cli, isms.pk, ISO27001, boundaries="Everything")


@pytest.mark.parametrize(
    "field, value",
    [
        ("ai_systems", "Credit-scoring model"),
        ("lifecycle_stages", ["design"]),
        ("ai_roles", ["provider"]),
    ],
)
def test_given_27001_scope_when_it_names_ai_things_then_refused(
    isms: ManagementSystem, cli: Actor, field: str, value: Any
) -> None:
    with changes_nothing(ValidationFailed, match="42001"):
        org_services.draft_scope(cli, isms.pk, ISO27001, **SCOPE_27001, **{field: value})


def test_given_42001_scope_then_ai_systems_stages_and_roles_are_kept(
    aims: ManagementSystem, cli: Actor
) -> None:
    draft = org_services.draft_scope(
        cli,
        aims.pk,
        ISO42001,
        summary="The AIMS",
        ai_systems="Scoring model",
        lifecycle_stages=["design", "operation"],
        ai_roles=["provider"],
    )
    draft.refresh_from_db()
    assert draft.lifecycle_stages == ["design", "operation"] and draft.ai_roles == ["provider"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("lifecycle_stages", ["design", "daydreaming"]),
        ("lifecycle_stages", "design"),
        ("ai_roles", ["overlord"]),
    ],
)
def test_given_invalid_lifecycle_stage_or_role_then_refused_with_the_valid_values(
    aims: ManagementSystem, cli: Actor, field: str, value: Any
) -> None:
    with changes_nothing(ValidationFailed, match="Use some of"):
        org_services.draft_scope(cli, aims.pk, ISO42001, summary="AIMS", **{field: value})


def test_given_standard_not_covered_by_the_system_then_no_scope_for_it(
    isms: ManagementSystem, cli: Actor
) -> None:
    with changes_nothing(ValidationFailed, match="does not cover"):
        org_services.draft_scope(cli, isms.pk, ISO42001, summary="AIMS")


def test_given_contributor_over_the_system_then_cannot_draft_or_approve(
    isms: ManagementSystem, make_user: MakeUser, cli: Actor
) -> None:
    contributor = as_user(make_user(Role.CONTRIBUTOR, isms))
    with changes_nothing(PermissionDenied):
        org_services.draft_scope(contributor, isms.pk, ISO27001, **SCOPE_27001)
    draft = org_services.draft_scope(cli, isms.pk, ISO27001, **SCOPE_27001)
    with changes_nothing(PermissionDenied):
        org_services.approve_scope(contributor, draft.pk)


def test_given_manager_of_another_system_then_cannot_approve_here(
    isms: ManagementSystem, aims: ManagementSystem, make_user: MakeUser, cli: Actor
) -> None:
    draft = org_services.draft_scope(cli, isms.pk, ISO27001, **SCOPE_27001)
    elsewhere = as_user(make_user(Role.COMPLIANCE_MANAGER, aims))
    with changes_nothing(PermissionDenied):
        org_services.approve_scope(elsewhere, draft.pk)
    inside = as_user(make_user(Role.COMPLIANCE_MANAGER, isms))
    assert org_services.approve_scope(inside, draft.pk).status == ScopeStatus.APPROVED


# ---------------------------------------------------------------- interested parties and issues


def test_given_party_when_created_updated_and_deleted_then_the_trail_keeps_everything(
    org: Organisation, cli: Actor
) -> None:
    # When created
    party = org_services.save_interested_party(
        cli,
        standards=[ISO27001],
        name="Lenders",
        category="customer",
        needs_expectations="Available API",
    )
    # Then
    created = changes_of(last_entry(party.pk))
    assert created["standards"] == [None, [ISO27001]] and created["name"] == [None, "Lenders"]

    # When updated: re-tagged to both standards and a changed need
    org_services.save_interested_party(
        cli, party.pk, standards=[ISO27001, ISO42001], needs_expectations="Available API and explanations"
    )
    # Then only what changed is in the diff
    updated = changes_of(last_entry(party.pk))
    assert set(updated) == {"standards", "needs_expectations"}
    assert updated["standards"] == [[ISO27001], [ISO27001, ISO42001]]

    # When deleted
    org_services.delete_interested_party(cli, party.pk)
    # Then the full last state is in the trail
    deleted = last_entry(party.pk)
    assert deleted.action == "delete"
    gone = changes_of(deleted)
    assert gone["name"] == ["Lenders", None]
    assert gone["needs_expectations"] == ["Available API and explanations", None]
    assert gone["standards"] == [[ISO27001, ISO42001], None]
    assert gone["category"] == ["customer", None]
    assert not InterestedParty.objects.filter(pk=party.pk).exists()


def test_given_party_saved_without_standards_argument_then_tags_are_kept(
    org: Organisation, cli: Actor
) -> None:
    party = org_services.save_interested_party(
        cli,
        standards=[ISO42001],
        name="Applicants",
        category="affected_person",
        needs_expectations="Fairness",
    )
    org_services.save_interested_party(cli, party.pk, affected_not_user=True)
    assert list(party.standards.values_list("key", flat=True)) == [ISO42001]


def test_given_issue_when_created_updated_and_deleted_then_the_trail_keeps_everything(
    org: Organisation, cli: Actor
) -> None:
    issue = org_services.save_context_issue(
        cli,
        standards=[ISO27001, ISO42001],
        title="EU AI Act",
        description="Credit scoring is high-risk",
        kind="external",
        category="legal",
    )
    org_services.save_context_issue(cli, issue.pk, standards=[ISO42001], effect="both")
    updated = changes_of(last_entry(issue.pk))
    assert updated == {"effect": ["risk", "both"], "standards": [[ISO27001, ISO42001], [ISO42001]]}

    org_services.delete_context_issue(cli, issue.pk)
    gone = changes_of(last_entry(issue.pk))
    assert gone["title"] == ["EU AI Act", None] and gone["kind"] == ["external", None]
    assert gone["standards"] == [[ISO42001], None]


def test_given_unchanged_save_then_no_trail_entry(org: Organisation, cli: Actor) -> None:
    issue = org_services.save_context_issue(
        cli, standards=[ISO27001], title="T", description="D", kind="internal", category="social"
    )
    count = TrailEntry.objects.count()
    org_services.save_context_issue(cli, issue.pk, standards=[ISO27001], title="T")
    assert TrailEntry.objects.count() == count


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"standards": ["iso9001:2015"], "name": "X", "category": "customer", "needs_expectations": "n"},
            "Known",
        ),
        ({"name": "X", "category": "aliens", "needs_expectations": "n"}, "category"),
        ({"name": "X", "category": "customer", "needs_expectations": ""}, "needs_expectations"),
        ({"name": "X", "category": "customer", "needs_expectations": "n", "mood": "happy"}, "Unknown field"),
    ],
)
def test_given_bad_party_input_then_nothing_changes(
    org: Organisation, cli: Actor, kwargs: dict[str, Any], match: str
) -> None:
    with changes_nothing(ValidationFailed, match=match):
        org_services.save_interested_party(cli, **kwargs)


def test_given_bad_issue_update_then_the_issue_is_unchanged(org: Organisation, cli: Actor) -> None:
    issue = org_services.save_context_issue(
        cli, standards=[ISO27001], title="T", description="D", kind="internal", category="social"
    )
    with changes_nothing(ValidationFailed):
        org_services.save_context_issue(cli, issue.pk, standards=["nope:1"], title="Changed")
    with changes_nothing(ValidationFailed, match="kind"):
        org_services.save_context_issue(cli, issue.pk, kind="sideways")
    issue.refresh_from_db()
    assert issue.title == "T" and list(issue.standards.values_list("key", flat=True)) == [ISO27001]


def test_given_duplicate_party_name_then_refused(org: Organisation, cli: Actor) -> None:
    org_services.save_interested_party(cli, name="Lenders", category="customer", needs_expectations="n")
    with changes_nothing(ValidationFailed, match="already exists"):
        org_services.save_interested_party(cli, name="Lenders", category="customer", needs_expectations="n")


def test_given_missing_records_then_not_found_and_nothing_changes(org: Organisation, cli: Actor) -> None:
    with changes_nothing(NotFound):
        org_services.delete_interested_party(cli, "00000000-0000-0000-0000-000000000000")
    for call in (
        lambda: org_services.save_context_issue(cli, "not-a-uuid", title="x"),
        lambda: org_services.delete_context_issue(cli, "not-a-uuid"),
        lambda: org_services.approve_scope(cli, "not-a-uuid"),
        lambda: people.update_user(cli, "not-a-uuid", full_name="x"),
        lambda: people.revoke_role(cli, "not-a-uuid"),
        lambda: accounts.revoke_token(cli, "00000000-0000-0000-0000-000000000000"),
    ):
        with changes_nothing(NotFound, match="No "):
            call()


def test_given_no_organisation_then_context_cannot_be_recorded(db: Any, cli: Actor) -> None:
    with changes_nothing(NotFound, match="keel demo"):
        org_services.save_context_issue(cli, title="T", description="D", kind="internal", category="social")


@pytest.mark.parametrize(
    "role, scoped",
    [
        (Role.CONTRIBUTOR, False),
        (Role.AUDITOR, False),
        (Role.VIEWER, False),
        (Role.COMPLIANCE_MANAGER, True),
    ],
)
def test_given_role_without_edit_context_then_party_edits_are_refused(
    isms: ManagementSystem, make_user: MakeUser, role: str, scoped: bool
) -> None:
    actor = as_user(make_user(role, isms if scoped else None))
    with changes_nothing(PermissionDenied):
        org_services.save_interested_party(actor, name="X", category="customer", needs_expectations="n")
