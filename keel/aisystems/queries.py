"""Read-side queries of the AI system inventory, shared by pages, the API and the CLI.

Lists are restricted to the management systems the reader may view and run a fixed number of
queries whatever the number of rows.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber

from keel.organisation import resolvers as organisation_resolvers
from keel.platform import hooks
from keel.platform.errors import NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import Perm, has_perm, restrict
from keel.standards.models import Requirement

from . import lineage as lineage_mod
from .choices import (
    AIRole,
    AISystemOrigin,
    FlagStatus,
    LifecycleRecordKind,
    LifecycleRecordStatus,
    LifecycleStage,
    ModelVersionStatus,
)
from .list_filters import DATASET_ORDER, SYSTEM_ORDER
from .list_filters import DatasetFilters as DatasetFilters
from .list_filters import EvaluationFilters as EvaluationFilters
from .list_filters import FlagFilters as FlagFilters
from .list_filters import MetricFilters as MetricFilters
from .list_filters import ModelFilters as ModelFilters
from .list_filters import ReadingFilters as ReadingFilters
from .list_filters import RecordFilters as RecordFilters
from .list_filters import SystemFilters as SystemFilters
from .list_filters import VersionFilters as VersionFilters
from .models import (
    AIModel,
    AISystem,
    Dataset,
    Evaluation,
    LifecycleRecord,
    Metric,
    MetricFlag,
    MetricReading,
    ModelVersion,
    QualityCheck,
)

SPARK_POINTS = 60


def _choice(value: str, allowed: list[str], name: str) -> str:
    if value not in allowed:
        raise ValidationFailed(f"{name} must be one of: {', '.join(allowed)}.", {name: ["Unknown value."]})
    return value


def _order(order: str, table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    if order not in table:
        raise ValidationFailed(f"order must be one of: {', '.join(table)}.", {"order": ["Unknown ordering."]})
    return table[order]


def _count(model: Any, field: str, **extra: Any) -> Coalesce:
    sub = (
        model.objects.filter(**{field: OuterRef("pk")}, **extra)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


# ---------------------------------------------------------------- AI systems


def base_systems() -> QuerySet[AISystem]:
    qs = AISystem.objects.select_related("management_system", "owner", "supplier").annotate(
        model_count=_count(AIModel, "ai_system"),
        open_flag_count=_count(MetricFlag, "ai_system", status=FlagStatus.OPEN),
        dataset_count=_count(Dataset.ai_systems.through, "aisystem"),
    )
    # the impact app adds impact_assessment_status and impact_assessment_due
    for annotate in hooks.registered("aisystem.annotate_systems"):
        qs = annotate(qs)
    return qs


def systems(user: User | None, f: SystemFilters | None = None) -> QuerySet[AISystem]:
    f = f or SystemFilters()
    qs = restrict(base_systems(), user, Perm.VIEW)
    if f.stage:
        qs = qs.filter(lifecycle_stage=_choice(f.stage, LifecycleStage.values, "stage"))
    if f.origin:
        qs = qs.filter(origin=_choice(f.origin, AISystemOrigin.values, "origin"))
    if f.role:
        role = _choice(f.role, AIRole.values, "role")
        qs = qs.annotate(roles_text=Cast("ai_roles", TextField())).filter(roles_text__contains=f'"{role}"')
    if f.management_system:
        qs = qs.filter(management_system=organisation_resolvers.management_system(f.management_system, user))
    if f.owner:
        qs = qs.filter(owner__email__iexact=f.owner.strip())
    if f.q:
        for word in f.q.split()[:8]:
            qs = qs.filter(
                Q(name__icontains=word)
                | Q(short_name__icontains=word)
                | Q(purpose__icontains=word)
                | Q(intended_use__icontains=word)
            )
    return qs.order_by(*_order(f.order, SYSTEM_ORDER))


def _readable(user: User | None, ms: Any, what: str) -> None:
    if not has_perm(user, Perm.VIEW, ms):
        raise PermissionDenied(f"Your roles do not let you read this {what}.")


def system_for(user: User | None, ref: uuid.UUID | str) -> AISystem:
    """One AI system (id or short name) with its models, evaluations, datasets and metrics
    prefetched; 403 when the user may not read it."""
    qs = base_systems().prefetch_related(
        Prefetch(
            "models",
            AIModel.objects.select_related("supplier")
            .order_by("name")
            .prefetch_related(
                Prefetch(
                    "versions",
                    ModelVersion.objects.select_related("model")
                    .prefetch_related(
                        Prefetch("trained_on", Dataset.objects.order_by("short_name")),
                        Prefetch("evaluated_on", Dataset.objects.order_by("short_name")),
                    )
                    .order_by("-created_at"),
                )
            ),
        ),
        Prefetch(
            "evaluations",
            Evaluation.objects.select_related("model_version__model", "performed_by").order_by(
                "-performed_at", "-created_at"
            ),
        ),
        Prefetch("datasets", Dataset.objects.order_by("name")),
        Prefetch("metrics", Metric.objects.order_by("short_name")),
        Prefetch(
            "lifecycle_records",
            LifecycleRecord.objects.select_related("owner")
            .prefetch_related(Prefetch("requirements", Requirement.objects.order_by("sort_order")))
            .order_by("title"),
        ),
        Prefetch("flags", MetricFlag.objects.select_related("metric", "closed_by").order_by("-opened_at")),
    )
    system = None
    try:
        system = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        system = qs.filter(short_name=str(ref).strip()).first()
    if system is None:
        raise NotFound(f"No AI system {ref!r}: give its id or short name (e.g. credit-scoring).")
    _readable(user, system.management_system, "AI system")
    return system


def recent_readings(
    metric_ids: list[uuid.UUID], points: int = SPARK_POINTS
) -> dict[uuid.UUID, list[MetricReading]]:
    """The latest ``points`` readings of each metric, oldest first (one query)."""
    if not metric_ids:
        return {}
    qs = (
        MetricReading.objects.filter(metric_id__in=metric_ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("metric_id")], order_by=F("at").desc()))
        .filter(rank__lte=points)
        .order_by("metric_id", "at")
    )
    out: dict[uuid.UUID, list[MetricReading]] = {pk: [] for pk in metric_ids}
    for r in qs:
        out[r.metric_id].append(r)
    return out


def history(system: AISystem, limit: int = 50) -> QuerySet[TrailEntry]:
    """Trail entries of the system and of the records hanging off it (models, evaluations,
    metrics, flags), newest first."""
    ids = [str(system.pk)]
    ids += [str(m.pk) for m in system.models.all()]
    ids += [str(v.pk) for m in system.models.all() for v in m.versions.all()]
    ids += [str(e.pk) for e in system.evaluations.all()]
    ids += [str(m.pk) for m in system.metrics.all()]
    ids += [str(fl.pk) for fl in system.flags.all()]
    ids += [str(r.pk) for r in system.lifecycle_records.all()]
    return TrailEntry.objects.filter(object_id__in=ids).order_by("-seq")[:limit]


# ---------------------------------------------------------------- models and evaluations


def _system_ref(ref: str) -> AISystem:
    from .services import get_system

    try:
        return get_system(ref)
    except NotFound as exc:
        raise ValidationFailed(exc.message, {"ai_system": ["Unknown AI system."]}) from None


def models(user: User | None, f: ModelFilters | None = None) -> QuerySet[AIModel]:
    f = f or ModelFilters()
    qs = restrict(
        AIModel.objects.select_related("ai_system", "supplier").prefetch_related(
            Prefetch("versions", ModelVersion.objects.order_by("-created_at"))
        ),
        user,
        Perm.VIEW,
        field="ai_system__management_system",
    ).order_by("ai_system__short_name", "name")
    if f.ai_system:
        qs = qs.filter(ai_system=_system_ref(f.ai_system))
    if f.model_type:
        from .choices import ModelType

        qs = qs.filter(model_type=_choice(f.model_type, ModelType.values, "model_type"))
    if f.q:
        for word in f.q.split()[:8]:
            qs = qs.filter(Q(name__icontains=word) | Q(base_model__icontains=word))
    return qs


def model_for(user: User | None, ref: uuid.UUID | str) -> AIModel:
    model = (
        AIModel.objects.select_related("ai_system__management_system", "supplier")
        .prefetch_related(Prefetch("versions", ModelVersion.objects.order_by("-created_at")))
        .filter(pk=_uuid(ref, "AI model"))
        .first()
    )
    if model is None:
        raise NotFound(f"No AI model with id {ref}.")
    _readable(user, model.ai_system.management_system, "model")
    return model


def _base_versions() -> QuerySet[ModelVersion]:
    return (
        ModelVersion.objects.select_related("model__ai_system")
        .prefetch_related(
            Prefetch("trained_on", Dataset.objects.order_by("short_name")),
            Prefetch("evaluated_on", Dataset.objects.order_by("short_name")),
        )
        .annotate(
            evaluation_count=_count(Evaluation, "model_version"),
            failed_evaluation_count=_count(Evaluation, "model_version", passed=False),
        )
    )


def model_versions(user: User | None, f: VersionFilters | None = None) -> QuerySet[ModelVersion]:
    """Model versions the reader may see, newest first, with the datasets each was trained and
    evaluated on and its evaluation counts (fixed number of queries)."""
    f = f or VersionFilters()
    qs = restrict(_base_versions(), user, Perm.VIEW, field="model__ai_system__management_system").order_by(
        "model__ai_system__short_name", "model__name", "-created_at"
    )
    if f.ai_system:
        qs = qs.filter(model__ai_system=_system_ref(f.ai_system))
    if f.model:
        qs = qs.filter(model_id=_uuid(f.model, "AI model"))
    if f.status:
        qs = qs.filter(status=_choice(f.status, ModelVersionStatus.values, "status"))
    if f.trained_on:
        qs = qs.filter(trained_on__short_name=f.trained_on.strip())
    if f.evaluated_on:
        qs = qs.filter(evaluated_on__short_name=f.evaluated_on.strip())
    return qs


def model_version_for(user: User | None, ref: uuid.UUID | str) -> ModelVersion:
    version = (
        _base_versions()
        .select_related("model__ai_system__management_system")
        .filter(pk=_uuid(ref, "model version"))
        .first()
    )
    if version is None:
        raise NotFound(f"No model version with id {ref}.")
    _readable(user, version.model.ai_system.management_system, "model version")
    return version


def evaluations(user: User | None, f: EvaluationFilters | None = None) -> QuerySet[Evaluation]:
    f = f or EvaluationFilters()
    qs = restrict(
        Evaluation.objects.select_related("ai_system", "model_version__model", "performed_by"),
        user,
        Perm.VIEW,
        field="ai_system__management_system",
    ).order_by("-performed_at", "-created_at")
    if f.ai_system:
        qs = qs.filter(ai_system=_system_ref(f.ai_system))
    if f.model:
        try:
            qs = qs.filter(model_version__model_id=uuid.UUID(str(f.model)))
        except ValueError:
            raise ValidationFailed("model is a model id.", {"model": ["Not an id."]}) from None
    if f.model_version:
        try:
            qs = qs.filter(model_version_id=uuid.UUID(str(f.model_version)))
        except ValueError:
            raise ValidationFailed(
                "model_version is a model version id.", {"model_version": ["Not an id."]}
            ) from None
    if f.passed is not None:
        qs = qs.filter(passed=f.passed)
    if f.metric:
        qs = qs.filter(metric__iexact=f.metric.strip())
    return qs


def evaluation_for(user: User | None, ref: uuid.UUID | str) -> Evaluation:
    try:
        e = Evaluation.objects.select_related(
            "ai_system__management_system", "model_version__model", "performed_by"
        ).get(pk=uuid.UUID(str(ref)))
    except (ValueError, Evaluation.DoesNotExist):
        raise NotFound(f"No evaluation with id {ref}.") from None
    _readable(user, e.ai_system.management_system, "evaluation")
    return e


# ---------------------------------------------------------------- datasets


def base_datasets() -> QuerySet[Dataset]:
    return (
        Dataset.objects.select_related("management_system", "owner", "classification", "supplier")
        .prefetch_related(
            Prefetch("ai_systems", AISystem.objects.order_by("short_name")),
            Prefetch("sources", Dataset.objects.order_by("short_name")),
            Prefetch("derivatives", Dataset.objects.order_by("short_name")),
        )
        .annotate(
            check_count=_count(QualityCheck, "dataset"),
            failed_check_count=_count(QualityCheck, "dataset", passed=False),
        )
    )


def datasets(user: User | None, f: DatasetFilters | None = None) -> QuerySet[Dataset]:
    f = f or DatasetFilters()
    qs = restrict(base_datasets(), user, Perm.VIEW)
    if f.management_system:
        qs = qs.filter(management_system=organisation_resolvers.management_system(f.management_system, user))
    if f.ai_system:
        system = _system_ref(f.ai_system)
        qs = qs.filter(pk__in=Dataset.ai_systems.through.objects.filter(aisystem=system).values("dataset_id"))
    if f.acquisition:
        from .choices import Acquisition

        qs = qs.filter(acquisition=_choice(f.acquisition, Acquisition.values, "acquisition"))
    if f.personal_data is not None:
        qs = qs.filter(personal_data=f.personal_data)
    if f.may_train is not None:
        qs = qs.filter(may_train=f.may_train)
    if f.classification:
        qs = qs.filter(classification__key=f.classification.strip())
    if f.q:
        for word in f.q.split()[:8]:
            qs = qs.filter(
                Q(name__icontains=word) | Q(short_name__icontains=word) | Q(source__icontains=word)
            )
    return qs.order_by(*_order(f.order, DATASET_ORDER))


def dataset_for(user: User | None, ref: uuid.UUID | str) -> Dataset:
    versions = ModelVersion.objects.select_related("model__ai_system").order_by("model__name", "-created_at")
    qs = base_datasets().prefetch_related(
        Prefetch(
            "quality_checks", QualityCheck.objects.select_related("performed_by").order_by("-performed_at")
        ),
        Prefetch("trained_model_versions", versions),
        Prefetch("evaluated_model_versions", versions),
    )
    dataset = None
    try:
        dataset = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        dataset = qs.filter(short_name=str(ref).strip()).first()
    if dataset is None:
        raise NotFound(f"No dataset {ref!r}: give its id or short name.")
    _readable(user, dataset.management_system, "dataset")
    return dataset


def dataset_lineage(dataset: Dataset) -> lineage_mod.Lineage:
    return lineage_mod.lineage(dataset)


def _uuid(ref: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(ref))
    except ValueError:
        raise NotFound(f"No {what} with id {ref}.") from None


# ---------------------------------------------------------------- lifecycle records


def _base_records() -> QuerySet[LifecycleRecord]:
    return LifecycleRecord.objects.select_related("ai_system", "owner", "approved_by").prefetch_related(
        Prefetch("requirements", Requirement.objects.order_by("sort_order", "key"))
    )


def lifecycle_records(user: User | None, f: RecordFilters | None = None) -> QuerySet[LifecycleRecord]:
    f = f or RecordFilters()
    qs = restrict(_base_records(), user, Perm.VIEW, field="ai_system__management_system").order_by(
        "ai_system__short_name", "kind", "title"
    )
    if f.ai_system:
        qs = qs.filter(ai_system=_system_ref(f.ai_system))
    if f.kind:
        qs = qs.filter(kind=_choice(f.kind, LifecycleRecordKind.values, "kind"))
    if f.status:
        qs = qs.filter(status=_choice(f.status, LifecycleRecordStatus.values, "status"))
    if f.requirement:
        qs = qs.filter(requirements__key=f.requirement.strip())
    return qs


def lifecycle_record_for(user: User | None, ref: uuid.UUID | str) -> LifecycleRecord:
    record = (
        _base_records()
        .select_related("ai_system__management_system")
        .filter(pk=_uuid(ref, "lifecycle record"))
        .first()
    )
    if record is None:
        raise NotFound(f"No lifecycle record with id {ref}.")
    _readable(user, record.ai_system.management_system, "lifecycle record")
    return record


def records_supporting(requirement: Requirement, user: User | None) -> list[LifecycleRecord]:
    """Approved lifecycle records that serve ``requirement`` and that ``user`` may read: support
    for that requirement (shown on the requirement page). One query."""
    qs = (
        LifecycleRecord.objects.select_related("ai_system")
        .filter(requirements=requirement, status=LifecycleRecordStatus.APPROVED)
        .order_by("ai_system__short_name", "kind")
    )
    return list(restrict(qs, user, Perm.VIEW, field="ai_system__management_system"))


def stage_counts(user: User | None) -> dict[uuid.UUID, dict[str, int]]:
    """AI systems ``user`` may read, counted per management system and life-cycle stage, in the
    stages' order (one query)."""
    out: dict[uuid.UUID, dict[str, int]] = {}
    grouped = (
        restrict(AISystem.objects.all(), user, Perm.VIEW)
        .values_list("management_system_id", "lifecycle_stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for ms_id, stage, n in grouped:
        out.setdefault(ms_id, {s.value: 0 for s in LifecycleStage})[stage] = n
    return out
