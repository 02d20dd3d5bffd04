"""``keel evidence add|list|verify``: the evidence register from the command line.

Contracts: ``keel evidence add FILE|URL --title T [--control REF …] [--requirement KEY …]
[--collected-on DATE] [--valid-until DATE] [--management-system ID …] [--format json]``,
``keel evidence list [--expiring DAYS] [--expired] [--format json]`` and
``keel evidence verify [--format json]`` (exit 1 when a file is missing or altered).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from keel.site.cli.base import (
    PERMISSIONS,
    CliError,
    add_as_option,
    add_format_option,
    check_permission,
    note,
    out,
    require_tables,
    resolve_actor,
    table,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: write YYYY-MM-DD") from None


def _days(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if not 0 <= n <= 3650:
        raise argparse.ArgumentTypeError(f"{value!r}: give a number of days from 0 to 3650")
    return n


def register(sub: argparse._SubParsersAction[Any]) -> None:
    ev = sub.add_parser(
        "evidence", help="the evidence register", description="Add, list and verify evidence files and links."
    )
    esub = ev.add_subparsers(dest="evidence_command", metavar="COMMAND", required=True)

    p = esub.add_parser(
        "add",
        help="add a file or a link as evidence",
        description="Add a file (stored with its SHA-256 under the data folder, never overwritten) or an "
        "http(s) link as a new piece of evidence, linked to controls and requirements.",
    )
    p.add_argument("source", metavar="FILE|URL", help="a file to upload, or an http:// or https:// address")
    p.add_argument("--title", required=True, help="what the evidence is")
    p.add_argument("--description", default="", help="what it shows")
    p.add_argument(
        "--control", action="append", default=[], metavar="REF", help="a control it supports (repeatable)"
    )
    p.add_argument(
        "--requirement",
        action="append",
        default=[],
        metavar="KEY",
        help="a requirement key it answers (repeatable)",
    )
    p.add_argument(
        "--collected-on", type=_date, metavar="DATE", help="when it was collected (default: today)"
    )
    p.add_argument(
        "--valid-until", type=_date, metavar="DATE", help="until when it is valid (default: no expiry)"
    )
    p.add_argument(
        "--collected-by", metavar="EMAIL|NAME", default="", help="who collected it: a user's email or a name"
    )
    p.add_argument(
        "--management-system",
        action="append",
        default=[],
        metavar="ID",
        help="id or short name of a management system it belongs to (repeatable; none: organisation level)",
    )
    p.add_argument("--owner", metavar="EMAIL", default="", help="the evidence's owner")
    p.add_argument("--note", default="", help="a note on this version")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_add, command_path="evidence add")

    p = esub.add_parser(
        "list",
        help="list current evidence (expired or expiring soon)",
        description="List current evidence with its validity. --expired and --expiring DAYS narrow the list "
        "(together: both).",
    )
    p.add_argument(
        "--expiring", type=_days, metavar="DAYS", help="evidence valid until a day within DAYS from today"
    )
    p.add_argument("--expired", action="store_true", help="evidence whose 'valid until' date has passed")
    p.add_argument(
        "--management-system", metavar="ID", default="", help="only this management system's evidence"
    )
    p.add_argument("--control", metavar="REF", default="", help="only evidence of this control")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_list, command_path="evidence list")

    p = esub.add_parser(
        "verify",
        help="check every stored evidence file against its SHA-256",
        description="Re-read every stored evidence file and compare its SHA-256 and size with what was recorded "
        "at upload. Exits 1 when a file is missing or altered; lists files no version refers to.",
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_verify, command_path="evidence verify")


def _json(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str)


def _out_schema(evidence: Any, detail: bool = False) -> dict[str, Any]:
    from keel.evidence.schemas import EvidenceDetailOut, EvidenceOut

    schema = EvidenceDetailOut if detail else EvidenceOut
    return schema.from_orm(evidence).model_dump(mode="json")


def cmd_add(args: argparse.Namespace) -> int:
    from django.core.files import File

    from keel.evidence import queries, services
    from keel.platform.models import User

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["evidence add"])
    source: str = args.source
    collected_by = None
    name = ""
    if args.collected_by:
        collected_by = User.objects.filter(email__iexact=args.collected_by.strip()).first()
        if collected_by is None:
            if "@" in args.collected_by:
                raise CliError(f"--collected-by {args.collected_by}: no user with that email.", code=2)
            name = args.collected_by
    owner = None
    if args.owner:
        owner = User.objects.filter(email__iexact=args.owner.strip()).first()
        if owner is None:
            raise CliError(f"--owner {args.owner}: no user with that email.", code=2)
    version = services.NewVersion(
        collected_on=args.collected_on,
        valid_until=args.valid_until,
        collected_by=collected_by,
        collected_by_name=name,
        note=args.note,
    )
    common: dict[str, Any] = {
        "title": args.title,
        "description": args.description,
        "owner": owner,
        "management_systems": args.management_system,
        "controls": args.control,
        "requirements": args.requirement,
    }
    if "://" in source or source.lower().startswith(("http:", "https:", "javascript:", "data:")):
        version.url = source
        evidence = services.create_evidence(actor, kind="link", version=version, **common)
    else:
        path = Path(source)
        if not path.is_file():
            raise CliError(f"{source}: no such file (give a file to upload, or an http(s) link).", code=2)
        with path.open("rb") as fh:
            version.file = File(fh, name=path.name)
            version.filename = path.name
            evidence = services.create_evidence(actor, kind="file", version=version, **common)
    evidence = queries.evidence_detail(evidence.pk)
    if args.format == "json":
        out(_json(_out_schema(evidence, detail=True)))
    else:
        v = evidence.current_version
        assert v is not None
        what = f"{v.filename} ({v.size} bytes, sha256 {v.sha256})" if v.file else v.url
        out(f"{evidence.ref_id} {evidence.title}: {what}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from django.db.models import Q

    from keel.evidence import queries

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["evidence list"])
    f = queries.EvidenceFilters(
        management_system=args.management_system, control=args.control, order="valid_until"
    )
    if actor.user is None:
        qs = queries.filter_evidence(queries.base_evidence(), f, actor)
    else:
        qs = queries.evidence_list(actor.user, f)
    today = queries.today()
    window = Q()
    if args.expired:
        window |= Q(current_version__valid_until__lt=today)
    if args.expiring is not None:
        window |= Q(
            current_version__valid_until__gte=today,
            current_version__valid_until__lte=today + dt.timedelta(days=args.expiring),
        )
    if args.expired or args.expiring is not None:
        qs = qs.filter(window)
    items = list(qs)
    if args.format == "json":
        out(_json({"count": len(items), "items": [_out_schema(e) for e in items]}))
        return 0
    rows = []
    for e in items:
        v = e.current_version
        rows.append(
            [
                e.ref_id,
                e.title[:60],
                e.kind,
                f"v{v.number}" if v else "",
                v.valid_until.isoformat() if v and v.valid_until else "—",
                queries.validity_of(e, today).label,
                ", ".join(ms.short_name for ms in e.management_systems.all()) or "organisation",
            ]
        )
    for line in table(rows, ["REF", "TITLE", "KIND", "VERSION", "VALID UNTIL", "VALIDITY", "SYSTEMS"]):
        out(line)
    note(f"{len(items)} item{'s' if len(items) != 1 else ''}.")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from keel.evidence import services

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["evidence verify"])

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty() and (done % 50 == 0 or done == total):
            sys.stderr.write(f"\rChecked {done} of {total} files…")
            if done == total:
                sys.stderr.write("\n")

    report = services.verify_evidence_files(progress)
    if args.format == "json":
        out(_json(report.as_dict()))
    else:
        for p in report.problems:
            out(f"{p.problem.upper()}: {p.evidence} version {p.version} ({p.name}): {p.detail}")
        for name in report.unreferenced:
            out(f"UNREFERENCED: {name} (no version refers to it)")
        if report.ok:
            out(
                f"OK: {report.checked} evidence file{'s' if report.checked != 1 else ''} match their SHA-256."
            )
        else:
            out(f"{len(report.problems)} problem(s) in {report.checked} files.")
    return 0 if report.ok else 1
