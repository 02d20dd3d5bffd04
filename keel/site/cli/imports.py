"""``keel import controls|soa|assets FILE``: bring an existing ISMS in from CSV or XLSX.

Exit status: 0 when every row is accepted, 1 when rows were rejected (or the import was
refused), 2 for an unreadable file or bad arguments. See docs/import.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keel.site.cli.base import (
    PERMISSIONS,
    CliError,
    add_as_option,
    add_format_option,
    check_permission,
    note,
    out,
    read_spreadsheet,
    require_tables,
    resolve_actor,
    table,
)

if TYPE_CHECKING:
    from keel.platform.importing.report import ImportPlan


def register(sub: argparse._SubParsersAction[Any]) -> None:
    imp = sub.add_parser(
        "import",
        help="import controls or an SoA from a CSV or XLSX file",
        description="Import an existing ISMS from a spreadsheet (CSV or XLSX). Run with --dry-run "
        "first to see what would be created, updated and rejected.",
    )
    isub = imp.add_subparsers(dest="import_command", metavar="WHAT", required=True)

    p = isub.add_parser(
        "controls",
        help="controls with their owners, status and requirement references",
        description="Import controls: ref, title, description, owner email, status, frequency, type, "
        "requirement references, tags, management system. A re-import updates controls by ref; a "
        "file with rejected rows changes nothing unless --only-valid is given.",
    )
    p.add_argument("file", metavar="FILE", help="the CSV or XLSX file")
    p.add_argument(
        "--standard",
        metavar="KEY",
        help="the standard of bare references (A.5.15, 9.2) when the column header does not name "
        "one: iso27001:2022, iso42001:2023, or iso27001:2013 for the old Annex A numbering",
    )
    p.add_argument(
        "--map",
        metavar="COLUMN=FIELD",
        action="extend",
        nargs="+",
        default=[],
        help="read COLUMN as FIELD (ref, title, description, owner, status, frequency, type, "
        "effectiveness, requirements, tags, management_systems, or ignore); repeatable",
    )
    p.add_argument(
        "--management-system",
        metavar="ID",
        help="put new controls (and add updated ones) in this management system (id or short name), "
        "for rows without a management-system column",
    )
    _add_bare_refs(p)
    p.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    p.add_argument(
        "--only-valid", action="store_true", help="import the accepted rows even when others are rejected"
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_controls, command_path="import controls")

    p = isub.add_parser(
        "soa",
        help="an existing Statement of Applicability",
        description="Import an SoA: control ref (the standard's Annex A ID), applicable, "
        "justification, status.",
    )
    p.add_argument("file", metavar="FILE", help="the CSV or XLSX file")
    p.add_argument("--standard", metavar="KEY", required=True, help="the SoA's standard, e.g. iso27001:2022")
    p.add_argument("--management-system", metavar="ID", help="the SoA's management system (id or short name)")
    _add_bare_refs(p)
    p.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_soa, command_path="import soa")

    p = isub.add_parser(
        "assets",
        help="information assets with owners, type and classification",
        description="Import assets: ref, name, description, type, owner email, classification "
        "(level key or name), management system, location. A re-import updates assets by ref; a "
        "file with rejected rows changes nothing.",
    )
    p.add_argument("file", metavar="FILE", help="the CSV or XLSX file")
    p.add_argument("--management-system", metavar="ID", help="for rows without a management-system column")
    p.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_assets, command_path="import assets")


def _add_bare_refs(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--bare-refs",
        choices=["clause", "annex"],
        default=None,
        help="read a bare number that is both a clause and an Annex A control (5.2) as this; by "
        "default a cell or column that writes Annex A with 'A.' makes it the clause, otherwise the "
        "file's majority style decides and the dry run flags the choice",
    )


def cmd_controls(args: argparse.Namespace) -> int:
    from keel.controls.importing.services import import_controls
    from keel.platform.spreadsheets import ImportFileError

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["import controls"])
    data = read_spreadsheet(args.file)
    try:
        plan = import_controls(
            actor,
            data,
            Path(args.file).name,
            standard=args.standard,
            mappings=args.map,
            management_system=args.management_system,
            bare_refs=args.bare_refs,
            dry_run=args.dry_run,
            only_valid=args.only_valid,
        )
    except ImportFileError as exc:
        raise CliError(exc.message, 2) from None
    return _report(plan, args.format)


def cmd_soa(args: argparse.Namespace) -> int:
    from keel.platform.spreadsheets import ImportFileError
    from keel.soa.importing import import_soa

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["import soa"])
    data = read_spreadsheet(args.file)
    try:
        plan = import_soa(
            actor,
            data,
            Path(args.file).name,
            standard=args.standard,
            management_system=args.management_system,
            bare_refs=args.bare_refs,
            dry_run=args.dry_run,
        )
    except ImportFileError as exc:
        raise CliError(exc.message, 2) from None
    return _report(plan, args.format)


def cmd_assets(args: argparse.Namespace) -> int:
    from keel.assets.importing import ImportFileError, import_assets

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["import assets"])
    data = read_spreadsheet(args.file)
    try:
        plan = import_assets(
            actor, data, Path(args.file).name, management_system=args.management_system, dry_run=args.dry_run
        )
    except ImportFileError as exc:
        raise CliError(exc.message, 2) from None
    return _report(plan, args.format, only_valid_hint=False)


def _report(plan: ImportPlan, fmt: str, only_valid_hint: bool = True) -> int:
    code = 1 if plan.rejected else 0
    if plan.rejected:
        note(f"keel: {len(plan.rejected)} row(s) rejected.")
    if fmt == "json":
        out(json.dumps(plan.as_dict(), indent=2, ensure_ascii=False, default=str))
        return code
    src = plan.source
    how = ", ".join(
        str(v)
        for v in (
            src.get("format"),
            src.get("encoding"),
            f"delimiter {src['delimiter']!r}" if src.get("delimiter") else None,
            f"sheet {src['sheet']!r}" if src.get("sheet") else None,
            f"header on row {src.get('header_row')}",
        )
        if v
    )
    out(f"{plan.file} ({how})")
    body = []
    for r in plan.rows:
        if r.action == "reject":
            detail = r.reason
        elif r.action == "update":
            detail = ", ".join(sorted(r.changes))
        else:
            detail = r.title
        body.append([r.row, r.action, r.ref, detail])
    if body:
        for line in table(body, ["ROW", "ACTION", "REF", "TITLE / CHANGES / REASON"], right=[0]):
            out(line)
    s = plan.summary()
    out()
    out(
        f"{s['rows']} rows: {s['created']} to create, {s['updated']} to update, "
        f"{s['unchanged']} unchanged, {s['rejected']} rejected."
    )
    people = getattr(plan, "people", [])
    if people:
        out(f"{len(people)} {'person' if len(people) == 1 else 'people'} to add to the directory (no login):")
        for p in people:
            rows = ", ".join(str(n) for n in p.rows)
            what = {"email": "by email", "name": "by name", "role": "a role, named by it"}[p.read_as]
            label = p.full_name + (f" <{p.email}>" if p.email and p.full_name else p.email if p.email else "")
            out(f"  {label} ({what}; row{'s' if len(p.rows) > 1 else ''} {rows})")
    for row, message in plan.warnings:
        out(f"warning{f' (row {row})' if row else ''}: {message}")
    if plan.dry_run:
        out("Dry run: nothing was changed.")
    elif plan.applied:
        out("Imported." + (" Rejected rows were skipped (--only-valid)." if plan.rejected else ""))
    else:
        out(
            "Nothing was imported: fix the rejected rows"
            + (", or import the valid rows only with --only-valid." if only_valid_hint else ".")
        )
    return code
