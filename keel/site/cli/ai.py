"""``keel ai metric push SYSTEM METRIC VALUE [--at TIME]``: push an operating-metric reading of
an AI system from a pipeline or a shell, by the system's and the metric's short names."""

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
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    ai = sub.add_parser(
        "ai", help="AI systems: operating metrics", description="Work with the AI system inventory."
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
