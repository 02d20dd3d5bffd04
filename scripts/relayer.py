#!/usr/bin/env python3
"""Relayer Keel: move modules out of ``keel.core`` (and the project package) into layers.

A deterministic, idempotent codemod (see docs/dev/relayering.md and docs/adr/0018-layers.md).
It reads one explicit MOVE MAP and

1. refuses to run when a module under ``keel/core/`` is not in the map (it prints the list);
2. turns relative imports into absolute ones in every file it is about to move;
3. moves whole modules and folders with ``git mv``; splits the modules listed in SPLITS by
   top-level name (a name the map does not know goes to the split's default target, with a
   warning), adding the imports one part needs from another;
4. rewrites every reference across keel/, tests/, bench/, conftest.py, docs/, Makefile,
   pyproject.toml: ``from keel.core.x import …``, ``import keel.core.x``, ``from keel.core
   import x`` (attribute uses of a split module are rewritten too), dotted strings
   (``"keel.core.middleware.X"``, mock.patch targets, ``keel.cli:main``), file paths in docs
   (``keel/core/trail.py``), model labels (``"core.User"``) and template names
   (``"core/login.html"``).

Run it again and it does nothing.  ``--rewrite-only FILE…`` rewrites only the given files (a
file taken from a branch made before the relayering, for example); ``--old-path`` names the
path such a file had, so its relative imports resolve.  ``--check`` lists what would change
and exits 1 if anything would.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# THE MOVE MAP
# ---------------------------------------------------------------------------------------------
# Whole modules and packages: old dotted name -> new dotted name (a package moves with
# everything under it).  Longest match wins.
MOVES: dict[str, str] = {
    # platform: accounts, trail, actor, errors, concurrency, permissions, page/API helpers
    "keel.core.actor": "keel.platform.actor",
    "keel.core.errors": "keel.platform.errors",
    "keel.core.concurrency": "keel.platform.concurrency",
    "keel.core.trail": "keel.platform.trail",
    "keel.core.middleware": "keel.platform.middleware",
    "keel.core.pages": "keel.platform.pages",
    "keel.core.permissions": "keel.platform.permissions",
    "keel.core.templatetags": "keel.platform.templatetags",
    "keel.core.apps": "keel.platform.apps",
    "keel.core.views.account": "keel.platform.views.account",
    "keel.core.views.auth": "keel.platform.views.auth",
    "keel.core.views.common": "keel.platform.views.common",
    "keel.core.views.errors": "keel.platform.views.errors",
    "keel.apicore": "keel.platform.api",
    # modules the branches made beside this one add under keel/core/ (not here yet)
    "keel.core.spreadsheets": "keel.platform.spreadsheets",
    "keel.core.cells": "keel.platform.cells",
    "keel.core.backup": "keel.site.backup",  # trail branch: keel backup / keel restore
    "keel.core.isodates": "keel.platform.isodates",  # exports branch: ISO dates in the API
    # organisation: organisation, management systems, roles, scope, parties, issues
    "keel.core.services.organisation": "keel.organisation.services",
    "keel.core.views.context": "keel.organisation.views.context",
    "keel.core.views.organisation": "keel.organisation.views.organisation",
    "keel.core.views.people": "keel.organisation.views.people",
    "keel.core.views.trail": "keel.organisation.views.trail",
    "keel.core.api": "keel.organisation.api",
    "keel.core.urls": "keel.organisation.urls",
    # site: dashboard, navigation, demo, URL and API mounting, CLI
    "keel.core.views.dashboard": "keel.site.views",
    "keel.core.demo": "keel.site.demo",
    "keel.core.navigation": "keel.site.navigation",
    "keel.core.context_processors": "keel.site.context_processors",
    "keel.api": "keel.site.api",
    "keel.urls": "keel.site.urls",
    "keel.cli": "keel.site.cli",
    # tests of the old core app, by what they exercise
    "keel.core.tests.factories": "keel.organisation.tests.factories",
    "keel.core.tests.test_api": "keel.organisation.tests.test_api",
    "keel.core.tests.test_services": "keel.organisation.tests.test_services",
    "keel.core.tests.test_views": "keel.organisation.tests.test_views",
    "keel.core.tests.test_cli": "keel.site.tests.test_cli",
    "keel.core.tests.test_demo": "keel.site.tests.test_demo",
    "keel.core.tests.test_concurrency": "keel.platform.tests.test_concurrency",
    "keel.core.tests.test_nul_input": "keel.platform.tests.test_nul_input",
    "keel.core.tests.test_permissions": "keel.platform.tests.test_permissions",
    "keel.core.tests.test_settings": "keel.platform.tests.test_settings",
    "keel.core.tests.test_trail": "keel.platform.tests.test_trail",
    "keel.core.tests": "keel.platform.tests",
    # the SoA spreadsheet import belongs to the SoA, not to the control catalogue
    "keel.controls.importing.soa": "keel.soa.importing",
    # the spreadsheet reader four apps use
    "keel.controls.importing.reading": "keel.platform.spreadsheets",
}

# Modules split by top-level name: old -> (default target, {target: names}).  Every name the
# module had at the relayering is listed; a name added later on another branch goes to the
# default target and is printed as a warning (decide, add it here, run again).
_SPLIT_TABLE: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "keel.core.models": (
        "keel.platform.models",  # trail and sequence models other branches add are platform's
        {
            "keel.platform.models": (
                "UserManager",
                "User",
                "ApiToken",
                "LoginAttempt",
                "TrailHead",
                "RefSequence",
                "TrailEntry",
                # added on main by the trail branch
                "ChainedEntries",
                "TrailEntrySystem",
            ),
            "keel.organisation.models": (
                "Organisation",
                "ManagementSystem",
                "ScopeStatement",
                "InterestedParty",
                "ContextIssue",
                "RoleAssignment",
            ),
        },
    ),
    "keel.core.choices": (
        "keel.organisation.choices",
        {
            "keel.platform.choices": ("Role", "Channel", "TrailAction"),
            "keel.organisation.choices": (
                "OperatingModel",
                "ManagementSystemStatus",
                "ScopeStatus",
                "LifecycleStage",
                "AIRole",
                "PartyCategory",
                "IssueKind",
                "IssueCategory",
                "IssueEffect",
                "ClimateRelevance",
            ),
        },
    ),
    "keel.core.queries": (
        "keel.organisation.queries",
        {
            "keel.platform.queries": ("own_tokens",),
            "keel.organisation.queries": (
                "TRAIL_PAGE_SIZE",
                "organisation_or_none",
                "management_systems",
                "ScopeCell",
                "SystemScope",
                "scope_overview",
                "scope_versions",
                "interested_parties",
                "context_issues",
                "context_counts_by_standard",
                "context_summary",
                "users_with_roles",
                "person",
                "TrailFilters",
                "trail_page",
                "NOT_ACTIVITY",
                "recent_trail",
                "TrailLookups",
                "_uuids",
                "trail_lookups",
                "trail_object_types",
                "trail_changes",
            ),
        },
    ),
    "keel.core.forms": (
        "keel.organisation.forms",
        {
            "keel.platform.forms": (
                "TEXTAREA",
                "DATE",
                "add_service_error",
                "KeelForm",
                "VersionedForm",
                "_shown",
                "TokenForm",
                "SetPasswordForm",
                "PasswordChangeForm",
            ),
            "keel.organisation.forms": (
                "standard_choices",
                "StandardsField",
                "OrganisationForm",
                "ManagementSystemForm",
                "ScopeDraftForm",
                "InterestedPartyForm",
                "ContextIssueForm",
                "StandardFilterForm",
                "perimeter_choices",
                "PerimeterForm",
                "UserCreateForm",
                "GrantRoleForm",
                "PersonForm",
                "TrailFilterForm",
            ),
        },
    ),
    "keel.core.schemas": (
        "keel.organisation.schemas",
        {
            "keel.platform.schemas": (
                "LIMIT",
                "OFFSET",
                "MS_REF",
                "USER_REF",
                "_keys",
                "Body",
                "Filters",
                # added on main by the locks branches: every app's versioned output
                "VersionedOut",
                "version_in",
            ),
            "keel.organisation.schemas": (
                "ManagementSystemOut",
                "ManagementSystemFilters",
                "ManagementSystemIn",
                "ManagementSystemPatch",
                "ScopeStatementOut",
                "ScopeStatementFilters",
                "ScopeDraftIn",
                "InterestedPartyOut",
                "InterestedPartyFilters",
                "InterestedPartyIn",
                "InterestedPartyPatch",
                "ContextIssueOut",
                "ContextIssueFilters",
                "ContextIssueIn",
                "ContextIssuePatch",
                "RoleAssignmentOut",
                "UserRoleOut",
                "UserOut",
                "MeOut",
                "UserFilters",
                "UserIn",
                "UserPatch",
                "PasswordIn",
                "RoleAssignmentFilters",
                "RoleAssignmentIn",
                "ApiTokenOut",
                "ApiTokenCreatedOut",
                "ApiTokenFilters",
                "ApiTokenIn",
                "TrailEntryOut",
                "TrailEntryDetailOut",
                "TrailEntryFilters",
            ),
        },
    ),
    "keel.core.services.access": (
        "keel.platform.accounts",
        {
            "keel.platform.accounts": (
                "MAX_TOKEN_DAYS",
                "LOGIN_ATTEMPT_RETENTION_DAYS",
                "TOKEN_PREFIX",
                "get_user",
                "update_user",
                "set_password",
                "hash_token",
                "create_token",
                "revoke_token",
                "user_for_token",
                "login_locked",
                "record_login",
                "require_human",
                # added on main: login throttling (exports) and the last-admin lock (locks-a).
                # _lock_administrators and update_user read RoleAssignment: after a merge they
                # move to keel.organisation.people by hand (docs/dev/relayering.md, case A).
                "ATTEMPTED_EMAIL_MAX",
                "attempted_email",
                "_lock_administrators",
            ),
            # creating a user may grant a first role over a management system
            "keel.organisation.people": ("create_user", "grant_role", "revoke_role"),
        },
    ),
    "keel.core.services.records": (
        "keel.platform.records",
        {
            "keel.platform.records": (
                "M",
                "validation_failed",
                "apply_fields",
                "reject_control_characters",
                "_is_text",
                "clean",
            ),
            "keel.standards.records": ("standards_by_key",),
        },
    ),
    # Written by the resolvers branch: the management system, user and requirement resolvers
    # need the organisation's models (the lowest layer that knows them); a control resolver
    # needs the controls app.
    "keel.core.resolvers": (
        "keel.organisation.resolvers",
        {"keel.controls.resolvers": ("control_by_ref", "resolve_control", "controls_by_ref")},
    ),
}
SPLITS: dict[str, tuple[str, dict[str, str]]] = {
    old: (default, {name: target for target, names in table.items() for name in names})
    for old, (default, table) in _SPLIT_TABLE.items()
}

# Re-export hubs: importers are sent to the module that defines the name; the hub is removed.
HUBS: dict[str, list[str]] = {
    "keel.core.views": [
        "keel.core.views.account",
        "keel.core.views.auth",
        "keel.core.views.common",
        "keel.core.views.context",
        "keel.core.views.dashboard",
        "keel.core.views.errors",
        "keel.core.views.organisation",
        "keel.core.views.people",
        "keel.core.views.trail",
    ],
    "keel.core.services": [],
    "keel.core": [],
}

# Folders that are not Python packages (moved as they are).
DIR_MOVES: dict[str, str] = {
    "keel/core/static": "keel/platform/static",
    "keel/templates/standards": "keel/standards/templates/standards",
}
DELETED_DIRS = ["keel/core/migrations"]

# Model labels: app label "core" is gone.
MODEL_LABELS: dict[str, str] = {
    "user": "platform",
    "apitoken": "platform",
    "loginattempt": "platform",
    "trailhead": "platform",
    "refsequence": "platform",
    "trailentry": "platform",
    "organisation": "organisation",
    "managementsystem": "organisation",
    "scopestatement": "organisation",
    "interestedparty": "organisation",
    "contextissue": "organisation",
    "roleassignment": "organisation",
}
MODEL_LABEL_DEFAULT = "platform"

# Templates in keel/templates/core/: name -> app folder (default organisation).
TEMPLATE_APPS: dict[str, str] = {
    "_field.html": "platform",
    "_form_errors.html": "platform",
    "_form_fields.html": "platform",
    "_row_actions.html": "platform",
    "confirm_delete.html": "platform",
    "error.html": "platform",
    "login.html": "platform",
    "account.html": "platform",
    "dashboard.html": "site",
}
TEMPLATE_DEFAULT = "organisation"

# New packages that need an __init__.py.
PACKAGES = [
    "keel.platform",
    "keel.platform.views",
    "keel.platform.tests",
    "keel.organisation",
    "keel.organisation.views",
    "keel.organisation.tests",
    "keel.site",
    "keel.site.tests",
]

REWRITE_ROOTS = ["keel", "tests", "bench", "docs", "scripts"]
REWRITE_FILES = ["conftest.py", "Makefile", "pyproject.toml", "README.md"]
TEXT_SUFFIXES = {".py", ".md", ".html", ".toml", ".cfg", ".ini", ".txt", ".yaml", ".yml", ""}
SELF = Path(__file__).resolve()
# Files that describe the relayering itself and name the old modules on purpose.
NOT_REWRITTEN = {
    "docs/adr/0018-layers.md",
    "docs/dev/relayering.md",
    "scripts/relayer-merge.sh",
    "scripts/check_function_imports.py",
}


# ---------------------------------------------------------------------------------------------
# resolution
# ---------------------------------------------------------------------------------------------
class Unmapped(Exception):
    pass


@dataclass
class Report:
    warnings: list[str] = field(default_factory=list)
    unmapped: set[str] = field(default_factory=set)
    changed: list[str] = field(default_factory=list)


REPORT = Report()
_HUB_NAMES: dict[str, dict[str, str]] = {}


def _guarded(module: str) -> bool:
    return module == "keel.core" or module.startswith("keel.core.")


def move_target(module: str) -> str | None:
    """The new dotted name of a whole-moved module (or of a module inside a moved package)."""
    best = ""
    for old in MOVES:
        if (module == old or module.startswith(old + ".")) and len(old) > len(best):
            best = old
    if best:
        return MOVES[best] + module[len(best) :]
    return None


def split_target(module: str, name: str) -> str:
    default, names = SPLITS[module]
    if name in names:
        return names[name]
    REPORT.warnings.append(f"{module}.{name}: not in the map, sent to the default {default}")
    return default


def hub_target(module: str, name: str) -> str:
    names = _HUB_NAMES.get(module, {})
    if name in names:
        return names[name]
    sub = f"{module}.{name}"
    if resolve_module(sub) is not None:  # `from keel.core import trail` is a submodule
        return sub
    raise Unmapped(f"{module}.{name}")


def resolve_module(module: str) -> str | None:
    """New name of a whole module, None when it is a split/hub (name-dependent) or unknown."""
    if module in SPLITS or module in HUBS:
        return None
    target = move_target(module)
    if target is not None:
        return target
    return None


def resolve_dotted(dotted: str) -> str:
    """A dotted reference module[.name[.attr]] -> its new spelling."""
    parts = dotted.split(".")
    for i in range(len(parts), 1, -1):
        mod = ".".join(parts[:i])
        rest = parts[i:]
        if mod in SPLITS and rest:
            return ".".join([split_target(mod, rest[0]), *rest])
        if mod in HUBS and rest:
            try:
                sub = hub_target(mod, rest[0])
            except Unmapped:
                continue
            if sub == f"{mod}.{rest[0]}":
                return resolve_dotted(".".join([sub, *rest[1:]]))
            return ".".join([resolve_dotted(sub), *rest])
        if mod in SPLITS and not rest:
            return SPLITS[mod][0]
        target = resolve_module(mod)
        if target is not None:
            return ".".join([target, *rest])
    if _guarded(dotted) and dotted not in HUBS:
        raise Unmapped(dotted)
    return dotted


def known_modules() -> set[str]:
    return set(MOVES) | set(SPLITS) | set(HUBS)


# ---------------------------------------------------------------------------------------------
# relative imports -> absolute
# ---------------------------------------------------------------------------------------------
def module_of(path: Path) -> str:
    rel = path.resolve().relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_moved(absolute: str, names: list[str]) -> bool:
    candidates = [absolute] + [f"{absolute}.{n}" for n in names]
    return any(_guarded(c) or c in SPLITS or c in HUBS or move_target(c) is not None for c in candidates)


def absolutise(source: str, module: str, is_package: bool, only_moved: bool = False) -> str:
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            if node.level > 1:
                base = base[: -(node.level - 1)]
            absolute = ".".join(base + ([node.module] if node.module else []))
            if only_moved and not _is_moved(absolute, [a.name for a in node.names]):
                continue
            line = lines[node.lineno - 1]
            prefix = "." * node.level + (node.module or "")
            start = line.index("from ") + len("from ")
            if line[start : start + len(prefix)] != prefix:
                continue
            edits.append((node.lineno - 1, start, start + len(prefix), absolute))
    for lineno, start, end, text in sorted(edits, reverse=True):
        line = lines[lineno]
        lines[lineno] = line[:start] + text + line[end:]
    return "".join(lines)


# ---------------------------------------------------------------------------------------------
# import rewriting
# ---------------------------------------------------------------------------------------------
IMPORT_FROM = re.compile(r"^(?P<indent>[ \t]*)from[ \t]+(?P<mod>[\w.]+)[ \t]+import[ \t]+(?P<names>.*)$")
IMPORT_PLAIN = re.compile(r"^(?P<indent>[ \t]*)import[ \t]+(?P<mods>[\w.]+(?:[ \t]+as[ \t]+\w+)?)[ \t]*$")


def _join_continuations(text: str) -> list[str]:
    """Lines, with a parenthesised `from x import (…)` joined into one logical line."""
    out: list[str] = []
    buf: list[str] = []
    for line in text.splitlines(keepends=True):
        if buf:
            buf.append(line)
            if ")" in line:
                out.append("".join(buf))
                buf = []
            continue
        m = IMPORT_FROM.match(line.rstrip("\n"))
        if m and m.group("names").strip().startswith("(") and ")" not in m.group("names"):
            buf = [line]
            continue
        out.append(line)
    out.extend(buf)
    return out


def _parse_names(names: str) -> list[tuple[str, str | None]]:
    names = names.split("#")[0]
    names = names.replace("(", " ").replace(")", " ").replace("\\", " ")
    result: list[tuple[str, str | None]] = []
    for part in names.replace("\n", " ").split(","):
        part = part.strip()
        if not part:
            continue
        bits = part.split()
        result.append((bits[0], bits[2] if len(bits) == 3 and bits[1] == "as" else None))
    return result


def _fmt(indent: str, module: str, names: list[tuple[str, str | None]]) -> str:
    marked = [(n, a) for n, a in names if a and ALIAS_MARK in a]
    if marked:
        plain = [(n, a) for n, a in names if (n, a) not in marked]
        head = _fmt(indent, module, plain) if plain else ""
        return head + "".join(f"{indent}from {module} import {n} as {a}\n" for n, a in marked)
    spelled = ", ".join(n if a is None or a == n else f"{n} as {a}" for n, a in names)
    line = f"{indent}from {module} import {spelled}\n"
    if len(line) > 110:
        inner = "".join(f"{indent}    {n if a is None or a == n else f'{n} as {a}'},\n" for n, a in names)
        line = f"{indent}from {module} import (\n{inner}{indent})\n"
    return line


def rewrite_import_line(line: str, alias_rewrites: dict[str, dict[str, str]]) -> str:
    stripped = line.rstrip("\n")
    m = IMPORT_FROM.match(stripped.split("\n")[0]) if "\n" in stripped else IMPORT_FROM.match(stripped)
    if m is None and "\n" in stripped:
        m = IMPORT_FROM.match(stripped.replace("\n", " "))
    if m:
        mod = m.group("mod")
        indent = m.group("indent")
        if not (mod.startswith("keel.") or mod == "keel"):
            return line
        names = _parse_names(m.group("names") if "\n" not in stripped else stripped.split("import", 1)[1])
        groups: dict[str, list[tuple[str, str | None]]] = {}
        order: list[str] = []

        def add(target: str, item: tuple[str, str | None]) -> None:
            if target not in groups:
                groups[target] = []
                order.append(target)
            groups[target].append(item)

        changed = False
        for name, alias in names:
            sub = f"{mod}.{name}"
            if mod in SPLITS:
                add(split_target(mod, name), (name, alias))
                changed = True
            elif sub in SPLITS:
                # `from keel.core import models`: a module alias of a split module
                local = alias or name
                default, mapping = SPLITS[sub]
                targets = sorted({default, *mapping.values()})
                alias_rewrites[local] = {n: t for n, t in mapping.items()} | {"*": default}
                for target in targets:
                    parent, _, leaf = target.rpartition(".")
                    add(parent, (leaf, f"{_alias_for(target, targets)}  {ALIAS_MARK}"))
                changed = True
            elif sub in HUBS and _HUB_NAMES.get(sub):
                # `from keel.core import views`: a module alias of a re-export hub
                local = alias or name
                mapping = {n: resolve_dotted(d) for n, d in _HUB_NAMES[sub].items()}
                alias_rewrites[local] = mapping | {"*": ""}
                for target in sorted(set(mapping.values())):
                    parent, _, leaf = target.rpartition(".")
                    add(parent, (leaf, f"{_alias_for(target, mapping.values())}  {ALIAS_MARK}"))
                changed = True
            elif mod in HUBS:
                try:
                    target_mod = hub_target(mod, name)
                except Unmapped:
                    REPORT.unmapped.add(sub)
                    add(mod, (name, alias))
                    continue
                if target_mod == sub:
                    new = resolve_dotted(sub)
                    parent, _, leaf = new.rpartition(".")
                    add(parent, (leaf, alias or (name if leaf != name else None)))
                else:
                    add(resolve_dotted(target_mod), (name, alias))
                changed = True
            else:
                whole = resolve_module(sub)
                if whole is not None and whole != sub:
                    parent, _, leaf = whole.rpartition(".")
                    add(parent, (leaf, alias or (name if leaf != name else None)))
                    changed = True
                    continue
                new_mod = resolve_module(mod)
                if new_mod is not None and new_mod != mod:
                    add(new_mod, (name, alias))
                    changed = True
                    continue
                if _guarded(mod) or _guarded(sub):
                    REPORT.unmapped.add(sub if _guarded(sub) else mod)
                add(mod, (name, alias))
        if not changed:
            return line
        return "".join(_fmt(indent, target, groups[target]) for target in order)
    m2 = IMPORT_PLAIN.match(stripped)
    if m2:
        spec = m2.group("mods").split()
        mod = spec[0]
        if _guarded(mod) or mod in MOVES or move_target(mod):
            if mod in SPLITS or mod in HUBS:
                REPORT.unmapped.add(f"import {mod} (a split module imported whole: rewrite by hand)")
                return line
            new = resolve_dotted(mod)
            rest = " ".join(spec[1:])
            return f"{m2.group('indent')}import {new}{' ' + rest if rest else ''}\n"
    return line


ALIAS_MARK = "#relayer-alias"


def _alias_for(target: str, targets: Iterable[str]) -> str:
    """The local name a part of a split module gets: its module name, or app and module
    (`platform_models`) when two parts share a module name."""
    parts = target.split(".")
    leaves = [t.rpartition(".")[2] for t in set(targets)]
    if leaves.count(parts[-1]) > 1 or parts[-1] in _TAKEN:
        return f"{parts[1]}_{parts[-1]}"
    return parts[-1]


def rewrite_aliases(text: str, alias_rewrites: dict[str, dict[str, str]]) -> str:
    for local, mapping in alias_rewrites.items():
        default = mapping["*"]
        targets = [t for t in mapping.values() if t]

        def repl(
            m: re.Match[str],
            mapping: dict[str, str] = mapping,
            default: str = default,
            targets: list[str] = targets,
        ) -> str:
            name = m.group(2)
            target = mapping.get(name, default)
            if not target:
                REPORT.unmapped.add(f"{m.group(1)}.{name}")
                return m.group(0)
            return f"{_alias_for(target, targets)}.{name}"

        text = re.sub(rf"(?<![\w.])({re.escape(local)})\.(\w+)", repl, text)
    return text


_TAKEN: set[str] = set()


def _names_in(text: str) -> set[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def rewrite_python_imports(text: str) -> str:
    _TAKEN.clear()
    _TAKEN.update(_names_in(text))
    out: list[str] = []
    alias_rewrites: dict[str, dict[str, str]] = {}
    for chunk in _join_continuations(text):
        if "import" in chunk and ("from keel" in chunk or "import keel" in chunk):
            out.append(rewrite_import_line(chunk, alias_rewrites))
        else:
            out.append(chunk)
    result = "".join(out)
    if alias_rewrites:
        result = rewrite_aliases(result, alias_rewrites)
        kept: list[str] = []
        for line in result.splitlines(keepends=True):
            if ALIAS_MARK in line:
                m = re.match(r"^([ \t]*)from ([\w.]+) import (\w+) as (\w+)", line)
                assert m is not None
                if re.search(rf"(?<![\w.]){m.group(4)}\.", result):
                    kept.append(f"{m.group(1)}from {m.group(2)} import {m.group(3)} as {m.group(4)}\n")
                continue
            kept.append(line)
        result = "".join(kept)
    return result


DOTTED = re.compile(r"(?<![\w.])(keel(?:\.\w+)+)(?::(\w+))?")
PATHREF = re.compile(
    r"(?<![\w/.])keel/(?:core|cli|apicore\.py|api\.py|urls\.py|templates/core|templates/standards)[\w/.]*"
)
LABEL = re.compile(r"""(?P<q>["'`])core\.(?P<model>[A-Za-z]+)(?P=q)""")
TABLE = re.compile(r"(?<![\w.])core_([a-z]+)\b")  # default db_table names, core_user
FTEMPLATE = re.compile(r"""(?P<f>f["'])core/(?P<name>[\w{}./-]*\{[\w{}./-]*\.html)""")
TEMPLATE = re.compile(r"""(?P<q>["'])core/(?P<name>[\w./-]+\.(?:html|txt))(?P=q)""")
APP_LABEL = re.compile(r"""(?P<pre>app_label\s*=\s*|get_model\(\s*)(?P<q>["'])core(?P=q)""")


def rewrite_strings(text: str) -> str:
    def dotted(m: re.Match[str]) -> str:
        ref = m.group(1)
        try:
            new = resolve_dotted(ref)
        except Unmapped as exc:
            REPORT.unmapped.add(str(exc))
            return m.group(0)
        if m.group(2):
            return f"{new}:{m.group(2)}"
        return new

    text = DOTTED.sub(dotted, text)

    def path(m: re.Match[str]) -> str:
        ref = m.group(0)
        trail = ""
        while ref and ref[-1] in "./":
            trail = ref[-1] + trail
            ref = ref[:-1]
        if ref.startswith("keel/templates/core/"):
            name = ref.rsplit("/", 1)[1]
            app = TEMPLATE_APPS.get(name, TEMPLATE_DEFAULT)
            return f"keel/{app}/templates/{app}/{name}{trail}"
        if ref == "keel/templates/core":
            return "keel/*/templates/" + trail
        for old, new in DIR_MOVES.items():
            if ref == old or ref.startswith(old + "/"):
                return new + ref[len(old) :] + trail
        suffix = ".py" if ref.endswith(".py") else ""
        base = ref[: -len(suffix)] if suffix else ref
        dotted_ref = base.replace("/", ".")
        try:
            new = resolve_dotted(dotted_ref)
        except Unmapped as exc:
            REPORT.unmapped.add(str(exc))
            return m.group(0)
        return new.replace(".", "/") + suffix + trail

    text = PATHREF.sub(path, text)

    def label(m: re.Match[str]) -> str:
        model = m.group("model")
        app = MODEL_LABELS.get(model.lower())
        if app is None:
            return m.group(0)
        return f"{m.group('q')}{app}.{model}{m.group('q')}"

    text = LABEL.sub(label, text)

    def table(m: re.Match[str]) -> str:
        app = MODEL_LABELS.get(m.group(1))
        return f"{app}_{m.group(1)}" if app else m.group(0)

    text = TABLE.sub(table, text)

    def template(m: re.Match[str]) -> str:
        name = m.group("name")
        app = TEMPLATE_APPS.get(name, TEMPLATE_DEFAULT)
        return f"{m.group('q')}{app}/{name}{m.group('q')}"

    text = TEMPLATE.sub(template, text)

    def ftemplate(m: re.Match[str]) -> str:
        REPORT.warnings.append(
            f"template name built at run time, {m.group(0)}…: sent to {TEMPLATE_DEFAULT}/ (check it)"
        )
        return f"{m.group('f')}{TEMPLATE_DEFAULT}/{m.group('name')}"

    return FTEMPLATE.sub(ftemplate, text)


def rewrite_text(path: Path, text: str) -> str:
    if path.suffix == ".py":
        text = rewrite_python_imports(text)
    return rewrite_strings(text)


# ---------------------------------------------------------------------------------------------
# file operations
# ---------------------------------------------------------------------------------------------
def git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True)  # noqa: S603, S607


