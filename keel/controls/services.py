"""Write-side services of the control catalogue: one transaction each, each records its trail entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, likely_next_ref, next_ref
from keel.platform.dbstats import refresh_statistics_after_commit
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check, has_perm
from keel.platform.records import apply_fields, clean
from keel.standards.models import Requirement

from . import policies
from .choices import Coverage, Effectiveness, ImplementationStatus
from .models import Control, ControlLink, ControlTemplate, Tag, TemplateRequirement
from .templates_loader import TEMPLATES_DIR, read_templates

CONTROL_FIELDS = (
    "ref_id",
    "title",
    "description",
    "owner",
    "type",
    "frequency",
    "frequency_note",
    "status",
    "effectiveness",
)


# ---------------------------------------------------------------- template library


@dataclass
class TemplateLoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "withdrawn": len(self.withdrawn),
            "unchanged": self.unchanged,
        }


def load_templates(actor: Actor, folder: Path = TEMPLATES_DIR) -> TemplateLoadReport:
    """Load the control-template library: idempotent, all-or-nothing, update by key, withdraw
    (never delete) templates a newer library drops. Needs the standards loaded first."""
    check(actor, Perm.LOAD_STANDARDS)
    requirements = dict(Requirement.objects.filter(withdrawn_at__isnull=True).values_list("key", "id"))
    data = read_templates(folder, known_requirements=set(requirements))
    report = TemplateLoadReport()
    now = timezone.now()
    with transaction.atomic():
        existing = {t.key: t for t in ControlTemplate.objects.prefetch_related("links__requirement")}
        for t in data:
            values = {
                "title": t.title,
                "description": t.description,
                "ai_extension": t.ai_extension,
                "type": t.type,
                "frequency": t.frequency,
                "owner_role": t.owner_role,
                "example_evidence": t.example_evidence,
                "source": t.source,
                "sort_order": t.sort_order,
                "withdrawn_at": None,
            }
            wanted_links = {(link.requirement_key, link.coverage, link.note) for link in t.links}
            row = existing.get(t.key)
            if row is None:
                row = ControlTemplate.objects.create(key=t.key, **values)
                report.created.append(t.key)
                have_links: set[tuple[str, str, str]] = set()
            else:
                have_links = {(lk.requirement.key, lk.coverage, lk.note) for lk in row.links.all()}
                changed = {k: v for k, v in values.items() if getattr(row, k) != v}
                if changed or have_links != wanted_links:
                    ControlTemplate.objects.filter(pk=row.pk).update(**changed)
                    report.updated.append(t.key)
                else:
                    report.unchanged += 1
            if have_links != wanted_links:
                TemplateRequirement.objects.filter(template=row).delete()
                TemplateRequirement.objects.bulk_create(
                    [
                        TemplateRequirement(template=row, requirement_id=requirements[k], coverage=c, note=n)
                        for k, c, n in sorted(wanted_links)
                    ]
                )
        keys = {t.key for t in data}
        for key, row in existing.items():
            if key not in keys and row.withdrawn_at is None:
                ControlTemplate.objects.filter(pk=row.pk).update(withdrawn_at=now)
                report.withdrawn.append(key)
        if report.created or report.updated or report.withdrawn:
            trail.record(
                actor,
                TrailAction.LOAD,
                object_type="controls.controltemplate",
                object_id="library",
                object_repr="Control template library",
                changes={"created": report.created, "updated": report.updated, "withdrawn": report.withdrawn},
            )
    return report


# ---------------------------------------------------------------- controls


def next_ref_id() -> str:
    """Reserve the next free ``KC-nnn`` (inside the service's transaction; concurrent creates queue)."""
    return next_ref(Control, "KC-")


def likely_next_ref_id() -> str:
    """The ``KC-nnn`` a new control would probably get: for a form's placeholder or a dry run."""
    return likely_next_ref(Control, "KC-")


def _systems(ids: Iterable[uuid.UUID | str] | None) -> list[ManagementSystem]:
    """The systems a control is written into: the permission check that follows refuses (403)
    one outside the actor's perimeter."""
    return organisation_resolvers.management_systems(ids, organisation_resolvers.TRUSTED)


def _check_on_systems(actor: Actor, perm: str, systems: Iterable[ManagementSystem]) -> None:
    """A control is changed by someone with the permission over every system it belongs to
    (or over the organisation, for a control that belongs to none yet)."""
    systems = list(systems)
    if not systems:
        check(actor, perm)
    for ms in systems:
        check(actor, perm, ms)


def _tags(names: Iterable[str]) -> list[Tag]:
    clean_names = sorted({" ".join(n.split()).lower() for n in names if n and n.strip()})
    for n in clean_names:
        if len(n) > 60:
            raise ValidationFailed(f"Tag {n[:20]!r}… is longer than 60 characters.", {"tags": ["Too long."]})
    existing = {t.name: t for t in Tag.objects.filter(name__in=clean_names)}
    return [existing.get(n) or Tag.objects.create(name=n) for n in clean_names]


def _snapshot(control: Control) -> dict[str, Any]:
    data = trail.snapshot(control, [*CONTROL_FIELDS, "template"])
    data["management_systems"] = sorted(str(m.short_name) for m in control.management_systems.all())
    data["tags"] = sorted(t.name for t in control.tags.all())
    return data


def create_control(
    actor: Actor,
    *,
    management_systems: Iterable[uuid.UUID | str] | None = None,
    tags: Iterable[str] = (),
    template: ControlTemplate | None = None,
    **data: Any,
) -> Control:
    systems = _systems(management_systems)
    _check_on_systems(actor, Perm.EDIT_CONTROLS, systems)
    with transaction.atomic():
        control = Control(template=template)
        if not data.get("ref_id"):
            data["ref_id"] = next_ref_id()
        apply_fields(control, data, CONTROL_FIELDS)
        clean(control, "control")
        control.save()
        control.management_systems.set(systems)
        control.tags.set(_tags(tags))
        trail.record(actor, TrailAction.CREATE, control, changes=trail.diff({}, _snapshot(control)))
    return control


def get_control(ref: uuid.UUID | str) -> Control:
    qs = Control.objects.select_related("owner", "template")
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, Control.DoesNotExist):
        pass
    try:
        return qs.get(ref_id=str(ref))
    except Control.DoesNotExist:
        raise NotFound(f"No control {ref!r}: give its id or reference (e.g. KC-012).") from None


