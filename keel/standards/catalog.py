"""Import a foreign catalogue (any framework's list of items) from a CSV or XLSX file as a
standard, so that it can be browsed, searched and mapped like the shipped ones.

The user names the columns: one holds the item's identifier, one its title, and one or more
hold its text. Each row becomes a :class:`~keel.standards.models.Requirement` of kind
``catalog_item`` in a :class:`~keel.standards.models.Standard` whose ``origin`` is
``imported``. A re-import of the same key updates items by identifier; items the new file no
longer has are withdrawn, never deleted, so links and decisions about them stay valid.

Reading reuses the import reader (:mod:`keel.platform.spreadsheets`): UTF-8 with or
without BOM, Windows-1252, ``,`` ``;`` or tab delimiters, title rows above the header.
See docs/catalogs.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.dbstats import refresh_statistics_after_commit
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.spreadsheets import ImportFileError, Table, read_table

from .choices import EntryKind, StandardOrigin
from .models import Requirement, Standard

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,47}(:[a-z0-9._-]{1,15})?$")
MAX_REF = 32
MAX_TITLE = 255
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Progress = Callable[[str], None]


@dataclass
class CatalogRow:
    row: int
    ref_id: str
    title: str
    text: str


@dataclass
class CatalogReport:
    """What an import did (or, for a dry run or a refused file, would do)."""

    key: str
    name: str
    file: str
    source: dict[str, Any] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, id, reason)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False
    revision: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "file": self.file,
            "source": self.source,
            "revision": self.revision,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "summary": {
                "created": len(self.created),
                "updated": len(self.updated),
                "withdrawn": len(self.withdrawn),
                "restored": len(self.restored),
                "unchanged": self.unchanged,
                "rejected": len(self.rejected),
            },
            "created": self.created,
            "updated": self.updated,
            "withdrawn": self.withdrawn,
            "restored": self.restored,
            "rejected": [{"row": r, "id": i, "reason": why} for r, i, why in self.rejected],
            "warnings": [{"row": r, "message": m} for r, m in self.warnings],
        }


def _norm(name: Any) -> str:
    return " ".join(str(name or "").replace("\ufeff", "").split()).casefold()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = _CONTROL.sub(" ", str(value))
    return (
        " ".join(text.split())
        if "\n" not in text
        else "\n".join(" ".join(p.split()) for p in text.split("\n"))
    )


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not KEY_RE.match(key):
        raise ValidationFailed(
            f"Catalogue key {key!r} is not valid: use lower-case letters, digits, '.', '_' or '-', "
            "optionally followed by ':' and an edition, e.g. nist-ai-rmf:1.0.",
            {"key": ["Lower-case letters, digits, . _ - and an optional :edition."]},
        )
    return key


def read_catalog(
    data: bytes,
    filename: str,
    *,
    id_column: str,
    title_column: str,
    text_columns: Sequence[str],
) -> tuple[Table, list[CatalogRow], list[tuple[int, str, str]], list[tuple[int, str]]]:
    """Read the file and pick the named columns: (table, rows, rejected rows, warnings).

    Raises :class:`ImportFileError` (exit status 2) when the file or its header cannot be read.
    """
    wanted = [id_column, title_column, *text_columns]
    if any(not _norm(c) for c in wanted):
        raise ImportFileError("Every column name (--id-column, --title-column, --text-column) must be given.")
    names = {_norm(c) for c in wanted}
    need = min(2, len(names))

    def score(cells: Sequence[Any]) -> int:
        found = {_norm(c) for c in cells} & names
        # A header that has every named column wins outright; else count the matches.
        return 100 if found == names else (len(found) if len(found) >= need else 0)

    try:
        table = read_table(data, filename, score)
    except ImportFileError as exc:
        if exc.message.startswith("No header row"):
            raise ImportFileError(
                f"No header row with the columns {', '.join(repr(c) for c in wanted)} found in {filename} "
                "(among its first 30 rows). Check --id-column, --title-column and --text-column against "
                "the file's header (names are matched ignoring case and extra spaces)."
            ) from None
        raise
    header = [_norm(h) for h in table.header]
    missing = [c for c in wanted if _norm(c) not in header]
    if missing:
        raise ImportFileError(
            f"{filename} has no column {', '.join(repr(c) for c in missing)}; its columns are "
            f"{', '.join(repr(h) for h in table.header if h)}."
        )
    at = {name: header.index(name) for name in names}
    rows: list[CatalogRow] = []
    rejected: list[tuple[int, str, str]] = []
    warnings: list[tuple[int, str]] = []
    seen: dict[str, int] = {}

    def get(cells: list[Any], column: str) -> str:
        i = at[_norm(column)]
        return _cell(cells[i]) if i < len(cells) else ""

    for number, cells in table.rows:
        ref = get(cells, id_column).replace("\n", " ")
        title = get(cells, title_column).replace("\n", " ")
        texts: list[str] = []
        for c in text_columns:
            t = get(cells, c)
            if t and t not in texts and t != title:
                texts.append(t)
        if not ref:
            rejected.append((number, "", f"the id column {id_column!r} is empty"))
            continue
        if len(ref) > MAX_REF:
            rejected.append((number, ref, f"the id is longer than {MAX_REF} characters"))
            continue
        if ref in seen:
            rejected.append((number, ref, f"duplicate id (also on row {seen[ref]})"))
            continue
        seen[ref] = number
        if not title:
            if not texts:
                rejected.append(
                    (number, ref, f"the title column {title_column!r} and the text columns are empty")
                )
                continue
            title = texts[0].replace("\n", " ")
            warnings.append((number, f"{ref}: no title; the first words of its text are used"))
        if len(title) > MAX_TITLE:
            if title not in texts:
                texts.insert(0, title)
            title = title[: MAX_TITLE - 1].rstrip() + "…"
            warnings.append(
                (number, f"{ref}: the title is longer than {MAX_TITLE} characters and was shortened")
            )
        rows.append(CatalogRow(row=number, ref_id=ref, title=title, text="\n\n".join(texts)))
    return table, rows, rejected, warnings


def import_catalog(
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    key: str,
    name: str,
    id_column: str,
    title_column: str,
    text_columns: Sequence[str],
    dry_run: bool = False,
    only_valid: bool = False,
    progress: Progress | None = None,
) -> CatalogReport:
    """Import (or re-import) a catalogue; see the module docstring. A file with rejected rows
    changes nothing unless ``only_valid``. Needs ``load_standards``."""
    check(actor, Perm.LOAD_STANDARDS)
    say = progress or (lambda _m: None)
    key = check_key(key)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("Give the catalogue a name (--name).", {"name": ["Required."]})
    if len(name) > 120:
        raise ValidationFailed("The catalogue name is at most 120 characters.", {"name": ["Too long."]})
    say(f"reading {filename}…")
    table, rows, rejected, warnings = read_catalog(
        data, filename, id_column=id_column, title_column=title_column, text_columns=text_columns
    )
    report = CatalogReport(
        key=key,
        name=name,
        file=filename,
        source={
            "format": table.format,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "sheet": table.sheet,
            "header_row": table.header_row,
        },
        rejected=rejected,
        warnings=warnings,
        dry_run=dry_run,
    )
    if not rows:
        raise ImportFileError(f"{filename} has no usable rows under its header: nothing to import.")
    say(f"{len(rows)} items read, {len(rejected)} rejected; comparing with the library…")
    with transaction.atomic():
        refresh_statistics_after_commit()  # thousands of rows at once: keep the planner informed
        std = Standard.objects.select_for_update().filter(key=key).first()
        if std is not None and std.origin != StandardOrigin.IMPORTED:
            raise Conflict(
                f"{key} is a standard shipped with Keel; import the catalogue under another key.",
                {"key": ["A shipped standard has this key."]},
            )
        existing = {r.key: r for r in Requirement.objects.filter(standard=std)} if std else {}
        _plan(report, key, rows, existing)
        if dry_run or (rejected and not only_valid):
            report.revision = std.revision if std else 1
            return report
        changed = bool(report.created or report.updated or report.withdrawn or report.restored)
        now = timezone.now()
        edition = key.split(":", 1)[1] if ":" in key else ""
        if std is None:
            std = Standard.objects.create(
                key=key,
                name=name,
                edition=edition,
                title=name,
                publisher="",
                description=f"Imported from {filename}.",
                revision=1,
                source=filename[:255],
                origin=StandardOrigin.IMPORTED,
                loaded_at=now,
            )
        elif changed or std.name != name:
            std.name, std.title, std.source, std.loaded_at = name, name, filename[:255], now
            std.description = f"Imported from {filename}."
            if changed:
                std.revision += 1
            std.save()
        report.revision = std.revision
        _apply(std, rows, existing, report, now)
        report.applied = True
        if changed or report.created:
            trail.record(
                actor,
                TrailAction.LOAD,
                std,
                changes={
                    "imported_from": filename,
                    "revision": std.revision,
                    "created": report.created,
                    "updated": report.updated,
                    "withdrawn": report.withdrawn,
                    "restored": report.restored,
                },
            )
    say(
        f"{key}: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.withdrawn)} withdrawn, {len(report.restored)} restored, {report.unchanged} unchanged."
    )
    return report


def _values(r: CatalogRow, order: int) -> dict[str, Any]:
    return {
        "ref_id": r.ref_id,
        "title": r.title,
        "kind": EntryKind.CATALOG_ITEM,
        "depth": 0,
        "sort_order": order * 10,
        "intent": r.text,
        "search_text": " ".join([r.ref_id, r.title, r.text]).lower(),
    }


def _plan(report: CatalogReport, key: str, rows: list[CatalogRow], existing: dict[str, Requirement]) -> None:
    wanted = set()
    for order, r in enumerate(rows, start=1):
        rkey = f"{key}:{r.ref_id}"
        wanted.add(rkey)
        row = existing.get(rkey)
        if row is None:
            report.created.append(r.ref_id)
        elif row.withdrawn_at is not None:
            report.restored.append(r.ref_id)
        elif any(getattr(row, k) != v for k, v in _values(r, order).items()):
            report.updated.append(r.ref_id)
        else:
            report.unchanged += 1
    for rkey, row in existing.items():
        if rkey not in wanted and row.withdrawn_at is None:
            report.withdrawn.append(row.ref_id)


def _apply(
    std: Standard, rows: list[CatalogRow], existing: dict[str, Requirement], report: CatalogReport, now: Any
) -> None:
    to_create = []
    for order, r in enumerate(rows, start=1):
        rkey = f"{std.key}:{r.ref_id}"
        values = _values(r, order)
        row = existing.get(rkey)
        if row is None:
            to_create.append(
                Requirement(key=rkey, standard=std, introduced_in_revision=std.revision, **values)
            )
            continue
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if row.withdrawn_at is not None:
            changed.update(withdrawn_at=None, withdrawn_in_revision=None)
        if changed:
            Requirement.objects.filter(pk=row.pk).update(**changed)
    Requirement.objects.bulk_create(to_create, batch_size=500)
    gone = [existing[f"{std.key}:{ref}"].pk for ref in report.withdrawn]
    if gone:
        Requirement.objects.filter(pk__in=gone).update(withdrawn_at=now, withdrawn_in_revision=std.revision)
