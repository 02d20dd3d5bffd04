"""``keel trail verify``: check the audit trail's hash chain."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
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
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    tr = sub.add_parser("trail", help="the audit trail", description="Work with the audit trail.")
    tsub = tr.add_subparsers(dest="trail_command", metavar="COMMAND", required=True)
    p = tsub.add_parser(
        "verify",
        help="verify the hash chain and print a checkpoint",
        description="Walk the whole audit trail and check every entry's hash, its link to the "
        "previous entry and its columns. Exits 0 and prints a checkpoint (entry count and "
        "last hash) when the chain is intact; exits 1 naming the first broken entry.",
    )
    p.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help="a checkpoint written earlier (JSON): also detect entries cut from the end since then",
    )
    p.add_argument(
        "--write-checkpoint",
        type=Path,
        metavar="FILE",
        help="write the new checkpoint to FILE (only when the chain is intact)",
    )
    add_format_option(p, ("text", "json"))
    add_as_option(p)
    p.set_defaults(handler=cmd_verify, command_path="trail verify")
    r = tsub.add_parser(
        "repair-head",
        help="rebuild a missing chain head from the verified chain",
        description="When the chain head row is missing (every write is refused), verify the "
        "whole chain and, only if every entry is intact, rebuild the head from its last entry "
        "and record the repair in the trail. Refused when the head exists or the chain is broken.",
    )
    r.set_defaults(handler=cmd_repair_head, command_path="trail repair-head")


def read_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint from ``--write-checkpoint`` or from the JSON that verify printed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"--checkpoint {path}: no such file.", code=2) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CliError(f"--checkpoint {path}: not a JSON checkpoint ({exc}).", code=2) from None
    if isinstance(data, dict) and isinstance(data.get("checkpoint"), dict):
        data = data["checkpoint"]
    ok = (
        isinstance(data, dict)
        and isinstance(data.get("last_seq"), int)
        and data["last_seq"] >= 0
        and isinstance(data.get("last_hash"), str)
        and len(data["last_hash"]) == 64
    )
    if not ok:
        raise CliError(
            f'--checkpoint {path}: expected {{"count": N, "last_seq": N, "last_hash": '
            "\"<64 hex digits>\"}} as written by 'keel trail verify --write-checkpoint'.",
            code=2,
        )
    return dict(data)


def cmd_verify(args: argparse.Namespace) -> int:
    from keel.platform.trail import verify

    checkpoint = read_checkpoint(args.checkpoint) if args.checkpoint else None
    require_tables()
    check_permission(resolve_actor(args), PERMISSIONS["trail verify"])
    result = verify(checkpoint)
    cp = result.checkpoint()
    if args.format == "json":
        out(
            json.dumps(
                {
                    "ok": result.ok,
                    "count": result.count,
                    "last_seq": result.last_seq,
                    "last_hash": result.last_hash,
                    "first_broken_seq": result.first_broken_seq,
                    "problems": result.problems,
                    "checkpoint": cp if result.ok else None,
                },
                indent=2,
            )
        )
    elif result.ok:
        out(f"OK: {result.count} entries, last hash {result.last_hash}")
        if checkpoint is not None:
            out(f"The checkpoint at entry #{checkpoint['last_seq']} is still part of the chain.")
        out("Checkpoint: " + json.dumps(cp))
    else:
        out(
            f"BROKEN: the first broken entry is #{result.first_broken_seq} "
            f"({result.count} entries read, {len(result.problems)} problem(s)):"
        )
        for problem in result.problems:
            out(f"  {problem}")
    if not result.ok:
        if args.write_checkpoint:
            note(f"No checkpoint written to {args.write_checkpoint}: the chain is broken.")
        raise CliError(f"the audit trail is broken at entry #{result.first_broken_seq}.")
    if args.write_checkpoint:
        try:
            args.write_checkpoint.write_text(json.dumps(cp, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise CliError(f"--write-checkpoint {args.write_checkpoint}: {exc.strerror or exc}.") from None
        note(f"Checkpoint written to {args.write_checkpoint}.")
    return 0


def cmd_repair_head(args: argparse.Namespace) -> int:
    from keel.platform.trail import repair_head

    require_tables()
    result = repair_head(resolve_actor(args))
    out(f"Repaired: the chain head is #{result.last_seq}, last hash {result.last_hash}")
    if not result.ok:
        raise CliError("the trail does not verify after the repair: " + "; ".join(result.problems))
    return 0
