"""``keel export soa`` and ``keel soa create|approve|list``: the Statement of Applicability.

Contracts: ``keel export soa --standard KEY [--management-system ID] --format xlsx|pdf|json
[--version N] --out FILE``; ``keel soa create --standard KEY [--management-system ID]
[--from-gap]``; ``keel soa approve --standard KEY [--management-system ID] [--note TEXT]``;
``keel soa list`` (each with ``--format table|json``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from keel.site.cli import controls
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
    exp = sub.add_parser(
        "export",
        help="export documents (the Statement of Applicability, the control catalogue)",
        description="Export documents auditors expect.",
    )
    esub = exp.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    controls.register_export(esub)
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
    p.add_argument(
        "--version",
        type=int,
        metavar="N",
        default=None,
        help="export approved version N exactly as issued (default: the current rows, marked draft "
        "unless they are the last approved version)",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="file to write ('-' for stdout, JSON only)")
    add_as_option(p)
    p.set_defaults(handler=cmd_export_soa, command_path="export soa")

    soa = sub.add_parser(
        "soa",
        help="create, approve and list Statements of Applicability",
        description="Statements of Applicability.",
    )
    ssub = soa.add_subparsers(dest="soa_command", metavar="ACTION", required=True)
    p = ssub.add_parser(
        "create",
        help="create the SoA of a standard (empty, or drafted from the gap analysis)",
        description="Create the SoA of a management system for a standard: one row per Annex A control. "
        "With --from-gap, draft it from the accepted gap analysis (its reasons are marked machine-written "
        "until a person reviews each row). Creating again adds rows a newer standard revision introduced.",
    )
    _target_options(p)
    p.add_argument("--from-gap", action="store_true", help="draft the rows from the gap analysis")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_create, command_path="soa create")
    p = ssub.add_parser(
        "approve",
        help="approve the current rows as the next version",
        description="Freeze the current rows as the next approved version. Refused, with the rows named, "
        "while rows lack a reason for inclusion or an owner, or an exclusion contradicts the registers. "
        "Needs a named person (--as EMAIL).",
    )
    _target_options(p)
    p.add_argument("--note", default="", help="the approval note")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_approve, command_path="soa approve")
    p = ssub.add_parser("list", help="the SoAs you may view", description="List the SoAs you may view.")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_list, command_path="soa list")


def _target_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--standard", required=True, metavar="KEY", help="the standard's key, e.g. iso27001:2022")
    p.add_argument(
        "--management-system",
        metavar="ID",
        default=None,
        help="id or short name of the management system (needed when several cover the standard)",
    )


def _management_system(args: argparse.Namespace, actor: Any, standard_key: str) -> Any:
    from keel.organisation.models import ManagementSystem
    from keel.organisation.services import get_management_system

    if args.management_system:
        return get_management_system(args.management_system, list_known=actor.user is None)
    candidates = list(ManagementSystem.objects.filter(standards__key=standard_key).order_by("short_name"))
    if len(candidates) != 1:
        names = ", ".join(m.short_name for m in candidates) or "none"
        raise CliError(
            f"choose the management system with --management-system (covering {standard_key}: {names}).",
            code=2,
        )
    return candidates[0]


def _soa_out(soa: Any) -> dict[str, Any]:
    return {
        "id": str(soa.pk),
        "management_system": soa.management_system.short_name,
        "standard": soa.standard.key,
        "rows": soa.row_count,
        "latest_version": soa.latest_version,
    }


def cmd_create(args: argparse.Namespace) -> int:
    from keel.gap import services as gap_services
    from keel.soa import queries, services
    from keel.standards.records import standards_by_key

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["soa create"])
    (standard,) = standards_by_key([args.standard], field="standard")
    ms = _management_system(args, actor, standard.key)
    if args.from_gap:
        gap_services.draft_soa(actor, ms.pk, standard.key)
        created = queries.find_soa(ms.pk, standard.key)
    else:
        created = queries.get_soa(services.create_soa(actor, ms.pk, standard.key).pk)
    doc = _soa_out(created)
    if args.format == "json":
        out(json.dumps(doc, indent=2))
    else:
        out(f"SoA {standard.key} of {ms.name}: {doc['rows']} rows ({created.pk}).")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from keel.soa import queries, services
    from keel.standards.records import standards_by_key

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["soa approve"])
    (standard,) = standards_by_key([args.standard], field="standard")
    ms = _management_system(args, actor, standard.key)
    version = services.approve(actor, queries.find_soa(ms.pk, standard.key).pk, note=args.note)
    doc = {
        "number": version.number,
        "approved_by": version.approved_by.email,
        "approved_at": version.approved_at.isoformat(timespec="seconds"),
        "rows": len(version.rows),
    }
    if args.format == "json":
        out(json.dumps(doc, indent=2))
    else:
        out(f"Approved version {version.number} of the {standard.key} SoA of {ms.name} ({doc['rows']} rows).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from keel.platform.permissions import Perm, restrict
    from keel.soa import queries

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["soa list"])
    soas = queries.soas().order_by("management_system__short_name", "standard__key")
    if actor.user is not None:
        soas = restrict(soas, actor.user, Perm.VIEW)
    items = [_soa_out(s) for s in soas]
    if args.format == "json":
        out(json.dumps(items, indent=2))
        return 0
    rows = [
        [i["management_system"], i["standard"], i["rows"], i["latest_version"] or "—", i["id"]] for i in items
    ]
    for line in table(rows, ["SYSTEM", "STANDARD", "ROWS", "VERSION", "ID"], right=[2]):
        out(line)
    return 0


def cmd_export_soa(args: argparse.Namespace) -> int:
    from keel.organisation.services import get_management_system
    from keel.platform.errors import NotFound
    from keel.platform.permissions import Perm, check
    from keel.soa import exports, queries
    from keel.standards.records import standards_by_key

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
    data = exports.export([soa], args.format, version=args.version)
    if args.out == "-":
        out(data.decode("utf-8"))
        return 0
    path = Path(args.out)
    path.write_bytes(data)
    note(f"Wrote the {standard.key} SoA of {soa.management_system.name} ({args.format}) to {path}.")
    return 0
