"""Write-side services of keel.changes: one transaction each, each records its trail entry.

A change's life: drafted (``create``) → ``submit`` → ``approve`` (every gate of its kind holds,
:mod:`keel.changes.gates`; the approver holds ``approve_changes`` and is not the requester) or
``reject`` (with the reason) → ``implement`` → ``close`` (with the post-implementation review).
A draft or submitted change may be edited (``update``); an approved one never changes: request a
new change. Every read-change-save locks the change's row first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.aisystems.models import AISystem, ModelVersion
from keel.aisystems.services import find_model_version, get_system
from keel.evidence.models import Evidence
from keel.impact.models import ImpactAssessment
from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.permissions import Perm, check, has_perm
from keel.platform.records import apply_fields, clean, reject_control_characters

from . import gates
from .choices import EDITABLE, FAMILY_TYPES, ChangeFamily, ChangeStatus, ChangeType
from .models import Change

PREFIX = "CHG-"
TEXT_FIELDS = (
    "title",
    "description",
    "planned_on",
    "risk_notes",
    "test_plan",
    "rollback_plan",
    "purpose",
    "consequences",
    "resources",
    "responsibilities",
)
FIELDS = (*TEXT_FIELDS, "kind", "requester", "owner", "ai_system", "model_version", "impact_assessment")
TRAIL_FIELDS = ("ref_id", "management_system", "family", *FIELDS, "status")


def get(ref: uuid.UUID | str, lock: bool = False) -> Change:
    """A change by id or reference (CHG-004), no permission check; ``lock``: its row locked."""
    qs = Change.objects.select_related("management_system", "ai_system", "model_version__model", "requester")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No change {str(ref)[:60]!r}: give its id or reference (e.g. CHG-004).")
    return found


def _snapshot(change: Change) -> dict[str, Any]:
    data = trail.snapshot(change, TRAIL_FIELDS)
    data["evidence"] = sorted(e.ref_id for e in change.evidence.all()) if change.pk else []
    data["management_systems"] = (
        sorted(m.short_name for m in change.management_systems.all()) if change.pk else []
    )
    return data


def _person(value: Any, field: str) -> Any:
    person = resolvers.user_by_email(value, field) if value else None
    if person is None:
        raise ValidationFailed(f"Name the change's {field} (a person's email).", {field: ["Required."]})
    return person


def _ai_system(value: Any) -> AISystem | None:
    if value in (None, ""):
        return None
    if isinstance(value, AISystem):
        return value
    try:
        return get_system(value)
    except NotFound as exc:
        raise ValidationFailed(exc.message, {"ai_system": ["Unknown AI system."]}) from None


def _resolve(change: Change, data: dict[str, Any]) -> dict[str, Any]:
    """Turn references into rows: people by email, the AI system by short name, the model
    version as ``MODEL@LABEL``/label/id of that system, the impact assessment by id or version."""
    out = dict(data)
    reject_control_characters({k: v for k, v in out.items() if isinstance(v, str)})
    for field in ("requester", "owner"):
        if field in out:
            out[field] = _person(out[field], field)
    if "ai_system" in out:
        out["ai_system"] = _ai_system(out["ai_system"])
    system = out.get("ai_system", change.ai_system)
    if out.get("model_version") not in (None, "") and not isinstance(out["model_version"], ModelVersion):
        if system is None:
            raise ValidationFailed(
                "Name the AI system before its model version.", {"model_version": ["No AI system."]}
            )
        out["model_version"] = find_model_version(system, out["model_version"])
    elif "model_version" in out and out["model_version"] in (None, ""):
        out["model_version"] = None
    ia = out.get("impact_assessment")
    if ia not in (None, "") and not isinstance(ia, ImpactAssessment):
        qs = (
            ImpactAssessment.objects.filter(ai_system=system)
            if system is not None
            else ImpactAssessment.objects.none()
        )
        pk = resolvers.as_uuid(ia)
        found = (
            qs.filter(pk=pk).first()
            if pk
            else qs.filter(version=int(str(ia))).first()
            if str(ia).isdigit()
            else None
        )
        if found is None:
            raise ValidationFailed(
                f"No impact assessment {str(ia)[:60]!r} of the change's AI system: give its id or version number.",
                {"impact_assessment": ["Unknown impact assessment."]},
            )
        out["impact_assessment"] = found
    elif "impact_assessment" in out and ia in (None, ""):
        out["impact_assessment"] = None
    return out


def _evidence(change: Change, refs: Iterable[Any]) -> list[Evidence]:
    """Evidence by reference or id; each must be of the change's management system (or of the
    whole organisation)."""
    out: list[Evidence] = []
    unknown: list[str] = []
    for ref in dict.fromkeys(str(r).strip() for r in refs if str(r).strip()):
        pk = resolvers.as_uuid(ref)
        found = (
            Evidence.objects.filter(pk=pk) if pk else Evidence.objects.filter(ref_id__iexact=ref)
        ).first()
        if found is None:
            unknown.append(ref)
        else:
            out.append(found)
    if unknown:
        raise ValidationFailed(
            f"No evidence {', '.join(unknown)}: give references such as EV-007.",
            {"evidence": ["Unknown evidence."]},
        )
    for e in out:
        resolvers.same_system(
            change.management_system_id,
            list(e.management_systems.values_list("pk", flat=True)),
            what=f"evidence {e.ref_id}",
            field="evidence",
        )
    return out


def _check_consistency(change: Change) -> None:
    """The kind belongs to the family; a model lifecycle change names its AI system (and belongs
    to that system's management system) and the version it releases comes from that system."""
    if change.family not in ChangeFamily.values:
        raise ValidationFailed(
            f"family is one of: {', '.join(ChangeFamily.values)}.", {"family": ["Unknown family."]}
        )
    kinds = FAMILY_TYPES[change.family]
    if change.kind not in kinds:
        raise ValidationFailed(
            f"A {ChangeFamily(change.family).label.lower()} is of kind {', '.join(kinds)}; not {change.kind!r}.",
            {"kind": ["Not a kind of this family."]},
        )
    if change.family == ChangeFamily.MODEL_LIFECYCLE:
        if change.ai_system is None:
            raise ValidationFailed(
                "A model lifecycle change names its AI system.",
                {"ai_system": ["Required for model lifecycle."]},
            )
        if change.ai_system.management_system_id != change.management_system_id:
            raise ValidationFailed(
                "The AI system belongs to another management system than the change.",
                {"ai_system": ["Another management system."]},
            )
        if (
            change.model_version is not None
            and change.model_version.model.ai_system_id != change.ai_system_id
        ):
            raise ValidationFailed(
                "The model version is not one of the change's AI system.",
                {"model_version": ["Another AI system."]},
            )
    else:
        for field in ("ai_system", "model_version", "impact_assessment"):
            if getattr(change, field) is not None:
                raise ValidationFailed(
                    f"Only a model lifecycle change names {field.replace('_', ' ')}.",
                    {field: ["Only for model lifecycle changes."]},
                )


def create(
    actor: Actor,
    *,
    family: str,
    management_system: uuid.UUID | str | ManagementSystem | None = None,
    management_systems: Iterable[Any] | None = None,
    evidence: Iterable[Any] = (),
    **data: Any,
) -> Change:
    """Draft a change. A model lifecycle change takes its AI system's management system when
    ``management_system`` is left out."""
    with transaction.atomic():
        change = Change(family=family)
        values = _resolve(change, data)
        system = values.get("ai_system")
        if management_system in (None, "") and system is not None:
            ms = system.management_system
        else:
            ms = resolvers.management_system(management_system, resolvers.TRUSTED)
        check(actor, Perm.EDIT_CHANGES, ms)
        change.management_system = ms
        if "requester" not in values:
            if actor.user is None:
                raise ValidationFailed("Name who requests the change.", {"requester": ["Required."]})
            values["requester"] = actor.user
        values.setdefault("owner", values["requester"])
        if values.get("kind") in (None, ""):
            raise ValidationFailed("Choose the kind of change.", {"kind": ["Required."]})
        apply_fields(change, values, FIELDS)
        _check_consistency(change)
        systems = resolvers.management_systems(management_systems, actor) if management_systems else []
        if systems and family != ChangeFamily.MANAGEMENT_SYSTEM:
            raise ValidationFailed(
                "Only a management-system change names the systems it changes.",
                {"management_systems": ["Only for management-system changes."]},
            )
        change.ref_id = next_ref(Change, PREFIX)
        clean(change, "change")
        change.save()
        change.evidence.set(_evidence(change, evidence))
        change.management_systems.set(systems or ([ms] if family == ChangeFamily.MANAGEMENT_SYSTEM else []))
        trail.record(actor, TrailAction.CREATE, change, changes=trail.diff({}, _snapshot(change)))
    return change


def update(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    expected_version: str | None = None,
    evidence: Iterable[Any] | None = None,
    management_systems: Iterable[Any] | None = None,
    **data: Any,
) -> Change:
    """Change a draft or submitted change (its family and management system stay)."""
    with transaction.atomic():
        change = get(ref, lock=True)
        check(actor, Perm.EDIT_CHANGES, change.management_system)
        check_version(change, expected_version, change.ref_id)
        if change.status not in EDITABLE:
            raise Conflict(
                f"{change.ref_id} is {change.get_status_display().lower()}: only draft and submitted changes "
                "are edited. Request a new change instead."
            )
        before = _snapshot(change)
        apply_fields(change, _resolve(change, data), FIELDS)
        if change.requester_id is None or change.owner_id is None:
            raise ValidationFailed("A change names its requester and owner.", {"owner": ["Required."]})
        _check_consistency(change)
        clean(change, "change")
        if trail.snapshot(change, TRAIL_FIELDS) != {k: before[k] for k in TRAIL_FIELDS}:
            change.save()  # an unchanged save writes nothing (the version stays)
        if evidence is not None:
            change.evidence.set(_evidence(change, evidence))
        if management_systems is not None:
            if change.family != ChangeFamily.MANAGEMENT_SYSTEM:
                raise ValidationFailed(
                    "Only a management-system change names the systems it changes.",
                    {"management_systems": ["Only for management-system changes."]},
                )
            change.management_systems.set(resolvers.management_systems(management_systems, actor))
        changes = trail.diff(before, _snapshot(change))
        if changes:
            trail.record(actor, TrailAction.UPDATE, change, changes=changes)
    return change


def _move(actor: Actor, change: Change, to: str, what: str, **stamps: Any) -> Change:
    before = trail.snapshot(change, ("status", *stamps))
    change.status = to
    for name, value in stamps.items():
        setattr(change, name, value)
    change.save()
    trail.record(
        actor,
        TrailAction.UPDATE,
        change,
        changes=trail.diff(before, trail.snapshot(change, ("status", *stamps))),
    )
    return change


def _expect(change: Change, *states: str, to: str) -> None:
    if change.status not in states:
        allowed = " or ".join(ChangeStatus(s).label.lower() for s in states)
        raise Conflict(
            f"{change.ref_id} is {change.get_status_display().lower()}: only a change that is {allowed} can be {to}."
        )


def submit(actor: Actor, ref: uuid.UUID | str) -> Change:
    """Submit a draft for approval: its gates are answered from now on (reviews dated after
    this moment count for it)."""
    with transaction.atomic():
        change = get(ref, lock=True)
        check(actor, Perm.EDIT_CHANGES, change.management_system)
        _expect(change, ChangeStatus.DRAFT, to="submitted")
        if (
            change.family == ChangeFamily.MODEL_LIFECYCLE
            and change.kind != ChangeType.RETIREMENT
            and change.model_version is None
        ):
            raise ValidationFailed(
                "Name the model version the change releases before submitting it.",
                {"model_version": ["Required to submit a model lifecycle change."]},
            )
        return _move(actor, change, ChangeStatus.SUBMITTED, "submitted", submitted_at=timezone.now())


def may_approve(user: Any, change: Change) -> str:
    """Why ``user`` may not approve or reject ``change`` (empty: they may)."""
    if user is None:
        return "Approving a change needs a named approver (a user holding approve_changes)."
    if not has_perm(user, Perm.APPROVE_CHANGES, change.management_system_id):
        return f"{user.email} does not hold approve_changes over {change.management_system.short_name}."
    if user.pk == change.requester_id:
        return f"{user.email} requested {change.ref_id}: someone else approves it."
    return ""


def _approver(actor: Actor, change: Change) -> Any:
    check(actor, Perm.APPROVE_CHANGES, change.management_system)
    problem = may_approve(actor.user, change)
    if problem:
        raise PermissionDenied(problem)
    return actor.user


def approve(actor: Actor, ref: uuid.UUID | str, note: str = "") -> Change:
    """Approve a submitted change: refused, naming every missing gate, unless all hold."""
    with transaction.atomic():
        change = get(ref, lock=True)
        user = _approver(actor, change)
        _expect(change, ChangeStatus.SUBMITTED, to="approved")
        problem = gates.refusal(change, gates.gates_of(change))
        if problem:
            raise ValidationFailed(problem, {"gates": [problem]})
        reject_control_characters({"note": note})
        return _move(
            actor,
            change,
            ChangeStatus.APPROVED,
            "approved",
            approver=user,
            approved_at=timezone.now(),
            decision_note=note.strip(),
        )


def reject(actor: Actor, ref: uuid.UUID | str, reason: str) -> Change:
    """Reject a submitted change, with the reason."""
    with transaction.atomic():
        change = get(ref, lock=True)
        user = _approver(actor, change)
        _expect(change, ChangeStatus.SUBMITTED, to="rejected")
        if not (reason or "").strip():
            raise ValidationFailed("Give the reason for rejecting the change.", {"reason": ["Required."]})
        reject_control_characters({"reason": reason})
        return _move(
            actor,
            change,
            ChangeStatus.REJECTED,
            "rejected",
            approver=user,
            rejected_at=timezone.now(),
            decision_note=reason.strip(),
        )


def implement(actor: Actor, ref: uuid.UUID | str, note: str = "") -> Change:
    """Record that an approved change was implemented."""
    with transaction.atomic():
        change = get(ref, lock=True)
        check(actor, Perm.EDIT_CHANGES, change.management_system)
        _expect(change, ChangeStatus.APPROVED, to="implemented")
        reject_control_characters({"note": note})
        return _move(
            actor,
            change,
            ChangeStatus.IMPLEMENTED,
            "implemented",
            implemented_at=timezone.now(),
            implementation_note=note.strip(),
        )


def close(actor: Actor, ref: uuid.UUID | str, review: str) -> Change:
    """Close an implemented change with its post-implementation review (did it do what it
    should, with what side effects)."""
    with transaction.atomic():
        change = get(ref, lock=True)
        check(actor, Perm.EDIT_CHANGES, change.management_system)
        _expect(change, ChangeStatus.IMPLEMENTED, to="closed")
        if not (review or "").strip():
            raise ValidationFailed(
                "Write the post-implementation review before closing the change.", {"review": ["Required."]}
            )
        reject_control_characters({"review": review})
        return _move(
            actor, change, ChangeStatus.CLOSED, "closed", closed_at=timezone.now(), review_note=review.strip()
        )
