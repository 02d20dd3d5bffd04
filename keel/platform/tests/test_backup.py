"""``keel backup`` / ``keel restore`` (issue 9, "Backup and restore"), and the file modes of a
Keel home (defect 12): the demo, backed up and restored into a fresh ``KEEL_HOME``, has the same
trail head and evidence hashes, verifies, and its main pages answer. Runs ``keel`` in
subprocesses, each with its own home (the test database is not involved)."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEEL = [sys.executable, "-m", "keel.site.cli"]
PAGES = ["/", "/controls/", "/evidence/", "/risks/", "/soa/", "/trail/", "/gap/", "/assets/"]


def keel(
    home: Path, *argv: str, database_url: str = "", check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEEL_HOME": str(home), "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.pop("SECRET_KEY", None)
    done = subprocess.run([*KEEL, *argv], env=env, capture_output=True, text=True, check=False)
    if check:
        assert done.returncode == 0, f"keel {' '.join(argv)}: {done.stdout}\n{done.stderr}"
    return done


def evidence_hashes(home: Path, database_url: str = "") -> dict[str, str]:
    """ref/version -> recorded sha256, read through Django in the given home."""
    code = (
        "import django, json; django.setup();"
        "from keel.evidence.models import EvidenceVersion as V;"
        "print(json.dumps({f'{v.evidence.ref_id}/{v.number}': v.sha256 for v in V.objects.select_related('evidence')}))"
    )
    return dict(json.loads(python(home, code, database_url)))


def python(home: Path, code: str, database_url: str = "") -> str:
    env = {
        **os.environ,
        "KEEL_HOME": str(home),
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "keel.settings",
    }
    env.pop("SECRET_KEY", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def page_statuses(home: Path, database_url: str = "") -> dict[str, int]:
    code = (
        "import django, json; django.setup();"
        "from django.test import Client; from keel.platform.models import User;"
        "c = Client(SERVER_NAME='localhost'); c.force_login(User.objects.get(email='admin@tessellate-labs.example'));"
        f"print(json.dumps({{p: c.get(p).status_code for p in {PAGES!r}}}))"
    )
    return dict(json.loads(python(home, code, database_url)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo home and a backup of it (built once: ``keel demo`` takes a while)."""
    base = tmp_path_factory.mktemp("backup")
    home = base / "source"
    keel(home, "demo")
    archive = base / "demo.tar.gz"
    done = keel(home, "backup", str(archive))
    yield {
        "base": base,
        "home": home,
        "archive": archive,
        "backup_out": done.stdout,
        "backup_err": done.stderr,
    }


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_home_is_private_to_keels_account(demo: dict[str, Any]) -> None:
    home: Path = demo["home"]
    assert mode(home) == 0o700
    for name in ("keel.sqlite3", "keel.sqlite3-wal", "keel.sqlite3-shm", "secret_key"):
        if (home / name).exists() or name == "keel.sqlite3" or name == "secret_key":
            assert mode(home / name) == 0o600, name
    evidence = home / "evidence"
    files = [p for p in evidence.rglob("*") if p.is_file()]
    assert files, "the demo stores evidence files"
    assert mode(evidence) == 0o700
    assert all(mode(p) == 0o700 for p in evidence.rglob("*") if p.is_dir())
    assert all(mode(p) == 0o600 for p in files)
    assert mode(demo["archive"]) == 0o600


def test_the_manifest_names_every_file_with_its_hash(demo: dict[str, Any]) -> None:
    with tarfile.open(demo["archive"], "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = set(tar.getnames())
    assert manifest["database_engine"] == "sqlite" and manifest["keel_version"]
    assert manifest["trail_head"]["seq"] > 0 and len(manifest["trail_head"]["hash"]) == 64
    listed = {f["path"] for f in manifest["files"]}
    assert listed | {"manifest.json"} == names
    assert {"database/keel.sqlite3", "secret_key"} <= listed
    assert any(n.startswith("evidence/") for n in listed)
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])
    assert f"#{manifest['trail_head']['seq']}" in demo["backup_out"]
    assert "Archived" in demo["backup_err"]  # progress on the terminal


