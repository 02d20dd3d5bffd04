"""Column names → fields, for every spreadsheet import: any case and punctuation, the synonyms
each importer declares (``{field: (column names…)}``), ``--map COLUMN=FIELD`` overrides, and the
standard a requirement-reference column names in its header ("ISO 27001:2022 reference")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from keel.platform.spreadsheets import Cell, ImportFileError, Score

IGNORE = "ignore"

# A header that names a standard or talks about requirements is a reference column.
_REFERENCE_WORDS = re.compile(r"\b(27001|42001|iso|annex|clauses?|requirements?|mapping|soa)\b")
_STANDARD_IN_HEADER = re.compile(r"(27001|42001)(?:\s*[:/ ]\s*(\d{4}))?")
_ANNEX_IN_HEADER = re.compile(r"\b(annex|controls?)\b")


def normalise(name: object) -> str:
    text = "" if name is None else str(name)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower().replace("#", " no ")).split())


@dataclass(frozen=True)
class StandardHint:
    """The standard a column header or a reference names: ``iso27001`` and maybe an edition."""

    prefix: str
    edition: str | None = None


def standard_hint(text: str) -> StandardHint | None:
    m = _STANDARD_IN_HEADER.search(text.lower())
    if not m:
        return None
    return StandardHint(prefix=f"iso{m.group(1)}", edition=m.group(2))


@dataclass(frozen=True)
class Column:
    index: int
    name: str
    field: str
    hint: StandardHint | None = None
    prefers_annex: bool = False


@dataclass
class ColumnMap:
    columns: list[Column] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def fields(self) -> set[str]:
        return {c.field for c in self.columns}

    def of(self, name: str) -> list[Column]:
        return [c for c in self.columns if c.field == name]


def parse_mappings(items: Iterable[str], fields: Sequence[str]) -> dict[str, str]:
    """``["Control #=ref", "Notes=ignore"]`` → {normalised column: field}; bad items raise."""
    result: dict[str, str] = {}
    allowed = [*fields, IGNORE]
    for item in items:
        column, sep, target = item.rpartition("=")
        column, target = column.strip(), target.strip().lower().replace("-", "_").replace(" ", "_")
        if not sep or not column or not target:
            raise ImportFileError(f"--map {item!r}: write it as COLUMN=FIELD, e.g. --map 'Control #=ref'.")
        if target in ("owner_email", "email"):
            target = "owner"
        if target in ("requirement", "references", "reference"):
            target = "requirements"
        if target == "management_system":
            target = "management_systems"
        if target not in allowed:
            raise ImportFileError(
                f"--map {item!r}: unknown field {target!r}; choose one of {', '.join(allowed)}."
            )
        result[normalise(column)] = target
    return result


def field_of(name: object, synonyms: dict[str, tuple[str, ...]], overrides: dict[str, str]) -> str | None:
    """The field a column name means, or None."""
    key = normalise(name)
    if not key:
        return None
    if key in overrides:
        return overrides[key]
    for fld, names in synonyms.items():
        if key in names:
            return fld
    if _REFERENCE_WORDS.search(key):
        return "requirements" if "requirements" in synonyms else "ref"
    return None


def header_score(synonyms: dict[str, tuple[str, ...]], overrides: dict[str, str]) -> Score:
    def score(cells: Sequence[Cell]) -> int:
        found = {field_of(c, synonyms, overrides) for c in cells if isinstance(c, str)}
        found.discard(None)
        found.discard(IGNORE)
        return len(found) if ("ref" in found or "title" in found) else min(len(found), 1)

    return score


def map_columns(
    header: Sequence[str], synonyms: dict[str, tuple[str, ...]], overrides: dict[str, str]
) -> ColumnMap:
    """Which column feeds which field. A field named by two columns takes the first (the other is
    reported); requirement references may come from any number of columns."""
    result = ColumnMap()
    seen: set[str] = set()
    normalised = {normalise(h) for h in header}
    unknown = [c for c in overrides if c not in normalised]
    if unknown:
        raise ImportFileError(
            f"--map names column(s) not in the header: {', '.join(repr(u) for u in unknown)}. "
            f"The header has: {', '.join(repr(h) for h in header if h)}."
        )
    # "Ref, Control, Description": a bare "Control" column beside another reference column, with
    # no title column, is the control's name (registers often head the name column "Control").
    fields_named = [field_of(h, synonyms, overrides) for h in header if h]
    control_is_title = (
        "title" in synonyms
        and "title" not in fields_named
        and fields_named.count("ref") > 1
        and "control" not in overrides
    )
    for i, name in enumerate(header):
        if not name:
            continue
        fld = field_of(name, synonyms, overrides)
        if control_is_title and fld == "ref" and normalise(name) == "control":
            fld = "title"
        if fld is None:
            result.ignored.append(name)
            continue
        if fld == IGNORE:
            continue
        if fld in seen and fld != "requirements":
            result.duplicates.append(name)
            continue
        seen.add(fld)
        key = normalise(name)
        result.columns.append(
            Column(
                index=i,
                name=name,
                field=fld,
                hint=standard_hint(name),
                prefers_annex=bool(_ANNEX_IN_HEADER.search(key)) and "clause" not in key,
            )
        )
    return result
