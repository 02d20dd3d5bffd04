"""``keel createuser``, ``keel user set-password|deactivate|activate`` and ``keel token
create|list|revoke``: people and API tokens."""

from __future__ import annotations

import argparse
import getpass
import json
import secrets
import sys
import uuid
from typing import TYPE_CHECKING, Any

from keel.site.cli.base import (
    CliError,
    add_as_option,
    add_format_option,
    note,
    out,
    require_tables,
    resolve_actor,
    table,
)

if TYPE_CHECKING:
    from keel.platform.actor import Actor
    from keel.platform.models import User

ROLES = ("admin", "compliance_manager", "contributor", "auditor", "viewer")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "createuser",
        help="create a user account with a role",
        description="Create a user who logs in with EMAIL, with ROLE over the organisation or one "
        "management system. Without a password option a strong password is generated "
        "and printed once.",
    )
    p.add_argument("email", metavar="EMAIL", help="the login email address")
    p.add_argument("--role", required=True, choices=ROLES, help="the role to grant")
    p.add_argument(
        "--management-system",
        metavar="ID_OR_SHORTNAME",
        default=None,
        help="grant the role over this management system only (default: the whole organisation)",
    )
    p.add_argument("--name", default="", help="the person's full name")
    _add_password_options(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_createuser, command_path="createuser")

    user = sub.add_parser(
        "user",
        help="set passwords, deactivate and reactivate user accounts",
        description="Manage existing user accounts (create them with 'keel createuser').",
    )
    usub = user.add_subparsers(dest="user_command", metavar="COMMAND", required=True)
    p = usub.add_parser(
        "set-password",
        help="set a user's password",
        description="Set the password of EMAIL; their sessions end. Without a password option a strong "
        "password is generated and printed once.",
    )
    p.add_argument("email", metavar="EMAIL", help="the user's login email address")
    _add_password_options(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_user_set_password, command_path="user set-password")

    p = usub.add_parser(
        "deactivate",
        help="deactivate an account (no more logins or API tokens)",
        description="Deactivate EMAIL: logins and API tokens are refused at once; roles and the audit "
        "trail are kept, so 'keel user activate' undoes it.",
    )
    p.add_argument("email", metavar="EMAIL", help="the user's login email address")
    add_as_option(p)
    p.set_defaults(handler=cmd_user_deactivate, command_path="user deactivate")

    p = usub.add_parser(
        "activate",
        help="reactivate a deactivated account",
        description="Reactivate EMAIL: they can log in again with their password.",
    )
    p.add_argument("email", metavar="EMAIL", help="the user's login email address")
    add_as_option(p)
    p.set_defaults(handler=cmd_user_activate, command_path="user activate")

    token = sub.add_parser(
        "token",
        help="create, list and revoke API tokens",
        description="Manage API tokens (Authorization: Bearer <token>).",
    )
    tsub = token.add_subparsers(dest="token_command", metavar="COMMAND", required=True)
    p = tsub.add_parser(
        "create",
        help="create an API token and print it once",
        description="Create an API token for EMAIL. The token alone is printed on stdout (capture it: "
        "it is not shown again); details go to stderr.",
    )
    p.add_argument("email", metavar="EMAIL", help="the user the token acts as")
    p.add_argument("--name", default="CLI token", help="a name to recognise the token by")
    p.add_argument(
        "--expires-days",
        type=_days,
        default=None,
        metavar="N",
        help="the token expires after N days (default: never)",
    )
    add_as_option(p)
    p.set_defaults(handler=cmd_token_create, command_path="token create")

    p = tsub.add_parser("list", help="list a user's API tokens", description="List the API tokens of EMAIL.")
    p.add_argument("email", metavar="EMAIL")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_token_list, command_path="token list")

    p = tsub.add_parser("revoke", help="revoke an API token", description="Revoke the API token TOKEN_ID.")
    p.add_argument(
        "token_id", metavar="TOKEN_ID", type=_token_id, help="the token's id (see 'keel token list')"
    )
    add_as_option(p)
    p.set_defaults(handler=cmd_token_revoke, command_path="token revoke")


def _add_password_options(p: argparse.ArgumentParser) -> None:
    pw = p.add_mutually_exclusive_group()
    pw.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    pw.add_argument("--password-prompt", action="store_true", help="ask for the password (twice)")


def _days(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if n < 1:
        raise argparse.ArgumentTypeError("a token expires after at least 1 day")
    return n


def _token_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a token id (a UUID, as shown by 'keel token list')"
        ) from None


# ---------------------------------------------------------------- createuser


