"""Read and check the crosswalk data files (``data/crosswalks/*.yaml``).

One file is one crosswalk: metadata (key, name, description, source and target standard keys,
data revision, which kinds of target entry must all appear, which target entries may never be
``equal``) and a list of relations ``{source, target, relation, rationale, extension}``. An
entry is named by its ref id in its standard (``A.5.19``, ``'4.1'``) or by its full key
(``iso27001:2022:A.5.19``). See docs/crosswalks.md.

Like the standards files, loading is all-or-nothing: every file is parsed and checked first,
and any problem (naming the file and the relation) stops the load before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keel.platform.libraries import LibraryDataError, read_library, read_yaml, text
from keel.standards.models import Requirement

from .choices import Relation

CROSSWALKS_DIR = Path(__file__).resolve().parent / "data" / "crosswalks"
CROSSWALK_FIELDS = {
    "key",
    "name",
    "description",
    "source",
    "target",
    "revision",
    "complete_kinds",
    "never_equal",
    "relations",
}
RELATION_FIELDS = {"source", "target", "relation", "rationale", "extension"}
# Relations that leave part of the target unanswered: they must say what to add.
NEEDS_EXTENSION = frozenset({Relation.SUBSET.value, Relation.INTERSECTS.value})
PARALLEL = "parallel"  # keel.standards.choices.HSRelation.PARALLEL, never equal


class CrosswalkDataError(LibraryDataError):
    """A crosswalk file is malformed; ``problems`` lists every problem, each naming its file and entry."""

    what = "crosswalk data"


@dataclass(frozen=True)
class EntryInfo:
    """What the checks need to know about one entry of a loaded (or about to be loaded) standard."""

    key: str
    standard: str
    ref_id: str
    kind: str
    hs_relation: str = ""


@dataclass
class RelationData:
    source_key: str | None
    target_key: str
    relation: str
    rationale: str
    extension: str


@dataclass
class CrosswalkData:
    key: str
    name: str
    description: str
    source: str
    target: str
    revision: int
    complete_kinds: list[str]
    never_equal: list[str]
    data_source: str
    relations: list[RelationData] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {r.value: 0 for r in Relation}
        for rel in self.relations:
            out[rel.relation] += 1
        return out


def entries_from_standards(standards: Iterable[Any]) -> dict[str, EntryInfo]:
    """Entry facts from parsed standards data (``keel.standards.loader.StandardData``)."""
    return {
        e.key: EntryInfo(e.key, s.key, e.ref_id, e.kind, e.hs_relation) for s in standards for e in s.entries
    }


def entries_from_database() -> dict[str, EntryInfo]:
    """Entry facts of every entry in the database that is not withdrawn."""

    rows = Requirement.objects.filter(withdrawn_at__isnull=True).values_list(
        "key", "standard__key", "ref_id", "kind", "hs_relation"
    )
    return {k: EntryInfo(k, s, r, kind, hs) for k, s, r, kind, hs in rows}


_text = text


def resolve(name: Any, standard: str, entries: Mapping[str, EntryInfo]) -> str | None:
    """The key of entry ``name`` (a ref id or a full key) in ``standard``, or None."""
    text = str(name).strip() if name is not None else ""
    if not text:
        return None
    if text.startswith(f"{standard}:") and text in entries:
        return text
    key = f"{standard}:{text}"
    return key if key in entries else None


def relation_problems(relation: str, has_source: bool, extension: str) -> list[str]:
    """The rules every relation obeys, in files, in CSV imports and in the app alike."""
    problems = []
    if relation not in Relation.values:
        return [f"relation {relation!r} is not one of {', '.join(Relation.values)}"]
    if relation != Relation.NOT_RELATED and not has_source:
        problems.append(f"a {relation} relation needs a source entry")
    if relation in NEEDS_EXTENSION and not extension:
        problems.append(
            f"a {relation} relation needs an extension note saying what must be added on the source side"
        )
    return problems


def equal_forbidden(target: EntryInfo, never_equal: Iterable[str]) -> bool:
    """Whether ``equal`` is refused for ``target``: a parallel harmonised-structure clause, or
    one the crosswalk lists in ``never_equal``."""
    return target.hs_relation == PARALLEL or target.key in set(never_equal)


def read_crosswalk(path: Path, entries: Mapping[str, EntryInfo]) -> CrosswalkData:
    """Parse and check one crosswalk file against the known entries; raise
    :class:`CrosswalkDataError` listing every problem."""
    problems: list[str] = []
    where = f"crosswalks/{path.name}"
    data = read_yaml(path, where, problems)
    if problems:
        raise CrosswalkDataError(problems)
    if not isinstance(data, dict):
        raise CrosswalkDataError([f"{where}: expected a mapping with crosswalk metadata and 'relations'"])
    unknown = set(data) - CROSSWALK_FIELDS
    if unknown:  # reported with the rest; the relations are still checked
        problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
    fatal: list[str] = []
    for name in ("key", "name", "source", "target", "revision"):
        if not data.get(name):
            fatal.append(f"{where}: missing '{name}'")
    if not isinstance(data.get("relations"), list):
        fatal.append(f"{where}: 'relations' must be a list")
    if fatal:
        raise CrosswalkDataError(problems + fatal)
    revision = data["revision"]
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        problems.append(f"{where}: 'revision' must be a positive whole number")
        revision = 0
    source_std, target_std = str(data["source"]), str(data["target"])
    standards = {e.standard for e in entries.values()}
    for role, std in (("source", source_std), ("target", target_std)):
        if std not in standards:
            problems.append(
                f"{where}: {role} standard {std!r} is not loaded (known: {', '.join(sorted(standards))})"
            )
    if source_std == target_std:
        problems.append(f"{where}: source and target must be two different standards")
    if source_std not in standards or target_std not in standards or source_std == target_std:
        raise CrosswalkDataError(problems)
    kinds = {e.kind for e in entries.values()}
    complete_kinds = data.get("complete_kinds") or []
    if not isinstance(complete_kinds, list) or any(k not in kinds for k in complete_kinds):
        problems.append(f"{where}: 'complete_kinds' must list entry kinds among {', '.join(sorted(kinds))}")
        complete_kinds = []
    never_equal: list[str] = []
    for name in data.get("never_equal") or []:
        key = resolve(name, target_std, entries)
        if key is None:
            problems.append(f"{where}: never_equal: {name!r} is not an entry of {target_std}")
        else:
            never_equal.append(key)
    cw = CrosswalkData(
        key=str(data["key"]),
        name=_text(data["name"]),
        description=_text(data.get("description")),
        source=source_std,
        target=target_std,
        revision=revision,
        complete_kinds=[str(k) for k in complete_kinds],
        never_equal=never_equal,
        data_source=where,
    )
    seen: dict[tuple[str | None, str], int] = {}
    for index, raw in enumerate(data["relations"], start=1):
        rwhere = f"{where}: relation {index}"
        if not isinstance(raw, dict):
            problems.append(f"{rwhere}: expected a mapping")
            continue
        rwhere = f"{where}: relation {index} ({raw.get('source') or '—'} → {raw.get('target')})"
        unknown = set(raw) - RELATION_FIELDS
        if unknown:
            problems.append(f"{rwhere}: unknown field(s) {sorted(unknown)}")
        relation = str(raw.get("relation") or "")
        rationale, extension = _text(raw.get("rationale")), _text(raw.get("extension"))
        target_key = resolve(raw.get("target"), target_std, entries)
        if target_key is None:
            problems.append(f"{rwhere}: target {raw.get('target')!r} is not an entry of {target_std}")
        source_key = None
        if raw.get("source") not in (None, ""):
            source_key = resolve(raw.get("source"), source_std, entries)
            if source_key is None:
                problems.append(f"{rwhere}: source {raw.get('source')!r} is not an entry of {source_std}")
        has_source = raw.get("source") not in (None, "")
        problems.extend(f"{rwhere}: {p}" for p in relation_problems(relation, has_source, extension))
        if not rationale:
            problems.append(f"{rwhere}: missing 'rationale' (why the entries relate, or why nothing does)")
        if (
            target_key is not None
            and relation == Relation.EQUAL
            and equal_forbidden(entries[target_key], never_equal)
        ):
            problems.append(
                f"{rwhere}: {entries[target_key].ref_id} adds content the source does not have and "
                "may not be 'equal' (use subset or intersects with an extension note)"
            )
        if target_key is None or (has_source and source_key is None):
            continue
        pair = (source_key, target_key)
        if pair in seen:
            problems.append(f"{rwhere}: duplicate of relation {seen[pair]}")
            continue
        seen[pair] = index
        cw.relations.append(RelationData(source_key, target_key, relation, rationale, extension))
    related = {
        r.target_key for r in cw.relations if r.source_key is not None and r.relation != Relation.NOT_RELATED
    }
    for r in cw.relations:
        if r.source_key is None and r.target_key in related:
            problems.append(
                f"{where}: {entries[r.target_key].ref_id} is marked not_related and also related to a "
                "source entry; keep one"
            )
    problems.extend(f"{where}: {p}" for p in completeness_problems(cw, entries))
    if problems:
        raise CrosswalkDataError(problems)
    return cw


def missing_targets(cw: CrosswalkData, entries: Mapping[str, EntryInfo]) -> list[EntryInfo]:
    """Target entries of the kinds the crosswalk promises to cover that no relation names."""
    named = {r.target_key for r in cw.relations}
    return [
        e
        for e in entries.values()
        if e.standard == cw.target and e.kind in cw.complete_kinds and e.key not in named
    ]


def completeness_problems(cw: CrosswalkData, entries: Mapping[str, EntryInfo]) -> list[str]:
    missing = missing_targets(cw, entries)
    if not missing:
        return []
    refs = ", ".join(e.ref_id for e in missing)
    return [
        f"incomplete: {len(missing)} {cw.target} entr{'y' if len(missing) == 1 else 'ies'} of the kinds "
        f"{', '.join(cw.complete_kinds)} appear in no relation ({refs}); relate each one or mark it "
        "not_related with the reason"
    ]


def read_crosswalks(
    folder: Path = CROSSWALKS_DIR, entries: Mapping[str, EntryInfo] | None = None
) -> list[CrosswalkData]:
    """Parse and check every crosswalk file in ``folder``; one :class:`CrosswalkDataError`
    lists all problems. ``entries``: the entries that exist (by default, those in the database)."""
    if entries is None:
        entries = entries_from_database()
    if not folder.is_dir():
        raise CrosswalkDataError([f"crosswalk data folder {folder} does not exist"])
    problems: list[str] = []
    out: list[CrosswalkData] = []
    seen: dict[str, str] = {}
    known = entries
    for cw in read_library(sorted(folder.glob("*.yaml")), lambda path: read_crosswalk(path, known), problems):
        if cw.key in seen:
            problems.append(f"{cw.data_source}: crosswalk key {cw.key!r} is also used by {seen[cw.key]}")
            continue
        seen[cw.key] = cw.data_source
        out.append(cw)
    if problems:
        raise CrosswalkDataError(problems)
    return out
