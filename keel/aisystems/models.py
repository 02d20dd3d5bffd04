"""The AI system inventory: every AI system the organisation develops, provides or uses.

AI systems are management-system records (docs/adr/0004): each belongs to one management
system, and roles over that system apply to it. Models, datasets, evaluations, impact
assessments and operating metrics hang off an AI system.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.safestring import SafeString

from keel.organisation.models import ManagementSystem
from keel.platform.markdown import render
from keel.platform.models import User
from keel.standards.models import Requirement
from keel.suppliers.models import Supplier

from .choices import (
    Acquisition,
    AIRole,
    AISystemOrigin,
    Comparison,
    Direction,
    FlagStatus,
    LifecycleRecordKind,
    LifecycleRecordStatus,
    LifecycleStage,
    ModelType,
    ModelVersionStatus,
)


class AISystem(models.Model):
    """One AI system, named by a short name that scripts use (``keel ai metric push SYSTEM …``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    short_name = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="ai_systems"
    )
    purpose = models.TextField(blank=True)
    intended_use = models.TextField(blank=True)
    foreseeable_misuse = models.TextField(blank=True)
    lifecycle_stage = models.CharField(
        max_length=16, choices=LifecycleStage.choices, default=LifecycleStage.DESIGN
    )
    origin = models.CharField(max_length=20, choices=AISystemOrigin.choices)
    ai_roles = models.JSONField(
        default=list, blank=True, help_text="The organisation's roles (ISO/IEC 22989)."
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_ai_systems"
    )
    users_description = models.TextField(blank=True, help_text="Who uses the system.")
    affected_people = models.TextField(blank=True, help_text="People it affects who are not its users.")
    deployment_regions = models.JSONField(default=list, blank=True)
    human_oversight = models.TextField(blank=True)
    third_party_components = models.TextField(blank=True)
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ai_systems",
        help_text="Who supplies it: for AI embedded in a bought product, the product's supplier.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "AI system"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lifecycle_stage__in=[s.value for s in LifecycleStage]),
                name="aisystem_stage_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(origin__in=[o.value for o in AISystemOrigin]), name="aisystem_origin_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def valid_roles() -> set[str]:
        return set(AIRole.values)