def _locked_control(ref: uuid.UUID | str) -> Control:
    """The control, its row locked until the transaction ends (read-change-save under a lock,
    docs/adr/0014-concurrent-writers.md)."""
    found = get_control(ref)
    return (
        Control.objects.select_for_update(of=("self",)).select_related("owner", "template").get(pk=found.pk)
    )


def _edit_reach(actor: Actor, control: Control) -> str:
    """What the actor may update on the control (:func:`keel.controls.policies.edit_reach`):
    every field with ``edit_controls`` over all its systems, the owner fields for its owner
    with ``edit_own_controls``; otherwise refused. The trusted CLI operator may update all."""
    try:
        _check_on_systems(actor, Perm.EDIT_CONTROLS, control.management_systems.all())
    except PermissionDenied as denied:
        if policies.edit_reach(actor.user, control) == policies.OWN:
            return policies.OWN
        systems: list[ManagementSystem | None] = [*control.management_systems.all()] or [None]
        if actor.user is not None and all(has_perm(actor.user, Perm.EDIT_OWN_CONTROLS, ms) for ms in systems):
            raise PermissionDenied(
                f"{actor.label} may update only the controls they own, and {control.ref_id} is "
                f"owned by {control.owner.email if control.owner else 'nobody'}."
            ) from None
        raise denied
    return policies.ALL


def _refuse_beyond_owner_fields(actor: Actor, control: Control, changes: dict[str, Any]) -> None:
    beyond = sorted(set(changes) - set(policies.OWNER_FIELDS))
    if beyond:
        raise PermissionDenied(
            f"{actor.label} owns {control.ref_id} and may update its "
            f"{', '.join(policies.OWNER_FIELDS)} — not its {', '.join(beyond)}. "
            "A compliance manager or an administrator changes those. Nothing was changed."
        )


