"""The ``keel`` command line: set-up, the standards library, people, tokens and the trail.

``main(argv)`` returns the exit status: 0 for success, 1 for a failure (a failed
verification, a refused permission, a service error), 2 for bad arguments. Errors are one line
on stderr, ``keel: error: …``, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from keel import __version__
from keel.site.cli import (
    ai,
    backup,
    catalogs,
    changes,
    check,
    crosswalk,
    documents,
    evidence,
    gap,
    imports,
    jobs,
    mapping,
    objectives,
    people,
    risks,
    setup,
    soa,
    standards,
    systems,
    trail,
    users,
)
from keel.site.cli.base import PERMISSIONS, CliError, Parser, UsageExit

__all__ = ["PERMISSIONS", "build_parser", "command_paths", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="keel",
        description="Keel: one management system for ISO/IEC 27001:2022 and ISO/IEC 42001:2023.",
        epilog="Run 'keel COMMAND --help' for the options of a command. Settings come from the "
        "environment (KEEL_HOME, DATABASE_URL, SECRET_KEY).",
    )
    parser.add_argument("--version", action="version", version=f"keel {__version__}")
    parser.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        default=None,
        help="act as this user on commands that change data: their permissions are checked and "
        "the trail names them (default: the operating-system user)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)
    setup.register(sub)
    systems.register(sub)
    users.register(sub)
    people.register(sub)
    standards.register(sub)
    trail.register(sub)
    soa.register(sub)
    imports.register(sub)
    gap.register(sub)
    crosswalk.register(sub)
    evidence.register(sub)
    documents.register(sub)
    ai.register(sub)
    risks.register(sub)
    catalogs.register(sub)
    mapping.register(sub)
    backup.register(sub)
    check.register(sub)
    objectives.register(sub)
    jobs.register(sub)
    changes.register(sub)
    return parser


def command_paths(parser: argparse.ArgumentParser | None = None) -> Iterator[str]:
    """Every runnable command, as typed (``"token create"``): for the permission matrix."""
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                path = sub.get_default("command_path")
                if path:
                    yield path
                else:
                    yield from command_paths(sub)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.settings")
    import django

    django.setup()


# Commands that may start a new instance in a data folder that does not exist yet.
CREATES_AN_INSTANCE = frozenset({"init", "demo", "restore"})


def _instance_problem(path: str) -> str | None:
    """Without ``KEEL_HOME``, Keel's data folder is ``./var`` of the current folder: a command
    run from another folder would silently start a second, empty instance there. Say where the
    data lives instead (only ``init``, ``demo`` and ``restore`` may create an instance)."""
    if os.environ.get("KEEL_HOME") or path.split(" ")[0] in CREATES_AN_INSTANCE:
        return None
    home = Path("var").resolve()
    sqlite = not os.environ.get("DATABASE_URL")
    if home.is_dir() and (not sqlite or (home / "keel.sqlite3").exists()):
        return None
    return (
        f"no Keel instance here: KEEL_HOME is not set, so Keel looks for its data in ./var of the "
        f"current folder ({home}), and "
        + ("it holds no database" if home.is_dir() else "there is none")
        + ". Run keel from the folder where Keel was set up, or set KEEL_HOME to its data folder; "
        "'keel init' creates a new instance here. Nothing was created."
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except UsageExit as exc:
        return exc.code
    path: str = args.command_path
    if getattr(args, "as_email", None) and PERMISSIONS.get(path, "") is None:
        sys.stderr.write(
            f"keel: error: 'keel {path}' does not take --as: only the operating-system user runs it.\n"
        )
        return 2
    problem = _instance_problem(path)
    if problem:
        sys.stderr.write(f"keel: error: {problem}\n")
        return 1
    from django.db import DatabaseError

    from keel.platform.errors import KeelError

    try:
        _setup_django()
        return int(args.handler(args))
    except CliError as exc:
        if exc.message:
            sys.stderr.write(f"keel: error: {exc.message}\n")
        return exc.code
    except KeelError as exc:
        sys.stderr.write(f"keel: error: {exc.message}\n")
        return 1
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(
            f"keel: error: database error: {first}. Is the database reachable and "
            "initialised ('keel init')?\n"
        )
        return 1
    except BrokenPipeError:
        # The reader went away (``keel standards show … | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        sys.stderr.write(f"keel: error: {exc.strerror or exc}{where}.\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("keel: interrupted.\n")
        return 130
