"""Read, check and load the standards data files.

Layout: ``data/<folder>/standard.yaml`` (metadata, data revision, the list of entry files) and
the entry files it names; ``data/*-attributes.yaml`` are vocabularies. See docs/standards-data.md.

Loading is all-or-nothing: every file is parsed and checked first, and any problem (naming
the file and the entry) stops the load before the database is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keel.platform.libraries import LibraryDataError, read_library, read_yaml, text

from .choices import EntryKind, HSRelation

DATA_DIR = Path(__file__).resolve().parent / "data"

STANDARD_FIELDS = {
    "key",
    "name",
    "edition",
    "title",
    "publisher",
    "revision",
    "description",
    "amendments",
    "files",
}
ENTRY_FIELDS = {
    "ref",
    "title",
    "kind",
    "parent",
    "guidance",
    "documented_information",
    "customarily_documented",
    "hs_key",
    "hs_relation",
    "amendments",
}
GUIDANCE_FIELDS = {"intent", "auditor_focus", "typical_evidence"}


class StandardsDataError(LibraryDataError):
    """A data file is malformed. ``problems`` lists every problem found, each naming its file
    and entry."""

    what = "standards data"


@dataclass
class EntryData:
    key: str
    ref_id: str
    title: str
    kind: str
    parent_ref: str | None
    intent: str
    auditor_focus: str
    typical_evidence: list[str]
    documented_information: bool
    documented_information_note: str
    customarily_documented_note: str
    hs_key: str
    hs_relation: str
    amendments: list[str]
    depth: int = 0
    sort_order: int = 0
    source: str = ""


@dataclass
class StandardData:
    key: str
    name: str
    edition: str
    title: str
    publisher: str
    description: str
    revision: int
    amendments: list[dict[str, Any]]
    source: str
    entries: list[EntryData] = field(default_factory=list)


@dataclass
class TermData:
    attribute_key: str
    attribute_name: str
    attribute_description: str
    value: str
    description: str
    sort_order: int


@dataclass
class VocabularyData:
    key: str
    name: str
    description: str
    revision: int
    source: str
    terms: list[TermData] = field(default_factory=list)


def _read_yaml(path: Path, problems: list[str]) -> Any:
    return read_yaml(path, f"{path.parent.name}/{path.name}", problems)


_text = text


def read_standard(folder: Path) -> StandardData:
    """Parse and check one standard's folder; raise :class:`StandardsDataError` on any problem."""
    problems: list[str] = []
    meta_path = folder / "standard.yaml"
    meta = _read_yaml(meta_path, problems)
    where = f"{folder.name}/standard.yaml"
    if not isinstance(meta, dict):
        if not problems:
            problems.append(f"{where}: expected a mapping of standard metadata")
        raise StandardsDataError(problems)
    unknown = set(meta) - STANDARD_FIELDS
    if unknown:
        problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
    for name in ("key", "name", "edition", "title", "revision", "files"):
        if not meta.get(name):
            problems.append(f"{where}: missing '{name}'")
    if problems:
        raise StandardsDataError(problems)
    key = str(meta["key"])
    if not isinstance(meta["revision"], int) or meta["revision"] < 1:
        problems.append(f"{where}: 'revision' must be a positive whole number")
    if key != f"{key.split(':')[0]}:{meta['edition']}":
        problems.append(f"{where}: key {key!r} must end with the edition ':{meta['edition']}'")
    amendment_ids = set()
    for a in meta.get("amendments") or []:
        if not isinstance(a, dict) or not a.get("id"):
            problems.append(f"{where}: every amendment needs an 'id'")
        else:
            amendment_ids.add(a["id"])
    std = StandardData(
        key=key,
        name=str(meta["name"]),
        edition=str(meta["edition"]),
        title=_text(meta["title"]),
        publisher=str(meta.get("publisher") or ""),
        description=_text(meta.get("description")),
        revision=int(meta["revision"]) if isinstance(meta["revision"], int) else 0,
        amendments=list(meta.get("amendments") or []),
        source=folder.name,
    )
    seen: dict[str, str] = {}
    order = 0
    for filename in meta["files"]:
        path = folder / filename
        data = _read_yaml(path, problems)
        fwhere = f"{folder.name}/{filename}"
        if data is None:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            problems.append(f"{fwhere}: expected a mapping with a list 'entries'")
            continue
        for index, raw in enumerate(data["entries"], start=1):
            ewhere = f"{fwhere}: entry {index}"
            if not isinstance(raw, dict):
                problems.append(f"{ewhere}: expected a mapping")
                continue
            ref = str(raw.get("ref") or "").strip()
            if ref:
                ewhere = f"{fwhere}: entry {ref!r}"
            entry = _check_entry(raw, ref, key, ewhere, amendment_ids, problems)
            if entry is None:
                continue
            if ref in seen:
                problems.append(f"{ewhere}: duplicate ref (also in {seen[ref]})")
                continue
            seen[ref] = fwhere
            order += 1
            entry.sort_order = order * 10
            entry.source = fwhere
            std.entries.append(entry)
    by_ref = {e.ref_id: e for e in std.entries}
    for e in std.entries:
        if e.parent_ref is not None and e.parent_ref not in by_ref:
            problems.append(f"{e.source}: entry {e.ref_id!r}: parent {e.parent_ref!r} does not exist")
    for e in std.entries:
        depth, p, hops = 0, e.parent_ref, 0
        while p is not None and p in by_ref and hops < 10:
            depth += 1
            hops += 1
            p = by_ref[p].parent_ref
        if hops >= 10:
            problems.append(f"{e.source}: entry {e.ref_id!r}: parent chain loops")
        e.depth = depth
    if problems:
        raise StandardsDataError(problems)
    return std


