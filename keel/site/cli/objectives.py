"""``keel objectives reading add OBJECTIVE VALUE [--on DATE] [--note TEXT] [--format json]``:
record a reading of an objective's measure from a pipeline or a shell (docs/cli.md). The same
value for the same day again stores nothing and exits 0 (safe to retry with ``--on``); another
value for a day that has one is refused (exit 1)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from keel.site.cli.base import (
    PERMISSIONS,
    add_as_option,
    add_format_option,
    check_permission,
    out,
    require_tables,
    resolve_actor,
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    objectives = sub.add_parser(
        "objectives",
        help="objectives and their readings",
        description="Work with the management systems' objectives (ISO/IEC 27001 and 42001 clause 6.2).",
    )
    osub = objectives.add_subparsers(dest="objectives_command", metavar="COMMAND", required=True)
    reading = osub.add_parser(
        "reading", help="readings of an objective's measure", description="Readings of objectives."
    )
    rsub = reading.add_subparsers(dest="reading_command", metavar="COMMAND", required=True)
    p = rsub.add_parser(
        "add",
        help="record one reading of an objective (idempotent per day)",
        description="Record a reading of an objective's measure for a day. The same value for the same "
        "objective and day again is stored once: the command says it was already stored and exits 0. "
        "Another value for a day that already has one is refused (exit status 1, nothing changed).",
    )
    p.add_argument("objective", metavar="OBJECTIVE", help="the objective's reference (e.g. OB-002) or id")
    p.add_argument("value", metavar="VALUE", help="the reading, a number (up to 6 decimal places are kept)")
    p.add_argument(
        "--on", metavar="DATE", default=None, help="the day it was measured, YYYY-MM-DD (default: today)"
    )
    p.add_argument("--note", default="", help="a short note kept with the reading (up to 300 characters)")
    add_format_option(p, ("text", "json"))
    add_as_option(p)
    p.set_defaults(handler=cmd_reading_add, command_path="objectives reading add")


def cmd_reading_add(args: argparse.Namespace) -> int:
    from keel.support import objectives

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["objectives reading add"])
    result = objectives.add_reading(actor, args.objective, args.value, args.on, args.note)
    data = result.as_dict()
    if args.format == "json":
        out(json.dumps(data))
        return 0
    where = f"{data['objective']} = {data['value']} on {data['on']}"
    state = "on target" if data["on_target"] else "off target"
    if not result.created:
        out(f"already stored: {where} (nothing was added)")
    else:
        out(f"stored: {where} ({state}; target {data['target']})")
    return 0
