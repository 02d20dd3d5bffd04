"""``keel system create|list``: the organisation's management systems from the command line.

Contract (issue 11): ``keel system create NAME --standard KEY [--standard KEY …]
[--model unified|federated]`` (unified by default) and ``keel system list [--format json]``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from keel.site.cli.base import (
    PERMISSIONS,
    CliError,
    add_as_option,
    add_format_option,
    check_permission,
    out,
    require_tables,
    resolve_actor,
    table,
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    sys_ = sub.add_parser(
        "system",
        help="create and list management systems",
        description="The organisation's management systems (an organisation is created with "
        "'keel init --organisation NAME').",
    )
    ssub = sys_.add_subparsers(dest="system_command", metavar="COMMAND", required=True)
    p = ssub.add_parser(
        "create",
        help="create a management system covering one or more standards",
        description="Create a management system of the organisation. With both standards and the unified "
        "model, one system runs ISO/IEC 27001 and ISO/IEC 42001 together.",
    )
    p.add_argument("name", metavar="NAME", help="the system's name, e.g. 'Integrated management system'")
    p.add_argument(
        "--standard",
        dest="standards",
        metavar="KEY",
        action="append",
        required=True,
        help="a standard the system covers, e.g. iso27001:2022; repeat for several",
    )
    p.add_argument(
        "--model",
        choices=["unified", "federated"],
        default="unified",
        help="operating model (default: unified)",
    )
    p.add_argument(
        "--short-name",
        metavar="SLUG",
        default=None,
        help="the short name other commands use (--management-system); default: made from NAME",
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_create, command_path="system create")

    p = ssub.add_parser(
        "list",
        help="the management systems you may see",
        description="List the management systems: short name, name, operating model, status, standards.",
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_list, command_path="system list")


def _as_dict(ms: Any) -> dict[str, Any]:
    return {
        "id": str(ms.pk),
        "short_name": ms.short_name,
        "name": ms.name,
        "operating_model": ms.operating_model,
        "status": ms.status,
        "standards": sorted(s.key for s in ms.standards.all()),
    }


def short_name_for(name: str) -> str:
    """A short name made from the system's name: ``Integrated MS`` → ``integrated-ms``."""
    from django.utils.text import slugify

    slug = slugify(name)[:40].strip("-")
    if not slug:
        raise CliError(f"cannot make a short name from {name!r}: give one with --short-name.", code=2)
    return slug


def cmd_create(args: argparse.Namespace) -> int:
    from keel.organisation.services import create_management_system

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["system create"])
    ms = create_management_system(
        actor,
        standards=args.standards,
        name=args.name,
        short_name=args.short_name or short_name_for(args.name),
        operating_model=args.model,
    )
    if args.format == "json":
        out(json.dumps(_as_dict(ms), indent=2, ensure_ascii=False))
    else:
        out(
            f"Created management system {ms.name!r} (short name {ms.short_name}, {ms.operating_model}) "
            f"covering {', '.join(sorted(s.key for s in ms.standards.all()))}."
        )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from keel.organisation import resolvers as organisation_resolvers

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["system list"])
    rows = [
        _as_dict(ms)
        for ms in organisation_resolvers.visible_systems(actor)
        .prefetch_related("standards")
        .order_by("short_name")
    ]
    if args.format == "json":
        out(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        out("No management systems yet: create one with 'keel system create NAME --standard KEY'.")
        return 0
    body = [
        [r["short_name"], r["name"], r["operating_model"], r["status"], ", ".join(r["standards"])]
        for r in rows
    ]
    for line in table(body, ["SHORT NAME", "NAME", "MODEL", "STATUS", "STANDARDS"]):
        out(line)
    return 0
