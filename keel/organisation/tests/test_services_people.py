"""The organisation's write-side services for people and access: users and roles, API tokens and
login throttling. Every failing call is checked to change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keel.organisation import people as people
from keel.organisation import services as org_services
from keel.organisation.models import InterestedParty, ManagementSystem, Organisation, RoleAssignment
from keel.organisation.tests.factories import OrganisationFactory
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.errors import Conflict, KeelError, PermissionDenied, ValidationFailed
from keel.platform.models import ApiToken, LoginAttempt, TrailEntry, User

from .service_support import MakeUser, as_user, changes_nothing, changes_of, last_entry

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
