"""Read-side queries of the AI systems' operation: metrics, their readings and flags, and what
an auditor would flag (open breaches, deployed versions without a passing evaluation). Split
from :mod:`keel.aisystems.queries` (issue 10: modules under 600 lines)."""

from __future__ import annotations

import uuid

from django.db.models import (
    QuerySet,
)

from keel.organisation.models import ManagementSystem
from keel.platform.errors import NotFound
from keel.platform.models import User
from keel.platform.permissions import Perm, restrict

from . import gates
from .choices import (
    Direction,
    FlagStatus,
    ModelVersionStatus,
)
from .list_filters import MetricFilters, ReadingFilters
from .models import (
    Evaluation,
    Metric,
    MetricFlag,
    MetricReading,
    ModelVersion,
)
from .queries import _choice, _count, _readable, _system_ref, _uuid

# ---------------------------------------------------------------- metrics, readings, flags


def _base_metrics() -> QuerySet[Metric]:
    return Metric.objects.select_related("ai_system").annotate(
        reading_count=_count(MetricReading, "metric"),
        open_flag_count=_count(MetricFlag, "metric", status=FlagStatus.OPEN),
    )


def metrics(user: User | None, f: MetricFilters | None = None) -> QuerySet[Metric]:
    f = f or MetricFilters()
    qs = restrict(
        _base_metrics(),
        user,
        Perm.VIEW,
        field="ai_system__management_system",
    ).order_by("ai_system__short_name", "short_name")
    if f.ai_system:
        qs = qs.filter(ai_system=_system_ref(f.ai_system))
    if f.direction:
        qs = qs.filter(direction=_choice(f.direction, Direction.values, "direction"))
    return qs


def metric_for(user: User | None, ref: uuid.UUID | str) -> Metric:
    metric = (
        _base_metrics().select_related("ai_system__management_system").filter(pk=_uuid(ref, "metric")).first()
    )
    if metric is None:
        raise NotFound(f"No metric with id {ref}.")
    _readable(user, metric.ai_system.management_system, "metric")
    return metric


def readings(user: User | None, f: ReadingFilters | None = None) -> QuerySet[MetricReading]:
    f = f or ReadingFilters()
    qs = restrict(
        MetricReading.objects.select_related("metric__ai_system"),
        user,
        Perm.VIEW,
        field="metric__ai_system__management_system",
    ).order_by("-at", "-pk")
    if f.system:
        qs = qs.filter(metric__ai_system=_system_ref(f.system))
    if f.metric:
        try:
            qs = qs.filter(metric_id=uuid.UUID(str(f.metric)))
        except ValueError:
            qs = qs.filter(metric__short_name=f.metric.strip())
    if f.breach is not None:
        qs = qs.filter(breach=f.breach)
    if f.since is not None:
        qs = qs.filter(at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(at__lt=f.until)
    return qs


def flags(user: User | None, system: str = "", status: str = "") -> QuerySet[MetricFlag]:
    qs = restrict(
        MetricFlag.objects.select_related("ai_system", "metric", "closed_by"),
        user,
        Perm.VIEW,
        field="ai_system__management_system",
    ).order_by("-opened_at")
    if system:
        qs = qs.filter(ai_system=_system_ref(system))
    if status:
        qs = qs.filter(status=_choice(status, FlagStatus.values, "status"))
    return qs


def flag_for(user: User | None, ref: uuid.UUID | str) -> MetricFlag:
    flag = (
        MetricFlag.objects.select_related("ai_system__management_system", "metric", "closed_by")
        .filter(pk=_uuid(ref, "metric flag"))
        .first()
    )
    if flag is None:
        raise NotFound(f"No metric flag with id {ref}.")
    _readable(user, flag.ai_system.management_system, "metric flag")
    return flag


# ---------------------------------------------------------------- what an auditor would flag


def open_breach_flags(
    user: User | None = None, management_system: ManagementSystem | None = None
) -> QuerySet[MetricFlag]:
    """Open metric breach flags, oldest first: until AI incidents exist, each is a finding of the
    consistency check ("an operating metric breached its threshold and nobody has closed the
    flag"). ``user``: only what that user may read (None: everything, for the check run by the
    system); ``management_system``: only its AI systems. One query; each flag carries its AI
    system and metric."""
    qs = MetricFlag.objects.select_related("ai_system__management_system", "metric").filter(
        status=FlagStatus.OPEN
    )
    if user is not None:
        qs = restrict(qs, user, Perm.VIEW, field="ai_system__management_system")
    if management_system is not None:
        qs = qs.filter(ai_system__management_system=management_system)
    return qs.order_by("first_breach_at", "ai_system__short_name")


def deployed_versions_without_passing_evaluation(
    user: User | None = None, management_system: ManagementSystem | None = None
) -> list[tuple[ModelVersion, str]]:
    """Model versions recorded as deployed whose evaluations do not pass the gate (never
    evaluated, or the latest of some metric failed), each with the reason. Two queries."""
    qs = ModelVersion.objects.select_related("model__ai_system__management_system").filter(
        status=ModelVersionStatus.DEPLOYED
    )
    if user is not None:
        qs = restrict(qs, user, Perm.VIEW, field="model__ai_system__management_system")
    if management_system is not None:
        qs = qs.filter(model__ai_system__management_system=management_system)
    versions = list(qs.order_by("model__ai_system__short_name", "model__name"))
    evaluations = list(Evaluation.objects.filter(model_version__in=versions))
    out = []
    for v in versions:
        problem = gates.version_evaluation_problem(v, evaluations)
        if problem:
            out.append((v, problem))
    return out
