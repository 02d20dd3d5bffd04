"""``keel standards list|show``: the standards library."""

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
    table,
)

# Short column headings for the counts by kind in the table format.
KIND_HEADINGS = {
    "clause": "CLAUSES",
    "annex_theme": "THEMES",
    "objective": "OBJECTIVES",
    "annex_control": "CONTROLS",
    "annex_c_objective": "C-OBJ",
    "annex_c_risk_source": "C-RISK",
    "catalog_item": "ITEMS",
}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    std = sub.add_parser(
        "standards",
        help="list and show the loaded standards",
        description="Browse the standards library loaded by 'keel init'.",
    )
    ssub = std.add_subparsers(dest="standards_command", metavar="COMMAND", required=True)
    p = ssub.add_parser(
        "list",
        help="every standard with its version and counts by kind",
        description="List every loaded standard: key, title, version (data revision) and the number "
        "of entries of each kind.",
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_list, command_path="standards list")

    p = ssub.add_parser(
        "show",
        help="one standard with every entry",
        description="Show a standard with every entry: key, ref_id, title, kind and parent.",
    )
    p.add_argument("key", metavar="KEY", help="the standard's key, e.g. iso27001:2022")
    p.add_argument(
        "--include-withdrawn",
        action="store_true",
        help="also list entries a newer data revision withdrew (each marked 'withdrawn')",
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_show, command_path="standards show")


def cmd_list(args: argparse.Namespace) -> int:
    from keel.standards.queries import standards_with_counts

    require_tables()
    check_permission(resolve_actor(args), PERMISSIONS["standards list"])
    rows = standards_with_counts()
    if args.format == "json":
        out(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        out("No standards loaded: run 'keel init'.")
        return 0
    kinds = list(dict.fromkeys(k for r in rows for k in r["counts"]))
    headers = ["KEY", "VERSION", *[KIND_HEADINGS.get(k, k.upper()) for k in kinds], "TOTAL", "TITLE"]
    numeric = range(1, len(kinds) + 3)
    body = [
        [r["key"], r["version"], *[r["counts"].get(k, 0) for k in kinds], r["total"], r["title"]]
        for r in rows
    ]
    for line in table(body, headers, right=numeric):
        out(line)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from keel.standards.queries import entries_for_show, get_standard

    require_tables()
    check_permission(resolve_actor(args), PERMISSIONS["standards show"])
    std = get_standard(args.key)
    entries = []
    for e in entries_for_show(std):
        if e["withdrawn"] and not args.include_withdrawn:
            continue
        item = {
            "key": e["key"],
            "ref_id": e["ref_id"],
            "title": e["title"],
            "kind": e["kind"],
            "parent": e["parent"],
        }
        if args.include_withdrawn:
            item["withdrawn"] = e["withdrawn"]
        entries.append(item)
    if args.format == "json":
        doc = {
            "key": std.key,
            "name": std.name,
            "edition": std.edition,
            "title": std.title,
            "version": std.revision,
            "entries": entries,
        }
        out(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    out(f"{std.key} — {std.title} (version {std.revision}, {len(entries)} entries)")
    out()
    prefix = f"{std.key}:"
    body = []
    for e in entries:
        parent = e["parent"][len(prefix) :] if e["parent"] and e["parent"].startswith(prefix) else e["parent"]
        title = f"{e['title']} (withdrawn)" if e.get("withdrawn") else e["title"]
        body.append([e["key"], e["ref_id"], e["kind"], parent or "", title])
    for line in table(body, ["KEY", "REF", "KIND", "PARENT", "TITLE"]):
        out(line)
    return 0
