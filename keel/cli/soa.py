"""``keel soa draft`` and ``keel export soa``: the Statement of Applicability.

Contracts: ``keel soa draft --standard KEY [--management-system ID]`` (one row per Annex A
control; with one management system covering the standard, ``--standard`` is enough) and
``keel export soa --standard KEY [--management-system ID] --format xlsx|pdf|json --out FILE``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .base import (
    PERMISSIONS,
    CliError,
    add_as_option,
    check_permission,
    note,
    out,
    require_tables,
    resolve_actor,
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    soa = sub.add_parser(
        "soa",
        help="draft the Statement of Applicability",
        description="Work on the Statement of Applicability of a management system.",
    )
    ssub = soa.add_subparsers(dest="soa_command", metavar="COMMAND", required=True)
    p = ssub.add_parser(
        "draft",
        help="create (or complete) the draft SoA of a standard",
        description="Create the Statement of Applicability of a standard for a management system, one row "
        "per Annex A control, to be completed on the SoA page; run again after a standards update to add "
        "the rows of new controls. Changes nothing else.",
    )
    p.add_argument("--standard", required=True, metavar="KEY", help="the standard's key, e.g. iso27001:2022")
    p.add_argument(
        "--management-system",
        metavar="ID",
        default=None,
        help="id or short name of the management system (needed when several cover the standard)",
    )
    add_as_option(p)
    p.set_defaults(handler=cmd_soa_draft, command_path="soa draft")

    exp = sub.add_parser(
        "export",
        help="export documents (the Statement of Applicability)",
        description="Export documents auditors expect.",
    )
    esub = exp.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    p = esub.add_parser(
        "soa",
        help="the Statement of Applicability of one standard",
        description="Write the Statement of Applicability of a standard for a management system as XLSX "
        "(one sheet, filters, frozen header), PDF or JSON. The version, its approval date and approver "
        "appear on every sheet and page; rows changed since the last approval are exported as a draft.",
    )
    p.add_argument("--standard", required=True, metavar="KEY", help="the standard's key, e.g. iso27001:2022")
    p.add_argument(
        "--management-system",
        metavar="ID",
        default=None,
        help="id or short name of the management system (needed when several have an SoA for the standard)",
    )
    p.add_argument("--format", required=True, choices=["xlsx", "pdf", "json"], help="file format")
    p.add_argument("--out", required=True, metavar="FILE", help="file to write ('-' for stdout, JSON only)")
    add_as_option(p)
    p.set_defaults(handler=cmd_export_soa, command_path="export soa")


def cmd_soa_draft(args: argparse.Namespace) -> int:
    from keel.core import resolvers
    from keel.core.services.records import standards_by_key
    from keel.soa import services

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["soa draft"])
    (standard,) = standards_by_key([args.standard], field="standard")
    if args.management_system:
        ms = resolvers.management_system(args.management_system, actor)
    else:
        covering = list(resolvers.visible_systems(actor).filter(standards=standard))
        if len(covering) != 1:
            names = ", ".join(m.short_name for m in covering) or "none"
            raise CliError(
                f"choose the management system with --management-system (those covering {standard.key}: "
                f"{names}; 'keel system create' makes one).",
                code=2,
            )
        ms = covering[0]
    soa = services.create_soa(actor, ms.pk, standard.key)
    rows = soa.rows.count()
    out(
        f"Draft SoA of {ms.name} for {standard.key}: {rows} rows. Export it with: "
        f"keel export soa --standard {standard.key} --management-system {ms.short_name} --format xlsx --out FILE"
    )
    return 0


def cmd_export_soa(args: argparse.Namespace) -> int:
    from keel.core.errors import NotFound
    from keel.core.permissions import Perm, check
    from keel.core.services.organisation import get_management_system
    from keel.core.services.records import standards_by_key
    from keel.soa import exports, queries

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["export soa"])
    if args.out == "-" and args.format != "json":
        raise CliError(f"--out -: write {args.format.upper()} to a file, not to the terminal.", code=2)
    (standard,) = standards_by_key([args.standard], field="standard")
    if args.management_system:
        ms = get_management_system(args.management_system, list_known=actor.user is None)
        soa = queries.find_soa(ms.pk, standard.key)
    else:
        candidates = list(queries.soas().filter(standard=standard))
        if not candidates:
            raise NotFound(f"No management system has a Statement of Applicability for {standard.key} yet.")
        if len(candidates) > 1:
            names = ", ".join(s.management_system.short_name for s in candidates)
            raise CliError(
                f"several management systems have an SoA for {standard.key} ({names}): "
                "choose one with --management-system.",
                code=2,
            )
        soa = candidates[0]
    check(actor, Perm.VIEW, soa.management_system_id)
    data = exports.export([soa], args.format)
    if args.out == "-":
        out(data.decode("utf-8"))
        return 0
    path = Path(args.out)
    path.write_bytes(data)
    note(f"Wrote the {standard.key} SoA of {soa.management_system.name} ({args.format}) to {path}.")
    return 0
