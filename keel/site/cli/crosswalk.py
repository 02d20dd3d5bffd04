"""``keel crosswalk list|export|import``: the crosswalks between standards, and their CSV form.

``keel crosswalk import`` exits 0 when every row is accepted, 1 when rows were rejected (or
the import was refused), 2 for an unreadable file or bad arguments, like ``keel import``.
See docs/crosswalks.md.
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
    from keel.platform.importing.report import ImportReport


def register(sub: argparse._SubParsersAction[Any]) -> None:
    cw = sub.add_parser(
        "crosswalk",
        help="list, export and import crosswalks between standards",
        description="Crosswalks relate the entries of a source standard to those of a target standard "
        "(equal, subset, superset, intersects, not related). See docs/crosswalks.md.",
    )
    csub = cw.add_subparsers(dest="crosswalk_command", metavar="WHAT", required=True)

    p = csub.add_parser("list", help="the crosswalks with their relation counts and completeness")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_list, command_path="crosswalk list")

    p = csub.add_parser(
        "export",
        help="write a crosswalk's relations as CSV",
        description="Write the live relations of a crosswalk as CSV: source, target, relation, rationale, "
        "extension (entries by ref id).",
    )
    p.add_argument("key", metavar="KEY", help="the crosswalk's key (see 'keel crosswalk list')")
    p.add_argument("--out", required=True, metavar="FILE", help="file to write ('-' for stdout)")
    add_as_option(p)
    p.set_defaults(handler=cmd_export, command_path="crosswalk export")

    p = csub.add_parser(
        "import",
        help="import relations into a crosswalk from CSV",
        description="Import relations (columns source, target, relation, rationale, extension; entries "
        "by ref id or key) into crosswalk KEY, created between --source and --target when it does not "
        "exist. All-or-nothing: a file with a rejected row changes nothing. Run with --dry-run first.",
    )
    p.add_argument("file", metavar="FILE", help="the CSV file")
    p.add_argument("--key", required=True, metavar="KEY", help="the crosswalk to import into")
    p.add_argument("--source", metavar="STD", help="source standard key (to create a new crosswalk)")
    p.add_argument("--target", metavar="STD", help="target standard key (to create a new crosswalk)")
    p.add_argument("--name", metavar="NAME", help="name of a new crosswalk")
    p.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_import, command_path="crosswalk import")


def cmd_list(args: argparse.Namespace) -> int:
    from keel.mapping import queries

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["crosswalk list"])
    rows = list(queries.crosswalks())
    if args.format == "json":
        data = [
            {
                "key": c.key,
                "name": c.name,
                "source": c.source.key,
                "target": c.target.key,
                "origin": c.origin,
                "revision": c.revision,
                "relations": c.n_live,  # type: ignore[attr-defined]
                "counts": queries.counts(c),
                "targets_covered": c.targets_covered,  # type: ignore[attr-defined]
                "targets_total": c.targets_total,  # type: ignore[attr-defined]
                "completeness": queries.completeness(c),
            }
            for c in rows
        ]
        out(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    body = []
    for c in rows:
        n = queries.counts(c)
        body.append(
            [
                c.key,
                f"{c.source.key} → {c.target.key}",
                c.origin,
                c.n_live,  # type: ignore[attr-defined]
                " ".join(f"{k}:{v}" for k, v in n.items() if v),
                f"{c.targets_covered}/{c.targets_total}",  # type: ignore[attr-defined]
            ]
        )
    if not body:
        out("No crosswalks. 'keel init' loads the shipped ones.")
        return 0
    for line in table(body, ["KEY", "STANDARDS", "ORIGIN", "RELATIONS", "BY TYPE", "TARGETS"], right=[3]):
        out(line)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from keel.mapping import services
    from keel.mapping.csvio import export_csv

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["crosswalk export"])
    cw = services.get_crosswalk(args.key)
    text = export_csv(cw)
    if args.out == "-":
        out(text.rstrip("\n"))
        return 0
    path = Path(args.out)
    path.write_text(text, encoding="utf-8")
    note(f"Wrote {text.count(chr(10)) - 1} relations of {cw.key} to {path}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from keel.mapping.csvio import CrosswalkCsvError, import_csv

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["crosswalk import"])
    data = read_spreadsheet(args.file)
    try:
        plan = import_csv(
            actor,
            data,
            Path(args.file).name,
            key=args.key,
            source=args.source,
            target=args.target,
            name=args.name,
            dry_run=args.dry_run,
        )
    except CrosswalkCsvError as exc:
        raise CliError(exc.message, 2) from None
    return _report(plan, args.format)


def _report(plan: ImportReport, fmt: str) -> int:
    from keel.mapping.csvio import report_json

    code = 1 if plan.rejected else 0
    if plan.rejected:
        note(f"keel: {len(plan.rejected)} row(s) rejected.")
    if fmt == "json":
        out(json.dumps(report_json(plan), indent=2, ensure_ascii=False))
        return code
    head = plan.context
    new = " (new)" if head["new_crosswalk"] else ""
    out(f"{plan.file} → crosswalk {head['crosswalk']}{new}: {head['source']} → {head['target']}")
    body = [
        [
            r.row,
            r.action,
            r.extra["source"] or "—",
            r.extra["target"],
            r.extra["relation"],
            r.reason or ", ".join(r.extra["changes"]),
        ]
        for r in plan.rows
        if r.action != "unchanged"
    ]
    if body:
        for line in table(
            body, ["ROW", "ACTION", "SOURCE", "TARGET", "RELATION", "CHANGES / REASON"], right=[0]
        ):
            out(line)
    s = plan.summary()
    out()
    out(
        f"{s['rows']} rows: {s['created']} to create, {s['updated']} to update, "
        f"{s['unchanged']} unchanged, {s['rejected']} rejected."
    )
    if plan.dry_run:
        out("Dry run: nothing was changed.")
    elif plan.applied:
        out("Imported.")
    else:
        out("Nothing was imported: fix the rejected rows and import the file again.")
    return code
