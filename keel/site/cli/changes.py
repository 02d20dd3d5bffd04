"""``keel change gate CHANGE_REF [--json]``: the question a deployment pipeline asks before it
releases a change (docs/changes.md). Exit status 0 only for an approved (or implemented) change;
otherwise 1 with the reason on stderr. ``--json`` prints
``{"ref", "status", "approved", "gates": [{"name", "ok", "detail"}]}`` on stdout either way —
the same answer as ``GET /api/v1/changes/{ref}/gate``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from keel.site.cli.base import (
    PERMISSIONS,
    add_as_option,
    check_permission,
    note,
    out,
    require_tables,
    resolve_actor,
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    change = sub.add_parser(
        "change",
        help="changes and their gates",
        description="Ask about changes (information system, model lifecycle, management system).",
    )
    csub = change.add_subparsers(dest="change_command", metavar="COMMAND", required=True)
    p = csub.add_parser(
        "gate",
        help="exit 0 only when the change is approved (for deployment pipelines)",
        description="Answer whether a change may go ahead: exit status 0 for an approved or implemented "
        "change, 1 for any other (draft, submitted, rejected, closed), with the reason and every missing "
        "gate on stderr.",
    )
    p.add_argument("ref", metavar="CHANGE_REF", help="the change's reference (e.g. CHG-004) or id")
    p.add_argument("--json", action="store_true", help="print the answer as JSON on stdout")
    add_as_option(p)
    p.set_defaults(handler=cmd_gate, command_path="change gate")


def cmd_gate(args: argparse.Namespace) -> int:
    from keel.changes import gates, queries

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["change gate"])
    answer = gates.answer(queries.change_for(actor.user, args.ref))
    if args.json:
        out(json.dumps(answer.as_dict()))
    else:
        out(f"{answer.ref}: {answer.status}" + (" — may go ahead" if answer.approved else ""))
        for g in answer.gates:
            out(f"  [{'x' if g.ok else ' '}] {g.name}: {g.detail}")
    if not answer.approved:
        note(f"keel: {answer.reason}")
        return 1
    return 0
