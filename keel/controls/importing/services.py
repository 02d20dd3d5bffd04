"""Import controls from a spreadsheet on the platform pipeline (read → plan → apply).

Applying runs in ONE transaction and goes through :mod:`keel.controls.services`, so every
control and link written has its own trail entry; one more entry records the import itself. A
plan with rejected rows changes nothing unless ``only_valid`` is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.controls import services as control_services
from keel.controls.choices import Coverage
from keel.controls.models import Control, ControlLink, Tag
from keel.controls.policies import OWN
from keel.controls.queries import visible
from keel.organisation import directory
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.directory import OwnerBook
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.dbstats import refresh_statistics_after_commit
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.models import RefSequence, User
from keel.platform.permissions import Perm, check
from keel.platform.records import validation_failed
from keel.platform.spreadsheets import ImportFileError
from keel.standards.models import Requirement

from .plan import CREATE, NEW_OWNER, UPDATE, ControlOptions, ControlRules, ImportPlan, Lookups, RowPlan
from .references import ReferenceResolver

__all__ = [
    "ControlImport",
    "ImportFileError",
    "apply_controls",
    "import_controls",
    "plan_controls_file",
]


def _lookups(who: organisation_resolvers.Viewer) -> Lookups:
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
    systems: dict[str, str] = {}
    system_labels: dict[str, str] = {}
    for ms in organisation_resolvers.visible_systems(who):
        systems[str(ms.pk)] = str(ms.pk)
        systems[ms.short_name] = str(ms.pk)
        system_labels[str(ms.pk)] = ms.short_name
    all_systems = list(ManagementSystem.objects.values_list("pk", flat=True)[:2])
    only = str(all_systems[0]) if len(all_systems) == 1 and str(all_systems[0]) in system_labels else None
    return Lookups(
        only_system=only,
        controls=controls,
        owners=OwnerBook.load(),
        systems=systems,
        system_labels=system_labels,
        resolver=ReferenceResolver.from_database(),
        hidden_refs=hidden,
    )


class ControlImport(ControlRules):
    """The control import on the platform pipeline: its rules (:class:`ControlRules`), the
    catalogue as the importer sees it, and a write prepared outside the transaction."""

    def __init__(self, *args: Any, who: organisation_resolvers.Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.who = who

    def load_lookups(self) -> Lookups:
        return _lookups(self.who)

    def commit(self, report: ImportPlan) -> None:
        """Everything that only reads — permissions, the rows to insert, their trail entries — is
        prepared before the transaction; the transaction (SQLite's write lock) then re-checks under
        the lock that nothing the plan relied on changed and writes with bulk operations: one
        trail entry per control and link written, as the per-record services would, chained in
        one insert (:func:`keel.platform.trail.record_many`). docs/adr/0016."""
        batch = _prepare(self.actor, report)
        if not batch.rows:
            return
        with transaction.atomic():
            batch.write(self.actor, report)
            refresh_statistics_after_commit()  # thousands of rows at once: keep the planner informed


def _importer(
    actor: Actor,
    filename: str,
    *,
    standard: str | None,
    mappings: Iterable[str],
    management_system: str | None,
    bare_refs: str | None,
    who: organisation_resolvers.Viewer,
) -> ControlImport:
    options = ControlOptions(standard=standard, management_system=management_system, bare_refs=bare_refs)
    return ControlImport(actor, filename, mappings=list(mappings), options=options, who=who)


def plan_controls_file(
    data: bytes,
    filename: str,
    *,
    standard: str | None = None,
    mappings: Iterable[str] = (),
    management_system: str | None = None,
    bare_refs: str | None = None,
    who: organisation_resolvers.Viewer = organisation_resolvers.TRUSTED,
) -> ImportPlan:
    """Read a control spreadsheet and say what importing it would do, as ``who`` sees the
    catalogue (controls and systems outside their perimeter are not shown). Reads only.

    Raises :class:`ImportFileError` when the file or the options cannot be used at all."""
    actor = who if isinstance(who, Actor) else Actor.system("control import plan")
    importer = _importer(
        actor,
        filename,
        standard=standard,
        mappings=mappings,
        management_system=management_system,
        bare_refs=bare_refs,
        who=who,
    )
    return importer.plan(data)


def _check_may_import(actor: Actor, management_system: str | None) -> None:
    if management_system:
        try:
            ms = organisation_resolvers.management_system(management_system, actor)
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
    importer = _importer(
        actor,
        filename,
        standard=standard,
        mappings=mappings,
        management_system=management_system,
        bare_refs=bare_refs,
        who=actor,
    )
    return importer.run(data, dry_run=dry_run, only_valid=only_valid)


def apply_controls(actor: Actor, plan: ImportPlan, *, only_valid: bool = False) -> ImportPlan:
    """Write a plan, all or nothing. With rejected rows and not ``only_valid``, nothing is
    written and the plan comes back with ``applied`` False (see :meth:`ControlImport.commit`)."""
    importer = ControlImport(actor, plan.file, options=ControlOptions(), who=actor)
    return importer.apply(plan, only_valid=only_valid)


@dataclass
class _Row:
    plan: RowPlan
    control: Control
    before: dict[str, Any]  # the control's snapshot when prepared (empty for a new control)
    systems: list[str]  # its management systems after the import
    tags: list[str]  # its tags after the import
    changed_fields: list[str] = field(default_factory=list)
    new_systems: list[str] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)
    links: list[Requirement] = field(default_factory=list)
    new_owner: str = ""  # the key of a person the import adds, who owns this control


@dataclass
class _Batch:
    rows: list[_Row]
    system_labels: dict[str, str]

    def write(self, actor: Actor, plan: ImportPlan) -> None:
        """The short write transaction's body; raises :class:`Conflict` (nothing written) when
        something the plan relied on changed since it was prepared."""
        _lock_references()
        creates = [r for r in self.rows if r.plan.action == CREATE]
        updates = [r for r in self.rows if r.plan.action == UPDATE]
        self._recheck(creates, updates)
        # The owners the directory did not have, in the same transaction (issue 11).
        made = directory.add_people(actor, plan.people, source=f"control import from {plan.file}")
        for r in self.rows:
            if r.new_owner:
                r.control.owner_id = made[r.new_owner].pk
                if r.plan.action == UPDATE and "owner" not in r.changed_fields:
                    r.changed_fields = sorted([*r.changed_fields, "owner"])
        tag_ids = _tag_ids({t for r in self.rows for t in r.new_tags})
        now = timezone.now()
        Control.objects.bulk_create([r.control for r in creates], batch_size=BATCH)
        by_fields: dict[tuple[str, ...], list[Control]] = {}
        for r in updates:
            if r.changed_fields:
                r.control.updated_at = now
                by_fields.setdefault(tuple(r.changed_fields), []).append(r.control)
        for names, controls in by_fields.items():
            Control.objects.bulk_update(controls, [*names, "updated_at"], batch_size=BATCH)
        Systems = Control.management_systems.through
        Systems.objects.bulk_create(
            [
                Systems(control_id=r.control.pk, managementsystem_id=ms)
                for r in self.rows
                for ms in r.new_systems
            ],
            batch_size=BATCH,
        )
        Tags = Control.tags.through
        Tags.objects.bulk_create(
            [Tags(control_id=r.control.pk, tag_id=tag_ids[t]) for r in self.rows for t in r.new_tags],
            batch_size=BATCH,
        )
        links: list[ControlLink] = []
        entries: list[trail.Pending] = []
        for r in self.rows:
            after = {
                **trail.snapshot(r.control, [*control_services.CONTROL_FIELDS, "template"]),
                "management_systems": sorted(self.system_labels[ms] for ms in r.systems),
                "tags": sorted(r.tags),
            }
            action = TrailAction.CREATE if r.plan.action == CREATE else TrailAction.UPDATE
            changes = trail.diff(r.before, after)
            if changes:
                entries.append(
                    trail.Pending(action, r.control, changes=changes, management_system_ids=r.systems)
                )
            for requirement in r.links:
                link = ControlLink(control=r.control, requirement=requirement, coverage=Coverage.FULL)
                links.append(link)
                entries.append(
                    trail.Pending(
                        TrailAction.CREATE,
                        link,
                        object_repr=str(link)[:255],
                        management_system_ids=r.systems,
                        changes={
                            "control": [None, r.control.ref_id],
                            "requirement": [None, requirement.key],
                            "coverage": [None, link.coverage],
                            "note": [None, link.note],
                        },
                    )
                )
        ControlLink.objects.bulk_create(links, batch_size=BATCH)
        entries.append(
            trail.Pending(
                TrailAction.LOAD,
                object_type="controls.import",
                object_id=plan.file[:64],
                object_repr=f"Control import from {plan.file}"[:255],
                changes={
                    "created": [r.plan.ref for r in creates],
                    "updated": [r.plan.ref for r in updates],
                    "rejected": len(plan.rejected),
                },
            )
        )
        trail.record_many(actor, entries)

    def _recheck(self, creates: list[_Row], updates: list[_Row]) -> None:
        """Under the write lock: the references to create are still free, the controls to
        update are as they were read, the systems still exist."""
        changed = "The catalogue changed while the import was being prepared"
        taken = {ref.lower() for ref in Control.objects.values_list("ref_id", flat=True)}
        clashes = [r.plan.ref for r in creates if r.plan.ref.lower() in taken]
        if clashes:
            raise Conflict(
                f"{changed}: {_listed(clashes)} now exist(s). Nothing was imported; import the file again."
            )
        ids = [r.control.pk for r in updates]
        current = {
            c.pk: c
            for c in Control.objects.filter(pk__in=ids)
            .select_for_update(of=("self",))
            .prefetch_related("management_systems", "tags")
        }
        linked = set(
            ControlLink.objects.filter(control_id__in=ids).values_list("control_id", "requirement_id")
        )
        moved = [
            r.plan.ref
            for r in updates
            if r.control.pk not in current
            or _snapshot(current[r.control.pk]) != r.before
            or any((r.control.pk, q.pk) in linked for q in r.links)
        ]
        if moved:
            raise Conflict(
                f"{changed}: {_listed(moved)} changed or went away meanwhile. Nothing was imported; "
                "import the file again to see the new plan."
            )
        wanted = {ms for r in self.rows for ms in r.systems}
        if ManagementSystem.objects.filter(pk__in=wanted).count() != len(wanted):
            raise Conflict(f"{changed}: a management system it names was deleted. Nothing was imported.")


BATCH = 500
REF_PREFIX = "KC-"


def _listed(refs: list[str], most: int = 10) -> str:
    return ", ".join(refs[:most]) + (f" and {len(refs) - most} more" if len(refs) > most else "")


def _lock_references() -> None:
    """Lock the ``KC-`` sequence once for the batch: a control created meanwhile (which reads the
    highest reference used under this lock) waits and never takes a reference the import writes."""
    RefSequence.objects.bulk_create([RefSequence(prefix=REF_PREFIX, last=0)], ignore_conflicts=True)
    RefSequence.objects.select_for_update().get(prefix=REF_PREFIX)


def _tag_ids(names: set[str]) -> dict[str, int]:
    if names:
        Tag.objects.bulk_create([Tag(name=n) for n in sorted(names)], ignore_conflicts=True)
    return {name: pk for name, pk in Tag.objects.values_list("name", "pk") if name in names}


def _prepare(actor: Actor, plan: ImportPlan) -> _Batch:
    """Build what the import writes, reading only: the controls, their systems, tags and links,
    and the permission checks the per-record services make (``edit_controls`` over a new
    control's systems; for an update, over all of its systems or, for its owner, the owner
    fields only; a link needs ``edit_controls`` over the control's systems)."""
    todo = [r for r in plan.rows if r.action in (CREATE, UPDATE)]
    existing = {
        str(c.pk): c
        for c in Control.objects.filter(pk__in=[r.control_id for r in todo if r.action == UPDATE])
        .select_related("owner", "template")
        .prefetch_related("management_systems", "tags")
    }
    system_ids = {ms for r in todo for ms in r.systems} | {
        str(m.pk) for c in existing.values() for m in c.management_systems.all()
    }
    systems = {str(k): v for k, v in ManagementSystem.objects.in_bulk(list(system_ids)).items()}
    keys = sorted({k for r in todo for k in r.links})
    requirements = {q.key: q for q in Requirement.objects.filter(key__in=keys, withdrawn_at__isnull=True)}
    gone = [k for k in keys if k not in requirements]
    if gone:
        raise ValidationFailed(
            f"Requirement(s) {_listed(gone)} are unknown or withdrawn: nothing was imported."
        )
    if system_ids - set(systems):
        raise ValidationFailed("A management system of the plan no longer exists: nothing was imported.")
    owner_ids = {
        r.values["owner"]
        for r in todo
        if r.values.get("owner") and not str(r.values["owner"]).startswith(NEW_OWNER)
    }
    if User.objects.filter(pk__in=owner_ids, is_active=True).count() != len(owner_ids):
        raise ValidationFailed("An owner the plan names is no longer an active user: nothing was imported.")
    checked: set[frozenset[str]] = set()

    def may_edit(ids: Iterable[str]) -> None:
        key = frozenset(ids)
        if key not in checked:
            control_services._check_on_systems(actor, Perm.EDIT_CONTROLS, [systems[ms] for ms in key])
            checked.add(key)

    rows: list[_Row] = []
    for r in todo:
        new_owner = _new_owner(r.values)
        if r.action == CREATE:
            values = dict(r.values)
            owner_id = values.pop("owner", None)
            control = Control(ref_id=r.ref, owner_id=None if new_owner else owner_id, **values)
            _clean(control, r)
            may_edit(r.systems)
            row = _Row(r, control, {}, list(r.systems), list(r.tags), new_systems=list(r.systems))
            row.new_tags = list(r.tags)
        else:
            control = existing[r.control_id]
            before = _snapshot(control)
            have_systems = [str(m.pk) for m in control.management_systems.all()]
            have_tags = [t.name for t in control.tags.all()]
            scope = control_services._edit_reach(actor, control)
            values = dict(r.values)
            if "owner" in values:
                owner_value = values.pop("owner")
                control.owner_id = None if new_owner else owner_value
            for name, value in values.items():
                setattr(control, name, value)
            _clean(control, r)
            after = trail.snapshot(control, control_services.CONTROL_FIELDS)
            row = _Row(
                r,
                control,
                before,
                [*have_systems, *r.systems],
                [*have_tags, *r.tags],
                changed_fields=[n for n in control_services.CONTROL_FIELDS if before[n] != after[n]],
                new_systems=list(r.systems),
                new_tags=list(r.tags),
            )
            if scope == OWN:
                control_services._refuse_beyond_owner_fields(actor, control, r.changes)
            elif r.systems:
                may_edit(row.systems)
        if r.links:
            may_edit(row.systems)
        row.links = [requirements[k] for k in r.links]
        row.new_owner = new_owner
        rows.append(row)
    labels = {ms: s.short_name for ms, s in systems.items()}
    return _Batch(rows, labels)


def _new_owner(values: dict[str, Any]) -> str:
    owner = values.get("owner")
    return owner[len(NEW_OWNER) :] if isinstance(owner, str) and owner.startswith(NEW_OWNER) else ""


def _snapshot(control: Control) -> dict[str, Any]:
    """The control as its trail entries show it (the same as the services' snapshot)."""
    return control_services._snapshot(control)


def _clean(control: Control, row: RowPlan) -> None:
    """Field checks without the database: owners are checked once for the batch, uniqueness
    under the write lock."""
    try:
        control.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        failed = validation_failed(exc, "control")
        raise ValidationFailed(
            f"Row {row.row} ({row.ref}): {failed.message} Nothing was imported.", failed.fields
        ) from None
