"""Unit tests of the one permission check (has_perm / check / restrict) over roles and
perimeters. The expected rules are written out here independently of ROLE_PERMS, so a change
to the rules must be made deliberately in both places (and in docs/permissions.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from keel.organisation import people as people
from keel.organisation.models import ManagementSystem, ScopeStatement
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.errors import PermissionDenied
from keel.platform.models import User
from keel.platform.permissions import (
    ORG_ONLY,
    OWNED,
    Perm,
    check,
    forget_cached_roles,
    has_any_role,
    has_owner_perm,
    has_perm,
    restrict,
    roles_granting,
    system_ids_with,
)
from keel.standards.models import Standard

MakeUser = Callable[..., User]

# The rules as documented in docs/permissions.md.
EXPECTED: dict[str, set[str]] = {
    Role.ADMIN: {
        "view",
        "view_trail",
        "edit_context",
        "manage_systems",
        "edit_scope",
        "approve_scope",
        "manage_users",
        "edit_people",
        "load_standards",
        "own_tokens",
        "edit_controls",
        "edit_own_controls",
        "edit_soa",
        "approve_soa",
        "edit_mappings",
        "edit_evidence",
        "edit_ai_systems",
        "record_ai_results",
        "edit_assets",
        "edit_risks",
        "accept_risks",
        "approve_impact_assessments",
        "edit_documents",
        "approve_documents",
        "edit_support",
        "record_readings",
        "report_concerns",
        "handle_concerns",
        "view_concern_reporters",
        "raise_nonconformities",
        "manage_nonconformities",
        "work_own_nonconformities",
        "edit_audits",
        "record_audit_results",
        "edit_reviews",
        "view_others_work",
        "edit_certification",
        "edit_suppliers",
        "approve_suppliers",
        "report_incidents",
        "handle_incidents",
        "edit_changes",
        "approve_changes",
    },
    Role.COMPLIANCE_MANAGER: {
        "view",
        "view_trail",
        "edit_context",
        "edit_people",
        "manage_systems",
        "edit_scope",
        "approve_scope",
        "own_tokens",
        "edit_controls",
        "edit_own_controls",
        "edit_soa",
        "approve_soa",
        "edit_mappings",
        "edit_evidence",
        "edit_ai_systems",
        "record_ai_results",
        "edit_assets",
        "edit_risks",
        "accept_risks",
        "approve_impact_assessments",
        "edit_documents",
        "approve_documents",
        "edit_support",
        "record_readings",
        "report_concerns",
        "handle_concerns",
        "raise_nonconformities",
        "manage_nonconformities",
        "work_own_nonconformities",
        "edit_audits",
        "record_audit_results",
        "edit_reviews",
        "view_others_work",
        "edit_certification",
        "edit_suppliers",
        "approve_suppliers",
        "report_incidents",
        "handle_incidents",
        "edit_changes",
        "approve_changes",
    },
    Role.CONTRIBUTOR: {
        "view",
        "own_tokens",
        "edit_own_controls",
        "edit_evidence",
        "record_ai_results",
        "accept_risks",
        "record_readings",
        "report_concerns",
        "raise_nonconformities",
        "work_own_nonconformities",
        "report_incidents",
        "edit_changes",
    },
    Role.AUDITOR: {"view", "view_trail", "own_tokens", "raise_nonconformities", "record_audit_results"},
    Role.VIEWER: {"view", "report_concerns"},
}
EXPECTED_ORG_ONLY = {"manage_users", "edit_people", "load_standards", "manage_systems", "edit_context"}
# Permissions over one's own records, and the wider permission that implies each.
EXPECTED_OWNED = {
    "edit_own_controls": "edit_controls",
    "work_own_nonconformities": "manage_nonconformities",
}
ALL_PERMS = sorted(Perm.values)
ROLES = list(Role.values)


def test_the_expectations_cover_every_permission_and_role() -> None:
    # A new permission or role fails here until its rule is written down above.
    assert set(EXPECTED) == set(Role.values)
    assert set().union(*EXPECTED.values()) == set(Perm.values)
    assert set(ORG_ONLY) == EXPECTED_ORG_ONLY
    assert OWNED == EXPECTED_OWNED
    for narrow, wide in EXPECTED_OWNED.items():  # the wider permission implies the narrower
        assert all(narrow in perms for perms in EXPECTED.values() if wide in perms)
    for perm in ALL_PERMS:
        assert set(roles_granting(perm)) == {r for r, perms in EXPECTED.items() if perm in perms}


@pytest.mark.parametrize("role", ROLES)
def test_given_role_at_organisation_level_then_it_applies_everywhere(
    role: str, make_user: MakeUser, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # Given
    user = make_user(role)

    # When / Then: organisation-level records and every management system alike
    for perm in ALL_PERMS:
        allowed = perm in EXPECTED[role]
        assert has_perm(user, perm) is allowed, (role, perm, "org")
        assert has_perm(user, perm, isms) is allowed, (role, perm, "isms")
        assert has_perm(user, perm, aims.pk) is allowed, (role, perm, "aims")


@pytest.mark.parametrize("role", ROLES)
def test_given_role_over_one_system_then_it_applies_inside_its_perimeter_only(
    role: str, make_user: MakeUser, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # Given
    user = make_user(role, isms)

    for perm in ALL_PERMS:
        # Then inside: the role's permissions, except those that only exist organisation-wide
        inside = perm in EXPECTED[role] and perm not in EXPECTED_ORG_ONLY
        assert has_perm(user, perm, isms) is inside, (role, perm, "inside")
        assert has_perm(user, perm, str(isms.pk)) is inside, (role, perm, "inside, id as text")
        # personal permissions (one's own API tokens) hold wherever the role is held
        personal = perm == Perm.OWN_TOKENS and perm in EXPECTED[role]
        # outside: nothing but the personal ones
        assert has_perm(user, perm, aims) is personal, (role, perm, "outside")
        # organisation-level records: read, never edit
        expected_org = perm == Perm.VIEW or personal
        assert has_perm(user, perm, None) is expected_org, (role, perm, "org-level record")


def test_given_roles_over_two_systems_then_each_applies_to_its_own(
    make_user: MakeUser, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # Given a compliance manager of the ISMS who is only a viewer of the AIMS
    user = make_user(Role.COMPLIANCE_MANAGER, isms)
    people.grant_role(Actor.cli(), user, Role.VIEWER, aims)

    # Then
    assert has_perm(user, Perm.APPROVE_SCOPE, isms)
    assert not has_perm(user, Perm.APPROVE_SCOPE, aims)
    assert has_perm(user, Perm.VIEW, aims)
    assert not has_perm(user, Perm.EDIT_CONTEXT)
    assert system_ids_with(user, Perm.VIEW) == {isms.pk, aims.pk}
    assert system_ids_with(user, Perm.EDIT_SCOPE) == {isms.pk}
    assert system_ids_with(user, Perm.MANAGE_SYSTEMS) == set()


@pytest.mark.parametrize("role", ROLES)
def test_an_owner_permission_needs_ownership_or_the_wider_permission_and_a_role_over_the_system(
    role: str, make_user: MakeUser, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # Given a user with the role over the ISMS only, and someone else
    user = make_user(role, isms)
    other = make_user(email="other@example.com")
    wider = role in (Role.ADMIN, Role.COMPLIANCE_MANAGER)
    narrow = role == Role.CONTRIBUTOR or wider

    # Then on the ISMS: the wider permission allows every record, the narrower one its own
    assert has_owner_perm(user, Perm.EDIT_OWN_CONTROLS, isms, user.pk) is narrow
    assert has_owner_perm(user, Perm.EDIT_OWN_CONTROLS, isms, other.pk) is wider
    assert has_owner_perm(user, Perm.EDIT_OWN_CONTROLS, isms, None) is wider
    # And owning a record of a system without a role there grants nothing
    assert has_owner_perm(user, Perm.EDIT_OWN_CONTROLS, aims, user.pk) is False
    assert has_owner_perm(user, Perm.EDIT_OWN_CONTROLS, None, user.pk) is False
    assert has_owner_perm(None, Perm.EDIT_OWN_CONTROLS, isms, None) is False


def test_given_no_role_inactive_or_anonymous_then_nothing_is_allowed(
    make_user: MakeUser, isms: ManagementSystem
) -> None:
    nobody = make_user()
    inactive = make_user(Role.ADMIN, is_active=False)
    for user in (None, AnonymousUser(), nobody, inactive):
        for perm in ALL_PERMS:
            assert not has_perm(user, perm)  # type: ignore[arg-type]
            assert not has_perm(user, perm, isms)  # type: ignore[arg-type]
        assert not has_any_role(user)  # type: ignore[arg-type]
        assert system_ids_with(user, Perm.VIEW) == set()  # type: ignore[arg-type]


def test_given_unknown_system_id_then_a_scoped_role_does_not_match(
    make_user: MakeUser, isms: ManagementSystem
) -> None:
    user = make_user(Role.ADMIN, isms)
    assert not has_perm(user, Perm.VIEW, uuid.uuid4())


def test_given_role_granted_or_revoked_through_the_service_then_the_check_sees_it(
    make_user: MakeUser, isms: ManagementSystem
) -> None:
    # Given a user whose (empty) roles were already read
    user = make_user()
    assert not has_perm(user, Perm.EDIT_SCOPE, isms)

    # When granted
    ra = people.grant_role(Actor.cli(), user, Role.COMPLIANCE_MANAGER, isms)
    # Then
    assert has_perm(user, Perm.EDIT_SCOPE, isms)

    # When revoked (the service works on its own copy of the user)
    people.revoke_role(Actor.cli(), ra.pk)
    forget_cached_roles(user)
    # Then
    assert not has_perm(user, Perm.EDIT_SCOPE, isms)


def test_given_many_checks_then_roles_are_read_once(
    make_user: MakeUser, isms: ManagementSystem, django_assert_num_queries: Any
) -> None:
    user = User.objects.get(pk=make_user(Role.AUDITOR, isms).pk)
    with django_assert_num_queries(1):
        for perm in ALL_PERMS:
            has_perm(user, perm, isms)
            has_perm(user, perm)


# ---------------------------------------------------------------- restrict


@pytest.fixture
def scopes(isms: ManagementSystem, aims: ManagementSystem) -> dict[str, ScopeStatement]:
    return {
        "isms": ScopeStatement.objects.create(
            management_system=isms,
            standard=Standard.objects.get(key="iso27001:2022"),
            version=1,
            summary="ISMS scope",
        ),
        "aims": ScopeStatement.objects.create(
            management_system=aims,
            standard=Standard.objects.get(key="iso42001:2023"),
            version=1,
            summary="AIMS scope",
        ),
    }


@pytest.mark.parametrize("role", ROLES)
def test_given_org_level_role_then_restrict_keeps_all_records_it_may_see(
    role: str, make_user: MakeUser, scopes: dict[str, ScopeStatement]
) -> None:
    user = make_user(role)
    for perm in ALL_PERMS:
        expected = {"isms", "aims"} if perm in EXPECTED[role] else set()
        got = {s.management_system.short_name for s in restrict(ScopeStatement.objects.all(), user, perm)}
        assert got == expected, (role, perm)


@pytest.mark.parametrize("role", ROLES)
def test_given_role_over_one_system_then_restrict_keeps_that_system_only(
    role: str, make_user: MakeUser, isms: ManagementSystem, scopes: dict[str, ScopeStatement]
) -> None:
    user = make_user(role, isms)
    for perm in ALL_PERMS:
        inside = perm in EXPECTED[role] and perm not in EXPECTED_ORG_ONLY
        got = {s.management_system.short_name for s in restrict(ScopeStatement.objects.all(), user, perm)}
        assert got == ({"isms"} if inside else set()), (role, perm)


def test_given_no_role_then_restrict_keeps_nothing(
    make_user: MakeUser, scopes: dict[str, ScopeStatement]
) -> None:
    assert not restrict(ScopeStatement.objects.all(), make_user(), Perm.VIEW).exists()
    assert not restrict(ScopeStatement.objects.all(), None, Perm.VIEW).exists()


def test_given_other_field_name_then_restrict_filters_on_it(
    make_user: MakeUser, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    user = make_user(Role.VIEWER, aims)
    got = restrict(ManagementSystem.objects.all(), user, Perm.VIEW, field="pk")
    assert list(got) == [aims]


# ---------------------------------------------------------------- check


def test_given_allowed_actor_then_check_passes_silently(make_user: MakeUser, isms: ManagementSystem) -> None:
    actor = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), Channel.API)
    check(actor, Perm.APPROVE_SCOPE, isms)
    check(actor, Perm.VIEW)


def test_given_denied_actor_then_check_says_who_and_what(
    make_user: MakeUser, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    user = make_user(Role.COMPLIANCE_MANAGER, isms)
    actor = Actor.for_user(user, Channel.WEB)
    with pytest.raises(PermissionDenied) as exc:
        check(actor, Perm.APPROVE_SCOPE, aims)
    assert user.email in exc.value.message
    assert "approve scope statements" in exc.value.message and "management system" in exc.value.message
    assert exc.value.status == 403
    with pytest.raises(PermissionDenied, match="edit the organisation"):
        check(actor, Perm.EDIT_CONTEXT)


def test_given_cli_operator_or_system_then_check_trusts_them(isms: ManagementSystem) -> None:
    for actor in (Actor.cli(), Actor.system("job")):
        for perm in ALL_PERMS:
            check(actor, perm)
            check(actor, perm, isms)


def test_given_anonymous_web_or_api_actor_then_check_denies(isms: ManagementSystem) -> None:
    for channel in (Channel.WEB, Channel.API):
        actor = Actor(user=None, label="anonymous", channel=channel)
        with pytest.raises(PermissionDenied):
            check(actor, Perm.VIEW)


def test_given_cli_with_named_user_then_that_users_permissions_apply(make_user: MakeUser) -> None:
    actor = Actor.cli(make_user(Role.VIEWER))
    check(actor, Perm.VIEW)
    with pytest.raises(PermissionDenied):
        check(actor, Perm.LOAD_STANDARDS)


def test_given_a_proxy_when_the_client_forges_x_forwarded_for_then_the_proxy_entry_is_used(
    settings: Any, rf: Any
) -> None:
    from keel.platform.actor import client_ip

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.7", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "10.0.0.7"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="127.0.0.1")) == ""


def test_given_no_proxy_then_x_forwarded_for_is_ignored(rf: Any) -> None:
    from keel.platform.actor import client_ip

    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
