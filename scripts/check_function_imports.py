#!/usr/bin/env python3
"""Fail on any import of another Keel app placed inside a function or method.

An import inside a function is how a cycle between apps hides from import-linter; the layers
(docs/adr/0018-layers.md) say a lower app learns about a higher one through a hook or a
panel instead. Imports of the same app (``from . import hooks`` in ``AppConfig.ready``) and
of third-party modules (``weasyprint``, loaded only for a PDF) are allowed. Tests and
migrations are not checked. Run by ``make lint``; exit 1 with one line per offending import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Allowed, with the reason. The CLI builds its parser before Django is configured (`keel
# --help` and `keel version` work without settings or a database), so its commands import
# models only when they run; keel.site is the top layer, so every one of those imports points
# down and none can hide a cycle.
ALLOWED_UNDER = ("keel/site/cli/",)
# AppConfig.ready() is where Django wants registrations that import models (they cannot be
# imported while apps.py itself loads); import-linter still checks where they point.
ALLOWED_FUNCTIONS = {("apps.py", "ready")}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "keel" or len(parts) < 2:
        return None
    return parts[1]


def offences(path: Path) -> list[str]:
    return offences_in(path.read_text(), path.relative_to(ROOT))


def offences_in(source: str, rel: Path) -> list[str]:
    """The cross-app imports inside functions of ``source``, the text of the file at ``rel``."""
    own = rel.parts[1] if len(rel.parts) > 2 else None
    package = (
        ".".join(rel.with_suffix("").parts[:-1]) if rel.name != "__init__.py" else ".".join(rel.parts[:-1])
    )
    found: list[str] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef) and (rel.name, child.name) in ALLOWED_FUNCTIONS:
                continue
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if inside and isinstance(child, ast.Import | ast.ImportFrom):
                if isinstance(child, ast.Import):
                    modules = [a.name for a in child.names]
                elif child.level:
                    base = package.split(".")
                    if child.level > 1:
                        base = base[: -(child.level - 1)]
                    modules = [".".join(base + ([child.module] if child.module else []))]
                else:
                    modules = [child.module or ""]
                for module in modules:
                    app = app_of(module)
                    if app is not None and app != own:
                        found.append(f"{rel}:{child.lineno}: imports {module} inside a function")
            visit(child, inside)

    visit(ast.parse(source, filename=str(rel)), False)
    return found


def main() -> int:
    problems: list[str] = []
    for path in sorted((ROOT / "keel").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if {"tests", "migrations"} & set(rel.parts) or str(rel).startswith(ALLOWED_UNDER):
            continue
        problems += offences(path)
    for p in problems:
        print(p)
    if problems:
        print(
            f"{len(problems)} cross-app import(s) inside functions: move them to the top of the module, "
            "or use a hook or panel (keel/platform/hooks.py) when the import points up.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
