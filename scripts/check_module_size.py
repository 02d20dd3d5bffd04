#!/usr/bin/env python3
"""Fail on any module of ``keel/`` longer than :data:`LIMIT` lines (CONVENTIONS: modules stay
under about 600 lines; split a longer one by concern, as ``keel/risks/services/`` is).

Tests (``tests/`` folders, ``conftest.py``) and migrations are not checked. Run by ``make lint``
and by ``tests/test_layers.py``; exit 1 with one line per module over the limit, and one per
allowed exception that is no longer needed (so the list below cannot go stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 600

# Allowed, with the reason; each entry must still be over the limit, or the check fails.
ALLOWED: dict[str, str] = {}


def checked_modules(root: Path = ROOT) -> list[Path]:
    """The non-test Python modules under ``root/keel``."""
    return sorted(
        path
        for path in (root / "keel").rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(root).parts) and path.name != "conftest.py"
    )


def line_count(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def problems(root: Path = ROOT, allowed: dict[str, str] | None = None) -> list[str]:
    allowed = ALLOWED if allowed is None else allowed
    found: list[str] = []
    for path in checked_modules(root):
        rel = path.relative_to(root).as_posix()
        lines = line_count(path)
        if lines > LIMIT and rel not in allowed:
            found.append(f"{rel}: {lines} lines (limit {LIMIT}): split it by concern")
        elif lines <= LIMIT and rel in allowed:
            found.append(f"{rel}: {lines} lines, no longer over {LIMIT}: remove it from ALLOWED")
    for rel in sorted(allowed):
        if not (root / rel).exists():
            found.append(f"{rel}: no such module: remove it from ALLOWED")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
