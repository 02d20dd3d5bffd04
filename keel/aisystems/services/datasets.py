"""Datasets: their description, classification, the AI systems that use them and their lineage
(``sources``: what a dataset was derived from; cycles are refused)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from keel.assets.models import ClassificationLevel
from keel.assets.services import get_level
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean

from .. import lineage
from ..models import AISystem, Dataset, DatasetDerivation
from .common import DATASET_FIELDS, _not_reserved, resolve_supplier
from .lookups import get_dataset


def _datasets(
    refs: Iterable[uuid.UUID | str], field: str, actor: Actor, ms: ManagementSystem
) -> list[Dataset]:
    """Datasets by id or short name within the actor's perimeter, each of the management
    system ``ms`` of the dataset that names them."""
    qs = organisation_resolvers.in_perimeter(Dataset.objects.all(), actor)
    out: dict[uuid.UUID, Dataset] = {}
    for ref in dict.fromkeys(str(r).strip() for r in refs if str(r).strip()):
        found = organisation_resolvers.record(
            qs, ref, label="dataset", example="raw-data", field=field, ref_field="short_name"
        )
        organisation_resolvers.same_system(
            ms, [found.management_system_id], what=f"dataset {found.short_name}", field=field
        )
        out.setdefault(found.pk, found)
    return list(out.values())


def _systems(refs: Iterable[uuid.UUID | str], actor: Actor, ms: ManagementSystem) -> list[AISystem]:
    """AI systems by id or short name within the actor's perimeter, each of ``ms``."""
    qs = organisation_resolvers.in_perimeter(AISystem.objects.all(), actor)
    out: dict[uuid.UUID, AISystem] = {}
    for ref in dict.fromkeys(str(r).strip() for r in refs if str(r).strip()):
        found = organisation_resolvers.record(
            qs, ref, label="AI system", example="credit-scoring", field="ai_systems", ref_field="short_name"
        )
        organisation_resolvers.same_system(
            ms, [found.management_system_id], what=f"AI system {found.short_name}", field="ai_systems"
        )
        out.setdefault(found.pk, found)
    return list(out.values())


def _dataset_snapshot(dataset: Dataset) -> dict[str, Any]:
    data = trail.snapshot(dataset, [*DATASET_FIELDS, "management_system"])
    data["classification"] = dataset.classification.key if dataset.classification else None
    data["sources"] = sorted(
        DatasetDerivation.objects.filter(derived=dataset).values_list("source__short_name", flat=True)
    )
    data["ai_systems"] = sorted(dataset.ai_systems.values_list("short_name", flat=True))
    return data


def _set_sources(dataset: Dataset, sources: list[Dataset]) -> None:
    """Set what ``dataset`` was derived from, refusing a cycle with a message naming it."""
    if any(s.pk == dataset.pk for s in sources):
        raise ValidationFailed(
            f"{dataset.short_name} cannot be derived from itself.",
            {"sources": ["A dataset is not its own source."]},
        )
    below = lineage.descendants(dataset.pk)
    looping = [s for s in sources if s.pk in below]
    if looping:
        names = ", ".join(s.short_name for s in looping)
        message = (
            f"{dataset.short_name} cannot be derived from {names}: {names} is itself built from "
            f"{dataset.short_name} (directly or through other datasets), and lineage cannot go in a "
            "circle. Nothing was changed."
        )
        raise ValidationFailed(message, {"sources": [message]})
    wanted = {s.pk for s in sources}
    DatasetDerivation.objects.filter(derived=dataset).exclude(source_id__in=wanted).delete()
    have = set(DatasetDerivation.objects.filter(derived=dataset).values_list("source_id", flat=True))
    DatasetDerivation.objects.bulk_create(
        [DatasetDerivation(source_id=pk, derived=dataset) for pk in wanted - have]
    )


