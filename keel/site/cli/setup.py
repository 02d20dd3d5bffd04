"""``keel init``, ``keel demo`` and ``keel serve``: set up the database and run Keel."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from keel.site.cli.base import (
    PERMISSIONS,
    CliError,
    add_as_option,
    check_permission,
    database_label,
    note,
    out,
    pending_migrations,
    resolve_actor,
    tables_exist,
)

if TYPE_CHECKING:
    from keel.mapping.services import CrosswalkLoadReport
    from keel.platform.actor import Actor
    from keel.standards.services import LoadReport


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "init",
        help="create or upgrade the database and load the standards (safe to run again)",
        description="Apply database migrations and load the standards library from the data files. "
        "Idempotent: running it again changes nothing unless the data files changed.",
    )
    p.add_argument(
        "--organisation",
        metavar="NAME",
        default=None,
        help="also create the organisation with this name (once; commands such as 'keel system create' "
        "need it)",
    )
    add_as_option(p)
    _add_data_dir(p)
    p.set_defaults(handler=cmd_init, command_path="init")

    p = sub.add_parser(
        "demo",
        help="'keel init' plus a demo organisation to explore",
        description="Run 'keel init', then load the demo organisation (management systems, scope, "
        "context, people) and print the demo login.",
    )
    add_as_option(p)
    _add_data_dir(p)
    p.set_defaults(handler=cmd_demo, command_path="demo")

    p = sub.add_parser(
        "serve",
        help="run Keel with the production web server (gunicorn)",
        description="Serve Keel with gunicorn. The database must have been set up with 'keel init'.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    p.add_argument(
        "--workers", type=_positive, default=2, metavar="N", help="number of worker processes (default: 2)"
    )
    p.set_defaults(handler=cmd_serve, command_path="serve")


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    # Hidden: load the standards from another data folder (tests, data authors).
    p.add_argument("--standards-data", dest="standards_data", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--templates-data", dest="templates_data", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument(
        "--crosswalks-data", dest="crosswalks_data", type=Path, default=None, help=argparse.SUPPRESS
    )


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


# ---------------------------------------------------------------- init


def cmd_init(args: argparse.Namespace) -> int:
    name = _organisation_name(args)
    actor = _initialise(args)
    if name is not None:
        _set_up_organisation(actor, name)
    return 0


def _organisation_name(args: argparse.Namespace) -> str | None:
    """``--organisation NAME``, checked before anything is done: an organisation that already
    has another name is not renamed by ``init`` (the organisation page renames it)."""
    if args.organisation is None:
        return None
    name = " ".join(args.organisation.split())
    if not name:
        raise CliError("--organisation: give the organisation's name.", code=2)
    if tables_exist():
        from keel.organisation.models import Organisation

        org = Organisation.objects.first()
        if org is not None and org.name != name:
            raise CliError(
                f"the organisation already exists as {org.name!r}; 'keel init --organisation' only creates "
                "it: rename it on the organisation page. Nothing was changed."
            )
    return name


def _set_up_organisation(actor: Actor, name: str) -> None:
    from keel.organisation.models import Organisation
    from keel.organisation.services import save_organisation

    if Organisation.objects.exists():
        out(f"organisation: {name} (already set up)")
        return
    save_organisation(actor, name=name)
    out(f"organisation: {name} created. Next: keel system create NAME --standard KEY")


def _initialise(args: argparse.Namespace) -> Actor:
    """Migrate and load the standards; returns the actor for what follows (``keel demo``)."""
    from keel.controls.services import load_templates
    from keel.controls.templates_loader import TEMPLATES_DIR, TemplateDataError, read_templates
    from keel.mapping.loader import (
        CROSSWALKS_DIR,
        CrosswalkDataError,
        entries_from_standards,
        read_crosswalks,
    )
    from keel.mapping.services import load_crosswalks
    from keel.standards.loader import DATA_DIR, StandardsDataError, read_all
    from keel.standards.services import load_library

    started = time.perf_counter()
    data_dir: Path = args.standards_data or DATA_DIR
    if not data_dir.is_dir():
        raise CliError(f"standards data folder {data_dir} does not exist.", code=2)
    actor = _early_actor(args)
    # Check the data files before touching the database, so a broken file changes nothing.
    try:
        standards, _vocabularies = read_all(data_dir)
    except StandardsDataError as exc:
        _data_problems(exc)
    templates_dir: Path = args.templates_data or TEMPLATES_DIR
    known = {e.key for s in standards for e in s.entries}
    try:
        read_templates(templates_dir, known_requirements=known)
    except TemplateDataError as exc:
        _data_problems(exc, "control-template")
    crosswalks_dir: Path = getattr(args, "crosswalks_data", None) or CROSSWALKS_DIR
    try:
        read_crosswalks(crosswalks_dir, entries=entries_from_standards(standards))
    except CrosswalkDataError as exc:
        _data_problems(exc, "crosswalk")

    pending = pending_migrations()
    if pending:
        note(f"Migrating the database ({database_label()}): {pending} migration(s) to apply…")
        _migrate()
        note("Database: migrations applied.")
    else:
        note(f"Database: up to date ({database_label()}).")
    note("Loading the standards library…")
    try:
        reports = load_library(actor, data_dir)
    except StandardsDataError as exc:  # pragma: no cover - the files changed since the check
        _data_problems(exc)
    for report in reports:
        out(_describe(report))
    note("Loading the control-template library…")
    try:
        templates = load_templates(actor, templates_dir)
    except TemplateDataError as exc:  # pragma: no cover - the files changed since the check
        _data_problems(exc, "control-template")
    if templates.created or templates.updated or templates.withdrawn:
        out(
            f"control templates: {len(templates.created)} created, {len(templates.updated)} updated, "
            f"{len(templates.withdrawn)} withdrawn, {templates.unchanged} unchanged"
        )
    else:
        out(f"control templates: up to date ({templates.unchanged} templates)")
    note("Loading the crosswalks…")
    try:
        crosswalks = load_crosswalks(actor, crosswalks_dir)
    except CrosswalkDataError as exc:  # pragma: no cover - the files changed since the check
        _data_problems(exc, "crosswalk")
    for cw in crosswalks:
        out(_describe_crosswalk(cw))
    _refresh_statistics()
    out(f"Done in {time.perf_counter() - started:.1f} s.")
    return actor


def _refresh_statistics() -> None:
    from keel.platform.dbstats import refresh_statistics

    note(f"Planner statistics refreshed ({refresh_statistics():.2f} s).")


def _early_actor(args: argparse.Namespace) -> Actor:
    """The ``--as`` user checked before migrating, when the database already has users."""
    from keel.platform.actor import Actor

    if not getattr(args, "as_email", None):
        return Actor.cli()
    if not tables_exist():
        raise CliError(
            "--as needs an initialised database with that user; run 'keel init' "
            "without --as first (the operating-system user sets it up)."
        )
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["init"])
    return actor


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _data_problems(exc: Any, what: str = "standards") -> NoReturn:
    note(f"keel: error: the {what} data files have {len(exc.problems)} problem(s); nothing was loaded:")
    for problem in exc.problems:
        note(f"  {problem}")
    raise CliError("", code=1)


def _describe(report: LoadReport) -> str:
    head = f"{report.key} (revision {report.revision}): "
    if not report.changed:
        return head + f"up to date ({report.unchanged} entries)"
    parts = [
        f"{len(report.created)} created",
        f"{len(report.updated)} updated",
        f"{len(report.withdrawn)} withdrawn",
    ]
    if report.restored:
        parts.append(f"{len(report.restored)} restored")
    if report.unchanged:
        parts.append(f"{report.unchanged} unchanged")
    return head + ", ".join(parts)


def _describe_crosswalk(report: CrosswalkLoadReport) -> str:
    counts = ", ".join(f"{n} {name}" for name, n in report.counts.items() if n)
    head = f"crosswalk {report.key} (revision {report.revision}): {report.targets} targets ({counts}); "
    if not report.changed:
        tail = f"up to date ({report.unchanged} relations"
    else:
        tail = (
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.withdrawn)} withdrawn, {len(report.restored)} restored ({report.unchanged} unchanged"
        )
    if report.kept:
        tail += f", {len(report.kept)} kept as people edited them"
    return head + tail + ")"


# ---------------------------------------------------------------- demo


def cmd_demo(args: argparse.Namespace) -> int:
    actor = _initialise(args)
    from keel.site import demo

    note("Loading the demo organisation…")
    report = demo.load_demo(actor, progress=lambda message: note(f"  {message}"))
    if report.created:
        _refresh_statistics()
    out("Demo organisation " + ("loaded:" if report.created else "already present:"))
    for name, count in report.summary.items():
        out(f"  {name.replace('_', ' ')}: {count}")
    if report.message and not report.created:
        out(report.message)
    if report.login_email:
        out(f"Demo login: {report.login_email}  password: {report.login_password}")
    return 0


# ---------------------------------------------------------------- serve


def cmd_serve(args: argparse.Namespace) -> int:
    if not tables_exist() or pending_migrations():
        raise CliError(
            f"the database ({database_label()}) is not initialised or not up to date: "
            "run 'keel init' (or 'keel demo') first."
        )
    from keel.standards.models import Standard

    if not Standard.objects.exists():
        raise CliError("no standards are loaded: run 'keel init' first.")
    from django.db import connections

    connections.close_all()  # no connection is shared with the forked workers
    host = f"[{args.host}]" if ":" in args.host else args.host
    out(f"Keel is serving on http://{host}:{args.port}/ with {args.workers} worker(s) (Ctrl+C stops it)")
    run_gunicorn(f"{host}:{args.port}", args.workers)
    return 0


def run_gunicorn(bind: str, workers: int) -> None:
    """Run gunicorn in this process until it is stopped."""
    from gunicorn.app.base import BaseApplication

    class KeelServer(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": bind,
                "workers": workers,
                "accesslog": "-",
                "errorlog": "-",
                "proc_name": "keel",
                "timeout": 60,
                "forwarded_allow_ips": "127.0.0.1",
                # Load and warm the application once in the master: every forked worker
                # answers its first request warm (it took about a second per worker).
                "preload_app": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from keel.site.warmup import warm
            from keel.wsgi import application

            started = time.perf_counter()
            statuses = warm(application)
            note(f"Warmed up in {time.perf_counter() - started:.1f} s ({len(statuses)} pages).")
            return application

    KeelServer().run()