class AIModel(models.Model):
    """A machine-learning model of an AI system: its name, its type, and the base model it was
    built on (with that model's supplier) when it was fine-tuned or used as is. What is trained,
    evaluated and deployed is one of its :class:`ModelVersion` records."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="models")
    name = models.CharField(max_length=200)
    model_type = models.CharField(max_length=16, choices=ModelType.choices)
    base_model = models.CharField(max_length=200, blank=True)
    base_model_supplier = models.CharField(max_length=200, blank=True)
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ai_models",
        help_text="The supplier of the base model or model API, from the supplier register.",
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "AI model"
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "name"], name="aimodel_name_unique"),
            models.CheckConstraint(
                condition=models.Q(model_type__in=[t.value for t in ModelType]), name="aimodel_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ModelVersion(models.Model):
    """One version of a model: what was trained, evaluated and deployed. ``trained_on`` are the
    datasets this version was trained on, ``evaluated_on`` the datasets it was evaluated on (a
    dataset's ``trained_model_versions`` / ``evaluated_model_versions`` read the other way).
    Its evaluations are what the deployment gate checks (keel.aisystems.gates)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(max_length=60, help_text="The version label, e.g. 3.2 or 2026.03.")
    status = models.CharField(
        max_length=12, choices=ModelVersionStatus.choices, default=ModelVersionStatus.DEVELOPMENT
    )
    training_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="What changed in this version, and why.")
    trained_on: models.ManyToManyField[Dataset, Any] = models.ManyToManyField(
        "Dataset", related_name="trained_model_versions", blank=True, help_text="Datasets it was trained on."
    )
    evaluated_on: models.ManyToManyField[Dataset, Any] = models.ManyToManyField(
        "Dataset",
        related_name="evaluated_model_versions",
        blank=True,
        help_text="Datasets it was evaluated on.",
    )
    deployed_at = models.DateTimeField(null=True, blank=True, help_text="When it last passed the gate.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model__name", "-created_at"]
        verbose_name = "model version"
        constraints = [
            models.UniqueConstraint(fields=["model", "label"], name="modelversion_label_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ModelVersionStatus]),
                name="modelversion_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} {self.label}"


class MeasuredRecord(models.Model):
    """What an evaluation and a dataset quality check share: a metric measured against an
    acceptance criterion, with the result, pass or fail, who and when. Records are never edited:
    a new measurement is a new record."""

    metric = models.CharField(max_length=120)
    comparison = models.CharField(max_length=10, choices=Comparison.choices, default=Comparison.RECORDED)
    criterion_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    criterion = models.CharField(max_length=300, help_text="The acceptance criterion, in words.")
    result_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    result = models.CharField(max_length=300, blank=True, help_text="The result, in words.")
    passed = models.BooleanField()
    performed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    performed_by_name = models.CharField(
        max_length=200, blank=True, help_text="Who performed it, when not a Keel user (e.g. a test lab)."
    )
    performed_at = models.DateTimeField()
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Evaluation(MeasuredRecord):
    """An evaluation of one model version of an AI system. The deployment gate reads the
    evaluations of the version it is asked to deploy. ``ai_system`` is the version's system
    (kept for filtering; the services set it from the version)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="evaluations")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="evaluations")

    class Meta:
        ordering = ["-performed_at", "-created_at"]
        indexes = [
            models.Index(fields=["ai_system", "-performed_at"]),
            models.Index(fields=["model_version", "-performed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comparison__in=[c.value for c in Comparison]), name="evaluation_comparison"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {'passed' if self.passed else 'failed'}"


class Dataset(models.Model):
    """A dataset used to train, evaluate or run AI systems: where it comes from, the rights over
    it, what it was derived from (lineage), its quality checks and the AI-use flags of the
    extended classification scheme.

    ``classification`` is the dataset's level in the organisation's classification scheme
    (keel.assets): the level is the organisation's rule (may data at this level train or evaluate
    AI at all?), the flags below are the dataset's own decision within it — the services refuse
    ``may_train``/``may_evaluate`` when the level forbids them. An empty ``licence_scope`` or
    ``deletion_method`` falls back to the level's (see ``inherited``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    short_name = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="datasets")
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_datasets"
    )
    source = models.CharField(max_length=300, blank=True, help_text="Where the data comes from.")
    supplier = models.ForeignKey(
        Supplier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datasets",
        help_text="The dataset vendor or labelling service, from the supplier register.",
    )
    acquisition = models.CharField(max_length=12, choices=Acquisition.choices)
    licence = models.CharField(max_length=200, blank=True)
    rights = models.TextField(blank=True, help_text="Rights and restrictions that come with the data.")
    representativeness = models.TextField(blank=True, help_text="Whom the data represents, and gaps.")
    personal_data = models.BooleanField(default=False)
    personal_data_notes = models.TextField(blank=True)
    may_train = models.BooleanField(default=False, help_text="May be used to train models.")
    may_evaluate = models.BooleanField(default=False, help_text="May be used to evaluate models.")
    licence_scope = models.TextField(blank=True, help_text="What the licence allows the data to be used for.")
    deletion_method = models.TextField(
        blank=True, help_text="How the data (and copies in training sets) is deleted."
    )
    classification = models.ForeignKey(
        "assets.ClassificationLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="datasets",
        help_text="Its level in the classification scheme (the organisation's rules for AI use).",
    )
    ai_systems = models.ManyToManyField(AISystem, related_name="datasets", blank=True)
    # Lineage, named by direction: ``sources`` are the datasets this one was derived from;
    # ``derivatives`` (the reverse accessor) are the datasets derived from this one. The
    # through_fields pin the direction: without them Django reads the edge from its first
    # foreign key (``source``), which listed a dataset's derivatives as its sources.
    sources: models.ManyToManyField[Dataset, DatasetDerivation] = models.ManyToManyField(
        "self",
        through="DatasetDerivation",
        through_fields=("derived", "source"),
        symmetrical=False,
        related_name="derivatives",
        blank=True,
        help_text="The datasets this one was derived from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acquisition__in=[a.value for a in Acquisition]), name="dataset_acquisition"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def inherited(self, field: str) -> tuple[str, str]:
        """``(value, source)`` of ``licence_scope`` or ``deletion_method``: the dataset's own
        value, or — when it is empty — its classification level's, with ``source`` naming the
        level ("" when the value is the dataset's own or there is none)."""
        own = str(getattr(self, field))
        level = self.classification
        if own.strip() or level is None:
            return own, ""
        value = level.licence_scope if field == "licence_scope" else level.training_data_deletion
        return (value, f"from classification {level.name}") if value.strip() else ("", "")


class DatasetDerivation(models.Model):
    """``derived`` was built from ``source`` (one lineage edge). The services refuse cycles."""

    source = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="derivation_out")
    derived = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="derivation_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "derived"], name="dataset_derivation_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("derived")), name="dataset_not_own_source"
            ),
        ]
        indexes = [models.Index(fields=["derived", "source"])]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.derived_id}"


