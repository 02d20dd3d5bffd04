"""Creating, changing and withdrawing evidence, and adding versions (earlier ones never change)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.controls.services import _check_on_systems, _systems
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm
from keel.platform.records import apply_fields, clean, reject_control_characters

from .. import queries
from ..choices import EvidenceKind, EvidenceStatus
from ..models import Evidence, EvidenceVersion
from .common import EVIDENCE_FIELDS, _editable, _locked, _snapshot, next_ref_id
from .files import NewVersion, _create_version, _files_cleaned_on_failure, _prepare
from .links import _link_control, _link_requirement, _links


def create_evidence(
    actor: Actor,
    *,
    title: str,
    kind: str,
    version: NewVersion,
    description: str = "",
    owner: User | None = None,
    ref_id: str = "",
    management_systems: Iterable[uuid.UUID | str] | None = None,
    controls: Iterable[str] = (),
    requirements: Iterable[str] = (),
) -> Evidence:
    """Create evidence with its first version (a file or a link), linked to controls and
    requirements, in one transaction."""
    if kind not in EvidenceKind.values:
        raise ValidationFailed("kind is file or link.", {"kind": ["Choose file or link."]})
    systems = _systems(management_systems)
    _check_on_systems(actor, Perm.EDIT_EVIDENCE, systems)
    version, d = _prepare(kind, version)
    control_rows, requirement_rows = _links(controls, requirements, actor, systems)
    with _files_cleaned_on_failure() as written, transaction.atomic():
        evidence = Evidence(kind=kind, ref_id=(ref_id or "").strip() or next_ref_id())
        apply_fields(evidence, {"title": title, "description": description, "owner": owner}, EVIDENCE_FIELDS)
        clean(evidence, "evidence", exclude=["current_version"])
        evidence.save()
        evidence.management_systems.set(systems)
        trail.record(actor, TrailAction.CREATE, evidence, changes=trail.diff({}, _snapshot(evidence)))
        _create_version(actor, evidence, 1, version, d, written)
        for control in control_rows:
            _link_control(actor, evidence, control)
        for req in requirement_rows:
            _link_requirement(actor, evidence, req)
    return evidence


def add_version(actor: Actor, ref: uuid.UUID | str, version: NewVersion) -> EvidenceVersion:
    """Add a version (numbered after the highest); earlier versions and files stay as they are."""
    evidence = queries.get_evidence(ref)
    _editable(actor, evidence)
    version, d = _prepare(evidence.kind, version)
    with _files_cleaned_on_failure() as written, transaction.atomic():
        evidence = _locked(evidence.pk)
        _editable(actor, evidence)
        last = evidence.versions.order_by("-number").values_list("number", flat=True).first() or 0
        return _create_version(actor, evidence, last + 1, version, d, written)


def update_evidence(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    management_systems: Iterable[uuid.UUID | str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> Evidence:
    """Change the title, description, owner or management systems (never a version), under the
    row lock; ``expected_version`` makes a save over a newer change an EditConflict."""
    with transaction.atomic():
        evidence = _locked(ref)
        _editable(actor, evidence)
        check_version(evidence, expected_version, evidence.ref_id)
        before = _snapshot(evidence)
        if "ref_id" in data:
            value = (data.pop("ref_id") or "").strip()
            if value and value != evidence.ref_id:
                if Evidence.objects.filter(ref_id=value).exclude(pk=evidence.pk).exists():
                    raise Conflict(f"Another piece of evidence is already {value}.", {"ref_id": ["Taken."]})
                evidence.ref_id = value
        apply_fields(evidence, data, EVIDENCE_FIELDS)
        clean(evidence, "evidence", exclude=["current_version"])
        after = _snapshot(evidence)
        changed = [n for n in ("ref_id", *EVIDENCE_FIELDS) if before[n] != after[n]]
        if changed:  # only the changed columns: a concurrent change of another one is kept
            evidence.save(update_fields=[*changed, "updated_at"])
        if management_systems is not None:
            systems = _systems(management_systems)
            _check_on_systems(actor, Perm.EDIT_EVIDENCE, systems)
            evidence.management_systems.set(systems)
        changes = trail.diff(before, _snapshot(evidence))
        if changes:
            trail.record(actor, TrailAction.UPDATE, evidence, changes=changes)
    return evidence


def withdraw_evidence(actor: Actor, ref: uuid.UUID | str, reason: str = "") -> Evidence:
    """Withdraw evidence (what "delete" does): it leaves lists, the dashboard and the SoA; its
    versions, files, links and history stay and can still be read and downloaded."""
    reject_control_characters({"reason": reason})
    with transaction.atomic():
        evidence = _locked(ref)
        _editable(actor, evidence)
        evidence.status = EvidenceStatus.WITHDRAWN
        evidence.withdrawn_at = timezone.now()
        evidence.withdrawn_reason = reason.strip()
        evidence.save(update_fields=["status", "withdrawn_at", "withdrawn_reason", "updated_at"])
        trail.record(
            actor,
            TrailAction.DELETE,
            evidence,
            changes={
                "status": [EvidenceStatus.CURRENT, EvidenceStatus.WITHDRAWN],
                "reason": [None, reason.strip()],
            },
        )
    return evidence
