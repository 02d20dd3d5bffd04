"""The ``keel`` command line: set-up, people and tokens (in-process with ``main([...])``), and a
few end-to-end runs of the real console command against a fresh data folder."""

from __future__ import annotations

import importlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import types
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.contrib.auth import authenticate

from keel.organisation.models import ManagementSystem, RoleAssignment
from keel.organisation.tests.factories import TEST_PASSWORD as TEST_PASSWORD_FOR_CLI
from keel.platform.accounts import user_for_token
from keel.platform.choices import Role
from keel.platform.models import ApiToken, TrailEntry, User
from keel.platform.permissions import Perm
from keel.site.cli import PERMISSIONS, command_paths, main
from keel.standards.loader import DATA_DIR
from keel.standards.models import Requirement, Standard

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run("createuser", ...)`` -> (exit code, stdout, stderr)."""

    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "expected an error message on stderr"
    assert lines[-1].startswith("keel: error: "), err
    assert "Traceback" not in err
    return lines[-1]


# ---------------------------------------------------------------- parser, help, version


def test_version(run: Run) -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == "keel 0.1.0"


@pytest.mark.parametrize("path", sorted(PERMISSIONS))
def test_every_command_has_help(run: Run, path: str) -> None:
    code, out, _ = run(*path.split(), "--help")
    assert code == 0
    assert out.startswith(f"usage: keel {path}")


@pytest.mark.parametrize("group", ["user", "token", "standards", "trail"])
def test_command_groups_have_help_and_need_a_subcommand(run: Run, group: str) -> None:
    assert run(group, "--help")[0] == 0
    code, _, err = run(group)
    assert code == 2
    assert "required" in one_error_line(err)


def test_every_command_declares_its_permission() -> None:
    # Given the parser; then every runnable command has a rule (None: operator only)
    assert set(command_paths()) == set(PERMISSIONS)
    assert {p for p in PERMISSIONS.values() if p is not None} <= set(Perm.values)


@pytest.mark.parametrize(
    "argv",
    [
        ["bogus"],
        ["createuser", "x@example.com"],  # --role missing
        ["createuser", "x@example.com", "--role", "wizard"],
        ["serve", "--port", "99999"],
        ["serve", "--workers", "0"],
        ["token", "create", "x@example.com", "--expires-days", "0"],
        ["token", "revoke", "not-a-uuid"],
        ["standards", "list", "--format", "xml"],
        ["--as", "someone@example.com", "serve"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(run: Run, argv: list[str]) -> None:
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    one_error_line(err)


# ---------------------------------------------------------------- init


def test_init_on_an_initialised_database_changes_nothing(run: Run, db: Any) -> None:
    # Given the test database, migrated and with the standards loaded
    before = TrailEntry.objects.count()

    # When init runs twice
    first = run("init")
    second = run("init")

    # Then both succeed, report every standard up to date, and write no trail entries
    for code, out, err in (first, second):
        assert code == 0, err
        assert "iso27001:2022 (revision 1): up to date" in out
        assert "iso42001:2023 (revision 2): up to date" in out
        assert "crosswalk iso27001-2022--iso42001-2023 (revision 2): 118 targets (" in out
        assert "Database: up to date" in err
    assert TrailEntry.objects.count() == before


def test_init_as_a_viewer_is_refused(run: Run, make_user: Callable[..., User]) -> None:
    viewer = make_user(Role.VIEWER)
    code, _, err = run("init", "--as", viewer.email)
    assert code == 1
    assert "not allowed to: load or reload the standards library" in one_error_line(err)
    assert "Loading" not in err


def test_init_as_an_unknown_user_is_refused(run: Run, db: Any) -> None:
    code, _, err = run("--as", "ghost@example.com", "init")
    assert code == 1
    assert "no user with that email" in one_error_line(err)


def test_init_as_an_admin_names_the_admin_in_the_trail(run: Run, admin: User, tmp_path: Path) -> None:
    # Given data files where one 42001 title changed
    data = copy_data(tmp_path)
    edit_entry(data / "iso42001-2023" / "annex-a.yaml", "A.2.2", title="AI policy (revised title)")

    # When an admin runs init on them
    code, out, err = run("init", "--as", admin.email, "--standards-data", str(data))

    # Then the entry is updated and the trail entry names the admin on the CLI channel
    assert code == 0, err
    assert "iso42001:2023 (revision 2): 0 created, 1 updated, 0 withdrawn" in out
    assert Requirement.objects.get(key="iso42001:2023:A.2.2").title == "AI policy (revised title)"
    entry = TrailEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.actor_label, entry.channel, entry.action) == (admin.email, "cli", "load")


def test_init_withdraws_an_entry_a_newer_revision_drops(run: Run, db: Any, tmp_path: Path) -> None:
    # Given data files without 27001 A.5.12 (and template and crosswalk libraries that no longer need it)
    data = copy_data(tmp_path)
    drop_entry(data / "iso27001-2022" / "annex-a-5.yaml", "A.5.12")
    templates = tmp_path / "templates"
    templates.mkdir()
    crosswalks = tmp_path / "crosswalks"
    crosswalks.mkdir()

    # When
    code, out, err = run(
        "init",
        "--standards-data",
        str(data),
        "--templates-data",
        str(templates),
        "--crosswalks-data",
        str(crosswalks),
    )

    # Then it is withdrawn, not deleted
    assert code == 0, err
    assert "iso27001:2022 (revision 1): 0 created, " in out
    assert " updated, 1 withdrawn" in out  # later entries move up one place
    row = Requirement.objects.get(key="iso27001:2022:A.5.12")
    assert row.withdrawn_at is not None


def test_init_refuses_a_template_library_that_links_a_requirement_the_data_drops(
    run: Run, db: Any, tmp_path: Path
) -> None:
    data = copy_data(tmp_path)
    drop_entry(data / "iso27001-2022" / "annex-a-5.yaml", "A.5.12")
    trail_before = TrailEntry.objects.count()
    code, _, err = run("init", "--standards-data", str(data))
    assert code == 1
    assert "control-template data files have" in err and "'iso27001:2022:A.5.12' does not exist" in err
    assert TrailEntry.objects.count() == trail_before
    assert Requirement.objects.get(key="iso27001:2022:A.5.12").withdrawn_at is None


def test_init_with_a_malformed_data_file_names_file_and_entry_and_loads_nothing(
    run: Run, db: Any, tmp_path: Path
) -> None:
    # Given a valid change in one standard and two broken entries in the other
    data = copy_data(tmp_path)
    edit_entry(data / "iso42001-2023" / "annex-a.yaml", "A.2.2", title="Should not be loaded")
    edit_entry(data / "iso27001-2022" / "annex-a-5.yaml", "A.5.12", kind="gadget")
    edit_entry(data / "iso27001-2022" / "annex-a-6-8.yaml", "A.8.1", title="")
    trail_before = TrailEntry.objects.count()
    title_before = Requirement.objects.get(key="iso42001:2023:A.2.2").title

    # When
    code, out, err = run("init", "--standards-data", str(data))

    # Then every problem is named with its file and entry, and nothing changed
    assert code == 1
    assert "nothing was loaded" in err
    assert "iso27001-2022/annex-a-5.yaml: entry 'A.5.12': kind 'gadget'" in err
    assert "iso27001-2022/annex-a-6-8.yaml: entry 'A.8.1': missing 'title'" in err
    assert "Traceback" not in err
    assert "Done" not in out
    assert Requirement.objects.get(key="iso42001:2023:A.2.2").title == title_before
    assert TrailEntry.objects.count() == trail_before


def test_init_with_a_missing_data_folder_is_a_usage_error(run: Run, db: Any, tmp_path: Path) -> None:
    code, _, err = run("init", "--standards-data", str(tmp_path / "nope"))
    assert code == 2
    assert "does not exist" in one_error_line(err)


# ---------------------------------------------------------------- demo


def stub_demo(monkeypatch: pytest.MonkeyPatch, created: bool = True) -> list[Any]:
    """Replace ``keel.site.demo`` by a stub with the same interface; returns the actors it saw."""
    seen: list[Any] = []

    def load_demo(actor: Any, progress: Callable[[str], None] | None = None) -> Any:
        seen.append(actor)
        if progress:
            progress("Creating the organisation ...")
            progress("Creating 6 people ...")
        return types.SimpleNamespace(
            created=created,
            login_email="admin@demo.example",
            login_password="demo-password-123",
            summary={"management_systems": 2, "interested_parties": 12},
            message=""
            if created
            else "An organisation already exists (Demo); the demo was not loaded again.",
        )

    name = "keel.site.demo"
    module = types.ModuleType(name)
    module.load_demo = load_demo  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    parent, _, leaf = name.rpartition(".")
    monkeypatch.setattr(importlib.import_module(parent), leaf, module, raising=False)
    return seen


def test_demo_initialises_then_loads_the_demo_and_prints_the_login(
    run: Run, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = stub_demo(monkeypatch)

    code, out, err = run("demo")

    assert code == 0, err
    assert "iso27001:2022 (revision 1): up to date" in out
    assert "  Creating the organisation ..." in err
    assert "Demo organisation loaded:" in out
    assert "  management systems: 2" in out
    assert "  interested parties: 12" in out
    assert "Demo login: admin@demo.example  password: demo-password-123" in out
    assert "http" not in out
    assert len(seen) == 1 and seen[0].user is None and seen[0].channel == "cli"


def test_demo_passes_the_as_user_to_the_demo(run: Run, admin: User, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = stub_demo(monkeypatch, created=False)
    code, out, _ = run("--as", admin.email, "demo")
    assert code == 0
    assert "already present" in out
    assert seen[0].user == admin


def test_demo_as_a_viewer_is_refused_before_anything_runs(
    run: Run, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = stub_demo(monkeypatch)
    viewer = make_user(Role.VIEWER)
    code, _, err = run("demo", "--as", viewer.email)
    assert code == 1
    assert "not allowed" in one_error_line(err)
    assert seen == []


def test_demo_for_real_records_a_trail_entry_for_everything(run: Run, db: Any) -> None:
    pytest.importorskip("keel.site.demo")
    before = TrailEntry.objects.count()

    code, out, err = run("demo")

    assert code == 0, err
    assert "Demo login:" in out
    assert TrailEntry.objects.count() > before + 20
    assert run("trail", "verify")[0] == 0


# ---------------------------------------------------------------- serve


def test_serve_starts_gunicorn_on_the_requested_address(
    run: Run, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keel.site.cli import setup

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(setup, "run_gunicorn", lambda bind, workers: calls.append((bind, workers)))

    code, out, err = run("serve", "--host", "0.0.0.0", "--port", "8123", "--workers", "3")  # noqa: S104

    assert code == 0, err
    assert calls == [("0.0.0.0:8123", 3)]
    assert "http://0.0.0.0:8123/" in out


def test_serve_defaults_to_localhost_8000(run: Run, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from keel.site.cli import setup

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(setup, "run_gunicorn", lambda bind, workers: calls.append((bind, workers)))
    assert run("serve")[0] == 0
    assert calls[0][0] == "127.0.0.1:8000"


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


# ---------------------------------------------------------------- helpers for data files


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _rewrite(path: Path, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["entries"] = change(doc["entries"])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_entry(path: Path, ref: str, **values: Any) -> None:
    def change(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        matches = [e for e in entries if e["ref"] == ref]
        assert matches, f"{ref} not in {path}"
        matches[0].update(values)
        return entries

    _rewrite(path, change)


def drop_entry(path: Path, ref: str) -> None:
    _rewrite(path, lambda entries: [e for e in entries if e["ref"] != ref])


# ---------------------------------------------------------------- the real console command


def keel_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KEEL_TEST_SQLITE_NAME"}}
    env["KEEL_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def keel(home: Path, *argv: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keel.site.cli", *argv],
        env=keel_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def fresh_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder initialised by a real ``keel init``."""
    home = tmp_path_factory.mktemp("keel-home")
    result = keel(home, "init")
    assert result.returncode == 0, result.stderr
    yield home


