"""``keel export controls [--status S] [--management-system ID] --format xlsx|json --out FILE``:
the control catalogue as the list page exports it, with the status as shown ("Implemented —
no evidence" for a control claimed implemented without current evidence, docs/controls.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from keel.site.cli.base import (
    PERMISSIONS,
    CliError,
    add_as_option,
    check_permission,
    note,
    require_tables,
    resolve_actor,
)

STATUSES = ["planned", "in_progress", "implemented", "implemented_no_evidence", "not_applicable"]


def register_export(esub: argparse._SubParsersAction[Any]) -> None:
    p = esub.add_parser(
        "controls",
        help="the control catalogue as XLSX or JSON",
        description="Export the controls you may view, with their status as shown: a control claimed "
        "implemented with no current evidence is 'Implemented — no evidence' (implemented_no_evidence).",
    )
    p.add_argument("--status", choices=STATUSES, default=None, help="only controls showing this status")
    p.add_argument(
        "--management-system", metavar="ID", default=None, help="id or short name: only its controls"
    )
    p.add_argument("--format", choices=["xlsx", "json"], default="xlsx", help="file format (default: xlsx)")
    p.add_argument("--out", metavar="FILE", required=True, help="where to write ('-' for stdout, JSON only)")
    add_as_option(p)
    p.set_defaults(handler=cmd_export_controls, command_path="export controls")


def cmd_export_controls(args: argparse.Namespace) -> int:
    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["export controls"])
    if args.out == "-" and args.format == "xlsx":
        raise CliError(
            "--out - writes to stdout, which only suits --format json; give a file name for XLSX.", 2
        )
    from keel.controls import exports, queries

    f = queries.ControlFilters(status=args.status or "", management_system=args.management_system or "")
    if actor.user is None:  # the operating-system user reads every control
        qs = queries.filter_controls(queries.base_controls(), f, actor)
    else:
        qs = queries.controls(actor.user, f)
    rows = exports.export_rows(qs)
    if args.format == "json":
        text = exports.to_json(rows)
        if args.out == "-":
            sys.stdout.write(text + "\n")
            return 0
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        Path(args.out).write_bytes(exports.to_xlsx(rows))
    note(f"keel: {len(rows)} control(s) written to {args.out}")
    return 0
