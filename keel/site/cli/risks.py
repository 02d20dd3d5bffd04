"""``keel risks export --register is|ai --format xlsx|json --out FILE``: the register as the
pages export it. Progress goes to stderr; ``--out -`` writes JSON to stdout.

``keel risks due [--management-system ID] [--format table|json]``: the risk assessments due now
(``keel.risks.queries.assessments_due``)."""

from __future__ import annotations

import argparse
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


def register(sub: argparse._SubParsersAction[Any]) -> None:
    risks = sub.add_parser("risks", help="the risk registers", description="Work with the risk registers.")
    rsub = risks.add_subparsers(dest="risks_command", metavar="WHAT", required=True)
    p = rsub.add_parser(
        "export",
        help="export a register as XLSX or JSON",
        description="Export the information security (is) or AI (ai) risk register: every risk the "
        "user may read, open and closed, with its assessment, treatment, controls and acceptance.",
    )
    p.add_argument("--register", choices=["is", "ai"], required=True, help="which register")
    p.add_argument("--format", choices=["xlsx", "json"], default="xlsx", help="file format (default: xlsx)")
    p.add_argument("--out", metavar="FILE", required=True, help="where to write ('-' for stdout, JSON only)")
    add_as_option(p)
    p.set_defaults(handler=cmd_export, command_path="risks export")
    d = rsub.add_parser(
        "due",
        help="the risk assessments due now",
        description="List the risk assessments due now by the methodology's criteria: risks whose "
        "planned interval has elapsed, whose review date has come or that an event (a significant "
        "change to their AI system, an approved impact assessment) marked, and new AI systems with "
        "no AI risk yet.",
    )
    d.add_argument("--management-system", metavar="ID", default=None, help="only this management system")
    add_format_option(d)
    add_as_option(d)
    d.set_defaults(handler=cmd_due, command_path="risks due")


def cmd_export(args: argparse.Namespace) -> int:
    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["risks export"])
    if args.out == "-" and args.format == "xlsx":
        raise CliError(
            "--out - writes to stdout, which only suits --format json; give a file name for XLSX.", 2
        )
    from keel.risks import exports, queries

    note(f"keel: reading the {args.register} register ...")
    rows = queries.export_rows(
        queries.risks(actor.user, queries.RiskFilters(register=args.register, status="all"))
    )
    note(f"keel: {len(rows)} risk(s); writing {args.format} ...")
    if args.format == "json":
        text = exports.to_json(rows, args.register)
        if args.out == "-":
            sys.stdout.write(text + "\n")
            return 0
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        Path(args.out).write_bytes(exports.to_xlsx(rows, args.register))
    note(f"keel: written to {args.out}")
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["risks due"])
    from keel.organisation import resolvers
    from keel.platform.errors import KeelError
    from keel.risks import queries

    try:
        ms = resolvers.management_system(args.management_system, actor) if args.management_system else None
    except KeelError as exc:
        raise CliError(exc.message, 2) from None
    due = queries.assessments_due(actor.user, management_system=ms)
    if args.format == "json":
        out(
            json.dumps(
                {
                    "count": len(due),
                    "due": [
                        {
                            "kind": d.kind,
                            "ref": d.ref,
                            "title": d.title,
                            "trigger": d.trigger,
                            "reason": d.reason,
                            "since": d.since.isoformat(),
                            "management_system": str(d.management_system_id),
                            "url": d.url,
                        }
                        for d in due
                    ],
                },
                indent=2,
            )
        )
    else:
        if due:
            for line in table(
                [(d.since.isoformat(), d.ref, d.trigger.replace("_", " "), d.reason) for d in due],
                ["since", "what", "trigger", "why"],
            ):
                out(line)
        note(f"keel: {len(due)} risk assessment(s) due.")
    return 0
