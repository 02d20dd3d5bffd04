"""``keel`` run outside its home says where the data lives instead of starting a second instance."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from keel.site.cli import _instance_problem

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KEEL_HOME", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_folder_without_an_instance_is_named_and_left_alone(elsewhere: Path) -> None:
    problem = _instance_problem("standards list")
    assert problem is not None
    assert str(elsewhere / "var") in problem and "KEEL_HOME" in problem
    assert not (elsewhere / "var").exists()


@pytest.mark.parametrize("command", ["init", "demo", "restore"])
def test_the_commands_that_create_an_instance_may(elsewhere: Path, command: str) -> None:
    assert _instance_problem(command) is None


def test_an_existing_instance_is_used(elsewhere: Path) -> None:
    (elsewhere / "var").mkdir()
    assert _instance_problem("standards list") is not None  # a folder without a database
    (elsewhere / "var" / "keel.sqlite3").write_bytes(b"")
    assert _instance_problem("standards list") is None


def test_keel_home_or_a_database_url_decides(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_HOME", str(elsewhere / "somewhere"))
    assert _instance_problem("standards list") is None
    monkeypatch.delenv("KEEL_HOME")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    assert _instance_problem("standards list") is not None  # the secret key would be new here
    (elsewhere / "var").mkdir()
    assert _instance_problem("standards list") is None


def test_the_command_line_refuses_and_creates_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("KEEL_HOME", "DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "keel.site.cli", "standards", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "no Keel instance here" in done.stderr
    assert list(tmp_path.iterdir()) == []
