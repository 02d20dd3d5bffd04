"""The ``keel`` command line for people and tokens (in-process with ``main([...])``):
``createuser``, ``user set-password``/``deactivate``/``activate`` and ``token``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import authenticate

from keel.organisation.models import ManagementSystem, RoleAssignment
from keel.organisation.tests.factories import TEST_PASSWORD as TEST_PASSWORD_FOR_CLI
from keel.platform.accounts import user_for_token
from keel.platform.choices import Role
from keel.platform.models import ApiToken, TrailEntry, User

from .cli_support import Run, one_error_line

# ---------------------------------------------------------------- createuser


def test_createuser_generates_a_password_and_prints_it_once(run: Run, db: Any) -> None:
    code, out, err = run(
        "createuser", "New.Person@Example.com", "--role", "compliance_manager", "--name", "New Person"
    )

    assert code == 0, err
    user = User.objects.get(email="new.person@example.com")
    assert user.full_name == "New Person"
    assert list(user.role_assignments.values_list("role", "management_system")) == [
        ("compliance_manager", None)
    ]
    password_lines = [line for line in out.splitlines() if line.startswith("Password")]
    assert len(password_lines) == 1
    password = password_lines[0].rsplit(" ", 1)[-1]
    assert len(password) >= 20
    assert authenticate(email=user.email, password=password) == user
    entry = TrailEntry.objects.filter(object_id=str(user.pk)).get()
    assert entry.channel == "cli" and entry.actor_label.startswith("os:")


def test_createuser_over_a_management_system_by_short_name(run: Run, isms: ManagementSystem) -> None:
    code, out, _ = run(
        "createuser", "owner@example.com", "--role", "contributor", "--management-system", "isms"
    )
    assert code == 0
    assert "over management system isms" in out
    ra = RoleAssignment.objects.get(user__email="owner@example.com")
    assert ra.management_system == isms


def test_createuser_with_an_unknown_management_system_fails(run: Run, isms: ManagementSystem) -> None:
    code, _, err = run(
        "createuser", "owner@example.com", "--role", "contributor", "--management-system", "nope"
    )
    assert code == 1
    assert "Known: isms" in one_error_line(err)
    assert not User.objects.filter(email="owner@example.com").exists()


def test_createuser_reads_the_password_from_stdin(run: Run, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-passphrase\n"))
    code, out, _ = run("createuser", "s@example.com", "--role", "viewer", "--password-stdin")
    assert code == 0
    assert "Password" not in out
    assert authenticate(email="s@example.com", password="a-long-enough-passphrase") is not None


def test_createuser_prompts_twice_and_refuses_a_mismatch(
    run: Run, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["a-long-enough-passphrase", "something-else-entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = run("createuser", "p@example.com", "--role", "viewer", "--password-prompt")
    assert code == 1
    assert "differ" in one_error_line(err)
    assert not User.objects.filter(email="p@example.com").exists()


def test_createuser_refuses_a_weak_password(run: Run, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("password\n"))
    code, _, err = run("createuser", "w@example.com", "--role", "viewer", "--password-stdin")
    assert code == 1
    assert "too weak" in one_error_line(err)
    assert not User.objects.filter(email="w@example.com").exists()


def test_createuser_refuses_password_options_together(run: Run, db: Any) -> None:
    code, _, err = run(
        "createuser", "w@example.com", "--role", "viewer", "--password-stdin", "--password-prompt"
    )
    assert code == 2
    one_error_line(err)


def test_createuser_refuses_a_duplicate_email(run: Run, admin: User) -> None:
    code, _, err = run("createuser", admin.email.upper(), "--role", "viewer")
    assert code == 1
    assert "already exists" in one_error_line(err)


def test_createuser_refuses_an_invalid_email(run: Run, db: Any) -> None:
    code, _, err = run("createuser", "not-an-email", "--role", "viewer")
    assert code == 1
    assert "not a valid email" in one_error_line(err)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR, Role.CONTRIBUTOR, Role.COMPLIANCE_MANAGER])
def test_createuser_as_a_non_admin_is_refused(run: Run, make_user: Callable[..., User], role: str) -> None:
    # Given a user without the manage_users permission
    actor = make_user(role)

    # When they try to create a user
    code, _, err = run("--as", actor.email, "createuser", "new@example.com", "--role", "admin")

    # Then it is refused and nothing is created
    assert code == 1
    assert f"{actor.email} is not allowed to: manage users" in one_error_line(err)
    assert not User.objects.filter(email="new@example.com").exists()


def test_createuser_as_an_admin_names_the_admin_in_the_trail(run: Run, admin: User) -> None:
    code, _, _ = run("createuser", "new@example.com", "--role", "auditor", "--as", admin.email)
    assert code == 0
    entry = TrailEntry.objects.filter(object_type="platform.user").order_by("-seq").first()
    assert entry is not None and entry.actor_label == admin.email and entry.actor_id == admin.pk


def test_as_a_deactivated_user_is_refused(run: Run, make_user: Callable[..., User]) -> None:
    former = make_user(Role.ADMIN, is_active=False)
    code, _, err = run("--as", former.email, "createuser", "new@example.com", "--role", "viewer")
    assert code == 1
    assert "deactivated" in one_error_line(err)


# ---------------------------------------------------------------- user set-password, deactivate, activate


def test_user_set_password_generates_one_and_prints_it_once(run: Run, make_user: Callable[..., User]) -> None:
    # Given a person
    person = make_user(Role.VIEWER)

    # When the operator sets a password without giving one
    code, out, err = run("user", "set-password", person.email.upper())

    # Then a strong one is generated, printed once, works, and the trail hides it
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith("Password")]
    assert len(lines) == 1
    password = lines[0].rsplit(" ", 1)[-1]
    assert len(password) >= 20 and out.count(password) == 1
    assert authenticate(email=person.email, password=password) == person
    entry = TrailEntry.objects.filter(object_id=str(person.pk)).latest("seq")
    assert entry.channel == "cli" and password not in entry.payload


def test_user_set_password_reads_stdin_and_refuses_a_weak_one(
    run: Run, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_user(Role.VIEWER)
    monkeypatch.setattr(sys, "stdin", io.StringIO("password\n"))
    code, out, err = run("user", "set-password", person.email, "--password-stdin")
    assert code == 1 and "too weak" in one_error_line(err) and not out
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-passphrase\n"))
    code, out, _ = run("user", "set-password", person.email, "--password-stdin")
    assert code == 0 and "Password" not in out and "a-long-enough-passphrase" not in out
    assert authenticate(email=person.email, password="a-long-enough-passphrase") == person


def test_user_set_password_prompts_twice(
    run: Run, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_user(Role.VIEWER)
    answers = iter(["a-long-enough-passphrase", "something-else-entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = run("user", "set-password", person.email, "--password-prompt")
    assert code == 1 and "differ" in one_error_line(err)
    assert authenticate(email=person.email, password="a-long-enough-passphrase") is None


def test_user_commands_name_an_unknown_email(run: Run, db: Any) -> None:
    for command in ("set-password", "deactivate", "activate"):
        code, out, err = run("user", command, "ghost@example.com")
        assert code == 1 and not out
        assert "No user with email 'ghost@example.com'" in one_error_line(err)


def test_user_set_password_as_a_non_admin_is_refused_before_anything_is_printed(
    run: Run, make_user: Callable[..., User]
) -> None:
    person = make_user(Role.VIEWER)
    manager = make_user(Role.COMPLIANCE_MANAGER)
    code, out, err = run("user", "set-password", person.email, "--as", manager.email)
    assert code == 1 and not out
    assert "is not allowed to: manage users" in one_error_line(err)
    assert authenticate(email=person.email, password=TEST_PASSWORD_FOR_CLI) == person


def test_user_deactivate_blocks_logins_and_tokens_and_activate_undoes_it(
    run: Run, admin: User, make_user: Callable[..., User]
) -> None:
    # Given a person with a password and a token
    person = make_user(Role.CONTRIBUTOR)
    code, secret, _ = run("token", "create", person.email)
    secret = secret.strip()

    # When an admin deactivates them
    code, out, err = run("user", "deactivate", person.email, "--as", admin.email)

    # Then logins and the token are refused, and the trail names the admin
    assert code == 0, err
    assert "Deactivated" in out
    assert authenticate(email=person.email, password=TEST_PASSWORD_FOR_CLI) is None
    assert user_for_token(secret) is None
    entry = TrailEntry.objects.filter(object_id=str(person.pk)).latest("seq")
    assert entry.actor == admin and '"is_active":[true,false]' in entry.payload

    # When deactivated again, nothing changes; when activated, they are back
    code, out, _ = run("user", "deactivate", person.email)
    assert code == 0 and "already deactivated" in out
    code, out, _ = run("user", "activate", person.email)
    assert code == 0 and "Reactivated" in out
    assert authenticate(email=person.email, password=TEST_PASSWORD_FOR_CLI) == person
    assert user_for_token(secret) == person


def test_user_deactivate_of_yourself_is_refused(run: Run, admin: User) -> None:
    code, out, err = run("user", "deactivate", admin.email, "--as", admin.email)
    assert code == 1 and not out
    assert "cannot deactivate your own account" in one_error_line(err)
    admin.refresh_from_db()
    assert admin.is_active


# ---------------------------------------------------------------- tokens


def test_token_create_prints_only_the_token_on_stdout(run: Run, admin: User) -> None:
    code, out, err = run("token", "create", admin.email, "--name", "ci", "--expires-days", "30")

    assert code == 0, err
    secret = out.strip()
    assert out == secret + "\n"
    assert user_for_token(secret) == admin
    token = ApiToken.objects.get(user=admin)
    assert token.name == "ci" and token.expires_at is not None
    assert str(token.id) in err and "not shown again" not in out


def test_token_create_for_yourself_as_a_contributor(run: Run, make_user: Callable[..., User]) -> None:
    me = make_user(Role.CONTRIBUTOR)
    code, out, _ = run("token", "create", me.email, "--as", me.email)
    assert code == 0
    assert user_for_token(out.strip()) == me


def test_token_create_for_someone_else_needs_manage_users(run: Run, make_user: Callable[..., User]) -> None:
    me, other = make_user(Role.COMPLIANCE_MANAGER), make_user(Role.VIEWER)
    code, out, err = run("token", "create", other.email, "--as", me.email)
    assert code == 1
    assert out == ""
    one_error_line(err)
    assert not ApiToken.objects.exists()


def test_token_create_for_a_viewer_themselves_is_refused(run: Run, make_user: Callable[..., User]) -> None:
    viewer = make_user(Role.VIEWER)
    code, _, err = run("token", "create", viewer.email, "--as", viewer.email)
    assert code == 1
    assert "not allowed" in one_error_line(err)


def test_token_create_for_an_unknown_user_fails(run: Run, db: Any) -> None:
    code, _, err = run("token", "create", "ghost@example.com")
    assert code == 1
    assert "No user with email" in one_error_line(err)


def test_token_list_and_revoke(run: Run, admin: User) -> None:
    import json

    # Given a token
    code, out, _ = run("token", "create", admin.email, "--name", "deploy")
    secret = out.strip()
    token = ApiToken.objects.get(user=admin)

    # When listed as JSON
    code, out, _ = run("token", "list", admin.email, "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["id"], r["name"], r["status"]) for r in rows] == [(str(token.id), "deploy", "active")]
    assert secret not in out and rows[0]["prefix"] == secret[:12]

    # When revoked, then the token no longer works and the list says so
    code, out, _ = run("token", "revoke", str(token.id))
    assert code == 0 and "Revoked" in out
    assert user_for_token(secret) is None
    code, out, _ = run("token", "list", admin.email)
    assert code == 0
    header, row = out.splitlines()
    assert header.split()[:4] == ["ID", "NAME", "PREFIX", "STATUS"]
    assert "revoked" in row

    # And revoking again is a clear failure
    code, _, err = run("token", "revoke", str(token.id))
    assert code == 1
    assert "already revoked" in one_error_line(err)


def test_token_list_of_someone_else_needs_manage_users(run: Run, make_user: Callable[..., User]) -> None:
    auditor, other = make_user(Role.AUDITOR), make_user(Role.VIEWER)
    assert run("token", "list", auditor.email, "--as", auditor.email)[0] == 0
    code, _, err = run("token", "list", other.email, "--as", auditor.email)
    assert code == 1
    assert "not allowed" in one_error_line(err)


def test_token_revoke_of_an_unknown_token_fails(run: Run, db: Any) -> None:
    code, _, err = run("token", "revoke", "6f1c1f7e-3c55-4f43-9d55-0d7cbbdb1a3e")
    assert code == 1
    assert "No API token" in one_error_line(err)


def test_token_revoke_of_someone_elses_token_is_refused(run: Run, make_user: Callable[..., User]) -> None:
    owner, other = make_user(Role.CONTRIBUTOR), make_user(Role.CONTRIBUTOR)
    run("token", "create", owner.email)
    token = ApiToken.objects.get(user=owner)
    code, _, err = run("token", "revoke", str(token.id), "--as", other.email)
    assert code == 1
    one_error_line(err)
    token.refresh_from_db()
    assert token.revoked_at is None
