"""The row rules of the control import (:class:`ControlRules`): which columns it reads, how a
row becomes a control to create or update, or a rejection with its reason. The pipeline (reading,
footer rows, repeated refs, the report, the one transaction) is the platform's
(:mod:`keel.platform.importing`); the words of choice fields are in :mod:`.words`, applying is
in :mod:`.services`. Building a plan only reads the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from keel.organisation.directory import OwnerBook
from keel.platform.importing.columns import ColumnMap
from keel.platform.importing.pipeline import Cells, SpreadsheetImporter
from keel.platform.importing.report import (
    CREATE,
    NEW_OWNER,
    REJECT,
    UNCHANGED,
    UPDATE,
    ImportPlan,
    ImportReport,
    RowPlan,
    owner_label,
    people_to_add,
    text,
)
from keel.platform.spreadsheets import Cell, ImportFileError, Table

from .columns import CONTROL_FIELDS
from .references import BARE_STYLES, Context, ReferenceResolver, majority_style, writes_annex
from .words import CHOICE_WORDS, DEFAULTS, MAX_LENGTHS, optional_choice

__all__ = [
    "CREATE",
    "NEW_OWNER",
    "REJECT",
    "UNCHANGED",
    "UPDATE",
    "ControlOptions",
    "ControlRules",
    "ImportPlan",
    "Lookups",
    "RowPlan",
    "owner_label",
    "people_to_add",
    "text",
]


@dataclass
class ControlOptions:
    standard: str | None = None
    management_system: str | None = None  # id or short name
    bare_refs: str | None = None  # "clause" or "annex": how to read a bare 5.2


@dataclass
class Lookups:
    """What a plan needs from the database, read once."""

    controls: dict[str, dict[str, Any]]  # ref → {"fields": {...}, "links": set, "tags": set, "systems": set}
    owners: OwnerBook  # the directory as owner cells are read; collects the people to add
    systems: dict[str, str]  # id or short name → id
    system_labels: dict[str, str]  # id → short name
    resolver: ReferenceResolver
    hidden_refs: set[str] = field(default_factory=set)  # lower-case refs of controls the importer cannot see
    only_system: str | None = None  # the id of the organisation's one management system, when it has one


def split_list(value: str) -> list[str]:
    parts = [
        p.strip() for chunk in value.replace("|", ";").replace("\n", ";").split(";") for p in chunk.split(",")
    ]
    return [p for p in parts if p]


class ControlRules(SpreadsheetImporter):
    """The control import's rules; :class:`keel.controls.importing.services.ControlImport` adds
    what it reads from the database and how it writes."""

    kind = "controls"
    fields = CONTROL_FIELDS
    footer_note = "not a control"

    def __init__(self, *args: Any, options: ControlOptions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options

    def load_lookups(self) -> Lookups:
        raise NotImplementedError

    def check_columns(self, columns: ColumnMap) -> None:
        if "ref" not in columns.fields():
            raise ImportFileError(
                f"{self.filename} has no column for the control reference (e.g. 'Control ID' or 'Ref'): "
                "add one, or name it with --map 'Your column=ref'."
            )

    def prepare(self, report: ImportReport, table: Table, columns: ColumnMap) -> None:
        self.columns = columns
        for name in columns.ignored:
            report.warnings.append(
                (None, f"column {name!r} is not imported (name it with --map {name!r}=FIELD)")
            )
        for name in columns.duplicates:
            report.warnings.append(
                (None, f"column {name!r} repeats a field another column already gives; ignored")
            )
        present = columns.fields()
        for fld, default in DEFAULTS.items():
            if fld not in present:
                report.warnings.append((None, f"no {fld} column: new controls get {fld} {default.label!r}"))
        options = self.options
        lookups = self.lookups = self.load_lookups()
        self.default_hint = lookups.resolver.parse_standard_option(options.standard)
        self.option_system: str | None = None
        if options.management_system:
            self.option_system = lookups.systems.get(options.management_system)
            if self.option_system is None:
                raise ImportFileError(
                    f"--management-system {options.management_system!r}: no such management system "
                    f"(known: {', '.join(sorted(lookups.system_labels.values())) or 'none'})."
                )
        elif lookups.only_system:
            # The organisation has one management system: imported controls belong to it.
            self.option_system = lookups.only_system
        if options.bare_refs is not None and options.bare_refs not in BARE_STYLES:
            raise ImportFileError(f"--bare-refs {options.bare_refs!r}: choose clause or annex.")

    def begin_rows(self, rows: list[tuple[int, list[Cell]]]) -> None:
        """How the file writes references decides how its bare numbers are read."""
        ref_columns = self.columns.of("requirements")
        column_style = {
            c.index: any(writes_annex(text(_cell(cells, c.index))) for _, cells in rows) for c in ref_columns
        }
        style = majority_style(
            self.lookups.resolver,
            [
                (text(_cell(cells, c.index)), c.hint or self.default_hint)
                for _, cells in rows
                for c in ref_columns
                if not column_style[c.index]
            ],
        )
        self.contexts = {
            c.index: Context(
                hint=c.hint or self.default_hint,
                prefers_annex=c.prefers_annex,
                bare=self.options.bare_refs,
                column_writes_annex=column_style[c.index],
                majority=style.majority,
                majority_reason=style.majority_reason,
            )
            for c in ref_columns
        }

    def plan_row(self, number: int, row: Cells, report: ImportReport) -> RowPlan:
        return _plan_row(number, row, self.lookups, self.contexts, self.option_system, report)

    def duplicate_reason(self, ref: str, first_row: int) -> str | None:
        return f"reference {ref} already appears on row {first_row}"

    def finish(self, report: ImportReport) -> None:
        report.people = people_to_add(report, self.lookups.owners)


def _cell(cells: list[Cell], index: int) -> Cell:
    return cells[index] if index < len(cells) else None


def _plan_row(
    number: int,
    row: Cells,
    lookups: Lookups,
    contexts: dict[int, Context],
    option_system: str | None,
    plan: ImportPlan,
) -> RowPlan:
    errors: list[str] = []
    warnings: list[str] = []
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    ref = ""
    for col, cell in row.each():
        value = text(cell)
        if col.field == "ref":
            ref = value
        elif col.field in ("title", "description"):
            if value:
                values[col.field] = value
        elif col.field in CHOICE_WORDS:
            if value:
                parsed, note, warning = optional_choice(col.field, cell)
                if parsed is not None:
                    values[col.field] = parsed
                if col.field == "frequency":
                    values["frequency_note"] = note
                if warning:
                    warnings.append(warning)
        elif col.field == "owner":
            if value:
                # An owner is a person of the directory; one it does not have is added (issue 11).
                reading = lookups.owners.read(value, number)
                if reading.person_id is not None:
                    values["owner"] = reading.person_id
                elif reading.new_key:
                    values["owner"] = NEW_OWNER + reading.new_key
                    extra["owner_new"] = owner_label(values["owner"], lookups.owners)
                if reading.warning:
                    warnings.append(reading.warning)
        elif col.field == "requirements":
            if isinstance(cell, float):
                warnings.append(
                    f"reference {value!r} in column {col.name!r} is stored as a number: a trailing zero "
                    "(5.10) is lost that way; format the column as text"
                )
            if value:
                resolved = lookups.resolver.resolve(value, contexts[col.index])
                errors.extend(resolved.errors)
                warnings.extend(resolved.warnings)
                values.setdefault("links", []).extend(
                    k for k in resolved.keys if k not in values.get("links", [])
                )
        elif col.field == "tags":
            values["tags"] = [" ".join(t.split()).lower() for t in split_list(value)]
        elif col.field == "management_systems":
            wanted = split_list(value)
            unknown = [w for w in wanted if w not in lookups.systems]
            if unknown:
                errors.append(
                    f"unknown management system {', '.join(unknown)} "
                    f"(known: {', '.join(sorted(lookups.system_labels.values())) or 'none'})"
                )
            values["systems"] = [lookups.systems[w] for w in wanted if w in lookups.systems]
    if option_system and not values.get("systems"):
        values["systems"] = [option_system]
    if not ref:
        errors.insert(0, "no control reference (the ref column is empty)")
    elif len(ref) > MAX_LENGTHS["ref_id"]:
        errors.append(f"reference {ref[:20]!r}… is longer than {MAX_LENGTHS['ref_id']} characters")
    if len(values.get("title", "")) > MAX_LENGTHS["title"]:
        errors.append(f"title is longer than {MAX_LENGTHS['title']} characters")
    if any(len(t) > 60 for t in values.get("tags", [])):
        errors.append("a tag is longer than 60 characters")
    for w in warnings:
        plan.warnings.append((number, w))
    if ref and ref.lower() in lookups.hidden_refs:
        errors.append(f"reference {ref} is taken outside the management systems you can see: use another")
    existing = lookups.controls.get(ref.lower()) if ref else None
    if existing is None and ref and not values.get("title"):
        errors.append("no title: a new control needs one")
    if errors:
        return RowPlan(
            row=number, action=REJECT, ref=ref, title=values.get("title", ""), reason="; ".join(errors)
        )
    links = values.pop("links", [])
    tags = values.pop("tags", [])
    systems = values.pop("systems", [])
    if existing is None:
        for fld, default in DEFAULTS.items():
            values.setdefault(fld, str(default))
        return RowPlan(
            row=number,
            action=CREATE,
            ref=ref,
            title=values["title"],
            values=values,
            links=links,
            tags=sorted(set(tags)),
            systems=systems,
            extra=extra,
        )
    before = existing["fields"]
    changes: dict[str, list[Any]] = {}
    for fld, value in values.items():
        if before.get(fld) != value:
            if fld == "owner":
                changes[fld] = [
                    owner_label(before.get(fld), lookups.owners),
                    owner_label(value, lookups.owners),
                ]
            else:
                changes[fld] = [before.get(fld), value]
    new_links = [k for k in links if k not in existing["links"]]
    new_tags = sorted(set(tags) - existing["tags"])
    new_systems = [s for s in systems if s not in existing["systems"]]
    if new_links:
        changes["links"] = [None, new_links]
    if new_tags:
        changes["tags"] = [None, new_tags]
    if new_systems:
        changes["management_systems"] = [None, [lookups.system_labels[s] for s in new_systems]]
    return RowPlan(
        row=number,
        action=UPDATE if changes else UNCHANGED,
        ref=existing["fields"]["ref_id"],
        title=existing["fields"]["title"],
        values={k: v for k, v in values.items() if k in changes},
        changes=changes,
        links=new_links,
        tags=new_tags,
        systems=new_systems,
        control_id=str(existing["id"]),
        extra=extra,
    )
