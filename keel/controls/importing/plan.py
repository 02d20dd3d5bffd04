"""The dry-run plan of an import: for every row, created / updated / unchanged / rejected (with the
reason), and warnings. Building a plan only reads the database."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from keel.controls.choices import ControlType, Effectiveness, Frequency, ImplementationStatus
from keel.organisation.directory import NewPerson, OwnerBook
from keel.platform.spreadsheets import Cell, ImportFileError, Table, footer_reason

from .columns import ColumnMap, normalise
from .references import BARE_STYLES, Context, ReferenceResolver, majority_style, writes_annex

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"

# Words people write in spreadsheets (normalised) → our values.
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "implemented",
            "done",
            "complete",
            "completed",
            "in place",
            "yes",
            "y",
            "operational",
            "live",
            "operating",
            "effective",
            "fully implemented",
            "active",
            "in use",
            "established",
        ],
        ImplementationStatus.IMPLEMENTED,
    ),
    **dict.fromkeys(
        [
            "in progress",
            "progress",
            "ongoing",
            "partial",
            "partially",
            "partially implemented",
            "partly",
            "partly implemented",
            "wip",
            "work in progress",
            "started",
            "in implementation",
            "implementing",
            "in development",
            "being implemented",
        ],
        ImplementationStatus.IN_PROGRESS,
    ),
    **dict.fromkeys(
        [
            "planned",
            "plan",
            "not started",
            "to do",
            "todo",
            "open",
            "new",
            "not implemented",
            "no",
            "n",
            "tbd",
            "proposed",
            "backlog",
            "missing",
            "gap",
            "not yet",
            "pending",
        ],
        ImplementationStatus.PLANNED,
    ),
    **dict.fromkeys(
        ["not applicable", "n a", "na", "excluded", "not relevant", "out of scope", "none"],
        ImplementationStatus.NOT_APPLICABLE,
    ),
}
FREQUENCY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "continuous",
            "continuously",
            "ongoing",
            "always",
            "real time",
            "realtime",
            "automated",
            "automatic",
            "constant",
            "permanent",
        ],
        Frequency.CONTINUOUS,
    ),
    **dict.fromkeys(
        [
            "per event",
            "on each event",
            "each event",
            "event",
            "event driven",
            "on event",
            "ad hoc",
            "adhoc",
            "as needed",
            "as required",
            "on demand",
            "per change",
            "on change",
            "per request",
            "per occurrence",
            "when needed",
            "per incident",
        ],
        Frequency.PER_EVENT,
    ),
    **dict.fromkeys(["daily", "every day", "day", "nightly"], Frequency.DAILY),
    **dict.fromkeys(["weekly", "every week", "week"], Frequency.WEEKLY),
    **dict.fromkeys(["monthly", "every month", "month"], Frequency.MONTHLY),
    **dict.fromkeys(
        ["quarterly", "every quarter", "quarter", "every 3 months", "3 monthly"], Frequency.QUARTERLY
    ),
    **dict.fromkeys(
        [
            "semi annually",
            "semi annual",
            "semiannually",
            "semiannual",
            "half yearly",
            "biannually",
            "biannual",
            "every 6 months",
            "every six months",
            "twice a year",
            "6 monthly",
            "bi annually",
            "bi annual",
        ],
        Frequency.SEMI_ANNUALLY,
    ),
    **dict.fromkeys(
        ["annually", "annual", "yearly", "every year", "once a year", "year", "12 months", "every 12 months"],
        Frequency.ANNUALLY,
    ),
}
TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(["policy", "policies", "directive", "governance"], ControlType.POLICY),
    **dict.fromkeys(
        [
            "process",
            "procedure",
            "procedural",
            "organisational",
            "organizational",
            "administrative",
            "operational",
            "management",
        ],
        ControlType.PROCESS,
    ),
    **dict.fromkeys(
        ["technical", "technological", "technology", "automated", "logical", "it"], ControlType.TECHNICAL
    ),
    **dict.fromkeys(["physical", "environmental", "facility", "facilities"], ControlType.PHYSICAL),
    **dict.fromkeys(["people", "person", "human", "personnel", "hr", "staff"], ControlType.PEOPLE),
}
EFFECTIVENESS_WORDS: dict[str, str] = {
    **dict.fromkeys(["not assessed", "unknown", "not tested", "untested", "tbd"], Effectiveness.NOT_ASSESSED),
    **dict.fromkeys(["effective", "yes", "passed", "pass"], Effectiveness.EFFECTIVE),
    **dict.fromkeys(
        ["partly effective", "partially effective", "partial", "partly", "needs improvement"],
        Effectiveness.PARTLY_EFFECTIVE,
    ),
    **dict.fromkeys(["ineffective", "not effective", "failed", "fail", "no"], Effectiveness.INEFFECTIVE),
}
CHOICE_WORDS = {
    "status": STATUS_WORDS,
    "frequency": FREQUENCY_WORDS,
    "type": TYPE_WORDS,
    "effectiveness": EFFECTIVENESS_WORDS,
}
CHOICE_LABELS = {
    "status": ImplementationStatus,
    "frequency": Frequency,
    "type": ControlType,
    "effectiveness": Effectiveness,
}
DEFAULTS = {
    "type": ControlType.PROCESS,
    "frequency": Frequency.ANNUALLY,
    "status": ImplementationStatus.PLANNED,
}
MAX_LENGTHS = {"ref_id": 32, "title": 200}


@dataclass
class RowPlan:
    row: int
    action: str
    ref: str = ""
    title: str = ""
    reason: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # fields to set (create) or change (update)
    changes: dict[str, list[Any]] = field(default_factory=dict)  # field → [before, after]
    links: list[str] = field(default_factory=list)  # requirement keys to add
    tags: list[str] = field(default_factory=list)  # tags to add
    systems: list[str] = field(default_factory=list)  # management-system ids to add
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific report fields
    control_id: str = ""


@dataclass
class ImportPlan:
    """What an import will do (or did, once ``applied``)."""

    file: str
    kind: str
    rows: list[RowPlan] = field(default_factory=list)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    dry_run: bool = True
    applied: bool = False
    only_valid: bool = False
    source: dict[str, Any] = field(default_factory=dict)  # how the file was read
    people: list[NewPerson] = field(default_factory=list)  # owners not in the directory: to add

    def of(self, action: str) -> list[RowPlan]:
        return [r for r in self.rows if r.action == action]

    @property
    def rejected(self) -> list[RowPlan]:
        return self.of(REJECT)

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
        """The JSON report (documented in docs/import.md)."""
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


def choice(fld: str, cell: Cell) -> tuple[str | None, str]:
    """(value, error) for a choice field."""
    word = normalise(text(cell))
    words = CHOICE_WORDS[fld]
    labels = CHOICE_LABELS[fld]
    value = words.get(word) or (word.replace(" ", "_") if word.replace(" ", "_") in labels.values else None)
    if value is None:
        return None, (
            f"{fld} {text(cell)!r} is not understood; use one of: "
            f"{', '.join(str(lbl) for lbl in labels.labels)}"
        )
    return str(value), ""


# Words that start an event-driven frequency ("Per hire", "On change", "Upon request").
_EVENT = re.compile(r"^(per|on|upon|each|every|at each|at every|after|when|whenever|with each|at)\b")
_PERIOD_WORDS = {
    "day": Frequency.DAILY,
    "week": Frequency.WEEKLY,
    "month": Frequency.MONTHLY,
    "quarter": Frequency.QUARTERLY,
    "year": Frequency.ANNUALLY,
    "annum": Frequency.ANNUALLY,
}


def optional_choice(fld: str, cell: Cell) -> tuple[str | None, str, str]:
    """(value, note, warning) for an optional choice field: a word Keel does not know never
    rejects a row. A frequency written as an event ("Per hire", "On change") is the event-driven
    value with the word kept as its note; any other unknown frequency keeps the word as the note
    and the default value; an unknown status, type or effectiveness is left out. Each of these
    last cases has a warning."""
    value, error = choice(fld, cell)
    word = text(cell)
    if not error:
        keep = fld == "frequency" and value == Frequency.PER_EVENT and normalise(word) != "per event"
        return value, word[:120] if keep else "", ""
    if fld == "frequency":
        normal = normalise(word)
        period = (
            _PERIOD_WORDS.get(normal.split()[-1]) if normal.split()[0] in ("per", "every", "each") else None
        )
        if period and len(normal.split()) == 2:
            return str(period), "", ""
        if _EVENT.match(normal):
            return str(Frequency.PER_EVENT), word[:120], ""
        return (
            None,
            word[:120],
            f"frequency {word!r} is not a frequency Keel knows: kept as the control's note",
        )
    return None, "", f"{error}; the row is imported without it"


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


def plan_controls(
    table: Table, columns: ColumnMap, lookups: Lookups, options: ControlOptions, filename: str
) -> ImportPlan:
    plan = ImportPlan(file=filename, kind="controls")
    for name in columns.ignored:
        plan.warnings.append((None, f"column {name!r} is not imported (name it with --map {name!r}=FIELD)"))
    for name in columns.duplicates:
        plan.warnings.append((None, f"column {name!r} repeats a field another column already gives; ignored"))
    present = columns.fields()
    if "ref" not in present:
        raise ImportFileError(
            f"{filename} has no column for the control reference (e.g. 'Control ID' or 'Ref'): "
            "add one, or name it with --map 'Your column=ref'."
        )
    for fld, default in DEFAULTS.items():
        if fld not in present:
            plan.warnings.append((None, f"no {fld} column: new controls get {fld} {default.label!r}"))
    default_hint = lookups.resolver.parse_standard_option(options.standard)
    option_system: str | None = None
    if options.management_system:
        option_system = lookups.systems.get(options.management_system)
        if option_system is None:
            raise ImportFileError(
                f"--management-system {options.management_system!r}: no such management system "
                f"(known: {', '.join(sorted(lookups.system_labels.values())) or 'none'})."
            )
    elif lookups.only_system:
        # The organisation has one management system: imported controls belong to it.
        option_system = lookups.only_system
    if options.bare_refs is not None and options.bare_refs not in BARE_STYLES:
        raise ImportFileError(f"--bare-refs {options.bare_refs!r}: choose clause or annex.")
    # Two passes: how the file writes references decides how its bare numbers are read.
    rows = list(table.rows)
    key_index = columns.of("ref")[0].index
    ref_columns = columns.of("requirements")
    column_style = {
        c.index: any(writes_annex(text(_cell(cells, c.index))) for _, cells in rows) for c in ref_columns
    }
    style = majority_style(
        lookups.resolver,
        [
            (text(_cell(cells, c.index)), c.hint or default_hint)
            for _, cells in rows
            for c in ref_columns
            if not column_style[c.index]
        ],
    )
    contexts = {
        c.index: Context(
            hint=c.hint or default_hint,
            prefers_annex=c.prefers_annex,
            bare=options.bare_refs,
            column_writes_annex=column_style[c.index],
            majority=style.majority,
            majority_reason=style.majority_reason,
        )
        for c in ref_columns
    }
    seen: dict[str, int] = {}
    for number, cells in rows:
        footer = footer_reason(cells, key_index)
        if footer:
            plan.warnings.append((number, f"skipped {footer}: not a control"))
            continue
        row = _plan_row(number, cells, columns, lookups, contexts, option_system, plan)
        if row.action != REJECT:
            if row.ref.lower() in seen:
                row = RowPlan(
                    row=number,
                    action=REJECT,
                    ref=row.ref,
                    reason=f"reference {row.ref} already appears on row {seen[row.ref.lower()]}",
                )
            else:
                seen[row.ref.lower()] = number
        plan.rows.append(row)
    plan.people = people_to_add(plan, lookups.owners)
    return plan


NEW_OWNER = "new:"  # an owner value naming a person the import adds (key of OwnerBook.new)


def people_to_add(plan: ImportPlan, book: OwnerBook) -> list[NewPerson]:
    """The people the plan's written rows name and the directory does not have, once each
    (a rejected row adds nobody)."""
    written = {r.row for r in plan.rows if r.action != REJECT}
    out = []
    for person in book.to_add():
        person.rows = [n for n in person.rows if n in written]
        if person.rows:
            out.append(person)
    return out


def owner_label(value: Any, book: OwnerBook) -> str | None:
    """An owner value of a plan (a person's id, or a person to add) as the report shows it."""
    if value is None:
        return None
    if isinstance(value, str) and value.startswith(NEW_OWNER):
        new = book.new[value[len(NEW_OWNER) :]]
        return new.full_name or new.email
    return book.labels.get(value)


def _cell(cells: list[Cell], index: int) -> Cell:
    return cells[index] if index < len(cells) else None


def _plan_row(
    number: int,
    cells: list[Cell],
    columns: ColumnMap,
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
    for col in columns.columns:
        cell = _cell(cells, col.index)
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
