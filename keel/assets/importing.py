"""Import information assets from a spreadsheet (CSV or XLSX): read → plan → apply.

The reading (encodings, delimiters, title rows above the header, XLSX sheets), the column
matching and the plan/report shapes are those of the control import
(:mod:`keel.controls.importing`), so ``keel import assets`` behaves and reports like
``keel import controls``. A re-import updates assets by reference; a file with rejected rows
changes nothing. Applying runs in one transaction through :mod:`keel.assets.services`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from keel.controls.importing.columns import header_score, map_columns
from keel.controls.importing.plan import (
    CREATE,
    NEW_OWNER,
    REJECT,
    UNCHANGED,
    UPDATE,
    ImportPlan,
    RowPlan,
    owner_label,
    people_to_add,
    text,
)
from keel.organisation import directory
from keel.organisation.directory import OwnerBook
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.dbstats import refresh_statistics_after_commit
from keel.platform.models import User
from keel.platform.permissions import Perm, check
from keel.platform.spreadsheets import ImportFileError, read_table

from . import services
from .choices import AssetType
from .models import Asset, ClassificationLevel

__all__ = ["ImportFileError", "import_assets"]

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
    table = read_table(data, filename, header_score(SYNONYMS, {}))
    columns = map_columns(table.header, SYNONYMS, {})
    plan = ImportPlan(file=filename, kind="assets", dry_run=dry_run)
    plan.source = {
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "sheet": table.sheet,
        "header_row": table.header_row,
    }
    if "title" not in columns.fields():
        raise ImportFileError(f"{filename}: no column holds the asset's name (e.g. 'Asset' or 'Name').")
    for name in columns.ignored:
        plan.warnings.append((None, f"Column {name!r} is not used."))
    systems = {ms.short_name.lower(): ms for ms in ManagementSystem.objects.all()}
    systems.update({ms.name.lower(): ms for ms in systems.values()})
    default_ms = systems.get((management_system or "").lower()) if management_system else None
    if management_system and default_ms is None:
        raise ImportFileError(f"--management-system {management_system!r}: no such management system.")
    owners = OwnerBook.load()
    people = {u.pk: u for u in User.objects.filter(is_active=True)}
    levels: dict[str, ClassificationLevel] = {}
    for lv in ClassificationLevel.objects.filter(retired_at__isnull=True):
        levels[lv.key.lower()] = lv
        levels[lv.name.lower()] = lv
    existing = {
        a.ref_id.lower(): a
        for a in Asset.objects.select_related("owner", "classification", "management_system")
    }
    seen: set[str] = set()
    next_number = int(services.likely_next_ref_id().split("-")[1])

    def cell(cells: list[Any], name: str) -> str:
        cols = columns.of(name)
        return text(cells[cols[0].index]).strip() if cols and cols[0].index < len(cells) else ""

    for row_no, cells in table.rows:
        ref, name = cell(cells, "ref"), cell(cells, "title")
        problems: list[str] = []
        if not name:
            problems.append("no asset name")
        type_text = cell(cells, "type").lower()
        asset_type = TYPE_WORDS.get(type_text) if type_text else AssetType.INFORMATION
        if asset_type is None:
            problems.append(f"unknown type {type_text!r} (use one of: {', '.join(AssetType.values)})")
        # An owner the directory does not have is added as a person (docs/import.md "Owners").
        reading = owners.read(cell(cells, "owner"), row_no)
        owner: User | str | None = (
            people.get(reading.person_id)
            if reading.person_id
            else NEW_OWNER + reading.new_key
            if reading.new_key
            else None
        )
        if reading.warning:
            plan.warnings.append((row_no, reading.warning))
        level_text = cell(cells, "classification").lower()
        level = levels.get(level_text) if level_text else None
        if level_text and level is None:
            problems.append(
                f"unknown classification {level_text!r} (known: {', '.join(sorted({lv.key for lv in levels.values()}))})"
            )
        ms_text = cell(cells, "management_systems").lower()
        ms = systems.get(ms_text) if ms_text else default_ms
        if ms is None:
            problems.append(
                f"unknown management system {ms_text!r}"
                if ms_text
                else "no management system (add a column or --management-system)"
            )
        if ref and ref.lower() in seen:
            problems.append(f"reference {ref} appears twice in the file")
        if problems:
            plan.rows.append(
                RowPlan(row=row_no, action=REJECT, ref=ref, title=name, reason="; ".join(problems))
            )
            continue
        assert ms is not None and asset_type is not None
        values: dict[str, Any] = {
            "name": name,
            "description": cell(cells, "description"),
            "type": asset_type,
            "owner": owner,
            "classification": level,
            "location": cell(cells, "location"),
            "management_system": ms,
        }
        current = existing.get(ref.lower()) if ref else None
        if current is None:
            if not ref:
                ref = f"AS-{next_number:03d}"
                next_number += 1
            seen.add(ref.lower())
            plan.rows.append(RowPlan(row=row_no, action=CREATE, ref=ref, title=name, values=values))
            continue
        seen.add(ref.lower())
        changes = {
            k: [_label(getattr(current, k)), _label(v, owners)]
            for k, v in values.items()
            if (k not in ("description", "location") or v) and getattr(current, k) != v
        }
        if changes:
            plan.rows.append(
                RowPlan(
                    row=row_no,
                    action=UPDATE,
                    ref=current.ref_id,
                    title=name,
                    changes=changes,
                    values={k: values[k] for k in changes},
                )
            )
        else:
            plan.rows.append(RowPlan(row=row_no, action=UNCHANGED, ref=current.ref_id, title=name))
    plan.people = people_to_add(plan, owners)
    if dry_run or plan.rejected:
        return plan
    with transaction.atomic():
        refresh_statistics_after_commit()  # thousands of rows at once: keep the planner informed
        made = directory.add_people(actor, plan.people, source=f"asset import from {filename}")
        for r in plan.rows:
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
            changes={"summary": plan.summary()},
        )
    plan.applied = True
    return plan


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
