"""``keel ai metric push SYSTEM METRIC VALUE [--at TIME]``: push an operating-metric reading of
an AI system from a pipeline or a shell, by the system's and the metric's short names.

``keel ai gate SYSTEM --model-version V [--format json]``: ask the deployment gate about one
model version (exit 0 when it passes, 1 when it refuses, with the reasons); ``keel ai deploy
SYSTEM --model-version V [--note TEXT] [--format json]``: deploy that version through the gate.
``V`` is ``MODEL@VERSION`` (e.g. ``helix-gbm@3.2``), a version label unique in the system, or
an id."""

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
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    ai = sub.add_parser(
        "ai",
        help="AI systems: operating metrics, the deployment gate",
        description="Work with the AI system inventory.",
    )
    aisub = ai.add_subparsers(dest="ai_command", metavar="COMMAND", required=True)
    metric = aisub.add_parser(
        "metric", help="operating metrics", description="Operating metrics of AI systems."
    )
    msub = metric.add_subparsers(dest="metric_command", metavar="COMMAND", required=True)
    p = msub.add_parser(
        "push",
        help="store one reading of a metric (idempotent)",
        description="Store one reading of an AI system's operating metric. The same reading "
        "(system, metric, time, value) pushed again is stored once: the command says it was "
        "already stored and exits 0, so a pipeline can retry safely when it gives --at. A reading "
        "beyond the metric's threshold in the bad direction is a breach and flags the system "
        "(a run of breaches keeps one open flag).",
    )
    p.add_argument("system", metavar="SYSTEM", help="the AI system's short name, e.g. credit-scoring")
    p.add_argument("metric", metavar="METRIC", help="the metric's short name within that system, e.g. auc")
    p.add_argument("value", metavar="VALUE", help="the reading, a number (up to 6 decimal places are kept)")
    p.add_argument(
        "--at",
        metavar="TIME",
        default=None,
        help="when it was measured, ISO 8601 (e.g. 2026-05-01T06:00:00Z; no offset means UTC). "
        "Default: now — give it to make retries idempotent",
    )
    add_format_option(p, ("text", "json"))
    add_as_option(p)
    p.set_defaults(handler=cmd_metric_push, command_path="ai metric push")

    version_help = "the model version: MODEL@VERSION (e.g. helix-gbm@3.2), a version label unique in the system, or an id"
    g = aisub.add_parser(
        "gate",
        help="ask the deployment gate about one model version",
        description="Ask the deployment gate whether a model version of an AI system may be deployed: "
        "its latest evaluation of each metric must have passed (a version never evaluated is refused) "
        "and the system needs an approved impact assessment in force. Nothing is changed. Exit status "
        "0 when the gate passes, 1 when it refuses (the reasons are printed).",
    )
    g.add_argument("system", metavar="SYSTEM", help="the AI system's short name, e.g. credit-scoring")
    g.add_argument("--model-version", required=True, metavar="V", help=version_help)
    add_format_option(g, ("text", "json"))
    add_as_option(g)
    g.set_defaults(handler=cmd_gate, command_path="ai gate")

    d = aisub.add_parser(
        "deploy",
        help="deploy a model version through the gate",
        description="Deploy a model version of an AI system through the deployment gate: refused "
        "(exit status 1, nothing changed) unless that version's latest evaluations passed and an "
        "approved impact assessment is in force. A system not yet in deployment moves into "
        "deployment; the version of the same model it replaces is retired.",
    )
    d.add_argument("system", metavar="SYSTEM", help="the AI system's short name, e.g. credit-scoring")
    d.add_argument("--model-version", required=True, metavar="V", help=version_help)
    d.add_argument("--note", default="", help="why it is deployed (kept in the audit trail)")
    add_format_option(d, ("text", "json"))
    add_as_option(d)
    d.set_defaults(handler=cmd_deploy, command_path="ai deploy")


def cmd_metric_push(args: argparse.Namespace) -> int:
    from keel.aisystems import services

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["ai metric push"])
    result = services.push_reading(actor, args.system, args.metric, args.value, args.at)
    data = result.as_dict()
    if args.format == "json":
        out(json.dumps(data))
        return 0
    where = f"{data['system']}/{data['metric']} = {data['value']} at {data['at']}"
    if not result.created:
        out(f"already stored: {where} (the same reading was pushed before; nothing was added)")
    else:
        out(f"stored: {where}")
    if result.reading.breach:
        metric = result.reading.metric
        side = "below" if metric.direction == "higher" else "above"
        state = "opened" if result.flag_opened else "still open"
        out(
            f"breach: {side} the threshold {metric.threshold.normalize()}"
            + (f"; flag {data['flag']} {state}" if data["flag"] else "")
        )
    return 0


def _print_gate(data: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        out(json.dumps(data))
        return
    what = f"{data['ai_system']}: model version {data['model']} {data['model_version']} ({data['status']})"
    if data["passed"]:
        out(f"gate passes: {what}")
        return
    out(f"gate refuses: {what}")
    for reason in data["blockers"]:
        out(f"  - {reason}")


def cmd_gate(args: argparse.Namespace) -> int:
    from keel.aisystems import gates, queries, services

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["ai gate"])
    system = (
        queries.system_for(actor.user, args.system)
        if actor.user is not None
        else services.get_system(args.system)
    )
    version = services.find_model_version(system, args.model_version)
    data = gates.check(system, version).as_dict()
    _print_gate(data, args.format)
    return 0 if data["passed"] else 1


def cmd_deploy(args: argparse.Namespace) -> int:
    from keel.aisystems import gates, services
    from keel.platform.errors import Conflict

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["ai deploy"])
    try:
        result = services.deploy_model_version(actor, args.system, args.model_version, args.note)
    except Conflict as exc:
        if args.format == "json":
            system = services.get_system(args.system)
            out(
                json.dumps(
                    gates.check(system, services.find_model_version(system, args.model_version)).as_dict()
                )
            )
        raise CliError(exc.message) from None
    data = result.as_dict()
    data["status"] = "deployed"
    if args.format == "json":
        out(json.dumps(data))
    else:
        out(
            f"deployed: {data['ai_system']} model version {data['model']} {data['model_version']} (the gate passed)"
        )
    return 0
