"""``keel backup`` and ``keel restore``: one tar.gz with the database, the evidence files, the
secret key and a ``manifest.json`` that names every file with its SHA-256.

The copy is consistent while Keel runs: SQLite through its online backup API, PostgreSQL with
``pg_dump`` inside the same snapshot the trail head is read from. A restore goes onto an empty
home only, checks every hash before writing anything, then verifies the trail and the evidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from keel import __version__
from keel.evidence.services import verify_evidence_files
from keel.platform.errors import KeelError
from keel.platform.trail import verify

FORMAT = 1
DB_SQLITE = "database/keel.sqlite3"
DB_POSTGRES = "database/keel.pgdump"
SECRET = "secret_key"  # noqa: S105 (the file name in the archive)
EVIDENCE = "evidence/"
MANIFEST = "manifest.json"
Progress = Callable[[str], None]


class BackupError(KeelError):
    code = "backup_error"
    status = 400


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    trail_ok: bool = False
    trail_problems: list[str] = field(default_factory=list)
    trail_head: tuple[int, str] = (0, "")
    evidence_checked: int = 0
    evidence_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        head = self.manifest.get("trail_head") or {}
        same_head = self.trail_head == (head.get("seq"), head.get("hash"))
        return self.trail_ok and not self.evidence_problems and same_head


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def engine() -> str:
    name: str = settings.DATABASES["default"]["ENGINE"]
    return "sqlite" if name.endswith("sqlite3") else "postgresql"


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    """The environment (password) and connection arguments of the PostgreSQL tools."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, [*args, "--dbname", str(db["NAME"])]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"'{name}' is not on PATH: install the PostgreSQL client tools (the same major version as the server)."
        )
    return found


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{Path(argv[0]).name} failed (exit {done.returncode}): {first}")


def _evidence_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.KEEL_EVIDENCE_ROOT)
    if not root.is_dir():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        yield path, EVIDENCE + path.relative_to(root).as_posix()


def _head(cursor: Any) -> dict[str, Any]:
    cursor.execute("SELECT seq, hash FROM platform_trailhead WHERE id = 1")
    row = cursor.fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}


def _dump_database(work: Path, progress: Progress) -> tuple[str, dict[str, Any]]:
    """Copy the database into ``work``; returns its archive name and the trail head it holds."""
    if engine() == "sqlite":
        target = work / "keel.sqlite3"
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            progress("Copying the SQLite database (online backup)…")
            source.backup(copy)
            head = _head(copy.cursor())
        finally:
            copy.close()
            source.close()
        return DB_SQLITE, head
    pg_dump = _tool("pg_dump")
    env, args = _pg_env_args()
    target = work / "keel.pgdump"
    progress("Dumping the PostgreSQL database (pg_dump, custom format)…")
    # The head is read in the very snapshot pg_dump copies, so the manifest matches the dump.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        head = _head(cursor)
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
    return DB_POSTGRES, head


def backup(out: Path, progress: Progress) -> dict[str, Any]:
    """Write the archive ``out`` (refused if it exists); returns the manifest."""
    if out.exists():
        raise BackupError(f"{out} already exists: choose a new file name.")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a folder.")
    storage = settings.STORAGES["evidence"]["BACKEND"]
    if storage != "keel.evidence.storage.EvidenceFileSystemStorage":
        raise BackupError(
            f"Evidence is kept in {storage}: back that storage up with its own tools; "
            "keel backup copies evidence from the file system only."
        )
    with tempfile.TemporaryDirectory(prefix=".keel-backup-", dir=out.parent) as tmp:
        work = Path(tmp)
        db_name, head = _dump_database(work, progress)
        members: list[tuple[Path, str]] = [(work / PurePosixPath(db_name).name, db_name)]
        secret = Path(settings.KEEL_HOME) / "secret_key"
        if secret.is_file():
            members.append((secret, SECRET))
        else:
            progress("No secret_key file (SECRET_KEY comes from the environment): keep it with the backup.")
        members += list(_evidence_files())
        progress(f"Hashing {len(members)} file(s)…")
        files = [
            {"path": name, "sha256": _sha256(path), "size": path.stat().st_size} for path, name in members
        ]
        manifest = {
            "format": FORMAT,
            "keel_version": __version__,
            "database_engine": engine(),
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "trail_head": head,
            "files": files,
        }
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
            for i, (path, name) in enumerate(members, start=1):
                tar.add(str(path), arcname=name, recursive=False)
                if i % 50 == 0 or i == len(members):
                    progress(f"Archived {i}/{len(members)} file(s)")
        partial.chmod(0o600)
        os.replace(partial, out)
    return manifest


