"""``keel gap``: the gap analysis of a management system against a target standard.

Contract: ``keel gap --target KEY [--management-system ID] [--format json|xlsx|pdf] [--out FILE]``
(JSON by default; with one management system covering the target, ``--target`` is enough),
plus ``--confirm-scope CONTROL[:CLAUSE] … --scope-note TEXT`` and ``--withdraw-scope
CONTROL:CLAUSE`` to record or remove scope confirmations before the analysis runs;
the JSON is ``{"target", "summary", "requirements"}`` as docs/gap-analysis.md describes.
"""

from __future__ import annotations

import argparse
import sys
import time
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


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "gap",
        help="gap analysis against a target standard",
        description="Infer, for every requirement of the target standard, whether the management system's "
        "controls already cover it (through their links and the crosswalks, up to three steps), partly "
        "cover it, leave a gap, or whether it is not applicable; a person's confirmed status wins. "
        "JSON goes to stdout unless --out is given; XLSX and PDF need --out.",
    )
    p.add_argument(
        "--target", required=True, metavar="KEY", help="the target standard's key, e.g. iso42001:2023"
    )
    p.add_argument(
        "--management-system",
        metavar="ID",
        default=None,
        help="id or short name of the management system (needed when several cover the target)",
    )
    p.add_argument(
        "--format", default="json", choices=["json", "xlsx", "pdf"], help="output format (default: json)"
    )
    p.add_argument("--out", metavar="FILE", default=None, help="file to write (default: stdout, JSON only)")
    p.add_argument(
        "--confirm-scope",
        action="append",
        default=[],
        metavar="CONTROL[:CLAUSE]",
        help="before the analysis, record that the control's scope includes the target's management system "
        "for the clause (a key or a bare clause id of the target, e.g. KC-012:9.2.2), or, without a clause, "
        "for every harmonised clause where its chains wait for it; repeatable; needs --scope-note "
        "and the edit_soa permission",
    )
    p.add_argument(
        "--withdraw-scope",
        action="append",
        default=[],
        metavar="CONTROL:CLAUSE",
        help="remove such a confirmation (the chain is partial again); repeatable",
    )
    p.add_argument(
        "--scope-note",
        metavar="TEXT",
        default="",
        help="what shows the scope includes the management system (required with --confirm-scope)",
    )
    add_as_option(p)
    p.set_defaults(handler=cmd_gap, command_path="gap")


def cmd_gap(args: argparse.Namespace) -> int:
    from keel.gap import exports, queries
    from keel.platform.permissions import Perm, check

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["gap"])
    if args.confirm_scope or args.withdraw_scope:  # writes: the command's rule becomes edit_soa
        check_permission(actor, Perm.EDIT_SOA)
    if args.format != "json" and args.out in (None, "-"):
        raise CliError(f"--format {args.format}: write it to a file with --out FILE.", code=2)
    standard, ms = queries.resolve(args.target, args.management_system, actor)
    check(actor, Perm.VIEW, ms)
    if args.confirm_scope or args.withdraw_scope:
        _scope(args, actor, standard, ms)
    started = time.perf_counter()
    note(f"Analysing {ms.name} against {standard.key}…")
    rep = queries.report(standard, ms)
    s = rep.summary()
    note(
        f"{len(rep.results)} requirements in {time.perf_counter() - started:.2f} s: {s['covered']} covered, "
        f"{s['partial']} partly covered, {s['gap']} gaps, {s['not_applicable']} not applicable."
    )
    data = exports.export(rep, args.format)
    if args.out in (None, "-"):
        sys.stdout.write(data.decode("utf-8") + "\n")
        return 0
    path = Path(args.out)
    path.write_bytes(data)
    note(f"Wrote the gap analysis ({args.format}) to {path}.")
    return 0


def _clause_key(standard: Any, clause: str) -> str:
    return clause if ":" in clause and clause.startswith(standard.key) else f"{standard.key}:{clause}"


def _scope(args: argparse.Namespace, actor: Any, standard: Any, ms: Any) -> None:
    """--confirm-scope / --withdraw-scope: scope confirmations, written before the analysis."""
    from keel.gap import services

    if args.confirm_scope and not args.scope_note.strip():
        raise CliError(
            "--confirm-scope needs --scope-note TEXT: say what shows the scope includes the system.", code=2
        )
    for item in args.confirm_scope:
        control, _, clause = item.partition(":")
        rows = services.confirm_scope(
            actor,
            ms,
            control,
            _clause_key(standard, clause) if clause else None,
            args.scope_note,
            target=standard.key,
        )
        clauses = ", ".join(r.requirement.ref_id for r in rows)
        note(f"Confirmed: the scope of {control} includes the management system for {clauses}.")
    for item in args.withdraw_scope:
        control, _, clause = item.partition(":")
        if not clause:
            raise CliError(f"--withdraw-scope {item}: name the clause, e.g. {control}:9.2.2.", code=2)
        services.withdraw_scope(actor, ms, control, _clause_key(standard, clause))
        note(f"Withdrawn: the scope confirmation of {control} for {clause}.")