def _read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """The password and whether it was generated."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("--password-stdin: stdin gave an empty password.", code=2)
        return password, False
    if args.password_prompt:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise CliError("the two passwords differ; nothing was changed.")
        if not first:
            raise CliError("the password is empty; nothing was changed.", code=2)
        return first, False
    return secrets.token_urlsafe(18), True


def cmd_createuser(args: argparse.Namespace) -> int:
    from keel.organisation.people import create_user
    from keel.organisation.services import get_management_system

    require_tables()
    actor = resolve_actor(args)
    ms = get_management_system(args.management_system, list_known=True) if args.management_system else None
    password, generated = _read_password(args)
    user = create_user(
        actor, args.email, full_name=args.name, password=password, role=args.role, management_system=ms
    )
    where = f"management system {ms.short_name}" if ms else "the organisation"
    out(f"Created user {user.email} with role {args.role} over {where}.")
    if generated:
        out(f"Password (shown once, store it now): {password}")
    return 0


# ---------------------------------------------------------------- user set-password, deactivate, activate


def _managed_user(args: argparse.Namespace) -> tuple[Actor, User]:
    """The acting user (checked for manage_users before anything is read or printed) and the
    account the command is about."""
    from keel.platform.accounts import get_user
    from keel.platform.permissions import Perm, check

    require_tables()
    actor = resolve_actor(args)
    check(actor, Perm.MANAGE_USERS)
    return actor, get_user(args.email)


def cmd_user_set_password(args: argparse.Namespace) -> int:
    from keel.platform.accounts import set_password

    actor, user = _managed_user(args)
    password, generated = _read_password(args)
    set_password(actor, user, password)
    out(f"Set a new password for {user.email}; their sessions have ended.")
    if generated:
        out(f"Password (shown once, store it now): {password}")
    if not user.is_active:
        note(f"Note: {user.email} is deactivated; 'keel user activate {user.email}' lets them log in.")
    return 0


def _set_active(args: argparse.Namespace, active: bool) -> int:
    from keel.organisation.people import update_user

    actor, user = _managed_user(args)
    if user.is_active == active:
        out(f"{user.email} is already {'active' if active else 'deactivated'}; nothing changed.")
        return 0
    update_user(actor, user.pk, is_active=active)
    if active:
        out(f"Reactivated {user.email}: they can log in again.")
    else:
        out(f"Deactivated {user.email}: logins and API tokens are refused; roles and the trail are kept.")
    return 0


def cmd_user_deactivate(args: argparse.Namespace) -> int:
    return _set_active(args, active=False)


def cmd_user_activate(args: argparse.Namespace) -> int:
    return _set_active(args, active=True)


# ---------------------------------------------------------------- tokens


def cmd_token_create(args: argparse.Namespace) -> int:
    from keel.platform.accounts import create_token, get_user

    require_tables()
    actor = resolve_actor(args)
    user = get_user(args.email)
    token, secret = create_token(actor, user, args.name, args.expires_days)
    expires = f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "does not expire"
    note(f"Created API token {token.id} ({token.name!r}) for {user.email}; it {expires}.")
    note("This is the only time the token is shown: store it now.")
    out(secret)
    return 0


def _status(token: Any, now: Any) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def _when(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def cmd_token_list(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from keel.platform.accounts import get_user
    from keel.platform.permissions import Perm, check
    from keel.platform.queries import own_tokens

    require_tables()
    actor = resolve_actor(args)
    user = get_user(args.email)
    # One's own tokens need own_tokens; anyone else's need manage_users (as in the API).
    check(
        actor, Perm.OWN_TOKENS if actor.user is not None and actor.user.pk == user.pk else Perm.MANAGE_USERS
    )
    tokens = list(own_tokens(user))
    now = timezone.now()
    rows = [
        {
            "id": str(t.id),
            "name": t.name,
            "prefix": t.prefix,
            "status": _status(t, now),
            "created_at": _when(t.created_at),
            "expires_at": _when(t.expires_at),
            "last_used_at": _when(t.last_used_at),
            "revoked_at": _when(t.revoked_at),
        }
        for t in tokens
    ]
    if args.format == "json":
        out(json.dumps(rows, indent=2))
        return 0
    if not rows:
        note(f"{user.email} has no API tokens.")
        return 0
    for line in table(
        [
            [
                r["id"],
                r["name"],
                f"{r['prefix']}…",
                r["status"],
                r["created_at"],
                r["expires_at"] or "never",
                r["last_used_at"] or "never",
            ]
            for r in rows
        ],
        ["ID", "NAME", "PREFIX", "STATUS", "CREATED", "EXPIRES", "LAST USED"],
    ):
        out(line)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from keel.platform.accounts import revoke_token

    require_tables()
    actor = resolve_actor(args)
    token = revoke_token(actor, args.token_id)
    out(f"Revoked API token {token.id} ({token.name!r}) of {token.user.email}.")
    return 0
