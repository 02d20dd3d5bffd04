"""Lifecycle records of an AI system (ISO/IEC 42001 A.6.2.2, A.6.2.3, A.6.2.7, A.6.2.8, A.7.6,
A.8.2): write, change, approve, withdraw. Changing the title or body of an approved record makes
a new draft revision — the approval covered the text that was approved, not the new one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.organisation import resolvers as organisation_resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean
from keel.standards.models import Requirement

from ..choices import RECORD_KIND_CONTROLS, LifecycleRecordKind, LifecycleRecordStatus
from ..models import AISystem, LifecycleRecord
from .lookups import get_system

RECORD_FIELDS = ("kind", "title", "body", "owner")
CONTENT_FIELDS = ("title", "body")


def get_record(ref: uuid.UUID | str, lock: bool = False) -> LifecycleRecord:
    qs = LifecycleRecord.objects.select_related("ai_system__management_system", "owner", "approved_by")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, LifecycleRecord.DoesNotExist):
        raise NotFound(f"No lifecycle record with id {ref}.") from None


def _requirements(refs: Iterable[str | Requirement]) -> list[Requirement]:
    """Requirements by full key or bare 42001 id (``A.6.2.2``), current ones only."""
    out: dict[int, Requirement] = {}
    for ref in refs:
        if isinstance(ref, str) and not ref.strip():
            continue
        req = organisation_resolvers.requirement(
            ref, standard="iso42001:2023", field="requirements", current=True
        )
        out.setdefault(req.pk, req)
    return list(out.values())


def _snapshot(record: LifecycleRecord) -> dict[str, Any]:
    data = trail.snapshot(record, [*RECORD_FIELDS, "revision", "status"])
    data["requirements"] = sorted(record.requirements.values_list("key", flat=True))
    return data


def _normalise(data: dict[str, Any]) -> None:
    """Markdown as stored: line ends as ``\\n``, no surrounding blank lines (a form posts
    ``\\r\\n``; saving a page unchanged must not look like a new text)."""
    if data.get("body") is not None:
        data["body"] = str(data["body"]).replace("\r\n", "\n").strip()


def _kind(data: dict[str, Any]) -> None:
    if "kind" in data and data["kind"] not in LifecycleRecordKind.values:
        raise ValidationFailed(
            f"kind must be one of: {', '.join(LifecycleRecordKind.values)}.", {"kind": ["Unknown kind."]}
        )


def create_record(
    actor: Actor,
    system_ref: uuid.UUID | str | AISystem,
    *,
    requirements: Iterable[str | Requirement] | None = None,
    **data: Any,
) -> LifecycleRecord:
    """Write a lifecycle record of an AI system, as a draft. ``requirements``: the 42001 controls
    it serves; default: the control of its kind (``RECORD_KIND_CONTROLS``)."""
    _kind(data)
    _normalise(data)
    with transaction.atomic():
        system = get_system(system_ref.pk if isinstance(system_ref, AISystem) else system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        record = LifecycleRecord(ai_system=system)
        apply_fields(record, data, RECORD_FIELDS)
        clean(record, "lifecycle record")
        if requirements is None:
            default = RECORD_KIND_CONTROLS[record.kind]
            found = Requirement.objects.filter(key=default).first()
            reqs = [found] if found is not None else []
        else:
            reqs = _requirements(requirements)
        record.save()
        record.requirements.set(reqs)
        trail.record(
            actor,
            TrailAction.CREATE,
            record,
            object_repr=f"{system.short_name}: {record.title}",
            management_system_id=system.management_system_id,
            changes={"ai_system": [None, system.short_name], **trail.diff({}, _snapshot(record))},
        )
    return record


def update_record(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    expected_version: str | None = None,
    requirements: Iterable[str | Requirement] | None = None,
    **data: Any,
) -> LifecycleRecord:
    """Change a record. A change of its title or body is a new content revision; an approved
    record whose content changes goes back to draft (approve it again)."""
    _kind(data)
    _normalise(data)
    for name in ("status", "revision", "approved_by", "approved_at"):
        if name in data:
            raise ValidationFailed(
                f"{name} is not set directly: approve or withdraw the record with its action.",
                {name: ["Use the approve or withdraw action."]},
            )
    with transaction.atomic():
        record = get_record(ref, lock=True)
        system = record.ai_system
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        check_version(record, expected_version, record.title)
        if record.status == LifecycleRecordStatus.WITHDRAWN:
            raise Conflict(f"{record.title} is withdrawn: write a new record instead.")
        before = _snapshot(record)
        apply_fields(record, data, RECORD_FIELDS)
        clean(record, "lifecycle record")
        if any(str(getattr(record, f)) != str(before[f] or "") for f in CONTENT_FIELDS):
            record.revision += 1
            if record.status == LifecycleRecordStatus.APPROVED:
                record.status = LifecycleRecordStatus.DRAFT
                record.approved_by = None
                record.approved_at = None
        record.save()
        if requirements is not None:
            record.requirements.set(_requirements(requirements))
        changes = trail.diff(before, _snapshot(record))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                record,
                object_repr=f"{system.short_name}: {record.title}",
                management_system_id=system.management_system_id,
                changes=changes,
            )
    return record


def _set_status(actor: Actor, ref: uuid.UUID | str, status: str, note: str = "") -> LifecycleRecord:
    with transaction.atomic():
        record = get_record(ref, lock=True)
        system = record.ai_system
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        if record.status == status:
            raise Conflict(f"{record.title} is already {LifecycleRecordStatus(status).label.lower()}.")
        if record.status == LifecycleRecordStatus.WITHDRAWN:
            raise Conflict(f"{record.title} is withdrawn: write a new record instead.")
        if status == LifecycleRecordStatus.APPROVED and not record.body.strip():
            raise ValidationFailed(
                f"{record.title} has no text yet: write what it records before approving it.",
                {"body": ["Empty."]},
            )
        before = record.status
        record.status = status
        if status == LifecycleRecordStatus.APPROVED:
            record.approved_by = actor.user
            record.approved_at = timezone.now()
        record.save()
        changes: dict[str, Any] = {"status": [before, status], "revision": [None, record.revision]}
        if note.strip():
            changes["note"] = [None, note.strip()]
        trail.record(
            actor,
            TrailAction.UPDATE,
            record,
            object_repr=f"{system.short_name}: {record.title}",
            management_system_id=system.management_system_id,
            changes=changes,
        )
    return record


def approve_record(actor: Actor, ref: uuid.UUID | str, note: str = "") -> LifecycleRecord:
    """Approve the current version of a record (it then supports the controls it serves)."""
    return _set_status(actor, ref, LifecycleRecordStatus.APPROVED, note)


def withdraw_record(actor: Actor, ref: uuid.UUID | str, note: str = "") -> LifecycleRecord:
    """Withdraw a record that no longer applies (kept, not deleted: the trail refers to it)."""
    return _set_status(actor, ref, LifecycleRecordStatus.WITHDRAWN, note)
