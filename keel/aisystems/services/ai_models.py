"""Models of an AI system."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean

from ..models import AIModel
from .common import MODEL_FIELDS
from .lookups import get_model, get_system


def create_model(actor: Actor, system_ref: uuid.UUID | str, **data: Any) -> AIModel:
    with transaction.atomic():
        system = get_system(system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        model = AIModel(ai_system=system)
        apply_fields(model, data, MODEL_FIELDS)
        clean(model, "model")
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
    return model


def update_model(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> AIModel:
    with transaction.atomic():
        model = get_model(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, model.ai_system.management_system)
        check_version(model, expected_version, f"Model {model}")
        before = trail.snapshot(model, MODEL_FIELDS)
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
