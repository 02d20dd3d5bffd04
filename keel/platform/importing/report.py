"""The one report of every spreadsheet import: for each row, created / updated / unchanged /
rejected (with the reason and, when one column is at fault, that column), warnings, how the file
was read, and the people the import adds to the directory. The CLI prints it (text or JSON), the
API returns it and the import pages show it. Building a report only reads the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Protocol

from keel.platform.spreadsheets import Cell

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
ACTION_LABELS = {CREATE: "create", UPDATE: "update", UNCHANGED: "unchanged", REJECT: "rejected"}

NEW_OWNER = "new:"  # an owner value naming a person the import adds (key of OwnerBook.new)


@dataclass
class RowPlan:
    """What the import does with one row of the file."""

    row: int  # the row number a spreadsheet program shows
    action: str
    ref: str = ""
    title: str = ""
    reason: str = ""  # why a row is rejected (every problem found, separated by "; ")
    column: str = ""  # the column the reason is about, when it is one column's fault
    values: dict[str, Any] = field(default_factory=dict)  # fields to set (create) or change (update)
    changes: dict[str, list[Any]] = field(default_factory=dict)  # field → [before, after]
    links: list[str] = field(default_factory=list)  # requirement keys to add
    tags: list[str] = field(default_factory=list)  # tags to add
    systems: list[str] = field(default_factory=list)  # management-system ids to add
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific report fields
    control_id: str = ""  # the record the row updates (kind-specific key)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


class Person(Protocol):
    """A person the import adds (``keel.organisation.directory.NewPerson``)."""

    rows: list[int]

    def as_dict(self) -> dict[str, Any]: ...


@dataclass
class ImportReport:
    """What an import will do (a dry run) or did (once ``applied``)."""

    file: str
    kind: str
    rows: list[RowPlan] = field(default_factory=list)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    dry_run: bool = True
    applied: bool = False
    only_valid: bool = False
    source: dict[str, Any] = field(default_factory=dict)  # how the file was read
    people: list[Any] = field(default_factory=list)  # owners not in the directory: to add (Person)
    context: dict[str, Any] = field(default_factory=dict)  # kind-specific heading (the crosswalk…)

    def of(self, action: str) -> list[RowPlan]:
        return [r for r in self.rows if r.action == action]

    @property
    def rejected(self) -> list[RowPlan]:
        return self.of(REJECT)

    @property
    def to_write(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action in (CREATE, UPDATE)]

    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "created": len(self.of(CREATE)),
            "updated": len(self.of(UPDATE)),
            "unchanged": len(self.of(UNCHANGED)),
            "rejected": len(self.rejected),
            "warnings": len(self.warnings),
            "people_to_add": len(self.people),
        }

    def as_dict(self) -> dict[str, Any]:
        """The JSON report of ``keel import controls|soa|assets`` (documented in docs/import.md)."""
        return {
            "file": self.file,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "only_valid": self.only_valid,
            "applied": self.applied,
            "source": self.source,
            "summary": self.summary(),
            "created": [
                {"row": r.row, "ref": r.ref, "title": r.title, "links": r.links, **r.extra}
                for r in self.of(CREATE)
            ],
            "updated": [
                {"row": r.row, "ref": r.ref, "changes": r.changes, **r.extra} for r in self.of(UPDATE)
            ],
            "unchanged": [{"row": r.row, "ref": r.ref} for r in self.of(UNCHANGED)],
            "rejected": [{"row": r.row, "ref": r.ref, "reason": r.reason} for r in self.rejected],
            "warnings": [{"row": row, "message": msg} for row, msg in self.warnings],
            "people_to_add": [p.as_dict() for p in self.people],
        }


# The name every importer used before the pipeline; kept so callers read the same.
ImportPlan = ImportReport


def text(cell: Cell) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ISO dates."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime.datetime | datetime.date):
        return cell.isoformat()[:10]
    return " ".join(str(cell).replace("\xa0", " ").split()) if "\n" not in str(cell) else str(cell).strip()


class OwnerDirectory(Protocol):
    """How owner cells are read (``keel.organisation.directory.OwnerBook``)."""

    new: dict[str, Any]
    labels: dict[Any, str]

    def to_add(self) -> list[Any]: ...


def people_to_add(report: ImportReport, book: OwnerDirectory) -> list[Any]:
    """The people the report's written rows name and the directory does not have, once each
    (a rejected row adds nobody)."""
    written = {r.row for r in report.rows if r.action != REJECT}
    out = []
    for person in book.to_add():
        person.rows = [n for n in person.rows if n in written]
        if person.rows:
            out.append(person)
    return out


def owner_label(value: Any, book: OwnerDirectory) -> str | None:
    """An owner value of a report (a person's id, or a person to add) as the report shows it."""
    if value is None:
        return None
    if isinstance(value, str) and value.startswith(NEW_OWNER):
        new = book.new[value[len(NEW_OWNER) :]]
        return str(new.full_name or new.email)
    return book.labels.get(value)