def test_fresh_init_migrates_and_loads_both_standards(fresh_home: Path) -> None:
    result = keel(fresh_home, "standards", "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    import json

    counts = {s["key"]: s["counts"]["annex_control"] for s in json.loads(result.stdout)}
    assert counts == {"iso27001:2022": 93, "iso42001:2023": 38}


def test_init_twice_is_idempotent(fresh_home: Path) -> None:
    import json

    # Given an initialised data folder and its trail
    before = json.loads(keel(fresh_home, "trail", "verify", "--format", "json").stdout)

    # When init runs again
    again = keel(fresh_home, "init")

    # Then nothing changed and no trail entry was written
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout and "created" not in again.stdout
    after = json.loads(keel(fresh_home, "trail", "verify", "--format", "json").stdout)
    assert before["ok"] and after["ok"]
    assert after["count"] == before["count"] >= 3


def test_commands_on_an_uninitialised_database_tell_the_user_to_run_init(tmp_path: Path) -> None:
    for argv in (["serve"], ["standards", "list"], ["trail", "verify"]):
        result = keel(tmp_path, *argv)
        assert result.returncode == 1, argv
        assert "run 'keel init'" in result.stderr
        assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_a_working_server(fresh_home: Path, tmp_path: Path) -> None:
    # Given an initialised data folder, when keel serve starts on a free port
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "keel.site.cli", "serve", "--port", str(port), "--workers", "1"],
        env=keel_env(fresh_home),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Then it answers the health check and serves the login page and static files
        body = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    body = resp.read().decode()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        assert body == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as resp:
            assert resp.status == 200
            assert "Content-Security-Policy" in resp.headers
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    assert f"http://127.0.0.1:{port}/" in (tmp_path / "serve.log").read_text()