class QualityCheck(MeasuredRecord):
    """A data-quality check of a dataset (completeness, label accuracy, balance…), a record like
    an evaluation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="quality_checks")

    class Meta:
        ordering = ["-performed_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comparison__in=[c.value for c in Comparison]),
                name="qualitycheck_comparison",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {'passed' if self.passed else 'failed'}"


class Metric(models.Model):
    """An operating metric of an AI system in operation (accuracy, drift, fairness gap, latency):
    readings beyond ``threshold`` in the bad direction are breaches and flag the system."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="metrics")
    short_name = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    threshold = models.DecimalField(max_digits=20, decimal_places=6)
    evaluation_window = models.CharField(
        max_length=100, blank=True, help_text="The window each reading covers, e.g. 'rolling 7 days'."
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["short_name"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "short_name"], name="metric_short_name_unique"),
            models.CheckConstraint(
                condition=models.Q(direction__in=[d.value for d in Direction]), name="metric_direction"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def breaches(self, value: object) -> bool:
        """Whether ``value`` is beyond the threshold in the bad direction (equal is not a breach)."""
        if self.direction == Direction.HIGHER:
            return value < self.threshold  # type: ignore[operator]
        return value > self.threshold  # type: ignore[operator]


class MetricReading(models.Model):
    """One reading of a metric at a time. One reading per metric and time: pushing the same
    reading again stores nothing (idempotent)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="readings")
    at = models.DateTimeField()
    value = models.DecimalField(max_digits=20, decimal_places=6)
    breach = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["metric", "at"]
        constraints = [models.UniqueConstraint(fields=["metric", "at"], name="metric_reading_unique")]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.at.isoformat()} = {self.value}"


class MetricFlag(models.Model):
    """An AI system flagged by breaches of one metric. A run of breaches keeps one open flag
    (``breach_count``, first and last breach, worst value); a person closes it (recovery is
    recorded, not a close). It holds what an AI incident will need: the system, the metric and
    its threshold, when the breaches began and ended, the worst value; ``incident_ref`` is left
    for the incident module."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="flags")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="flags")
    status = models.CharField(max_length=8, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    threshold = models.DecimalField(
        max_digits=20, decimal_places=6, help_text="The threshold when it opened."
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    first_breach_at = models.DateTimeField()
    last_breach_at = models.DateTimeField()
    breach_count = models.PositiveIntegerField(default=1)
    worst_value = models.DecimalField(max_digits=20, decimal_places=6)
    recovered_at = models.DateTimeField(
        null=True, blank=True, help_text="When a reading came back within the threshold (not a close)."
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    close_note = models.TextField(blank=True)
    incident_ref = models.CharField(
        max_length=100, blank=True, help_text="The AI incident opened from it (later)."
    )

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric"], condition=models.Q(status="open"), name="metric_one_open_flag"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in FlagStatus]), name="metricflag_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric.short_name} breached ({self.breach_count}×)"


class LifecycleRecord(models.Model):
    """A documented record of an AI system's lifecycle that an ISO/IEC 42001 Annex A control asks
    for: requirements and specification (A.6.2.2), design and development (A.6.2.3), technical
    documentation (A.6.2.7), event-log arrangements (A.6.2.8), data preparation (A.7.6),
    information for users (A.8.2). ``body`` is Markdown (rendered without raw HTML).
    ``requirements`` are the controls it serves; an approved, current record counts as support
    for them on the requirement page. ``revision`` counts content changes: editing an approved
    record makes a new draft revision that needs approving again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="lifecycle_records")
    kind = models.CharField(max_length=32, choices=LifecycleRecordKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(
        default=1, help_text="Content revision: +1 on each change of text."
    )
    status = models.CharField(
        max_length=12, choices=LifecycleRecordStatus.choices, default=LifecycleRecordStatus.DRAFT
    )
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    requirements = models.ManyToManyField(Requirement, related_name="ai_lifecycle_records", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = "AI lifecycle record"
        indexes = [models.Index(fields=["ai_system", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in LifecycleRecordKind]),
                name="lifecyclerecord_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in LifecycleRecordStatus]),
                name="lifecyclerecord_status",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="lifecyclerecord_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (rev. {self.revision})"

    def body_html(self) -> SafeString:
        """The body rendered from Markdown, without raw HTML (keel.platform.markdown)."""
        return render(self.body)
