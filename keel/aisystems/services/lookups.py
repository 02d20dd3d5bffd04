"""Look-ups of the AI-system records by id or short name, optionally locking the row until the
transaction ends (every read-change-save locks first)."""

from __future__ import annotations

import uuid

from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.records import reject_control_characters

from ..models import AIModel, AISystem, Dataset, Metric, ModelVersion


def get_system(ref: uuid.UUID | str, lock: bool = False) -> AISystem:
    """An AI system by id or short name; ``lock``: its row locked until the transaction ends."""
    qs = AISystem.objects.select_related("management_system", "owner")
    if lock:
        qs = qs.select_for_update(of=("self",))
    system = None
    try:
        system = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        system = qs.filter(short_name=str(ref).strip()).first()
    if system is None:
        raise NotFound(f"No AI system {ref!r}: give its id or short name (e.g. credit-scoring).")
    return system


def get_dataset(ref: uuid.UUID | str, lock: bool = False) -> Dataset:
    qs = Dataset.objects.select_related("management_system", "owner", "classification")
    if lock:
        qs = qs.select_for_update(of=("self",))
    dataset = None
    try:
        dataset = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        dataset = qs.filter(short_name=str(ref).strip()).first()
    if dataset is None:
        raise NotFound(f"No dataset {ref!r}: give its id or short name.")
    return dataset


def get_model(ref: uuid.UUID | str, lock: bool = False) -> AIModel:
    qs = AIModel.objects.select_related("ai_system__management_system")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, AIModel.DoesNotExist):
        raise NotFound(f"No AI model with id {ref}.") from None


def get_metric(system: AISystem, short_name: str) -> Metric:
    metric = Metric.objects.filter(ai_system=system, short_name=str(short_name).strip()).first()
    if metric is None:
        known = ", ".join(Metric.objects.filter(ai_system=system).values_list("short_name", flat=True))
        raise NotFound(
            f"{system.short_name} has no metric {short_name!r}. Its metrics: {known or 'none yet'}."
        )
    return metric


def get_metric_by_id(ref: uuid.UUID | str, lock: bool = False) -> Metric:
    qs = Metric.objects.select_related("ai_system__management_system")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, Metric.DoesNotExist):
        raise NotFound(f"No metric with id {ref}.") from None


def get_model_version(ref: uuid.UUID | str, lock: bool = False) -> ModelVersion:
    """A model version by id; ``lock``: its row locked until the transaction ends."""
    qs = ModelVersion.objects.select_related("model__ai_system__management_system")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ModelVersion.DoesNotExist):
        raise NotFound(f"No model version with id {ref}.") from None


def find_model_version(system: AISystem, ref: uuid.UUID | str, field: str = "model_version") -> ModelVersion:
    """A version of one of ``system``'s models by id, ``MODEL@LABEL`` (e.g. ``helix-gbm@3.2``),
    or a bare label when exactly one model of the system has it. Unknown or ambiguous: a message
    that lists the system's versions."""
    text = str(ref).strip()
    reject_control_characters({field: text})  # a NUL byte would reach PostgreSQL
    qs = ModelVersion.objects.select_related("model__ai_system__management_system").filter(
        model__ai_system=system
    )
    found: list[ModelVersion] = []
    try:
        found = list(qs.filter(pk=uuid.UUID(text)))
    except ValueError:
        if "@" in text:
            name, _, label = text.rpartition("@")
            found = list(qs.filter(model__name=name.strip(), label=label.strip()))
        else:
            found = list(qs.filter(label=text))
    if len(found) == 1:
        return found[0]
    known = ", ".join(f"{v.model.name}@{v.label}" for v in qs.order_by("model__name", "created_at"))
    if found:
        message = f"{text!r} is a version of more than one model of {system.short_name}: give MODEL@VERSION ({known})."
    else:
        message = (
            f"{system.short_name} has no model version {text!r}. Its versions: {known or 'none yet'} "
            "(give MODEL@VERSION, a version label, or an id)."
        )
    raise ValidationFailed(message, {field: [message]})
