"""``keel people list|add|invite``: the directory of people from the command line.

Contract (issue 11): ``keel people list [--format json]``, ``keel people add NAME --email E
[--job-title T] [--department D]`` and ``keel people invite EMAIL``. The JSON shape of ``list``
is documented in docs/cli.md.
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
    note,
    out,
    require_tables,
    resolve_actor,
    table,
)

ROLES = ("admin", "compliance_manager", "contributor", "auditor", "viewer")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    people = sub.add_parser(
        "people",
        help="list, add and invite people of the directory",
        description="The directory of people: owners, approvers and staff. Most never log in; "
        "'keel people invite' gives one a login.",
    )
    psub = people.add_subparsers(dest="people_command", metavar="COMMAND", required=True)

    p = psub.add_parser(
        "list",
        help="list the people of the directory",
        description="List the directory: name, email, job title, department, login and roles.",
    )
    p.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help="only people whose name, email, job title or department contains TEXT",
    )
    p.add_argument("--department", default="", metavar="NAME", help="only the people of this department")
    p.add_argument(
        "--login",
        choices=["yes", "no"],
        default="",
        help="only people who can log in (yes) or who cannot (no)",
    )
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_list, command_path="people list")

    p = psub.add_parser(
        "add",
        help="add a person (without a login)",
        description="Add NAME to the directory. They can own controls, risks, AI systems, assets and "
        "evidence at once, and cannot log in until invited ('keel people invite').",
    )
    p.add_argument("name", metavar="NAME", help="the person's full name")
    p.add_argument("--email", required=True, metavar="E", help="their email address")
    p.add_argument("--job-title", default="", metavar="T", help="their job title")
    p.add_argument("--department", default="", metavar="D", help="their department")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_add, command_path="people add")

    p = psub.add_parser(
        "invite",
        help="give a person a login; prints an initial password once",
        description="Invite EMAIL (a person of the directory, or their id) to log in: Keel sets a generated "
        "initial password and prints it once on stdout. Everything they own stays theirs.",
    )
    p.add_argument(
        "email", metavar="EMAIL", help="the person's email (or id, for someone whose email Keel lacks)"
    )
    p.add_argument(
        "--email",
        dest="new_email",
        default=None,
        metavar="E",
        help="the address they will log in with, when Keel has none",
    )
    p.add_argument("--role", choices=ROLES, default=None, help="grant this role at the same time")
    p.add_argument(
        "--management-system",
        metavar="ID_OR_SHORTNAME",
        default=None,
        help="grant the role over this management system only (default: the whole organisation)",
    )
    add_as_option(p)
    p.set_defaults(handler=cmd_invite, command_path="people invite")


def as_dict(person: Any) -> dict[str, Any]:
    """One person as ``keel people list --format json`` prints them."""
    return {
        "id": str(person.pk),
        "name": person.full_name,
        "email": person.shown_email or None,
        "job_title": person.job_title,
        "department": person.department,
        "has_login": person.has_login,
        "is_active": person.is_active,
        "roles": [
            {
                "role": ra.role,
                "management_system": ra.management_system.short_name if ra.management_system else None,
            }
            for ra in person.role_assignments.all()
        ],
    }


def cmd_list(args: argparse.Namespace) -> int:
    from keel.organisation import queries

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["people list"])
    filters = queries.PeopleFilters(q=args.search, department=args.department, login=args.login)
    rows = [as_dict(p) for p in queries.people(filters)]
    if args.format == "json":
        out(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        out(
            "Nobody in the directory matches."
            if (args.search or args.department or args.login)
            else "Nobody in the directory yet."
        )
        return 0
    body = [
        [
            r["name"] or "—",
            r["email"] or "(no email)",
            r["job_title"],
            r["department"],
            ("yes" if r["has_login"] else "no") + ("" if r["is_active"] else " (deactivated)"),
            ", ".join(f"{x['role']}@{x['management_system'] or 'organisation'}" for x in r["roles"]),
        ]
        for r in rows
    ]
    for line in table(body, ["NAME", "EMAIL", "JOB TITLE", "DEPARTMENT", "LOGIN", "ROLES"]):
        out(line)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from keel.organisation import directory, queries

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["people add"])
    person = directory.create_person(
        actor, args.name, email=args.email, job_title=args.job_title, department=args.department
    )
    if args.format == "json":
        found = queries.person(person.pk)
        out(json.dumps(as_dict(found), indent=2, ensure_ascii=False))
    else:
        out(f"Added {person.display_name} <{person.email}> to the directory (no login).")
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    from keel.organisation import directory
    from keel.organisation.resolvers import user_by_email
    from keel.organisation.services import get_management_system

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["people invite"])
    person = user_by_email(args.email, "person")
    if person is None:
        raise CliError("give the person's email.", code=2)
    if args.management_system and not args.role:
        raise CliError("--management-system goes with --role.", code=2)
    ms = get_management_system(args.management_system, list_known=True) if args.management_system else None
    invitation = directory.invite(actor, person, email=args.new_email, role=args.role, management_system=ms)
    who = invitation.person
    note(f"{who.display_name} can now log in as {who.email}.")
    if args.role:
        note(f"Granted {args.role} over {ms.short_name if ms else 'the organisation'}.")
    note("Initial password (shown once; give it to them over a channel you trust):")
    out(invitation.password)
    return 0