def test_restore_onto_a_fresh_home_gives_the_same_trail_evidence_and_pages(demo: dict[str, Any]) -> None:
    target = demo["base"] / "restored"

    done = keel(target, "restore", str(demo["archive"]))

    source_verify = json.loads(keel(demo["home"], "trail", "verify", "--format", "json").stdout)
    restored_verify = json.loads(keel(target, "trail", "verify", "--format", "json").stdout)
    assert restored_verify["ok"] is True
    assert (restored_verify["last_seq"], restored_verify["last_hash"]) == (
        source_verify["last_seq"],
        source_verify["last_hash"],
    )
    assert "Trail verify: OK" in done.stdout and "Evidence verify: OK" in done.stdout
    keel(target, "evidence", "verify")
    assert evidence_hashes(target) == evidence_hashes(demo["home"]) != {}
    assert (target / "secret_key").read_text() == (demo["home"] / "secret_key").read_text()
    assert page_statuses(target) == dict.fromkeys(PAGES, 200)
    assert mode(target / "keel.sqlite3") == 0o600


def test_restore_refuses_a_home_that_is_not_empty(demo: dict[str, Any]) -> None:
    done = keel(demo["home"], "restore", str(demo["archive"]), check=False)
    assert done.returncode == 1
    assert "restore needs an empty home" in done.stderr


def test_restore_checks_every_hash_before_writing_anything(demo: dict[str, Any]) -> None:
    # Given a copy of the archive whose secret key was swapped
    forged = demo["base"] / "forged.tar.gz"
    with tarfile.open(demo["archive"], "r:gz") as src, tarfile.open(forged, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "secret_key":
                data = b"not-the-key"
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    target = demo["base"] / "forged-target"

    done = keel(target, "restore", str(forged), check=False)

    assert done.returncode == 1
    assert "secret_key: its SHA-256 differs from the manifest; nothing was restored" in done.stderr
    assert (
        not any(p.is_file() for p in (target / "evidence").rglob("*"))
        if (target / "evidence").exists()
        else True
    )
    tables = python(
        target,
        "import django; django.setup(); from django.db import connection; "
        "print(len(connection.introspection.table_names()))",
    )
    assert tables.strip() == "0"


def test_backup_refuses_to_overwrite(demo: dict[str, Any]) -> None:
    done = keel(demo["home"], "backup", str(demo["archive"]), check=False)
    assert done.returncode == 1 and "already exists" in done.stderr


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs DATABASE_URL on PostgreSQL"
)
def test_backup_and_restore_on_postgresql(tmp_path: Path) -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    base_url, _, name = url.rpartition("/")
    source_db, target_db = f"{name}_backup_src", f"{name}_backup_dst"
    admin = psycopg.connect(f"{base_url}/postgres", autocommit=True)
    try:
        for db in (source_db, target_db):
            admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
            admin.execute(f'CREATE DATABASE "{db}"')
        source_url, target_url = f"{base_url}/{source_db}", f"{base_url}/{target_db}"
        keel(tmp_path / "src", "demo", database_url=source_url)
        archive = tmp_path / "pg.tar.gz"
        keel(tmp_path / "src", "backup", str(archive), database_url=source_url)
        done = keel(tmp_path / "dst", "restore", str(archive), database_url=target_url)
        assert "Trail verify: OK" in done.stdout and "Evidence verify: OK" in done.stdout
        before = json.loads(
            keel(tmp_path / "src", "trail", "verify", "--format", "json", database_url=source_url).stdout
        )
        after = json.loads(
            keel(tmp_path / "dst", "trail", "verify", "--format", "json", database_url=target_url).stdout
        )
        assert (after["last_seq"], after["last_hash"]) == (before["last_seq"], before["last_hash"])
        assert evidence_hashes(tmp_path / "dst", target_url) == evidence_hashes(tmp_path / "src", source_url)
        assert page_statuses(tmp_path / "dst", target_url) == dict.fromkeys(PAGES, 200)
    finally:
        for db in (source_db, target_db):
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.close()
