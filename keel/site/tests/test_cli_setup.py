"""The ``keel`` command line: the parser, help and version, ``init``, ``demo`` and ``serve``
(in-process with ``main([...])``), and a few end-to-end runs of the real console command
against a fresh data folder.
"""

from __future__ import annotations

import importlib
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

from keel.platform.choices import Role
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import Perm
from keel.site.cli import PERMISSIONS, command_paths
from keel.standards.loader import DATA_DIR
from keel.standards.models import Requirement, Standard

from .cli_support import Run, one_error_line

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
