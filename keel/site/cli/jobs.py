"""``keel jobs run [--dry-run] [--json] [--today DATE] [--horizon DAYS]``: email each person one
digest of what is due soon or overdue that they have not been sent yet, and record it
(keel/work/jobs.py, docs/work.md). Safe every few minutes from cron or a systemd timer: a
second run sends nothing new, two runs at once never send an item twice. Progress goes to
stderr, the summary (or the JSON document) to stdout; exit status 1 when an email failed."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from typing import Any

from keel.site.cli.base import CliError, note, out, require_tables, resolve_actor


def register(sub: argparse._SubParsersAction[Any]) -> None:
    jobs = sub.add_parser(
        "jobs",
        help="background jobs (reminders)",
        description="Keel's background jobs, run from cron or a timer.",
    )
    jsub = jobs.add_subparsers(dest="jobs_command", metavar="COMMAND", required=True)
    p = jsub.add_parser(
        "run",
        help="send the due reminders not sent yet (safe to run every few minutes)",
        description="Compute what is due for every person (overdue, or due within the horizon), email each "
        "person one digest of the items not sent to them before, and record what was sent. Running it again "
        "sends nothing new; a changed due date is sent again. People without an email address are skipped "
        "and counted.",
    )
    p.add_argument("--dry-run", action="store_true", help="say what would be sent; send and record nothing")
    p.add_argument("--json", action="store_true", help="print the result as JSON (shape in docs/work.md)")
    p.add_argument(
        "--today", metavar="DATE", default=None, help="the day to compute for, YYYY-MM-DD (default: today)"
    )
    p.add_argument(
        "--horizon", metavar="DAYS", type=int, default=14, help="remind this many days ahead (default: 14)"
    )
    p.set_defaults(handler=cmd_run, command_path="jobs run")


def cmd_run(args: argparse.Namespace) -> int:
    from keel.work import jobs

    require_tables()
    today = None
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            raise CliError(f"--today {args.today}: not a date (YYYY-MM-DD).", 2) from None
    if not 0 <= args.horizon <= 366:
        raise CliError("--horizon must be between 0 and 366 days.", 2)
    # Django's console email backend (the default) writes to stdout: keep stdout for the
    # summary or the JSON document, and let the emails go to stderr with the progress.
    with contextlib.redirect_stdout(sys.stderr):
        result = jobs.run(
            resolve_actor(args),
            today=today,
            horizon=dt.timedelta(days=args.horizon),
            dry_run=args.dry_run,
            progress=note,
        )
    if args.json:
        out(json.dumps(result.as_dict(), indent=2))
    else:
        out(("dry run: " if args.dry_run else "") + result.summary())
    return 1 if result.failed else 0
