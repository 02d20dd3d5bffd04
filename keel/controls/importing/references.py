"""Requirement references as spreadsheets write them → requirement keys.

Accepted: ``A.5.15``, ``A5.15``, ``5.15``, ``Annex A 5.15``, lists (``A.5.15; A.8.2``), full keys
(``iso27001:2022:A.5.15``), a standard in front (``ISO 27001 A.5.15``, ``42001:A.6.2.4``), clause
references (``9.2``, ``Clause 9.2.2``), a title after the ID (``A.5.15 Access control``) and the
ISO/IEC 27001:2013 Annex A numbering (``A.9.2.1``), translated to 2022 with a warning.

Which standard: the reference itself, else its column header, else ``--standard``; with none of
these, a reference that exists in one loaded standard only is taken, and one that exists in
several (27001 and 42001 share A.5–A.8 numbers and all of clauses 4–10) is refused as ambiguous.
Bare numbers are read as a person would (issue 11). One that exists only as a clause (``9.2``,
``6.1.2``) is the clause; one that exists only as an Annex A control (``5.15``) is the control.
One that is both (``5.2``): ``--bare-refs clause|annex`` decides when given; else, in a cell or
column that writes Annex A with ``A.`` (``A.5.1; 5.2``), the clause; else, under a header that
speaks of Annex A or controls, the control; else the file's majority style (see
:func:`majority_style`), flagged with a warning naming the choice. An Annex A area or objective
(``A.2``, ``A.6.1``) is never a link target: it is left out with a warning naming its controls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from keel.platform.spreadsheets import ImportFileError
from keel.standards.models import Requirement

from .columns import StandardHint

MAPPING_2013_FILE = Path(__file__).parent / "data" / "iso27001-2013-to-2022.yaml"

_SPLIT = re.compile(r"[;,\n|]+")
# A part written the Annex A way: "A.5.1", "A5.1", "Annex A 5.1".
_WRITES_ANNEX = re.compile(r"(?:^|[\s;,|:(])(?:annex\s*)?a\s*\.?\s*\d", re.IGNORECASE)
CLAUSE, ANNEX = "clause", "annex"
BARE_STYLES = (CLAUSE, ANNEX)
# Kinds that group controls and are never linked to.
NOT_LINKABLE = {"annex_theme": "an Annex A area", "objective": "a control objective"}
_FULL_KEY = re.compile(r"^(iso\d+):(\d{4}):(\S+)$", re.IGNORECASE)
_REF = re.compile(
    r"^(?:(?:iso(?:\s*/\s*iec)?\s*)?(?P<std>27001|42001)(?:\s*[:/]\s*(?P<ed>\d{4}))?\s*[:\-–]?\s*)?"
    r"(?P<clause>clause\s*)?(?P<annex>(?:annex\s*)?a\s*\.?\s*)?"
    r"(?P<num>\d+(?:\.\d+)*)\.?(?:$|[\s:\-–(])",
    re.IGNORECASE,
)


@cache
def mapping_2013() -> dict[str, tuple[str, ...]]:
    """ISO/IEC 27001:2013 Annex A ID → the ISO/IEC 27001:2022 Annex A IDs it became."""
    data = yaml.safe_load(MAPPING_2013_FILE.read_text(encoding="utf-8"))
    return {str(k): tuple(str(v) for v in vs) for k, vs in data["controls"].items()}


@dataclass
class Resolved:
    keys: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """The standard a column (or ``--standard``) gives bare references."""

    hint: StandardHint | None = None
    prefers_annex: bool = False
    bare: str | None = None  # --bare-refs: "clause" or "annex" for a number that is both
    column_writes_annex: bool = False  # some cell of the column writes Annex A with "A."
    majority: str = ANNEX  # the file's own style for numbers that are both
    majority_reason: str = "no bare reference in the file decides it; Annex A by default"


def writes_annex(text: str) -> bool:
    """Whether a cell writes Annex A references the ``A.`` way (``A.5.1``, ``Annex A 5.1``)."""
    return bool(_WRITES_ANNEX.search(f" {text}"))


class ReferenceResolver:
    """Resolves references against the loaded, not withdrawn, requirement keys."""

    def __init__(
        self, keys: set[str], kinds: dict[str, str] | None = None, parents: dict[str, str] | None = None
    ) -> None:
        self.keys = keys
        self.kinds = kinds or {}  # key → EntryKind value
        self.parents = parents or {}  # key → parent key
        # standard prefix ("iso27001") → standard keys loaded ("iso27001:2022"), newest last
        self.standards: dict[str, list[str]] = {}
        for key in keys:
            prefix, edition = key.split(":")[:2]
            std = f"{prefix}:{edition}"
            if std not in self.standards.setdefault(prefix, []):
                self.standards[prefix].append(std)
        for stds in self.standards.values():
            stds.sort()

    @classmethod
    def from_database(cls) -> ReferenceResolver:
        rows = list(
            Requirement.objects.filter(withdrawn_at__isnull=True).values_list("key", "kind", "parent__key")
        )
        return cls({k for k, _, _ in rows}, {k: kind for k, kind, _ in rows}, {k: p for k, _, p in rows if p})

    def bare_kind(self, num: str, hint: StandardHint | None) -> str | None:
        """For a bare number: "clause" or "annex" when it exists as only one of them in the
        standards it may belong to, "both" when it is both somewhere, None when neither."""
        prefixes = [hint.prefix] if hint else sorted(self.standards)
        found: set[str] = set()
        for prefix in prefixes:
            for std in self.standards.get(prefix, []):
                if hint and hint.edition and hint.edition != "2013" and std != f"{prefix}:{hint.edition}":
                    continue
                if f"{std}:{num}" in self.keys:
                    found.add(CLAUSE)
                if f"{std}:A.{num}" in self.keys:
                    found.add(ANNEX)
        if len(found) == 2:
            return "both"
        return found.pop() if found else None

    def controls_under(self, key: str) -> list[str]:
        """The Annex A controls an area or objective groups (an objective's are its siblings when
        they hang from the area), as reference IDs."""
        children = [k for k, p in self.parents.items() if p == key and self.kinds.get(k) == "annex_control"]
        if not children and key in self.parents:
            parent = self.parents[key]
            children = [
                k for k, p in self.parents.items() if p == parent and self.kinds.get(k) == "annex_control"
            ]
        return [k.split(":", 2)[2] for k in sorted(children, key=_natural)]

    def parse_standard_option(self, value: str | None) -> StandardHint | None:
        """``--standard``: ``iso27001:2022``, ``iso27001:2013`` (2013 numbering), ``iso42001``, ``42001``."""
        if not value:
            return None
        text = value.strip().lower().replace(" ", "")
        m = re.fullmatch(r"(?:iso(?:/iec)?)?(\d{4,5})(?::(\d{4}))?", text)
        if not m:
            raise ImportFileError(
                f"--standard {value!r}: give a standard key such as iso27001:2022 or iso42001:2023."
            )
        prefix, edition = f"iso{m.group(1)}", m.group(2)
        known = self.standards.get(prefix, [])
        if not known or (
            edition and f"{prefix}:{edition}" not in known and (prefix, edition) != ("iso27001", "2013")
        ):
            loaded = ", ".join(s for ss in self.standards.values() for s in ss) or "none (run 'keel init')"
            raise ImportFileError(
                f"--standard {value!r} is not a loaded standard. Loaded: {loaded}; iso27001:2013 for the old numbering."
            )
        return StandardHint(prefix=prefix, edition=edition)

    def resolve(self, text: str, context: Context) -> Resolved:
        result = Resolved()
        if writes_annex(text) and not context.column_writes_annex:
            context = replace(context, column_writes_annex=True)  # the cell's own style
        for part in _SPLIT.split(text):
            part = part.strip()
            if not part:
                continue
            self._resolve_one(part, context, result)
        keys: list[str] = []
        for key in dict.fromkeys(result.keys):
            kind = self.kinds.get(key)
            if kind in NOT_LINKABLE:
                ref = key.split(":", 2)[2]
                controls = self.controls_under(key)
                result.warnings.append(
                    f"{ref} of {key.rsplit(':', 1)[0]} is {NOT_LINKABLE[kind]}, not a link target: not linked"
                    + (f"; link its controls instead: {', '.join(controls)}" if controls else "")
                )
                continue
            leaves = self.leaf_clauses_under(key) if kind == "clause" else []
            if leaves:  # "Clause 9.2": a heading holds no requirement; its sub-clauses do
                ref = key.split(":", 2)[2]
                result.warnings.append(
                    f"{ref} of {key.rsplit(':', 1)[0]} is a heading: linked to its sub-clauses "
                    + ", ".join(k.split(":", 2)[2] for k in leaves)
                )
                keys.extend(leaves)
                continue
            keys.append(key)
        result.keys = list(dict.fromkeys(keys))
        return result

    def leaf_clauses_under(self, key: str) -> list[str]:
        """The clauses without sub-clauses below a heading clause (9.2 → 9.2.1, 9.2.2), in order;
        empty for a clause that has none."""
        children: dict[str, list[str]] = {}
        for k, p in self.parents.items():
            if self.kinds.get(k) == "clause":
                children.setdefault(p, []).append(k)
        out: list[str] = []
        todo = sorted(children.get(key, []), key=_natural)
        while todo:
            k = todo.pop(0)
            below = sorted(children.get(k, []), key=_natural)
            if below:
                todo = below + todo
            else:
                out.append(k)
        return out

    def _resolve_one(self, part: str, context: Context, result: Resolved) -> None:
        full = _FULL_KEY.match(part)
        if full:
            prefix, edition, ref = full.group(1).lower(), full.group(2), full.group(3)
            if (prefix, edition) == ("iso27001", "2013"):
                self._translate_2013(part, ref if ref.upper().startswith("A") else f"A.{ref}", result)
                return
            key = f"{prefix}:{edition}:{ref}"
            if key in self.keys:
                result.keys.append(key)
            else:
                result.errors.append(f"unknown requirement {part!r}")
            return
        m = _REF.match(part)
        if not m:
            result.errors.append(
                f"{part!r} is not a requirement reference (write e.g. A.5.15, 9.2 or iso27001:2022:A.5.15)"
            )
            return
        hint = context.hint
        if m.group("std"):
            hint = StandardHint(prefix=f"iso{m.group('std')}", edition=m.group("ed"))
        num = m.group("num")
        annex = bool(m.group("annex"))
        clause = bool(m.group("clause"))
        prefixes = [hint.prefix] if hint else sorted(self.standards)
        old_2013 = not clause and (annex or int(num.split(".")[0]) > 10) and f"A.{num}" in mapping_2013()
        if old_2013 and hint and hint.prefix == "iso27001" and hint.edition == "2013":
            self._translate_2013(part, f"A.{num}", result)
            return
        matches: list[tuple[str, list[str], str | None]] = []  # (standard, keys, warning)
        for prefix in prefixes:
            found = self._in_standard(prefix, hint.edition if hint else None, num, annex, clause, context)
            if found:
                matches.append(found)
            elif prefix == "iso27001" and old_2013:
                matches.append(("iso27001:2013", [], None))
        if not matches and not annex and num.count(".") >= 2:
            # A sub-clause the library does not split out (9.2.2): link its parent clause.
            parent = num.rsplit(".", 1)[0]
            for prefix in prefixes:
                found = self._in_standard(
                    prefix, hint.edition if hint else None, parent, False, True, context
                )
                if found:
                    std, keys, _ = found
                    matches.append((std, keys, f"{num} is linked to clause {parent} of {std}"))
        if not matches:
            where = f" in {hint.prefix}{':' + hint.edition if hint.edition else ''}" if hint else ""
            result.errors.append(f"unknown requirement {part!r}{where}")
            return
        if len(matches) > 1:
            names = " and ".join(s for s, _, _ in matches)
            result.errors.append(
                f"{part!r} is ambiguous: it exists in {names}. Name the standard in the column header "
                "(e.g. 'ISO 27001:2022 reference'), in the cell (e.g. '27001 A.5.2') or with --standard KEY"
            )
            return
        std, keys, warning = matches[0]
        if std == "iso27001:2013":
            self._translate_2013(part, f"A.{num}", result)
            return
        result.keys.extend(keys)
        if warning:
            result.warnings.append(warning)

    def _in_standard(
        self, prefix: str, edition: str | None, num: str, annex: bool, clause: bool, context: Context
    ) -> tuple[str, list[str], str | None] | None:
        stds = self.standards.get(prefix, [])
        if edition and edition != "2013":
            stds = [s for s in stds if s == f"{prefix}:{edition}"]
        for std in reversed(stds):
            as_annex = f"{std}:A.{num}"
            as_clause = f"{std}:{num}"
            if annex:
                if as_annex in self.keys:
                    return std, [as_annex], None
                continue
            if clause:
                if as_clause in self.keys:
                    return std, [as_clause], None
                continue
            has_annex, has_clause = as_annex in self.keys, as_clause in self.keys
            if has_annex and has_clause:
                if context.bare:  # --bare-refs
                    return std, [as_clause if context.bare == CLAUSE else as_annex], None
                if context.column_writes_annex:  # "A.5.1; 5.2": the bare number is the clause
                    return std, [as_clause], None
                if context.prefers_annex:
                    return std, [as_annex], None
                if context.majority == CLAUSE:
                    return (
                        std,
                        [as_clause],
                        f"{num} is both clause {num} and Annex A control A.{num} of {std}: read as "
                        f"clause {num} ({context.majority_reason}); write 'A.{num}' for the control "
                        "or use --bare-refs annex",
                    )
                return (
                    std,
                    [as_annex],
                    f"{num} is both clause {num} and Annex A control A.{num} of {std}: read as "
                    f"Annex A control A.{num} ({context.majority_reason}); write 'Clause {num}' for the "
                    "clause or use --bare-refs clause",
                )
            if has_clause:
                return std, [as_clause], None
            if has_annex:
                return std, [as_annex], None
        return None

    def _translate_2013(self, part: str, ref_2013: str, result: Resolved) -> None:
        new = mapping_2013().get(ref_2013)
        if new is None:
            result.errors.append(f"{part!r} is not an ISO/IEC 27001:2013 Annex A control")
            return
        std = (self.standards.get("iso27001") or ["iso27001:2022"])[-1]
        keys = [f"{std}:{ref}" for ref in new]
        missing = [k for k in keys if k not in self.keys]
        if missing:
            result.errors.append(f"{part!r} maps to {', '.join(missing)}, which is not loaded")
            return
        result.keys.extend(keys)
        result.warnings.append(
            f"{ref_2013} is ISO/IEC 27001:2013 numbering; linked to its 2022 successor {', '.join(new)}"
        )


def _natural(key: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p for p in re.split(r"[.:]", key)]


def bare_numbers(text: str) -> list[str]:
    """The bare numbers of a reference cell (``5.2`` in ``A.5.1; 5.2``), not those written as
    Annex A, as a clause or with a standard in front."""
    found: list[str] = []
    for part in _SPLIT.split(text):
        m = _REF.match(part.strip())
        if m and not (m.group("annex") or m.group("clause") or m.group("std")):
            found.append(m.group("num"))
    return found


def majority_style(resolver: ReferenceResolver, cells: list[tuple[str, StandardHint | None]]) -> Context:
    """The file's own style for bare numbers that are both a clause and a control: among its
    bare numbers that are only one of them (9.2 only a clause, 5.15 only a control), whichever
    is more common; a tie (or none) reads them as Annex A controls."""
    clauses = controls = 0
    for text, hint in cells:
        if writes_annex(text):
            continue  # bare numbers there are clauses by the cell's own style
        for num in bare_numbers(text):
            kind = resolver.bare_kind(num, hint)
            clauses += kind == CLAUSE
            controls += kind == ANNEX
    if clauses > controls:
        return Context(
            majority=CLAUSE,
            majority_reason=f"the file's majority style: {clauses} bare references exist only as "
            f"clauses, {controls} only as Annex A controls",
        )
    if controls or clauses:
        return Context(
            majority=ANNEX,
            majority_reason=f"the file's majority style: {controls} bare references exist only as "
            f"Annex A controls, {clauses} only as clauses",
        )
    return Context()
