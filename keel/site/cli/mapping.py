"""``keel map suggest`` and ``keel map decide``: mapping suggestions by meaning.

``keel map suggest --source KEY|org --target KEY [--top K] [--method lexical|semantic|hybrid]
(default: hybrid with the keel[semantic] extra, lexical without)
[--no-crosswalk] --format json`` prints exactly ``[{"source", "target", "rank", "score",
"method", "explanation"}]``, top K per source item. See docs/mapping-suggestions.md.
"""

from __future__ import annotations

import argparse
import json
import time
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


def register(sub: argparse._SubParsersAction[Any]) -> None:
    m = sub.add_parser(
        "map",
        help="suggest and decide mappings between controls, catalogues and standards",
        description="Mapping suggestions by meaning: rank the requirements of a target standard for "
        "the organisation's controls or the entries of a catalogue.",
    )
    msub = m.add_subparsers(dest="map_command", metavar="COMMAND", required=True)
    p = msub.add_parser(
        "suggest",
        help="rank target requirements for each source item",
        description="For each source item with no path through a crosswalk to the target (every item "
        "with --no-crosswalk), the top K requirements of the target by text similarity. Source keys "
        "are requirement keys, or control references for --source org.",
    )
    p.add_argument("--source", required=True, metavar="KEY|org", help="a standard or catalogue key, or org")
    p.add_argument("--target", required=True, metavar="KEY", help="the target standard, e.g. iso42001:2023")
    p.add_argument("--top", type=int, default=5, metavar="K", help="suggestions per source item (default 5)")
    p.add_argument(
        "--method",
        choices=["lexical", "semantic", "hybrid"],
        default="",
        help="ranker (default: hybrid where the keel[semantic] extra is installed, lexical otherwise; "
        "semantic and hybrid need the extra)",
    )
    p.add_argument("--no-crosswalk", action="store_true", help="rank every source item, by its text only")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_suggest, command_path="map suggest")

    p = msub.add_parser(
        "decide",
        help="accept or reject one suggestion",
        description="Accept a suggestion with --relation (a control gets a link to the requirement, full "
        "for equal or superset, partial otherwise; a catalogue entry gets that relation in a user "
        "crosswalk) or reject it (never suggested again).",
    )
    p.add_argument("--source", required=True, metavar="KEY", help="a requirement key or a control reference")
    p.add_argument("--target", required=True, metavar="KEY", help="the target requirement key")
    p.add_argument("decision", choices=["accept", "reject"])
    p.add_argument(
        "--relation",
        choices=["equal", "subset", "superset", "intersects"],
        help="needed to accept: how the source relates to the target (NIST IR 8477; subset: the "
        "source asks less than the target)",
    )
    p.add_argument("--method", choices=["lexical", "semantic", "hybrid"], default="lexical")
    p.add_argument("--score", type=float, default=0.0)
    p.add_argument("--explanation", default="")
    add_format_option(p)
    add_as_option(p)
    p.set_defaults(handler=cmd_decide, command_path="map decide")


def cmd_suggest(args: argparse.Namespace) -> int:
    from keel.mapping.suggest.engine import default_method, suggest
    from keel.mapping.suggest.semantic import SemanticUnavailable
    from keel.platform.errors import ValidationFailed

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["map suggest"])
    started = time.perf_counter()
    method = args.method or default_method()
    if method != "lexical":
        note("keel: loading the sentence-embedding model…")
    try:
        rows = suggest(
            actor.user,
            args.source,
            args.target,
            top=args.top,
            method=method,
            no_crosswalk=args.no_crosswalk,
            trusted=actor.user is None,
        )
    except SemanticUnavailable as exc:
        raise CliError(exc.message, 2) from None
    except ValidationFailed as exc:
        raise CliError(exc.message, 2) from None
    sources = len({r.source for r in rows})
    note(
        f"keel: {len(rows)} suggestion(s) for {sources} source item(s) in {time.perf_counter() - started:.2f} s."
    )
    if args.format == "json":
        out(json.dumps([r.as_contract() for r in rows], indent=2, ensure_ascii=False))
        return 0
    body = [[r.source, r.rank, f"{r.score:.3f}", r.target_label[:60], r.explanation[:70]] for r in rows]
    for line in table(body, ["SOURCE", "RANK", "SCORE", "TARGET", "WHY"], right=[1, 2]):
        out(line)
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    from keel.mapping.suggest.services import decide

    require_tables()
    actor = resolve_actor(args)
    check_permission(actor, PERMISSIONS["map decide"])
    d = decide(
        actor,
        args.source,
        args.target,
        "accepted" if args.decision == "accept" else "rejected",
        method=args.method,
        score=args.score,
        explanation=args.explanation,
        relation=args.relation or "",
    )
    result = {"source": args.source, "target": args.target, "decision": d.decision, "id": str(d.pk)}
    if args.format == "json":
        out(json.dumps(result, indent=2))
    else:
        out(f"{args.source} → {args.target}: {d.decision}.")
    return 0
