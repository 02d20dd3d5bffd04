"""Import information assets from a spreadsheet (CSV or XLSX): read → plan → apply.

The pipeline (reading, column matching, the report, the one transaction) is the platform's
(:mod:`keel.platform.importing`), so ``keel import assets`` behaves and reports like
``keel import controls``; this module gives the asset rows' rules. A re-import updates assets by reference; a file with rejected rows
changes nothing. Applying runs in one transaction through :mod:`keel.assets.services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keel.organisation import directory
from keel.organisation.directory import OwnerBook
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
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
)
from keel.platform.models import User
from keel.platform.permissions import Perm, check
from keel.platform.spreadsheets import ImportFileError, Table

from . import services
from .choices import AssetType
from .models import Asset, ClassificationLevel

__all__ = ["AssetImport", "ImportFileError", "import_assets"]

SYNONYMS: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "ref id", "asset id", "asset ref", "asset no", "id", "reference", "asset reference"),
    "title": ("name", "asset", "asset name", "title"),
    "description": ("description", "details", "notes"),
    "type": ("type", "asset type", "category", "kind"),
    "owner": ("owner", "owner email", "asset owner", "email"),
    "classification": ("classification", "class", "sensitivity", "classification level", "label"),
    "management_systems": ("management system", "system", "ms"),
    "location": ("location", "where", "site", "hosted", "hosting"),
}
TYPE_WORDS: dict[str, str] = {
    **{t.value: t.value for t in AssetType},
    **{t.label.lower(): t.value for t in AssetType},
    "data": AssetType.INFORMATION,
    "database": AssetType.INFORMATION,
    "document": AssetType.INFORMATION,
    "data set": AssetType.DATASET,
    "training data": AssetType.DATASET,
    "ml model": AssetType.MODEL,
    "model": AssetType.MODEL,
    "application": AssetType.SOFTWARE,
    "saas": AssetType.SOFTWARE,
    "service": AssetType.SOFTWARE,
    "server": AssetType.INFRASTRUCTURE,
    "cloud": AssetType.INFRASTRUCTURE,
    "network": AssetType.INFRASTRUCTURE,
    "laptop": AssetType.DEVICE,
    "hardware": AssetType.DEVICE,
    "staff": AssetType.PEOPLE,
    "office": AssetType.SITE,
}


class AssetImport(SpreadsheetImporter):
    """The asset import's rules on the platform pipeline."""

    kind = "assets"
    fields = SYNONYMS
    key_field = None  # an asset's ref may be empty (a new asset gets the next AS- number)

    def __init__(
        self, actor: Actor, filename: str, *, management_system: str | None, mappings: Sequence[str] = ()
    ) -> None:
        super().__init__(actor, filename, mappings=mappings)
        self.management_system = management_system

    def source_of(self, table: Table, columns: ColumnMap) -> dict[str, Any]:
        return {
            "format": table.format,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "sheet": table.sheet,
            "header_row": table.header_row,
        }

    def check_columns(self, columns: ColumnMap) -> None:
        if "title" not in columns.fields():
            raise ImportFileError(
                f"{self.filename}: no column holds the asset's name (e.g. 'Asset' or 'Name')."
            )

    def prepare(self, report: ImportReport, table: Table, columns: ColumnMap) -> None:
        for name in columns.ignored:
            report.warnings.append((None, f"Column {name!r} is not used."))
        systems = {ms.short_name.lower(): ms for ms in ManagementSystem.objects.all()}
        systems.update({ms.name.lower(): ms for ms in systems.values()})
        self.systems = systems
        wanted = self.management_system
        self.default_ms = systems.get(wanted.lower()) if wanted else None
        if wanted and self.default_ms is None:
            raise ImportFileError(f"--management-system {wanted!r}: no such management system.")
        self.owners = OwnerBook.load()
        self.people = {u.pk: u for u in User.objects.filter(is_active=True)}
        self.levels: dict[str, ClassificationLevel] = {}
        for lv in ClassificationLevel.objects.filter(retired_at__isnull=True):
            self.levels[lv.key.lower()] = lv
            self.levels[lv.name.lower()] = lv
        self.existing = {
            a.ref_id.lower(): a
            for a in Asset.objects.select_related("owner", "classification", "management_system")
        }
        self.seen: set[str] = set()
        self.next_number = int(services.likely_next_ref_id().split("-")[1])

    def plan_row(self, row_no: int, cells: Cells, report: ImportReport) -> RowPlan:
        ref, name = cells["ref"], cells["title"]
        problems: list[str] = []
        column = ""
        if not name:
            problems.append("no asset name")
            column = cells.column("title")
        type_text = cells["type"].lower()
        asset_type = TYPE_WORDS.get(type_text) if type_text else AssetType.INFORMATION
        if asset_type is None:
            problems.append(f"unknown type {type_text!r} (use one of: {', '.join(AssetType.values)})")
            column = column or cells.column("type")
        # An owner the directory does not have is added as a person (docs/import.md "Owners").
        reading = self.owners.read(cells["owner"], row_no)
        owner: User | str | None = (
            self.people.get(reading.person_id)
            if reading.person_id
            else NEW_OWNER + reading.new_key
            if reading.new_key
            else None
        )
        if reading.warning:
            report.warnings.append((row_no, reading.warning))
        level_text = cells["classification"].lower()
        level = self.levels.get(level_text) if level_text else None
        if level_text and level is None:
            known = ", ".join(sorted({lv.key for lv in self.levels.values()}))
            problems.append(f"unknown classification {level_text!r} (known: {known})")
            column = column or cells.column("classification")
        ms_text = cells["management_systems"].lower()
        ms = self.systems.get(ms_text) if ms_text else self.default_ms
        if ms is None:
            problems.append(
                f"unknown management system {ms_text!r}"
                if ms_text
                else "no management system (add a column or --management-system)"
            )
            column = column or cells.column("management_systems")
        if ref and ref.lower() in self.seen:
            problems.append(f"reference {ref} appears twice in the file")
            column = column or cells.column("ref")
        if problems:
            return RowPlan(
                row=row_no, action=REJECT, ref=ref, title=name, reason="; ".join(problems), column=column
            )
        assert ms is not None and asset_type is not None
        values: dict[str, Any] = {
            "name": name,
            "description": cells["description"],
            "type": asset_type,
            "owner": owner,
            "classification": level,
            "location": cells["location"],
            "management_system": ms,
        }
        current = self.existing.get(ref.lower()) if ref else None
        if current is None:
            if not ref:
                ref = f"AS-{self.next_number:03d}"
                self.next_number += 1
            self.seen.add(ref.lower())
            return RowPlan(row=row_no, action=CREATE, ref=ref, title=name, values=values)
        self.seen.add(ref.lower())
        changes = {
            k: [_label(getattr(current, k)), _label(v, self.owners)]
            for k, v in values.items()
            if (k not in ("description", "location") or v) and getattr(current, k) != v
        }
        if changes:
            return RowPlan(
                row=row_no,
                action=UPDATE,
                ref=current.ref_id,
                title=name,
                changes=changes,
                values={k: values[k] for k in changes},
            )
        return RowPlan(row=row_no, action=UNCHANGED, ref=current.ref_id, title=name)

    def finish(self, report: ImportReport) -> None:
        report.people = people_to_add(report, self.owners)

    def write(self, report: ImportReport) -> None:
        actor, filename = self.actor, self.filename
        made = directory.add_people(actor, report.people, source=f"asset import from {filename}")
        for r in report.rows:
            owner_value = r.values.get("owner")
            if isinstance(owner_value, str) and owner_value.startswith(NEW_OWNER):
                r.values["owner"] = made[owner_value[len(NEW_OWNER) :]]
            if r.action == CREATE:
                values = dict(r.values)
                services.create_asset(
                    actor, management_system=values.pop("management_system"), ref_id=r.ref, **values
                )
            elif r.action == UPDATE:
                values = dict(r.values)
                ms_value = values.pop("management_system", None)
                services.update_asset(
                    actor, r.ref, management_system=ms_value.pk if ms_value else None, **values
                )
        trail.record(
            actor,
            TrailAction.CREATE,
            object_type="assets.import",
            object_id=filename[:100],
            object_repr=f"Asset import {filename}"[:255],
            changes={"summary": report.summary()},
        )


def import_assets(
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    management_system: str | None = None,
    dry_run: bool = False,
) -> ImportPlan:
    """Plan (and unless ``dry_run``, apply) an asset import. Raises :class:`ImportFileError`
    for an unreadable file."""
    check(actor, Perm.EDIT_ASSETS)
    return AssetImport(actor, filename, management_system=management_system).run(data, dry_run=dry_run)


def _label(value: Any, owners: OwnerBook | None = None) -> Any:
    if isinstance(value, str) and value.startswith(NEW_OWNER) and owners is not None:
        return owner_label(value, owners)
    if isinstance(value, User):
        return value.email
    if isinstance(value, ClassificationLevel):
        return value.key
    if isinstance(value, ManagementSystem):
        return value.short_name
    return value
