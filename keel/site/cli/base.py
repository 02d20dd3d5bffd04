"""Shared plumbing of the ``keel`` commands: output, errors, the acting user, and the
permission each command needs.

Command modules import Django models inside their handlers: the parser (and ``--help``) must
work before Django is set up, and without touching the data folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from keel.platform.actor import Actor

Handler = Callable[[argparse.Namespace], int]

# The permission each command needs when run ``--as`` a user (the services check it again for
# commands that change data). ``None``: only the operating-system operator may run it, and it
# takes no ``--as``. The permission matrix tests walk the parser and fail when a command has no
# entry here.
PERMISSIONS: dict[str, str | None] = {
    "init": "load_standards",
    "demo": "load_standards",
    "serve": None,
    "createuser": "manage_users",
    "user set-password": "manage_users",
    "user deactivate": "manage_users",
    "user activate": "manage_users",
    "people list": "view",
    "people add": "edit_people",
    "people invite": "manage_users",
    "token create": "own_tokens",
    "token list": "own_tokens",
    "token revoke": "own_tokens",
    "standards list": "view",
    "standards show": "view",
    "trail verify": "view_trail",
    "trail repair-head": None,
    "backup": None,
    "restore": None,
    "system create": "manage_systems",
    "system list": "view",
    "export soa": "view",
    "export controls": "view",
    "soa create": "edit_soa",
    "soa approve": "approve_soa",
    "soa list": "view",
    "import controls": "edit_controls",
    "import soa": "edit_soa",
    "gap": "view",
    "crosswalk list": "view",
    "crosswalk export": "view",
    "crosswalk import": "edit_mappings",
    "evidence add": "edit_evidence",
    "evidence list": "view",
    "evidence verify": "view_trail",
    "documents export": "view",
    "ai metric push": "record_ai_results",
    "objectives reading add": "record_readings",
    "ai gate": "view",
    "ai deploy": "edit_ai_systems",
    "import assets": "edit_assets",
    "risks export": "view",
    "risks due": "view",
    "catalog import": "load_standards",
    "map suggest": "view",
    "map decide": "edit_controls",
    "check": "view",
    "jobs run": None,
    "change gate": "view",
}


class CliError(Exception):
    """A problem to report as ``keel: error: <message>``; ``code`` is the exit status
    (2 for bad usage, 1 for a failure)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class UsageExit(Exception):
    """Raised by the parser instead of ``sys.exit`` so :func:`keel.site.cli.main` returns a code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (``keel: error: …``, exit 2)
    and which never calls ``sys.exit`` itself."""

    def error(self, message: str) -> NoReturn:
        hint = f" (see '{self.prog} --help')"
        sys.stderr.write(f"keel: error: {message}{hint}\n")
        raise UsageExit(2)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise UsageExit(status)


def out(line: str = "") -> None:
    """A line of the command's result, on stdout."""
    sys.stdout.write(line + "\n")


def note(line: str = "") -> None:
    """Progress and details for people, on stderr (so stdout stays parseable)."""
    sys.stderr.write(line + "\n")


def add_as_option(parser: argparse.ArgumentParser) -> None:
    """``--as EMAIL`` on a subcommand; it does not override a ``--as`` given before the command."""
    parser.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        default=argparse.SUPPRESS,
        help="act as this user: their permissions are checked and the trail names them "
        "(default: the operating-system user, who is trusted)",
    )


def add_format_option(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")) -> None:
    parser.add_argument(
        "--format", choices=list(choices), default=choices[0], help=f"output format (default: {choices[0]})"
    )


def resolve_actor(args: argparse.Namespace) -> Actor:
    """The acting user named with ``--as``, or the operating-system user."""
    from keel.platform.actor import Actor

    email = getattr(args, "as_email", None)
    if not email:
        return Actor.cli()
    require_tables()
    from keel.platform.models import User

    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CliError(f"--as {email}: no user with that email. Create one with 'keel createuser'.")
    if not user.is_active:
        raise CliError(f"--as {email}: this account is deactivated.")
    if not user.has_login:
        raise CliError(f"--as {email}: this person has no login; invite them first ('keel people invite').")
    return Actor.cli(user)


def check_permission(actor: Actor, perm: str | None) -> None:
    """Check the command's permission for a named actor (the OS operator is trusted)."""
    if perm is None:
        return
    from keel.platform.permissions import check

    check(actor, perm)


def database_label() -> str:
    """Where the database is, for messages (never the password)."""
    from django.conf import settings

    db: dict[str, Any] = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite at {db['NAME']}"
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"PostgreSQL database {db.get('NAME')} on {host}{port}"


def tables_exist() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        names = set(connection.introspection.table_names(cursor))
    return {"platform_user", "platform_trailentry", "standards_standard"} <= names


def require_tables() -> None:
    if not tables_exist():
        raise CliError(f"the database ({database_label()}) is not initialised: run 'keel init' first.")


def pending_migrations() -> int:
    """How many migrations have not been applied yet."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], right: Sequence[int] = ()) -> list[str]:
    """Rows as aligned text columns; columns whose index is in ``right`` are right-aligned."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for r in cells:
        parts = [r[i].rjust(widths[i]) if i in right else r[i].ljust(widths[i]) for i in range(len(headers))]
        lines.append("  ".join(parts).rstrip())
    return lines


def read_spreadsheet(path: str) -> bytes:
    """The bytes of a file to import, read only up to the import size limit (exit status 2 when
    it cannot be read or is over the limit: nothing past the limit is read)."""
    from pathlib import Path

    from keel.platform.spreadsheets import ImportFileError, read_limited

    try:
        return read_limited(path)
    except ImportFileError as exc:
        raise CliError(exc.message, 2) from None
    except OSError as exc:
        raise CliError(f"cannot read {Path(path).name}: {exc.strerror or exc}.", 2) from None