def _classification(data: dict[str, Any]) -> None:
    """Turn ``classification`` (a level, its key or id, or None/"" for none) into the level."""
    if "classification" not in data:
        return
    ref = data["classification"]
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        data["classification"] = None
        return
    if isinstance(ref, ClassificationLevel):
        return
    try:
        data["classification"] = get_level(str(ref).strip())
    except NotFound as exc:
        raise ValidationFailed(exc.message, {"classification": ["Unknown classification level."]}) from None


def _check_classification(dataset: Dataset, before: ClassificationLevel | None = None) -> None:
    """The level is the organisation's rule, the flags the dataset's decision within it: a
    retired level cannot be newly chosen, and a dataset may not be marked for training
    (evaluation) when its level forbids AI training (evaluation)."""
    level = dataset.classification
    if level is None:
        return
    if level.retired_at is not None and (before is None or level.pk != before.pk):
        raise ValidationFailed(
            f"The classification level {level.name} is retired: choose a current level.",
            {"classification": ["Retired level."]},
        )
    fields: dict[str, list[str]] = {}
    if dataset.may_train and not level.ai_training_allowed:
        fields["may_train"] = [f"The classification level {level.name} does not allow AI training."]
    if dataset.may_evaluate and not level.ai_evaluation_allowed:
        fields["may_evaluate"] = [f"The classification level {level.name} does not allow AI evaluation."]
    if fields:
        uses = " or ".join(
            u for f, u in (("may_train", "training"), ("may_evaluate", "evaluation")) if f in fields
        )
        raise ValidationFailed(
            f"{dataset.short_name or 'The dataset'} is classified {level.name}, which does not allow AI "
            f"{uses}: untick {' and '.join(sorted(fields))}, or choose a level that allows it. "
            "Nothing was changed.",
            fields,
        )


def create_dataset(
    actor: Actor,
    *,
    management_system: uuid.UUID | str | ManagementSystem,
    sources: Iterable[uuid.UUID | str] = (),
    ai_systems: Iterable[uuid.UUID | str] = (),
    **data: Any,
) -> Dataset:
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_AI_SYSTEMS, ms)
    with transaction.atomic():
        source_sets = _datasets(sources, "sources", actor, ms)
        systems = _systems(ai_systems, actor, ms)
        dataset = Dataset(management_system=ms)
        _classification(data)
        resolve_supplier(data, actor)
        apply_fields(dataset, data, DATASET_FIELDS)
        _check_classification(dataset)
        _not_reserved(dataset)
        clean(dataset, "dataset")
        dataset.save()
        _set_sources(dataset, source_sets)
        dataset.ai_systems.set(systems)
        trail.record(actor, TrailAction.CREATE, dataset, changes=trail.diff({}, _dataset_snapshot(dataset)))
    return dataset


def update_dataset(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    management_system: uuid.UUID | str | None = None,
    sources: Iterable[uuid.UUID | str] | None = None,
    ai_systems: Iterable[uuid.UUID | str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> Dataset:
    with transaction.atomic():
        dataset = get_dataset(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, dataset.management_system)
        check_version(dataset, expected_version, dataset.name)
        before = _dataset_snapshot(dataset)
        old_level = dataset.classification
        _classification(data)
        resolve_supplier(data, actor)
        apply_fields(dataset, data, DATASET_FIELDS)
        _check_classification(dataset, old_level)
        if management_system is not None:
            ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
            check(actor, Perm.EDIT_AI_SYSTEMS, ms)
            dataset.management_system = ms
        _not_reserved(dataset)
        clean(dataset, "dataset")
        dataset.save()
        if sources is not None:
            _set_sources(dataset, _datasets(sources, "sources", actor, dataset.management_system))
        if ai_systems is not None:
            dataset.ai_systems.set(_systems(ai_systems, actor, dataset.management_system))
        changes = trail.diff(before, _dataset_snapshot(dataset))
        if changes:
            trail.record(actor, TrailAction.UPDATE, dataset, changes=changes)
    return dataset
