"""Production settings: the secure defaults the tests themselves override for speed."""

import importlib
from pathlib import Path
from typing import Any

import pytest


def _fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Any:
    monkeypatch.setenv("KEEL_HOME", str(tmp_path))
    for name in ("SECRET_KEY", "DATABASE_URL", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import keel.settings as module

    return importlib.reload(module)


def test_given_defaults_then_argon2_hashes_passwords_and_debug_is_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = _fresh_settings(monkeypatch, tmp_path)
    assert s.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert s.DEBUG is False
    assert s.SESSION_COOKIE_HTTPONLY and s.X_FRAME_OPTIONS == "DENY"


def test_given_no_secret_key_then_one_is_generated_once_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = _fresh_settings(monkeypatch, tmp_path).SECRET_KEY
    second = _fresh_settings(monkeypatch, tmp_path).SECRET_KEY
    assert first == second and len(first) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_given_environment_then_it_wins_over_the_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fresh_settings(monkeypatch, tmp_path)  # writes a key file
    s = _fresh_settings(
        monkeypatch, tmp_path, SECRET_KEY="from-env", DATABASE_URL="postgres://u@db.invalid:5432/keel"
    )
    assert s.SECRET_KEY == "from-env"
    assert s.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert s.DATABASES["default"]["NAME"] == "keel"


def test_given_sqlite_then_wal_busy_timeout_and_immediate_transactions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = _fresh_settings(monkeypatch, tmp_path).DATABASES["default"]
    assert db["NAME"] == str(tmp_path / "keel.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert "busy_timeout" in db["OPTIONS"]["init_command"]


@pytest.fixture(autouse=True)
def _restore_settings_module() -> Any:
    yield
    import keel.settings as module

    importlib.reload(module)


def test_given_an_anonymous_visit_with_a_query_then_next_keeps_the_whole_address(client: Any) -> None:
    response = client.get("/context/?standard=iso27001:2022&kind=external")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fcontext%2F%3Fstandard%3Diso27001%3A2022%26kind%3Dexternal"