def _check_entry(
    raw: dict[str, Any], ref: str, std_key: str, where: str, amendment_ids: set[str], problems: list[str]
) -> EntryData | None:
    before = len(problems)
    unknown = set(raw) - ENTRY_FIELDS
    if unknown:
        problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
    if not ref:
        problems.append(f"{where}: missing 'ref'")
    title = _text(raw.get("title"))
    if not title:
        problems.append(f"{where}: missing 'title'")
    kind = raw.get("kind")
    if kind not in EntryKind.values:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(EntryKind.values)}")
    guidance = raw.get("guidance")
    if not isinstance(guidance, dict):
        problems.append(f"{where}: missing 'guidance' (intent, auditor_focus, typical_evidence)")
        guidance = {}
    else:
        extra = set(guidance) - GUIDANCE_FIELDS
        if extra:
            problems.append(f"{where}: unknown guidance field(s) {sorted(extra)}")
        for g in ("intent", "auditor_focus"):
            if not _text(guidance.get(g)):
                problems.append(f"{where}: guidance '{g}' is empty")
        ev = guidance.get("typical_evidence")
        if not isinstance(ev, list) or not ev or not all(isinstance(x, str) and x.strip() for x in ev):
            problems.append(f"{where}: guidance 'typical_evidence' must be a non-empty list of texts")
    hs_key = str(raw.get("hs_key") or "")
    hs_relation = str(raw.get("hs_relation") or "")
    if bool(hs_key) != bool(hs_relation):
        problems.append(f"{where}: 'hs_key' and 'hs_relation' go together")
    if hs_relation and hs_relation not in HSRelation.values:
        problems.append(f"{where}: hs_relation {hs_relation!r} is not one of {', '.join(HSRelation.values)}")
    if hs_key and kind != EntryKind.CLAUSE:
        problems.append(f"{where}: only clauses have a harmonised-structure key")
    amendments = raw.get("amendments") or []
    if not isinstance(amendments, list) or any(a not in amendment_ids for a in amendments):
        problems.append(f"{where}: amendments {amendments!r} must name amendments declared in standard.yaml")
        amendments = []
    di = raw.get("documented_information")
    if di is not None and not (isinstance(di, str) and di.strip()):
        problems.append(f"{where}: 'documented_information' must say what is required, or be left out")
    parent = raw.get("parent")
    if len(problems) > before:
        return None
    return EntryData(
        key=f"{std_key}:{ref}",
        ref_id=ref,
        title=title,
        kind=str(kind),
        parent_ref=str(parent) if parent is not None else None,
        intent=_text(guidance.get("intent")),
        auditor_focus=_text(guidance.get("auditor_focus")),
        typical_evidence=[_text(x) for x in guidance.get("typical_evidence", [])],
        documented_information=bool(di),
        documented_information_note=_text(di),
        customarily_documented_note=_text(raw.get("customarily_documented")),
        hs_key=hs_key,
        hs_relation=hs_relation,
        amendments=[str(a) for a in amendments],
    )


def read_vocabulary(path: Path) -> VocabularyData:
    problems: list[str] = []
    data = _read_yaml(path, problems)
    if problems:
        raise StandardsDataError(problems)
    where = path.name
    if not isinstance(data, dict):
        raise StandardsDataError([f"{where}: expected a mapping"])
    for name in ("key", "name", "revision", "attributes"):
        if not data.get(name):
            problems.append(f"{where}: missing '{name}'")
    if problems:
        raise StandardsDataError(problems)
    vocab = VocabularyData(
        key=str(data["key"]),
        name=_text(data["name"]),
        description=_text(data.get("description")),
        revision=int(data["revision"]),
        source=where,
    )
    order = 0
    seen: set[tuple[str, str]] = set()
    for attr in data["attributes"]:
        akey = str(attr.get("key") or "") if isinstance(attr, dict) else ""
        if not akey or not attr.get("name") or not isinstance(attr.get("values"), list):
            problems.append(f"{where}: attribute {akey or '?'}: needs key, name and a list of values")
            continue
        for v in attr["values"]:
            value = str(v.get("value") or "") if isinstance(v, dict) else ""
            if not value:
                problems.append(f"{where}: attribute {akey}: a value has no 'value'")
                continue
            if (akey, value) in seen:
                problems.append(f"{where}: attribute {akey}: duplicate value {value!r}")
                continue
            seen.add((akey, value))
            order += 1
            vocab.terms.append(
                TermData(
                    attribute_key=akey,
                    attribute_name=_text(attr["name"]),
                    attribute_description=_text(attr.get("description")),
                    value=value,
                    description=_text(v.get("description")),
                    sort_order=order * 10,
                )
            )
    if problems:
        raise StandardsDataError(problems)
    return vocab


def read_all(data_dir: Path = DATA_DIR) -> tuple[list[StandardData], list[VocabularyData]]:
    """Read and check every data file; raise one :class:`StandardsDataError` listing all problems."""
    problems: list[str] = []
    folders = sorted(p for p in data_dir.iterdir() if p.is_dir() and (p / "standard.yaml").exists())
    standards = read_library(folders, read_standard, problems)
    vocabularies = read_library(sorted(data_dir.glob("*-attributes.yaml")), read_vocabulary, problems)
    keys = [s.key for s in standards]
    if len(set(keys)) != len(keys):
        problems.append("two data folders declare the same standard key")
    if problems:
        raise StandardsDataError(problems)
    return standards, vocabularies
