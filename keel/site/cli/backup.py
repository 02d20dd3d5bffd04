"""``keel backup OUT`` and ``keel restore IN`` (see docs/backup.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from keel.site.cli.base import CliError, note, out


def register(sub: argparse._SubParsersAction[Any]) -> None:
    b = sub.add_parser(
        "backup",
        help="write one archive with the database, evidence files and secret key",
        description="Write a tar.gz holding the database (SQLite online backup, or pg_dump for "
        "PostgreSQL), the evidence files, the secret key and a manifest.json with the SHA-256 of "
        "every file and the audit-trail head. Safe while Keel runs. Only the operating-system "
        "user runs it: the archive holds the secret key.",
    )
    b.add_argument(
        "out",
        nargs="?",
        type=Path,
        metavar="OUT",
        help="the archive to write (must not exist), e.g. keel-2026-12-07.tar.gz",
    )
    b.set_defaults(handler=cmd_backup, command_path="backup")
    r = sub.add_parser(
        "restore",
        help="restore an archive from 'keel backup' onto an empty home",
        description="Check every file of the archive against its manifest, then restore the "
        "database, evidence files and secret key into an empty KEEL_HOME (and, for PostgreSQL, "
        "the empty database named by DATABASE_URL), then verify the audit trail and the evidence "
        "files. Exits 1 when anything is wrong.",
    )
    r.add_argument("archive", nargs="?", type=Path, metavar="IN", help="an archive written by 'keel backup'")
    r.set_defaults(handler=cmd_restore, command_path="restore")


def cmd_backup(args: argparse.Namespace) -> int:
    from keel.site.backup import backup
    from keel.site.cli.base import require_tables

    if args.out is None:
        raise CliError("keel backup needs OUT, the archive to write (see 'keel backup --help').", code=2)
    require_tables()
    manifest = backup(args.out, note)
    head = manifest["trail_head"]
    out(
        f"Backup written to {args.out}: {len(manifest['files'])} file(s), {manifest['database_engine']} database."
    )
    out(f"Trail head: #{head['seq']} {head['hash']}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from keel.site.backup import restore

    if args.archive is None:
        raise CliError(
            "keel restore needs IN, an archive written by 'keel backup' (see 'keel restore --help').", code=2
        )
    report = restore(args.archive, note)
    head = report.manifest.get("trail_head") or {}
    out(
        f"Restored {len(report.manifest['files'])} file(s) from {args.archive} (made {report.manifest.get('created_at')})."
    )
    if report.trail_ok:
        out(f"Trail verify: OK, last entry #{report.trail_head[0]}, hash {report.trail_head[1]}")
    else:
        out("Trail verify: BROKEN")
        for problem in report.trail_problems:
            out(f"  {problem}")
    if report.trail_head != (head.get("seq"), head.get("hash")):
        out(f"Trail head differs from the manifest (#{head.get('seq')} {head.get('hash')}).")
    if report.evidence_problems:
        out(
            f"Evidence verify: {len(report.evidence_problems)} problem(s) in {report.evidence_checked} file(s)"
        )
        for problem in report.evidence_problems:
            out(f"  {problem}")
    else:
        out(f"Evidence verify: OK, {report.evidence_checked} file(s) match their recorded SHA-256")
    if not report.ok:
        raise CliError("the restored data does not verify (see above).")
    return 0
