"""Import controls (and an existing SoA) from a spreadsheet: read → plan → apply.

Applying runs in ONE transaction and goes through :mod:`keel.controls.services`, so every
control and link written has its own trail entry; one more entry records the import itself. A
plan with rejected rows changes nothing unless ``only_valid`` is asked for.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from keel.controls import services as control_services
from keel.controls.models import Control
from keel.controls.queries import visible
from keel.core import resolvers, trail
from keel.core.actor import Actor
from keel.core.choices import TrailAction
from keel.core.errors import NotFound, ValidationFailed
from keel.core.models import ManagementSystem, User
from keel.core.permissions import Perm, check
from keel.core.spreadsheets import ImportFileError, Table, read_table

from .columns import CONTROL_FIELDS, ColumnMap, header_score, map_columns, parse_mappings
from .plan import CREATE, UPDATE, ControlOptions, ImportPlan, Lookups, plan_controls
from .references import ReferenceResolver

__all__ = [
    "ImportFileError",
    "apply_controls",
    "discard_upload",
    "import_controls",
    "plan_controls_file",
    "stage_upload",
    "staged_upload",
]


def _lookups(who: resolvers.Viewer) -> Lookups:
    """The controls and management systems ``who`` may see; the references of the other
    controls only as taken (a plan must not show what they hold)."""
    controls: dict[str, dict[str, Any]] = {}
    if isinstance(who, Actor):
        everyone, user = who.user is None and who.channel in {"cli", "system"}, who.user
    else:
        everyone, user = False, who
    seen = Control.objects.all() if everyone else visible(Control.objects.all(), user)
    hidden = {
        r.lower() for r in Control.objects.exclude(pk__in=seen.values("pk")).values_list("ref_id", flat=True)
    }
    qs = seen.prefetch_related("tags", "management_systems", "links__requirement")
    for c in qs:
        controls[c.ref_id.lower()] = {
            "id": c.pk,
            "fields": {
                "ref_id": c.ref_id,
                "title": c.title,
                "description": c.description,
                "owner": c.owner_id,
                "type": c.type,
                "frequency": c.frequency,
                "status": c.status,
                "effectiveness": c.effectiveness,
                "frequency_note": c.frequency_note,
            },
            "links": {lk.requirement.key for lk in c.links.all()},
            "tags": {t.name for t in c.tags.all()},
            "systems": {str(m.pk) for m in c.management_systems.all()},
        }
    users: dict[str, Any] = {}
    labels: dict[Any, str] = {}
    names: dict[str, list[Any]] = {}
    for u in User.objects.filter(is_active=True).only("id", "email", "full_name"):
        users[u.email.lower()] = u.pk
        labels[u.pk] = u.email
        if u.full_name.strip():
            names.setdefault(" ".join(u.full_name.lower().split()), []).append(u.pk)
    for name, ids in names.items():
        if len(ids) == 1:
            users[f"name:{name}"] = ids[0]
    systems: dict[str, str] = {}
    system_labels: dict[str, str] = {}
    for ms in resolvers.visible_systems(who):
        systems[str(ms.pk)] = str(ms.pk)
        systems[ms.short_name] = str(ms.pk)
        system_labels[str(ms.pk)] = ms.short_name
    all_systems = list(ManagementSystem.objects.values_list("pk", flat=True)[:2])
    only = str(all_systems[0]) if len(all_systems) == 1 and str(all_systems[0]) in system_labels else None
    return Lookups(
        only_system=only,
        controls=controls,
        users=users,
        user_labels=labels,
        systems=systems,
        system_labels=system_labels,
        resolver=ReferenceResolver.from_database(),
        hidden_refs=hidden,
    )


def plan_controls_file(
    data: bytes,
    filename: str,
    *,
    standard: str | None = None,
    mappings: Iterable[str] = (),
    management_system: str | None = None,
    bare_refs: str | None = None,
    who: resolvers.Viewer = resolvers.TRUSTED,
) -> ImportPlan:
    """Read a control spreadsheet and say what importing it would do, as ``who`` sees the
    catalogue (controls and systems outside their perimeter are not shown). Reads only.

    Raises :class:`ImportFileError` when the file or the options cannot be used at all."""
    overrides = parse_mappings(mappings, list(CONTROL_FIELDS))
    table = read_table(data, filename, header_score(CONTROL_FIELDS, overrides))
    columns = map_columns(table.header, CONTROL_FIELDS, overrides)
    options = ControlOptions(standard=standard, management_system=management_system, bare_refs=bare_refs)
    plan = plan_controls(table, columns, _lookups(who), options, filename)
    plan.source = source_of(table, columns)
    return plan


def source_of(table: Table, columns: ColumnMap) -> dict[str, Any]:
    """How the file was read, for the report."""
    return {
        "format": table.format,
        "encoding": table.encoding or None,
        "delimiter": table.delimiter or None,
        "sheet": table.sheet or None,
        "header_row": table.header_row,
        "columns": {c.name: c.field for c in columns.columns},
    }


def _check_may_import(actor: Actor, management_system: str | None) -> None:
    if management_system:
        try:
            ms = resolvers.management_system(management_system, actor)
        except ValidationFailed:  # unknown or not theirs: the plan reports it, the same either way
            ms = None
        if ms is not None:
            check(actor, Perm.EDIT_CONTROLS, ms)
            return
    check(actor, Perm.EDIT_CONTROLS)


def import_controls(
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    standard: str | None = None,
    mappings: Iterable[str] = (),
    management_system: str | None = None,
    bare_refs: str | None = None,
    dry_run: bool = False,
    only_valid: bool = False,
) -> ImportPlan:
    """Plan the import and, unless ``dry_run``, apply it (see :func:`apply_controls`)."""
    _check_may_import(actor, management_system)
    plan = plan_controls_file(
        data,
        filename,
        standard=standard,
        mappings=mappings,
        management_system=management_system,
        bare_refs=bare_refs,
        who=actor,
    )
    plan.only_valid = only_valid
    if dry_run:
        return plan
    return apply_controls(actor, plan, only_valid=only_valid)


def apply_controls(actor: Actor, plan: ImportPlan, *, only_valid: bool = False) -> ImportPlan:
    """Write a plan in one transaction. With rejected rows and not ``only_valid``, nothing is
    written and the plan comes back with ``applied`` False."""
    plan.dry_run = False
    plan.only_valid = only_valid
    if plan.rejected and not only_valid:
        return plan
    owners = User.objects.in_bulk([r.values["owner"] for r in plan.rows if r.values.get("owner")])
    with transaction.atomic():
        for row in plan.rows:
            if row.values.get("owner"):
                row.values["owner"] = owners[row.values["owner"]]
            if row.action == CREATE:
                control = control_services.create_control(
                    actor, management_systems=row.systems, tags=row.tags, ref_id=row.ref, **row.values
                )
                for key in row.links:
                    control_services.link_requirement(actor, control.pk, key)
            elif row.action == UPDATE:
                control = Control.objects.prefetch_related("tags", "management_systems").get(
                    pk=row.control_id
                )
                systems = (
                    [*(str(m.pk) for m in control.management_systems.all()), *row.systems]
                    if row.systems
                    else None
                )
                tags = [*(t.name for t in control.tags.all()), *row.tags] if row.tags else None
                control_services.update_control(
                    actor, control.pk, management_systems=systems, tags=tags, **row.values
                )
                for key in row.links:
                    control_services.link_requirement(actor, control.pk, key)
        created = [r.ref for r in plan.rows if r.action == CREATE]
        updated = [r.ref for r in plan.rows if r.action == UPDATE]
        if created or updated:
            trail.record(
                actor,
                TrailAction.LOAD,
                object_type="controls.import",
                object_id=plan.file[:64],
                object_repr=f"Control import from {plan.file}"[:255],
                changes={"created": created, "updated": updated, "rejected": len(plan.rejected)},
            )
        plan.applied = True
    return plan


# ---------------------------------------------------------------- the wizard's staged uploads

STAGING = "imports"


def stage_upload(data: bytes, filename: str, user: User) -> str:
    """Keep an uploaded file between the wizard's preview and its confirmation (through the
    storage API); returns an unguessable token that only ``user`` can redeem."""
    _forget_stale_uploads()
    token = uuid.uuid4().hex
    default_storage.save(f"{STAGING}/{token}.bin", ContentFile(data))
    meta = {"filename": filename, "user": str(user.pk)}
    default_storage.save(f"{STAGING}/{token}.json", ContentFile(json.dumps(meta).encode()))
    return token


def staged_upload(token: str, user: User) -> tuple[bytes, str]:
    """The staged file and its name; :class:`NotFound` for an unknown, expired or foreign token."""
    gone = NotFound("This upload is no longer available: upload the file again.")
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise gone
    try:
        with default_storage.open(f"{STAGING}/{token}.json") as fh:
            meta = json.loads(fh.read())
        with default_storage.open(f"{STAGING}/{token}.bin") as fh:
            data = fh.read()
    except (OSError, ValueError):
        raise gone from None
    if meta.get("user") != str(user.pk):
        raise gone
    return data, str(meta.get("filename", "upload"))


def discard_upload(token: str) -> None:
    if re.fullmatch(r"[0-9a-f]{32}", token or ""):
        for suffix in ("bin", "json"):
            default_storage.delete(f"{STAGING}/{token}.{suffix}")


def _forget_stale_uploads(max_age: datetime.timedelta = datetime.timedelta(days=1)) -> None:
    """Previews never confirmed leave their file behind: drop those older than a day."""
    try:
        _, names = default_storage.listdir(STAGING)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    cutoff = timezone.now() - max_age
    for name in names:
        try:
            if default_storage.get_modified_time(f"{STAGING}/{name}") < cutoff:
                default_storage.delete(f"{STAGING}/{name}")
        except (FileNotFoundError, NotImplementedError, OSError):
            continue