# ---------------------------------------------------------------- restore


def _safe(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name == p.as_posix()


def _read_archive(archive: Path, stage: Path, progress: Progress) -> dict[str, Any]:
    """Unpack into ``stage`` and check every file against the manifest (nothing else written)."""
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 (closed by the with below)
    except FileNotFoundError:
        raise BackupError(f"{archive}: no such file.") from None
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} is not a Keel backup (tar.gz): {exc}.") from None
    with tar:
        try:
            raw = tar.extractfile(MANIFEST)
            manifest = json.loads(raw.read().decode("utf-8")) if raw else None
        except (KeyError, ValueError, UnicodeDecodeError):
            manifest = None
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT
            or not isinstance(manifest.get("files"), list)
        ):
            raise BackupError(f"{archive} has no readable manifest.json of a Keel backup (format {FORMAT}).")
        expected = {f["path"]: f for f in manifest["files"]}
        seen: set[str] = set()
        for member in tar:
            if member.name == MANIFEST:
                continue
            if member.name not in expected or not member.isfile() or not _safe(member.name):
                raise BackupError(
                    f"{archive}: {member.name!r} is not listed in the manifest; nothing was restored."
                )
            src = tar.extractfile(member)
            assert src is not None
            target = stage / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            h = hashlib.sha256()
            with target.open("wb") as fh:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    fh.write(chunk)
            if h.hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(
                    f"{member.name}: its SHA-256 differs from the manifest; nothing was restored."
                )
            seen.add(member.name)
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError(
                f"{archive} lacks {', '.join(missing[:5])} named in the manifest; nothing was restored."
            )
    progress(f"All {len(seen)} file(s) match their SHA-256 in the manifest.")
    return manifest


def home_is_empty() -> str | None:
    """Why the target is not empty, or ``None``. A freshly generated secret key and empty
    folders do not count: the backup's key replaces the key."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        return f"the database already has {len(tables)} table(s)"
    if any(True for _ in _evidence_files()):
        return f"{settings.KEEL_EVIDENCE_ROOT} already holds evidence files"
    return None


def restore(archive: Path, progress: Progress) -> RestoreReport:
    why = home_is_empty()
    if why is not None:
        raise BackupError(
            f"restore needs an empty home and database: {why}. Point KEEL_HOME (and DATABASE_URL) at new ones."
        )
    with tempfile.TemporaryDirectory(prefix=".keel-restore-") as tmp:
        stage = Path(tmp)
        manifest = _read_archive(archive, stage, progress)
        if manifest.get("database_engine") != engine():
            raise BackupError(
                f"the backup holds a {manifest.get('database_engine')} database and this Keel uses "
                f"{engine()}: restore onto the same kind of database."
            )
        connections.close_all()
        if engine() == "sqlite":
            progress("Restoring the SQLite database…")
            staged = sqlite3.connect(str(stage / DB_SQLITE))
            target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
            try:
                staged.backup(target)
            finally:
                target.close()
                staged.close()
        else:
            progress("Restoring the PostgreSQL database (pg_restore)…")
            env, args = _pg_env_args()
            _run([_tool("pg_restore"), "--no-owner", "--exit-on-error", *args, str(stage / DB_POSTGRES)], env)
        files = [f["path"] for f in manifest["files"] if f["path"].startswith(EVIDENCE)]
        root = Path(settings.KEEL_EVIDENCE_ROOT)
        for name in files:
            target_file = root / name.removeprefix(EVIDENCE)
            target_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(stage / name, target_file)
            target_file.chmod(0o600)
        progress(f"Restored {len(files)} evidence file(s).")
        if (stage / SECRET).is_file():
            key = Path(settings.KEEL_HOME) / "secret_key"
            shutil.copyfile(stage / SECRET, key)
            key.chmod(0o600)
            progress(
                "Restored the secret key"
                + (" (SECRET_KEY in the environment still wins)." if os.environ.get("SECRET_KEY") else ".")
            )
    return _check(manifest, progress)


def _check(manifest: dict[str, Any], progress: Progress) -> RestoreReport:
    report = RestoreReport(manifest)
    progress("Verifying the audit trail…")
    result = verify()
    report.trail_ok, report.trail_problems = result.ok, list(result.problems)
    report.trail_head = (result.last_seq, result.last_hash)
    progress("Verifying the evidence files…")
    files = verify_evidence_files()
    report.evidence_checked = files.checked
    report.evidence_problems = [
        f"{p.evidence} v{p.version} ({p.name}): {p.problem} {p.detail}" for p in files.problems
    ]
    return report
