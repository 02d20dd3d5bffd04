"""Models of an AI system and their versions: which datasets each version was trained and
evaluated on. A version's status changes only through the deployment gate
(:func:`keel.aisystems.services.systems.deploy_model_version`) or when a version already in
service before Keel is recorded as such (``existing_reason``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean, reject_control_characters

from ..choices import ModelVersionStatus
from ..models import AIModel, Dataset, ModelVersion
from .common import MODEL_FIELDS, VERSION_FIELDS, resolve_supplier
from .datasets import _datasets
from .lookups import get_model, get_model_version, get_system


def create_model(
    actor: Actor,
    system_ref: uuid.UUID | str,
    *,
    version: str = "",
    training_date: dt.date | None = None,
    **data: Any,
) -> AIModel:
    """Add a model to an AI system; ``version``: the label of its first version, made with it
    (more versions: :func:`create_model_version`)."""
    with transaction.atomic():
        system = get_system(system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        model = AIModel(ai_system=system)
        data = dict(data)
        resolve_supplier(data, actor)
        apply_fields(model, data, MODEL_FIELDS)
        clean(model, "model")
        if AIModel.objects.filter(ai_system=system, name=model.name).exists():
            raise Conflict(
                f"{system.short_name} already has a model named {model.name!r}: add a version to it instead.",
                {"name": ["Already a model of this system."]},
            )
        model.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            model,
            management_system_id=system.management_system_id,
            changes={
                "ai_system": [None, system.short_name],
                **trail.diff({}, trail.snapshot(model, MODEL_FIELDS)),
            },
        )
        hooks.call(
            "aisystem.changed", actor=actor, system=system, what="model", detail=f"model {model} was added"
        )
        if str(version or "").strip():
            _create_version(actor, model, label=str(version), training_date=training_date)
    return model


def update_model(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> AIModel:
    with transaction.atomic():
        model = get_model(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, model.ai_system.management_system)
        check_version(model, expected_version, f"Model {model}")
        before = trail.snapshot(model, MODEL_FIELDS)
        data = dict(data)
        resolve_supplier(data, actor)
        apply_fields(model, data, MODEL_FIELDS)
        clean(model, "model")
        model.save()
        changes = trail.diff(before, trail.snapshot(model, MODEL_FIELDS))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                model,
                management_system_id=model.ai_system.management_system_id,
                changes=changes,
            )
    return model


# ---------------------------------------------------------------- versions


def _version_snapshot(version: ModelVersion) -> dict[str, Any]:
    data = trail.snapshot(version, [*VERSION_FIELDS, "status"])
    data["trained_on"] = sorted(version.trained_on.values_list("short_name", flat=True))
    data["evaluated_on"] = sorted(version.evaluated_on.values_list("short_name", flat=True))
    return data


def _usable(datasets: list[Dataset], flag: str, use: str, field: str) -> list[Dataset]:
    """Refuse a dataset that is not marked for this use (``may_train`` / ``may_evaluate``)."""
    refused = [d.short_name for d in datasets if not getattr(d, flag)]
    if refused:
        names = ", ".join(refused)
        message = (
            f"{names} {'is' if len(refused) == 1 else 'are'} not marked for AI {use} ({flag} is off): "
            f"change the dataset first if its rights and classification allow {use}, or leave it out. "
            "Nothing was changed."
        )
        raise ValidationFailed(message, {field: [message]})
    return datasets


def _set_datasets(
    actor: Actor,
    version: ModelVersion,
    trained_on: Iterable[uuid.UUID | str] | None,
    evaluated_on: Iterable[uuid.UUID | str] | None,
) -> None:
    ms = version.model.ai_system.management_system
    if trained_on is not None:
        found = _datasets(trained_on, "trained_on", actor, ms)
        version.trained_on.set(_usable(found, "may_train", "training", "trained_on"))
    if evaluated_on is not None:
        found = _datasets(evaluated_on, "evaluated_on", actor, ms)
        version.evaluated_on.set(_usable(found, "may_evaluate", "evaluation", "evaluated_on"))


def _create_version(
    actor: Actor,
    model: AIModel,
    *,
    label: str,
    training_date: dt.date | None = None,
    notes: str = "",
    trained_on: Iterable[uuid.UUID | str] = (),
    evaluated_on: Iterable[uuid.UUID | str] = (),
    status: str = ModelVersionStatus.DEVELOPMENT,
    existing_reason: str = "",
) -> ModelVersion:
    system = model.ai_system
    existing_reason = (existing_reason or "").strip()
    reject_control_characters({"existing_reason": existing_reason})
    if status not in ModelVersionStatus.values:
        raise ValidationFailed(
            f"status must be one of: {', '.join(ModelVersionStatus.values)}.", {"status": ["Unknown status."]}
        )
    if status != ModelVersionStatus.DEVELOPMENT and not existing_reason:
        message = (
            "A new model version starts in development: deploy it through the deployment gate, or, for "
            "a version already in service before Keel, record it as existing with a reason."
        )
        raise ValidationFailed(message, {"status": [message]})
    if existing_reason and status == ModelVersionStatus.DEVELOPMENT:
        raise ValidationFailed(
            "A reason for recording an existing version is only for versions deployed or retired before Keel.",
            {"existing_reason": ["Leave empty for a new version."]},
        )
    version = ModelVersion(model=model, status=status)
    apply_fields(version, {"label": label, "training_date": training_date, "notes": notes}, VERSION_FIELDS)
    version.label = version.label.strip()
    if status == ModelVersionStatus.DEPLOYED:
        version.deployed_at = timezone.now()
    clean(version, "model version")
    if ModelVersion.objects.filter(model=model, label=version.label).exists():
        raise Conflict(
            f"{model.name} already has a version {version.label!r}: version labels are unique per model.",
            {"label": ["Already a version of this model."]},
        )
    version.save()
    _set_datasets(actor, version, trained_on, evaluated_on)
    changes: dict[str, Any] = {
        "ai_system": [None, system.short_name],
        "model": [None, model.name],
        **trail.diff({}, _version_snapshot(version)),
    }
    if existing_reason:
        changes["recorded_as_existing"] = [None, existing_reason]
    trail.record(
        actor,
        TrailAction.CREATE,
        version,
        object_repr=f"{system.short_name}: {version}",
        management_system_id=system.management_system_id,
        changes=changes,
    )
    hooks.call(
        "aisystem.changed",
        actor=actor,
        system=system,
        what="model",
        detail=f"model version {version} was added",
    )
    return version


def create_model_version(
    actor: Actor, model_ref: uuid.UUID | str | AIModel, *, label: str, **data: Any
) -> ModelVersion:
    """Add a version to a model, with the datasets it was trained and evaluated on (each must be
    marked for that use). It starts in development; only a version already in service before Keel
    is recorded as deployed or retired, with ``existing_reason``."""
    with transaction.atomic():
        model = get_model(model_ref.pk if isinstance(model_ref, AIModel) else model_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, model.ai_system.management_system)
        return _create_version(actor, model, label=label, **data)


def update_model_version(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    expected_version: str | None = None,
    trained_on: Iterable[uuid.UUID | str] | None = None,
    evaluated_on: Iterable[uuid.UUID | str] | None = None,
    **data: Any,
) -> ModelVersion:
    """Change a version's label, training date, notes or datasets (not its status: the gate)."""
    if "status" in data:
        raise ValidationFailed(
            "A model version's status changes through the deployment gate (deploy) or by retiring it.",
            {"status": ["Use the deploy or retire action."]},
        )
    with transaction.atomic():
        version = get_model_version(ref, lock=True)
        system = version.model.ai_system
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        check_version(version, expected_version, f"Model version {version}")
        before = _version_snapshot(version)
        apply_fields(version, data, VERSION_FIELDS)
        version.label = version.label.strip()
        clean(version, "model version")
        if (
            ModelVersion.objects.filter(model=version.model, label=version.label)
            .exclude(pk=version.pk)
            .exists()
        ):
            raise Conflict(
                f"{version.model.name} already has a version {version.label!r}.",
                {"label": ["Already a version of this model."]},
            )
        version.save()
        _set_datasets(actor, version, trained_on, evaluated_on)
        changes = trail.diff(before, _version_snapshot(version))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                version,
                object_repr=f"{system.short_name}: {version}",
                management_system_id=system.management_system_id,
                changes=changes,
            )
    return version


def retire_model_version(actor: Actor, ref: uuid.UUID | str, note: str = "") -> ModelVersion:
    """Take a version out of service (or mark a development version abandoned)."""
    reject_control_characters({"note": note})
    with transaction.atomic():
        version = get_model_version(ref, lock=True)
        system = version.model.ai_system
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        if version.status == ModelVersionStatus.RETIRED:
            raise Conflict(f"{version} is already retired.")
        before = version.status
        version.status = ModelVersionStatus.RETIRED
        version.save(update_fields=["status", "updated_at"])
        changes: dict[str, Any] = {"status": [before, version.status]}
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
    return version
