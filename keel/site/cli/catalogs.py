"""``keel catalog import FILE``: bring a foreign catalogue (any framework) in from CSV or XLSX
as a standard whose items can be mapped.

Exit status (as ``keel import``): 0 when every row is accepted, 1 when rows were rejected (or
the import was refused), 2 for an unreadable file, unknown columns or bad arguments. See
docs/catalogs.md.
"""

from __future__ import annotations

import argparse
import json
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
    read_spreadsheet,
    require_tables,
    resolve_actor,
    table,
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    cat = sub.add_parser(
        "catalog",
        help="import a foreign catalogue (any framework) from CSV or XLSX",
        description="Foreign catalogues: lists of items of any framework, imported as standards so "
        "that they can be mapped to ISO/IEC 27001 and 42001.",
    )
    csub = cat.add_subparsers(dest="catalog_command", metavar="COMMAND", required=True)
    p = csub.add_parser(
        "import",
        help="import or re-import a catalogue",
        description="Import a catalogue: one row per item, with an id column, a title column and one "
        "or more text columns. A re-import with the same --key updates items by id and withdraws "
        "(never deletes) items the file no longer has. A file with rejected rows changes nothing "
        "unless --only-valid is given.",
    )
    p.add_argument("file", metavar="FILE", help="the CSV or XLSX file")
    p.add_argument("--key", required=True, help="the catalogue's key, e.g. nist-ai-rmf:1.0")
    p.add_argument("--name", required=True, help="the catalogue's name, e.g. 'NIST AI RMF 1.0'")
    p.add_argument("--id-column", required=True, metavar="C", help="the column holding each item's id")
    p.add_argument("--title-column", required=True, metavar="C", help="the column holding each item's title")
    p.add_argument(
        "--text-column",
        required=True,
        metavar="C[,C…]",
        action="append",
        help="the column(s) holding each item's text, comma-separated or repeated",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument(
        "--only-valid", action="store_true", help="import the accepted rows even when others are rejected"
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_import, command_path="catalog import")


def cmd_import(args: argparse.Namespace) -> int:
    from keel.platform.errors import ValidationFailed
    from keel.platform.spreadsheets import ImportFileError
    from keel.standards.catalog import import_catalog

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["catalog import"])
    data = read_spreadsheet(args.file)
    text_columns = [c.strip() for group in args.text_column for c in group.split(",") if c.strip()]
    try:
        report = import_catalog(
            actor,
            data,
            Path(args.file).name,
            key=args.key,
            name=args.name,
            id_column=args.id_column,
            title_column=args.title_column,
            text_columns=text_columns,
            dry_run=args.dry_run,
            only_valid=args.only_valid,
            progress=lambda m: note(f"keel: {m}"),
        )
    except ImportFileError as exc:
        raise CliError(exc.message, 2) from None
    except ValidationFailed as exc:
        raise CliError(exc.message, 2) from None
    code = 1 if report.rejected else 0
    if report.rejected:
        note(f"keel: {len(report.rejected)} row(s) rejected.")
    if args.format == "json":
        out(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return code
    s = report.as_dict()["summary"]
    out(f"{report.file} → {report.key} ({report.name}), revision {report.revision}")
    if report.rejected:
        for line in table([[r, i, why] for r, i, why in report.rejected], ["ROW", "ID", "REASON"], right=[0]):
            out(line)
    for row, message in report.warnings:
        out(f"warning (row {row}): {message}")
    out(
        f"{s['created']} created, {s['updated']} updated, {s['withdrawn']} withdrawn, "
        f"{s['restored']} restored, {s['unchanged']} unchanged, {s['rejected']} rejected."
    )
    if report.dry_run:
        out("Dry run: nothing was changed.")
    elif not report.applied:
        out("Nothing was imported: fix the rejected rows, or import the valid rows only with --only-valid.")
    return code