def update_control(
    actor: Actor,
    control_ref: uuid.UUID | str,
    *,
    management_systems: Iterable[uuid.UUID | str] | None = None,
    tags: Iterable[str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> Control:
    """Change a control: every field with ``edit_controls`` over all its systems; its owner,
    with ``edit_own_controls``, may change :data:`keel.controls.policies.OWNER_FIELDS` only (a
    value sent unchanged is not a change). A refused change changes nothing.

    The row is locked while it is read and changed, and only the changed columns are written,
    so a concurrent update of another field is never lost. ``expected_version`` (the version
    the person saw) makes a save over someone else's newer change an
    :class:`~keel.platform.concurrency.EditConflict`."""
    with transaction.atomic():
        control = _locked_control(control_ref)
        scope = _edit_reach(actor, control)
        check_version(control, expected_version, f"Control {control.ref_id}")
        before = _snapshot(control)
        apply_fields(control, data, CONTROL_FIELDS)
        clean(control, "control")
        after = trail.snapshot(control, CONTROL_FIELDS)
        changed_fields = [n for n in CONTROL_FIELDS if before[n] != after[n]]
        if changed_fields:
            control.save(update_fields=[*changed_fields, "updated_at"])
        if management_systems is not None:
            systems = _systems(management_systems)
            if scope == policies.ALL:
                _check_on_systems(actor, Perm.EDIT_CONTROLS, systems)
            control.management_systems.set(systems)
        if tags is not None:
            control.tags.set(_tags(tags))
        changes = trail.diff(before, _snapshot(control))
        if scope == policies.OWN:
            _refuse_beyond_owner_fields(actor, control, changes)
        if changes:
            trail.record(actor, TrailAction.UPDATE, control, changes=changes)
    return control


def delete_control(actor: Actor, control_ref: uuid.UUID | str) -> None:
    with transaction.atomic():
        control = _locked_control(control_ref)
        _check_on_systems(actor, Perm.EDIT_CONTROLS, control.management_systems.all())
        before = _snapshot(control)
        before["links"] = [
            f"{lk.requirement.key} ({lk.coverage})" for lk in control.links.select_related("requirement")
        ]
        trail.record(actor, TrailAction.DELETE, control, changes=trail.diff(before, {}))
        control.delete()


def link_requirement(
    actor: Actor,
    control_ref: uuid.UUID | str,
    requirement_key: str,
    coverage: str = Coverage.FULL,
    note: str = "",
    expected_version: str | None = None,
    new_only: bool = False,
) -> ControlLink:
    """Link a control to a requirement (or change the coverage and note of an existing link;
    ``expected_version``: the version of that link the person saw). The control row is locked,
    so concurrent links to it queue.

    ``new_only`` (a person adding a link on a page or through the API): an existing link is a
    conflict, told only to someone allowed to change the control's links."""
    if coverage not in Coverage.values:
        raise ValidationFailed("Coverage is full or partial.", {"coverage": ["Choose full or partial."]})
    with transaction.atomic():
        control = _locked_control(control_ref)
        _check_on_systems(actor, Perm.EDIT_CONTROLS, control.management_systems.all())
        requirement = organisation_resolvers.requirement(requirement_key, current=True)
        link = (
            ControlLink.objects.select_for_update().filter(control=control, requirement=requirement).first()
        )
        if link is not None and new_only:
            raise Conflict(
                f"{control.ref_id} is already linked to {requirement.key}; change that link instead.",
                {"requirement": ["Already linked."]},
            )
        if link is None:
            link = _create_link(actor, control, requirement, coverage, note)
        else:
            check_version(link, expected_version, f"The link of {control.ref_id} to {requirement.key}")
            before = {"coverage": link.coverage, "note": link.note}
            link.coverage, link.note = coverage, note.strip()
            changes = trail.diff(before, {"coverage": link.coverage, "note": link.note})
            if changes:
                link.save(update_fields=["coverage", "note"])
                trail.record(actor, TrailAction.UPDATE, link, changes=changes)
    return link


def _create_link(
    actor: Actor, control: Control, requirement: Requirement, coverage: str, note: str
) -> ControlLink:
    link = ControlLink.objects.create(
        control=control, requirement=requirement, coverage=coverage, note=note.strip()
    )
    trail.record(
        actor,
        TrailAction.CREATE,
        link,
        object_repr=str(link)[:255],
        changes={
            "control": [None, control.ref_id],
            "requirement": [None, requirement.key],
            "coverage": [None, coverage],
            "note": [None, link.note],
        },
    )
    return link


def unlink_requirement(actor: Actor, link_id: uuid.UUID | str) -> None:
    with transaction.atomic():
        try:
            link = (
                ControlLink.objects.select_related("control", "requirement")
                .select_for_update(of=("self",))
                .get(pk=link_id)
            )
        except (ControlLink.DoesNotExist, ValueError, ValidationError):
            raise NotFound(f"No control link with id {link_id}.") from None
        _check_on_systems(actor, Perm.EDIT_CONTROLS, link.control.management_systems.all())
        trail.record(
            actor,
            TrailAction.DELETE,
            link,
            changes={
                "control": [link.control.ref_id, None],
                "requirement": [link.requirement.key, None],
                "coverage": [link.coverage, None],
                "note": [link.note, None],
            },
        )
        link.delete()


def adopt_templates(
    actor: Actor,
    template_keys: Iterable[str],
    management_system: uuid.UUID | str,
    *,
    owner: User | None = None,
) -> list[Control]:
    """Adopt templates into the catalogue in one step: one control per template, linked to the
    template's requirements with its coverage and notes, remembering its template. Templates
    already adopted are refused (edit the existing control instead)."""
    keys = list(dict.fromkeys(template_keys))
    if not keys:
        raise ValidationFailed("Choose at least one template to adopt.", {"templates": ["Required."]})
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_CONTROLS, ms)
    templates = {
        t.key: t
        for t in ControlTemplate.objects.filter(key__in=keys, withdrawn_at__isnull=True).prefetch_related(
            "links__requirement"
        )
    }
    missing = [k for k in keys if k not in templates]
    if missing:
        raise ValidationFailed(
            f"Unknown or withdrawn template(s): {', '.join(missing)}.",
            {"templates": [f"Unknown template {k!r}." for k in missing]},
        )
    adopted = set(Control.objects.filter(template__key__in=keys).values_list("template__key", flat=True))
    if adopted:
        raise Conflict(f"Already adopted: {', '.join(sorted(adopted))}. Edit those controls instead.")
    created: list[Control] = []
    with transaction.atomic():
        refresh_statistics_after_commit()  # thousands of rows at once: keep the planner informed
        for key in keys:
            t = templates[key]
            description = t.description + (
                f"\n\nAI management (ISO/IEC 42001): {t.ai_extension}" if t.ai_extension else ""
            )
            control = create_control(
                actor,
                management_systems=[ms.pk],
                ref_id=next_ref_id(),
                title=t.title,
                description=description,
                type=t.type,
                frequency=t.frequency,
                owner=owner,
                template=t,
            )
            for lk in t.links.all():
                _create_link(actor, control, lk.requirement, lk.coverage, lk.note)
            created.append(control)
    return created


# ---------------------------------------------------------------- bulk edit

UNSET: Any = object()


def bulk_update_controls(
    actor: Actor,
    control_refs: Iterable[uuid.UUID | str],
    *,
    status: str | None = None,
    effectiveness: str | None = None,
    owner: User | None = UNSET,
    add_tag: str | None = None,
) -> list[Control]:
    """Set the status, effectiveness or owner of several controls, or add a tag to them, in one
    transaction: one trail entry per control that changed. The actor needs ``edit_controls``
    over every system of every selected control — or, to set only the status or effectiveness,
    to own every selected control and hold ``edit_own_controls`` (see :func:`update_control`);
    otherwise nothing changes. Returns the controls that changed."""
    refs = list(dict.fromkeys(str(r) for r in control_refs))
    if not refs:
        raise ValidationFailed("Select at least one control.", {"controls": ["Select at least one control."]})
    if status is None and effectiveness is None and owner is UNSET and not (add_tag and add_tag.strip()):
        raise ValidationFailed(
            "Choose what to change: a status, an effectiveness, an owner or a tag to add.",
            {"__all__": ["Nothing to change."]},
        )
    if status is not None and status not in ImplementationStatus.values:
        raise ValidationFailed(
            f"Status must be one of: {', '.join(ImplementationStatus.values)}.",
            {"status": ["Unknown status."]},
        )
    if effectiveness is not None and effectiveness not in Effectiveness.values:
        raise ValidationFailed(
            f"Effectiveness must be one of: {', '.join(Effectiveness.values)}.",
            {"effectiveness": ["Unknown effectiveness."]},
        )
    ids: list[uuid.UUID] = []
    names: list[str] = []
    for r in refs:
        try:
            ids.append(uuid.UUID(r))
        except ValueError:
            names.append(r)
    with transaction.atomic():
        controls = list(
            Control.objects.filter(models.Q(pk__in=ids) | models.Q(ref_id__in=names))
            .select_for_update(of=("self",))  # locked in one order, so two bulk edits queue
            .prefetch_related("management_systems", "tags")
            .order_by("ref_id")
        )
        found = {str(c.pk) for c in controls} | {c.ref_id for c in controls}
        missing = [r for r in refs if r not in found]
        if missing:
            raise NotFound(f"No control(s): {', '.join(missing)}. Nothing was changed.")
        owner_fields_only = owner is UNSET and not (add_tag and add_tag.strip())
        for c in controls:
            if _edit_reach(actor, c) == policies.OWN and not owner_fields_only:
                raise PermissionDenied(
                    f"{actor.label} owns {c.ref_id} and may set its status and effectiveness, "
                    "not its owner or tags. Nothing was changed."
                )
        tag = _tags([add_tag])[0] if add_tag and add_tag.strip() else None
        changed: list[Control] = []
        for c in controls:
            before = _snapshot(c)
            fields = []
            if status is not None:
                c.status = status
                fields.append("status")
            if effectiveness is not None:
                c.effectiveness = effectiveness
                fields.append("effectiveness")
            if owner is not UNSET:
                c.owner = owner
                fields.append("owner")
            if tag is not None and tag not in c.tags.all():
                c.tags.add(tag)
            after = _snapshot(c)
            changes = trail.diff(before, after)
            if changes:
                if fields:
                    c.save(update_fields=[*fields, "updated_at"])
                trail.record(actor, TrailAction.UPDATE, c, changes=changes)
                changed.append(c)
    return changed
