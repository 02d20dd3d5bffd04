"""The core write-side services: organisation, management systems, scope, context, people,
tokens and login throttling. Every failing call is checked to change nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from keel.organisation import people as people
from keel.organisation import services as org_services
from keel.organisation.choices import ScopeStatus
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
    ScopeStatement,
)
from keel.organisation.tests.factories import OrganisationFactory
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.errors import Conflict, KeelError, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import ApiToken, LoginAttempt, TrailEntry, User

ISO27001 = "iso27001:2022"
ISO42001 = "iso42001:2023"
COUNTED: list[type[models.Model]] = [
    Organisation,
    ManagementSystem,
    ScopeStatement,
    InterestedParty,
    ContextIssue,
    User,
    RoleAssignment,
    ApiToken,
    LoginAttempt,
    TrailEntry,
]

MakeUser = Callable[..., User]


@pytest.fixture
def cli() -> Actor:
    return Actor.cli()


@contextmanager
def changes_nothing(expected: type[KeelError] = KeelError, match: str | None = None) -> Iterator[None]:
    """Assert the block raises ``expected`` and that no row of any core table (nor the trail)
    was added or removed."""
    before = {m.__name__: m._default_manager.count() for m in COUNTED}
    last = TrailEntry.objects.order_by("-seq").values_list("hash", flat=True).first()
    with pytest.raises(expected, match=match):
        yield
    assert {m.__name__: m._default_manager.count() for m in COUNTED} == before
    assert TrailEntry.objects.order_by("-seq").values_list("hash", flat=True).first() == last


def last_entry(object_id: Any = None) -> TrailEntry:
    qs = TrailEntry.objects.order_by("-seq")
    if object_id is not None:
        qs = qs.filter(object_id=str(object_id))
    entry = qs.first()
    assert entry is not None
    return entry


def changes_of(entry: TrailEntry) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(entry.payload)["changes"]
    return result


def as_user(user: User) -> Actor:
    return Actor.for_user(user, Channel.WEB, "203.0.113.7")


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


# ---------------------------------------------------------------- users and roles


def test_given_new_user_with_role_then_user_and_grant_are_in_the_trail(
    isms: ManagementSystem, cli: Actor
) -> None:
    # When
    user = people.create_user(
        cli,
        "New.Person@Example.com",
        full_name="New Person",
        password="a-long-enough-passphrase",
        role=Role.CONTRIBUTOR,
        management_system=isms,
    )

    # Then
    assert user.email == "new.person@example.com" and user.check_password("a-long-enough-passphrase")
    assert "a-long-enough-passphrase" not in user.password
    created = changes_of(last_entry(user.pk))
    assert created["password_set"] == [None, True]
    grant = TrailEntry.objects.get(object_type="organisation.roleassignment")
    assert changes_of(grant) == {
        "user": [None, user.email],
        "role": [None, "contributor"],
        "perimeter": [None, "isms"],
    }
    assert grant.management_system_id == isms.pk
    assert not TrailEntry.objects.filter(payload__contains="a-long-enough-passphrase").exists()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"email": "not-an-email"}, ValidationFailed, "valid email"),
        ({"email": "x@example.com", "role": "superhero"}, ValidationFailed, "Unknown role"),
        ({"email": "x@example.com", "password": "short"}, ValidationFailed, "too weak"),
        ({"email": "x@example.com", "password": "password123"}, ValidationFailed, "too weak"),
    ],
)
def test_given_bad_user_input_then_nothing_changes(
    db: Any, cli: Actor, kwargs: dict[str, Any], error: type[KeelError], match: str
) -> None:
    email = kwargs.pop("email")
    with changes_nothing(error, match=match):
        people.create_user(cli, email, **kwargs)


def test_given_existing_email_in_other_case_then_conflict(make_user: MakeUser, cli: Actor) -> None:
    make_user(email="taken@example.com")
    with changes_nothing(Conflict, match="already exists"):
        people.create_user(cli, "TAKEN@example.com")


def test_given_non_admin_then_users_cannot_be_managed(make_user: MakeUser) -> None:
    manager = as_user(make_user(Role.COMPLIANCE_MANAGER))
    with changes_nothing(PermissionDenied):
        people.create_user(manager, "someone@example.com")
    with changes_nothing(PermissionDenied):
        people.grant_role(manager, manager.user, Role.ADMIN)  # type: ignore[arg-type]


def test_given_role_held_when_granted_again_then_conflict(make_user: MakeUser, cli: Actor) -> None:
    user = make_user(Role.VIEWER)
    with changes_nothing(Conflict):
        people.grant_role(cli, user, Role.VIEWER)


def test_given_role_when_revoked_then_the_trail_keeps_who_had_what(
    isms: ManagementSystem, make_user: MakeUser, cli: Actor
) -> None:
    user = make_user()
    ra = people.grant_role(cli, user, Role.AUDITOR, isms)
    people.revoke_role(cli, ra.pk)
    entry = last_entry(ra.pk)
    assert entry.action == "revoke"
    assert changes_of(entry) == {
        "user": [user.email, None],
        "role": ["auditor", None],
        "perimeter": ["isms", None],
    }
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()


def test_given_the_last_admin_then_the_role_cannot_be_revoked(
    admin: User, make_user: MakeUser, cli: Actor
) -> None:
    # Given one admin, plus an admin over one system only (does not count)
    make_user(
        Role.ADMIN,
        ManagementSystem.objects.create(
            organisation=Organisation.objects.get(), name="S", short_name="s", operating_model="unified"
        ),
    )
    only = RoleAssignment.objects.get(user=admin, role=Role.ADMIN)
    # When / Then
    with changes_nothing(Conflict, match="last administrator"):
        people.revoke_role(cli, only.pk)
    # Given a second organisation-wide admin, it can be revoked
    make_user(Role.ADMIN)
    people.revoke_role(cli, only.pk)
    assert not RoleAssignment.objects.filter(pk=only.pk).exists()


def test_given_deactivated_other_admin_then_the_last_active_admin_cannot_be_revoked(
    admin: User, make_user: MakeUser, cli: Actor
) -> None:
    make_user(Role.ADMIN, is_active=False)
    with changes_nothing(Conflict):
        people.revoke_role(cli, RoleAssignment.objects.get(user=admin).pk)


def test_given_user_when_deactivating_self_then_refused(admin: User) -> None:
    with changes_nothing(ValidationFailed, match="own account"):
        people.update_user(as_user(admin), admin.pk, is_active=False)


def test_given_user_when_updated_then_only_changed_fields_are_in_the_trail(
    make_user: MakeUser, cli: Actor
) -> None:
    user = make_user(full_name="Old Name", job_title="Engineer")
    people.update_user(cli, user.pk, full_name="New Name", job_title="Engineer")
    assert changes_of(last_entry(user.pk)) == {"full_name": ["Old Name", "New Name"]}
    with changes_nothing(ValidationFailed, match="Unknown field"):
        people.update_user(cli, user.pk, email="elsewhere@example.com")


def test_given_password_change_then_the_trail_hides_it(make_user: MakeUser) -> None:
    user = make_user(Role.VIEWER)
    accounts.set_password(as_user(user), user, "another-long-passphrase")
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")
    assert changes_of(last_entry(user.pk)) == {"password": ["(hidden)", "(changed)"]}
    assert not TrailEntry.objects.filter(payload__contains="another-long-passphrase").exists()
    other = make_user(Role.VIEWER)
    with changes_nothing(PermissionDenied):
        accounts.set_password(as_user(other), user, "yet-another-passphrase")


# ---------------------------------------------------------------- API tokens


def test_given_new_token_then_only_its_hash_is_stored_and_it_is_shown_once(make_user: MakeUser) -> None:
    # Given
    user = make_user(Role.CONTRIBUTOR)

    # When
    token, secret = accounts.create_token(as_user(user), user, name="CI")

    # Then the secret works, starts with the prefix, and is nowhere in the database
    assert secret.startswith(accounts.TOKEN_PREFIX) and len(secret) > 40
    assert accounts.user_for_token(secret) == user
    token.refresh_from_db()
    assert token.token_hash == accounts.hash_token(secret) and token.token_hash != secret
    stored = [
        str(v)
        for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.concrete_fields]).get()
    ]
    assert not any(secret in v for v in stored)
    assert token.prefix == secret[:12] and token.last_used_at is not None
    assert not TrailEntry.objects.filter(payload__contains=secret).exists()
    assert not hasattr(token, "secret")


def test_given_unknown_or_malformed_token_then_no_user(make_user: MakeUser) -> None:
    user = make_user(Role.VIEWER)
    _, secret = accounts.create_token(Actor.cli(), user)
    assert accounts.user_for_token(secret + "x") is None
    assert accounts.user_for_token("Bearer " + secret) is None
    assert accounts.user_for_token("") is None


def test_given_revoked_token_then_no_user(make_user: MakeUser) -> None:
    user = make_user(Role.CONTRIBUTOR)  # revoking one's own token needs own_tokens
    token, secret = accounts.create_token(Actor.cli(), user)
    accounts.revoke_token(as_user(user), token.pk)
    assert accounts.user_for_token(secret) is None
    assert last_entry(token.pk).action == "revoke"
    with changes_nothing(Conflict, match="already revoked"):
        accounts.revoke_token(as_user(user), token.pk)


def test_given_expired_token_then_no_user(make_user: MakeUser) -> None:
    user = make_user(Role.VIEWER)
    token, secret = accounts.create_token(Actor.cli(), user, expires_in_days=1)
    assert accounts.user_for_token(secret) == user
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert accounts.user_for_token(secret) is None


def test_given_deactivated_user_then_their_token_stops_working(make_user: MakeUser, cli: Actor) -> None:
    user = make_user(Role.VIEWER)
    _, secret = accounts.create_token(cli, user)
    people.update_user(cli, user.pk, is_active=False)
    assert accounts.user_for_token(secret) is None
    user.refresh_from_db()
    with changes_nothing(ValidationFailed, match="deactivated"):
        accounts.create_token(cli, user)


def test_given_token_rules_then_bad_requests_change_nothing(make_user: MakeUser) -> None:
    viewer = make_user(Role.VIEWER)
    other = make_user(Role.CONTRIBUTOR)
    # a viewer has no own_tokens permission
    with changes_nothing(PermissionDenied):
        accounts.create_token(as_user(viewer), viewer)
    # nobody but an admin makes tokens for someone else
    with changes_nothing(PermissionDenied):
        accounts.create_token(as_user(other), viewer)
    with changes_nothing(ValidationFailed, match="1 to 3650 days"):
        accounts.create_token(as_user(other), other, expires_in_days=0)
    with changes_nothing(ValidationFailed, match="1 to 3650 days"):
        accounts.create_token(as_user(other), other, expires_in_days=100_000_000)
    token, _ = accounts.create_token(as_user(other), other)
    with changes_nothing(PermissionDenied):
        accounts.revoke_token(as_user(viewer), token.pk)
    # nor may a viewer revoke their own (an admin made it): that needs own_tokens too
    own, _ = accounts.create_token(Actor.cli(), viewer)
    with changes_nothing(PermissionDenied):
        accounts.revoke_token(as_user(viewer), own.pk)


# ---------------------------------------------------------------- login throttling


def test_given_repeated_failures_then_the_account_is_locked(db: Any, settings: Any) -> None:
    # Given
    settings.KEEL_LOGIN_MAX_FAILURES = 3
    actor = Actor(user=None, label="anonymous", channel=Channel.WEB, ip="198.51.100.4")
    for _ in range(2):
        accounts.record_login(actor, "Target@Example.com", succeeded=False)
    assert not accounts.login_locked("target@example.com", "198.51.100.4")

    # When
    accounts.record_login(actor, "target@example.com", succeeded=False)

    # Then the account is locked from any address, others are not
    assert accounts.login_locked("TARGET@example.com", "192.0.2.99")
    assert not accounts.login_locked("someone-else@example.com", "192.0.2.99")
    failed = TrailEntry.objects.filter(action="login_failed", object_id="target@example.com")
    assert failed.count() == 3 and all(e.ip == "198.51.100.4" for e in failed)


def test_given_old_failures_then_they_no_longer_count(db: Any, settings: Any) -> None:
    settings.KEEL_LOGIN_MAX_FAILURES = 2
    actor = Actor(user=None, label="anonymous", channel=Channel.WEB, ip="198.51.100.4")
    for _ in range(2):
        accounts.record_login(actor, "target@example.com", succeeded=False)
    assert accounts.login_locked("target@example.com", "")
    LoginAttempt.objects.update(
        at=timezone.now() - dt.timedelta(seconds=settings.KEEL_LOGIN_WINDOW_SECONDS + 1)
    )
    assert not accounts.login_locked("target@example.com", "")


def test_given_one_address_trying_many_accounts_then_the_address_is_locked(db: Any, settings: Any) -> None:
    settings.KEEL_LOGIN_MAX_FAILURES = 2
    actor = Actor(user=None, label="anonymous", channel=Channel.WEB, ip="198.51.100.9")
    for n in range(8):
        accounts.record_login(actor, f"guess{n}@example.com", succeeded=False)
    assert accounts.login_locked("fresh@example.com", "198.51.100.9")
    assert not accounts.login_locked("fresh@example.com", "198.51.100.10")


def test_given_successful_login_then_it_is_recorded(make_user: MakeUser) -> None:
    user = make_user(Role.VIEWER)
    accounts.record_login(as_user(user), user.email, succeeded=True, user=user)
    entry = last_entry(user.pk)
    assert entry.action == "login" and entry.actor_id == user.pk
    assert LoginAttempt.objects.filter(email=user.email, succeeded=True).count() == 1


def test_given_a_service_actor_then_the_trail_records_who_and_where(
    org: Organisation, make_user: MakeUser
) -> None:
    manager = make_user(Role.COMPLIANCE_MANAGER)
    party = org_services.save_interested_party(
        as_user(manager), name="Board", category="investor", needs_expectations="Certification"
    )
    entry = last_entry(party.pk)
    assert (entry.actor_id, entry.actor_label, entry.channel, entry.ip) == (
        manager.pk,
        manager.email,
        "web",
        "203.0.113.7",
    )
    cli_entry = last_entry(
        org_services.save_context_issue(
            Actor.cli(), title="T", description="D", kind="internal", category="social"
        ).pk
    )
    assert (
        cli_entry.actor_id is None and cli_entry.actor_label.startswith("os:") and cli_entry.channel == "cli"
    )
    assert OrganisationFactory() == Organisation.objects.get()


def test_given_a_nul_character_in_text_then_it_is_refused_before_the_database(org: Organisation) -> None:
    actor = Actor.system("test")
    with changes_nothing(ValidationFailed, match="control characters from: name"):
        org_services.save_interested_party(
            actor, name="Bad\x00name", category="customer", needs_expectations="n"
        )


def test_given_a_successful_login_then_earlier_failures_stop_counting(
    make_user: MakeUser, settings: Any
) -> None:
    # Given two failures, one short of the limit
    settings.KEEL_LOGIN_MAX_FAILURES = 3
    user = make_user(Role.VIEWER)
    stranger = Actor(user=None, label="anonymous", channel=Channel.WEB, ip="198.51.100.4")
    for _ in range(2):
        accounts.record_login(stranger, user.email, succeeded=False)
    # When the owner logs in, then fails once more
    accounts.record_login(as_user(user), user.email, succeeded=True, user=user)
    accounts.record_login(stranger, user.email, succeeded=False)
    # Then only the failure after the success counts
    assert not accounts.login_locked(user.email, "192.0.2.1")


def test_given_attempts_older_than_the_retention_then_they_are_pruned(db: Any) -> None:
    actor = Actor(user=None, label="anonymous", channel=Channel.WEB, ip="198.51.100.4")
    accounts.record_login(actor, "old@example.com", succeeded=False)
    LoginAttempt.objects.update(
        at=timezone.now() - dt.timedelta(days=accounts.LOGIN_ATTEMPT_RETENTION_DAYS + 1)
    )
    accounts.record_login(actor, "new@example.com", succeeded=False)
    assert list(LoginAttempt.objects.values_list("email", flat=True)) == ["new@example.com"]
    # the trail keeps both
    assert TrailEntry.objects.filter(action="login_failed").count() == 2


def test_given_an_update_that_changes_nothing_then_nothing_is_written(org: Organisation) -> None:
    actor = Actor.system("test")
    party = org_services.save_interested_party(
        actor,
        name="Lenders",
        category="customer",
        needs_expectations="Stable scores.",
        standards=["iso27001:2022"],
    )
    stamp = InterestedParty.objects.get(pk=party.pk).updated_at
    entries = TrailEntry.objects.count()
    org_services.save_interested_party(actor, party.pk, name="Lenders", standards=["iso27001:2022"])
    assert InterestedParty.objects.get(pk=party.pk).updated_at == stamp
    assert TrailEntry.objects.count() == entries


def test_given_the_last_active_admin_then_no_one_can_deactivate_them(make_user: MakeUser) -> None:
    admin = make_user(Role.ADMIN)
    with changes_nothing(Conflict, match="last active administrator"):
        people.update_user(Actor.cli(), admin.pk, is_active=False)
    second = make_user(Role.ADMIN)
    people.update_user(Actor.cli(), admin.pk, is_active=False)
    with changes_nothing(Conflict, match="last active administrator"):
        people.update_user(Actor.cli(), second.pk, is_active=False)
