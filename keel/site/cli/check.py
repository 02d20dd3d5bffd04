"""``keel check [--format table|json]``: the consistency check — what an auditor would flag
(docs/consistency-check.md). Exit status 1 when anything is flagged, 0 when nothing is."""

from __future__ import annotations

import argparse
import json
from typing import Any

from keel.site.cli.base import (
    PERMISSIONS,
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
    p = sub.add_parser(
        "check",
        help="the consistency check: what an auditor would flag (exit 1 when anything is)",
        description="Run every consistency rule over the records you may view: AI systems in service "
        "without an approved impact assessment, risk owners who may not accept, acceptances on controls "
        "not yet implemented, SoA rows that contradict the registers, implemented controls without or "
        "with expired evidence, impact assessments due, models deployed without an evaluation. "
        "Exits 1 when anything is flagged.",
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_check, command_path="check")


def cmd_check(args: argparse.Namespace) -> int:
    from keel.platform import checks
    from keel.site.checks import report

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["check"])
    systems = checks.perimeter(actor.user, trusted=actor.user is None)
    doc = report(systems)
    if args.format == "json":
        out(json.dumps(doc, indent=2))
    else:
        rows = [
            [f["rule"], f["management_system"] or "—", f["record_label"], f["title"]] for f in doc["findings"]
        ]
        for line in table(rows, ["RULE", "SYSTEM", "RECORD", "FINDING"]):
            out(line)
        note(f"keel: {doc['count']} finding(s) over {sum(1 for r in doc['rules'] if r['count'])} rule(s).")
    return 1 if doc["count"] else 0