def module_path(module: str) -> Path:
    base = ROOT / module.replace(".", "/")
    if base.is_dir():
        return base
    return base.with_suffix(".py")


def new_path(module: str, is_package: bool) -> Path:
    base = ROOT / module.replace(".", "/")
    return base if is_package else base.with_suffix(".py")


def ensure_package(module: str) -> None:
    parts = module.split(".")
    for i in range(2, len(parts) + 1):
        d = ROOT / "/".join(parts[:i])
        d.mkdir(parents=True, exist_ok=True)
        init = d / "__init__.py"
        if not init.exists():
            init.write_text("")
            git("add", str(init.relative_to(ROOT)))


def check_unmapped() -> list[str]:
    """Every module under keel/core/ (and the moved top-level modules) must be in the map."""
    missing: list[str] = []
    core = ROOT / "keel" / "core"
    if not core.exists():
        return missing
    for path in sorted(core.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        mod = module_of(path)
        if mod in SPLITS or mod in HUBS or move_target(mod):
            continue
        missing.append(mod)
    return missing


def absolutise_tree(paths: list[Path]) -> None:
    for path in paths:
        text = path.read_text()
        new = absolutise(text, module_of(path), path.name == "__init__.py")
        if new != text:
            path.write_text(new)


def files_under(module_path_: Path) -> list[Path]:
    if module_path_.is_dir():
        return sorted(p for p in module_path_.rglob("*.py") if "__pycache__" not in p.parts)
    return [module_path_] if module_path_.exists() else []


APP_CONFIGS: dict[str, tuple[str, str]] = {
    "keel.platform": ("PlatformConfig", "Accounts, permissions, page and API helpers, audit trail"),
    "keel.organisation": ("OrganisationConfig", "Organisation, management systems, roles and context"),
    "keel.site": ("SiteConfig", "Dashboard, navigation, demo, URL and API mounting, CLI"),
}
INSTALLED_OLD = '    "keel.core",\n'
INSTALLED_NEW = '    "keel.platform",\n    "keel.organisation",\n'
INSTALLED_LAST = '    "keel.impact",\n'


def write_app_configs() -> None:
    for app, (cls, verbose) in APP_CONFIGS.items():
        path = module_path(app) / "apps.py"
        label = app.rpartition(".")[2]
        text = (
            "from django.apps import AppConfig\n\n\n"
            f"class {cls}(AppConfig):\n"
            f'    name = "{app}"\n'
            f'    label = "{label}"\n'
            f'    verbose_name = "{verbose}"\n'
            '    default_auto_field = "django.db.models.BigAutoField"\n'
        )
        if not path.exists() or 'label = "core"' in path.read_text():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            git("add", str(path.relative_to(ROOT)))
    settings = ROOT / "keel" / "settings.py"
    text = settings.read_text()
    new = text.replace(INSTALLED_OLD, INSTALLED_NEW, 1)
    if '    "keel.site",\n' not in new:
        new = new.replace(INSTALLED_LAST, INSTALLED_LAST + '    "keel.site",\n', 1)
    if new != text:
        settings.write_text(new)


def do_moves() -> None:
    # hubs: remember which names they re-export before they go
    for hub, subs in HUBS.items():
        names: dict[str, str] = {}
        for sub in subs:
            p = module_path(sub)
            if p.exists():
                for node in ast.parse(p.read_text()).body:
                    for n in _defined(node):
                        names.setdefault(n, sub)
        if names:
            _HUB_NAMES[hub] = names
    # relative imports first, everywhere a file will move
    moving: list[Path] = []
    for old in list(MOVES) + list(SPLITS) + list(HUBS):
        moving += files_under(module_path(old))
    absolutise_tree(sorted(set(moving)))
    # whole moves: the longest names first so a package move does not swallow its children
    for old in sorted(MOVES, key=lambda m: -len(m)):
        src = module_path(old)
        if not src.exists():
            continue
        is_package = src.is_dir()
        dst = new_path(MOVES[old], is_package)
        if is_package:
            for f in files_under(src):
                rel = f.relative_to(src)
                target = dst / rel
                ensure_package(MOVES[old].rpartition(".")[0])
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists() and target.read_text() == f.read_text():
                    git("rm", "-q", "-f", str(f.relative_to(ROOT)))  # an empty __init__.py made earlier
                    continue
                git("mv", str(f.relative_to(ROOT)), str(target.relative_to(ROOT)))
        else:
            ensure_package(MOVES[old].rpartition(".")[0])
            dst.parent.mkdir(parents=True, exist_ok=True)
            if dst.exists():
                raise SystemExit(f"relayer: {dst.relative_to(ROOT)} exists; cannot move {old} onto it")
            git("mv", str(src.relative_to(ROOT)), str(dst.relative_to(ROOT)))
    for old, new in DIR_MOVES.items():
        src, dst = ROOT / old, ROOT / new
        if src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            for f in sorted(p for p in src.rglob("*") if p.is_file()):
                target = dst / f.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                git("mv", str(f.relative_to(ROOT)), str(target.relative_to(ROOT)))
    tdir = ROOT / "keel" / "templates" / "core"
    if tdir.exists():
        for f in sorted(p for p in tdir.rglob("*") if p.is_file()):
            app = TEMPLATE_APPS.get(f.name, TEMPLATE_DEFAULT)
            target = ROOT / "keel" / app / "templates" / app / f.relative_to(tdir)
            target.parent.mkdir(parents=True, exist_ok=True)
            git("mv", str(f.relative_to(ROOT)), str(target.relative_to(ROOT)))
    for old in sorted(SPLITS):
        split_module(old)
    for hub in HUBS:
        p = module_path(hub)
        init = p / "__init__.py" if p.is_dir() else None
        if init is not None and init.exists():
            git("rm", "-q", "-f", str(init.relative_to(ROOT)))
    for d in DELETED_DIRS:
        if (ROOT / d).exists():
            git("rm", "-r", "-q", "-f", d)
    for pkg in PACKAGES:
        ensure_package(pkg)
    for app in APP_CONFIGS:
        ensure_package(f"{app}.migrations")
    write_app_configs()


def _defined(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def split_module(old: str) -> None:
    src = module_path(old)
    if not src.exists() or src.is_dir():
        return
    default, _ = SPLITS[old]
    text = src.read_text()
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    header_end = 0
    body: list[tuple[str, str, list[str]]] = []  # (target, source, names)
    for node in tree.body:
        is_header = (
            isinstance(node, ast.Import | ast.ImportFrom)
            or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node is tree.body[0])
            or (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
        )
        start = node.lineno - 1
        if node_decorators := getattr(node, "decorator_list", None):
            start = min(d.lineno for d in node_decorators) - 1
        if is_header and not body:
            header_end = node.end_lineno or node.lineno
            continue
        names = _defined(node)
        target = split_target(old, names[0]) if names else default
        # keep the comment lines just above a statement with it
        while start > header_end and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        chunk = "".join(lines[start : node.end_lineno])
        body.append((target, chunk, names))
    header = "".join(lines[:header_end])
    parts: dict[str, list[str]] = {}
    defined: dict[str, str] = {}
    for target, chunk, names in body:
        parts.setdefault(target, []).append(chunk)
        for n in names:
            defined[n] = target
    written: list[Path] = []
    for target, chunks in parts.items():
        part_src = "\n\n".join(c.strip("\n") for c in chunks) + "\n"
        used = {n.id for n in ast.walk(ast.parse(part_src)) if isinstance(n, ast.Name)}
        used |= set(re.findall(r"[\"'](\w+)[\"']", part_src)) & set(defined)  # string annotations
        own = {n for t, _, names in body if t == target for n in names}
        needs: dict[str, list[str]] = {}
        for n in sorted(used - own):
            if n in defined:
                needs.setdefault(defined[n], []).append(n)
        extra = "".join(_fmt("", mod, [(n, None) for n in ns]) for mod, ns in sorted(needs.items()))
        dst = new_path(target, False)
        ensure_package(target.rpartition(".")[0])
        content = header + extra + "\n\n" + part_src
        if target == default:
            git("mv", str(src.relative_to(ROOT)), str(dst.relative_to(ROOT)))
        if dst.exists() and target != default:
            raise SystemExit(f"relayer: {dst.relative_to(ROOT)} exists; cannot split {old} into it")
        dst.write_text(content)
        written.append(dst)
    if default not in parts:
        git("rm", "-q", "-f", str(src.relative_to(ROOT)))
    for p in written:
        git("add", str(p.relative_to(ROOT)))
    ruff_cmd = _ruff()
    subprocess.run(  # noqa: S603
        [ruff_cmd, "check", "--quiet", "--fix", "--select", "F401,I", *map(str, written)],
        cwd=ROOT,
        check=False,
        capture_output=True,
    )


def rewrite_files(paths: list[Path], check: bool) -> None:
    for path in paths:
        if path.resolve() == SELF or not path.is_file():
            continue
        if path.resolve().is_relative_to(ROOT) and str(path.resolve().relative_to(ROOT)) in NOT_REWRITTEN:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        new = text
        if path.suffix == ".py" and path.is_relative_to(ROOT):
            new = absolutise(text, module_of(path), path.name == "__init__.py", only_moved=True)
        new = rewrite_text(path, new)
        if new != text:
            REPORT.changed.append(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path))
            if not check:
                path.write_text(new)


def _ruff() -> str:
    for candidate in (ROOT / ".venv" / "bin" / "ruff", Path(sys.executable).parent / "ruff"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("ruff") or "ruff"


def tidy(paths: list[Path]) -> None:
    """Sort the rewritten imports and format, so the output is what `make lint` accepts."""
    files = [str(p) for p in paths if p.exists() and "migrations" not in p.parts]
    if files:
        subprocess.run([_ruff(), "check", "--quiet", "--fix", "--select", "I", *files], cwd=ROOT, check=False)  # noqa: S603
        subprocess.run([_ruff(), "format", "--quiet", *files], cwd=ROOT, check=False)  # noqa: S603


def all_files() -> list[Path]:
    files: list[Path] = []
    for root in REWRITE_ROOTS:
        base = ROOT / root
        if base.exists():
            files += [
                p
                for p in base.rglob("*")
                if p.is_file()
                and p.suffix in TEXT_SUFFIXES
                and "__pycache__" not in p.parts
                and "migrations" not in p.parts
                and "data" not in p.relative_to(base).parts[:3]
            ]
    files += [ROOT / f for f in REWRITE_FILES if (ROOT / f).exists()]
    return sorted(set(files))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rewrite-only", nargs="+", metavar="FILE", help="only rewrite these files")
    parser.add_argument("--old-path", help="with one --rewrite-only file: the path it had before the move")
    parser.add_argument("--check", action="store_true", help="list what would change; exit 1 if anything")
    args = parser.parse_args(argv)

    # names the hubs re-export, read from wherever the defining modules are now
    for hub, subs in HUBS.items():
        names: dict[str, str] = {}
        for sub in subs:
            for candidate in (module_path(sub), new_path(resolve_dotted(sub), False)):
                if candidate.exists() and candidate.is_file():
                    for node in ast.parse(candidate.read_text()).body:
                        for n in _defined(node):
                            names.setdefault(n, sub)
                    break
        _HUB_NAMES[hub] = names

    if args.rewrite_only:
        paths = [Path(p).resolve() for p in args.rewrite_only]
        if args.old_path:
            if len(paths) != 1:
                parser.error("--old-path goes with exactly one file")
            old = (ROOT / args.old_path).resolve()
            text = paths[0].read_text()
            new = absolutise(text, module_of(old), old.name == "__init__.py")
            if new != text and not args.check:
                paths[0].write_text(new)
        rewrite_files(paths, args.check)
    else:
        missing = check_unmapped()
        if missing:
            print("relayer: these modules under keel/core/ are not in the move map:", file=sys.stderr)
            for m in missing:
                print(f"  {m}", file=sys.stderr)
            print("Add each to MOVES or SPLITS in scripts/relayer.py, then run again.", file=sys.stderr)
            return 2
        if args.check:
            pending = [m for m in list(MOVES) + list(SPLITS) if module_path(m).exists()]
            if pending:
                print("relayer: would move: " + ", ".join(pending))
        else:
            do_moves()
        rewrite_files(all_files(), args.check)

    if not args.check:
        tidy([ROOT / c for c in REPORT.changed if c.endswith(".py")])
    for w in sorted(set(REPORT.warnings)):
        print(f"relayer: warning: {w}", file=sys.stderr)
    if REPORT.unmapped:
        print("relayer: references to modules or names the map does not know:", file=sys.stderr)
        for u in sorted(REPORT.unmapped):
            print(f"  {u}", file=sys.stderr)
        return 2
    for c in REPORT.changed:
        print(f"relayer: {'would rewrite' if args.check else 'rewrote'} {c}")
    if args.check and REPORT.changed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