def test_standards_are_present_in_the_test_database(db: Any) -> None:
    # Guard for the in-process tests above: they rely on the session-wide standards load.
    assert Standard.objects.count() == 2
    assert Requirement.objects.filter(kind="annex_control").count() == 131


def test_init_refuses_a_broken_crosswalk_before_migrating(run: Run, db: Any, tmp_path: Path) -> None:
    # Given a crosswalk folder whose file misses a target entry
    folder = tmp_path / "crosswalks"
    folder.mkdir()
    from keel.mapping.loader import CROSSWALKS_DIR

    doc = yaml.safe_load((CROSSWALKS_DIR / "iso27001-2022--iso42001-2023.yaml").read_text(encoding="utf-8"))
    doc["relations"] = [r for r in doc["relations"] if r["target"] != "A.7.4"]
    (folder / "x.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    trail_before = TrailEntry.objects.count()

    # When / Then: the problem is named and nothing is loaded
    code, _out, err = run("init", "--crosswalks-data", str(folder))
    assert code == 1
    assert "crosswalk data files have 1 problem(s); nothing was loaded" in err
    assert "crosswalks/x.yaml: incomplete: 1 iso42001:2023 entry" in err and "(A.7.4)" in err
    assert "Loading" not in err
    assert TrailEntry.objects.count() == trail_before
