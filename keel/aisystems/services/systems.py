"""AI systems: add one to the inventory, change its description, move it through the lifecycle
(into deployment or operation through the gate), retire it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean, reject_control_characters

from .. import gates
from ..choices import LifecycleStage, ModelVersionStatus
from ..models import AISystem, ModelVersion
from .common import STAGE_ORDER, SYSTEM_FIELDS, _list, _not_reserved, _roles, _same_set, resolve_supplier
from .lookups import find_model_version, get_system


def _system_snapshot(system: AISystem) -> dict[str, Any]:
    data = trail.snapshot(system, [*SYSTEM_FIELDS, "management_system", "lifecycle_stage"])
    return data


def create_system(
    actor: Actor,
    *,
    management_system: uuid.UUID | str | ManagementSystem,
    lifecycle_stage: str = LifecycleStage.DESIGN,
    existing_reason: str = "",
    **data: Any,
) -> AISystem:
    """Add an AI system to the inventory. A system is born in design, development or
    verification; one already in service before Keel is recorded in its stage (deployment,
    operation or retired) only with ``existing_reason`` — the trail marks it as recorded
    history, not as a passed gate."""
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_AI_SYSTEMS, ms)
    if lifecycle_stage not in STAGE_ORDER:
        raise ValidationFailed(
            f"lifecycle_stage must be one of: {', '.join(STAGE_ORDER)}.",
            {"lifecycle_stage": ["Unknown stage."]},
        )
    existing_reason = (existing_reason or "").strip()
    late = lifecycle_stage in gates.GATED_STAGES or lifecycle_stage == LifecycleStage.RETIRED
    if late and not existing_reason:
        message = (
            f"A new AI system cannot start in {LifecycleStage(lifecycle_stage).label.lower()}: create it "
            "in design, development or verification and move it through the deployment gate, or, for "
            "a system already in service before Keel, record it as existing with a reason."
        )
        raise ValidationFailed(message, {"lifecycle_stage": [message]})
    if existing_reason and not late:
        raise ValidationFailed(
            "A reason for recording an existing system is only for systems already in deployment, "
            "operation or retired.",
            {"existing_reason": ["Leave empty for a new system."]},
        )
    reject_control_characters({"existing_reason": existing_reason})
    data = dict(data)
    if "ai_roles" in data:
        data["ai_roles"] = _roles(data["ai_roles"])
    if "deployment_regions" in data:
        data["deployment_regions"] = _list(data["deployment_regions"], "deployment_regions")
    resolve_supplier(data, actor)
    with transaction.atomic():
        system = AISystem(management_system=ms, lifecycle_stage=lifecycle_stage)
        apply_fields(system, data, SYSTEM_FIELDS)
        if lifecycle_stage == LifecycleStage.RETIRED:
            system.retired_at = timezone.now()
        _not_reserved(system)
        clean(system, "AI system")
        system.save()
        changes: dict[str, Any] = trail.diff({}, _system_snapshot(system))
        if existing_reason:
            changes["recorded_as_existing"] = [None, existing_reason]
        trail.record(actor, TrailAction.CREATE, system, changes=changes)
    return system


def update_system(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    management_system: uuid.UUID | str | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> AISystem:
    """Change an AI system's description (not its stage: :func:`change_stage`). Its row is
    locked first; ``expected_version`` (the version the person saw) makes a stale edit a
    conflict."""
    if "lifecycle_stage" in data:
        raise ValidationFailed(
            "Change the lifecycle stage with the stage action (it passes the deployment gate).",
            {"lifecycle_stage": ["Use the stage action."]},
        )
    data = dict(data)
    if "ai_roles" in data:
        data["ai_roles"] = _roles(data["ai_roles"])
    if "deployment_regions" in data:
        data["deployment_regions"] = _list(data["deployment_regions"], "deployment_regions")
    resolve_supplier(data, actor)
    with transaction.atomic():
        system = get_system(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        check_version(system, expected_version, system.name)
        _same_set(data, system, "ai_roles", "deployment_regions")
        before = _system_snapshot(system)
        apply_fields(system, data, SYSTEM_FIELDS)
        if management_system is not None:
            ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
            check(actor, Perm.EDIT_AI_SYSTEMS, ms)
            system.management_system = ms
        _not_reserved(system)
        clean(system, "AI system")
        system.save()
        changes = trail.diff(before, _system_snapshot(system))
        if changes:
            trail.record(actor, TrailAction.UPDATE, system, changes=changes)
        if "intended_use" in changes:
            hooks.call(
                "aisystem.changed",
                actor=actor,
                system=system,
                what="intended_use",
                detail="the intended use was changed",
            )
    return system


def _version_to_deploy(system: AISystem, model_version: uuid.UUID | str | None) -> ModelVersion | None:
    """The version a move into deployment or operation deploys: the one named; else none when
    the system already runs deployed versions (they are checked) or has no version at all (the
    gate refuses it); else the system's only version. Several versions and none named: the
    caller must name one."""
    if model_version:
        return find_model_version(system, model_version)
    qs = ModelVersion.objects.select_related("model").filter(model__ai_system=system)
    if qs.filter(status=ModelVersionStatus.DEPLOYED).exists():
        return None
    versions = list(qs.order_by("model__name", "created_at")[:2])
    if len(versions) == 1:
        return versions[0]
    if not versions:
        return None  # the gate names it: nothing to deploy
    known = ", ".join(f"{v.model.name}@{v.label}" for v in qs.order_by("model__name", "created_at"))
    message = f"Name the model version to deploy ({known}): the gate checks that version's evaluations."
    raise ValidationFailed(message, {"model_version": [message]})


def _mark_deployed(actor: Actor, system: AISystem, version: ModelVersion, note: str) -> None:
    """``version`` is in service: it passed the gate. The version of the same model it replaces
    is retired."""
    seen = version.status
    version = ModelVersion.objects.select_for_update().select_related("model").get(pk=version.pk)
    if version.status != seen:
        # deployed or retired by someone else between the gate's read and this lock (a version
        # that was already retired when read may be deployed again: that is a rollback)
        if version.status == ModelVersionStatus.DEPLOYED:
            raise Conflict(f"Model version {version} is already deployed.")
        raise Conflict(
            f"Model version {version.model.name}@{version.label} changed while it was being deployed "
            f"(it is now {version.get_status_display().lower()}); nothing was deployed. Check it and try again."
        )
    replaced = list(
        ModelVersion.objects.select_for_update()
        .select_related("model")
        .filter(model=version.model, status=ModelVersionStatus.DEPLOYED)
        .exclude(pk=version.pk)
    )
    for old in replaced:
        old.status = ModelVersionStatus.RETIRED
        old.save(update_fields=["status", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            old,
            object_repr=f"{system.short_name}: {old}",
            management_system_id=system.management_system_id,
            changes={
                "status": [ModelVersionStatus.DEPLOYED, old.status],
                "replaced_by": [None, version.label],
            },
        )
    before = version.status
    version.status = ModelVersionStatus.DEPLOYED
    version.deployed_at = timezone.now()
    version.save(update_fields=["status", "deployed_at", "updated_at"])
    changes: dict[str, Any] = {"status": [before, version.status], "gate": [None, "passed"]}
    if note.strip():
        changes["note"] = [None, note.strip()]
    trail.record(
        actor,
        TrailAction.UPDATE,
        version,
        object_repr=f"{system.short_name}: {version}",
        management_system_id=system.management_system_id,
        changes=changes,
    )


def _refuse(system: AISystem, what: str, blockers: list[str]) -> None:
    if blockers:
        raise Conflict(
            f"{system.name} cannot {what}: " + "; and ".join(blockers) + ". Nothing was changed.",
            {"stage": blockers, "model_version": blockers},
        )


def _move(actor: Actor, system: AISystem, stage: str, note: str) -> None:
    current = system.lifecycle_stage
    system.lifecycle_stage = stage
    system.retired_at = timezone.now() if stage == LifecycleStage.RETIRED else None
    system.save(update_fields=["lifecycle_stage", "retired_at", "updated_at"])
    changes: dict[str, Any] = {"lifecycle_stage": [current, stage]}
    if note.strip():
        changes["note"] = [None, note.strip()]
    trail.record(actor, TrailAction.UPDATE, system, changes=changes)
    hooks.call(
        "aisystem.changed",
        actor=actor,
        system=system,
        what="stage",
        detail=f"moved from {LifecycleStage(current).label.lower()} to {LifecycleStage(stage).label.lower()}",
        old_stage=current,
        new_stage=stage,
    )


def change_stage(
    actor: Actor,
    ref: uuid.UUID | str,
    stage: str,
    note: str = "",
    model_version: uuid.UUID | str | None = None,
) -> AISystem:
    """Move an AI system to another lifecycle stage. Into deployment or operation it passes the
    gate for a model version — ``model_version`` (id, ``MODEL@LABEL`` or label), else the
    versions it already runs, else its only version: that version's evaluations must pass, and
    an approved impact assessment must be in force; the version named is then deployed.
    Retirement is final."""
    if stage not in STAGE_ORDER:
        raise ValidationFailed(
            f"stage must be one of: {', '.join(STAGE_ORDER)}.", {"stage": ["Unknown stage."]}
        )
    reject_control_characters({"note": note})
    with transaction.atomic():
        system = get_system(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        current = system.lifecycle_stage
        if stage == current:
            raise Conflict(f"{system.name} is already in {LifecycleStage(stage).label.lower()}.")
        if current == LifecycleStage.RETIRED:
            raise Conflict(
                f"{system.name} is retired, and retirement is final: add a new AI system to the "
                "inventory if it comes back into use."
            )
        deploying = None
        if stage in gates.GATED_STAGES:
            deploying = _version_to_deploy(system, model_version)
            _refuse(
                system,
                f"move to {LifecycleStage(stage).label.lower()}",
                gates.deployment_blockers(system, deploying),
            )
        elif model_version:
            raise ValidationFailed(
                "A model version is named only when moving into deployment or operation.",
                {"model_version": ["Only for deployment or operation."]},
            )
        _move(actor, system, stage, note)
        if deploying is not None and deploying.status != ModelVersionStatus.DEPLOYED:
            _mark_deployed(actor, system, deploying, note)
    return system


def deploy_model_version(
    actor: Actor, system_ref: uuid.UUID | str, model_version: uuid.UUID | str, note: str = ""
) -> gates.GateResult:
    """Deploy a model version of an AI system through the gate: refused, with the reasons, unless
    that version's latest evaluations passed and an approved impact assessment is in force. A
    system still before deployment moves into deployment with it; the version of the same model
    it replaces is retired."""
    reject_control_characters({"note": note})
    with transaction.atomic():
        system = get_system(system_ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        version = find_model_version(system, model_version)
        if version.status == ModelVersionStatus.DEPLOYED:
            raise Conflict(f"Model version {version} is already deployed.")
        result = gates.check(system, version)
        _refuse(system, f"deploy model version {version}", result.blockers)
        if system.lifecycle_stage not in gates.GATED_STAGES:
            _move(actor, system, LifecycleStage.DEPLOYMENT, note)
        _mark_deployed(actor, system, version, note)
        version.refresh_from_db()
    return result


def retire_system(actor: Actor, ref: uuid.UUID | str, note: str = "") -> AISystem:
    return change_stage(actor, ref, LifecycleStage.RETIRED, note)
