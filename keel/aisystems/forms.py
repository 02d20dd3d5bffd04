"""Page-side forms of the AI system inventory: they parse input for the services; the rules
live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from keel.assets.models import ClassificationLevel
from keel.controls.forms import owner_choices
from keel.organisation.models import ManagementSystem
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, KeelForm, VersionedForm, picker_select
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm
from keel.standards.models import Requirement
from keel.suppliers.queries import supplier_choices

from . import list_filters
from .choices import (
    Acquisition,
    AIRole,
    AISystemOrigin,
    Comparison,
    Direction,
    LifecycleRecordKind,
    LifecycleStage,
    ModelType,
)
from .models import AISystem, Dataset, LifecycleRecord, ModelVersion

TEXT = {"rows": 3}


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


def _systems_for(user: User | None, perm: str) -> list[tuple[str, str]]:
    return [
        (ms.short_name, ms.name)
        for ms in ManagementSystem.objects.order_by("name")
        if user is None or has_perm(user, perm, ms)
    ]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first() if email else None


# ---------------------------------------------------------------- AI systems


class SystemFilterForm(FilterForm[list_filters.SystemFilters]):
    """Declared in :class:`keel.aisystems.list_filters.SystemFilters`; takes ``user=``."""

    filters_class = list_filters.SystemFilters
    field_order = ["q", "stage", "origin", "role", "management_system", "owner", "order"]


class SystemForm(VersionedForm):
    short_name = forms.SlugField(max_length=60, help_text="Lowercase, digits and dashes; scripts use it.")
    name = forms.CharField(max_length=200)
    management_system = forms.ChoiceField()
    origin = forms.ChoiceField(choices=AISystemOrigin.choices)
    ai_roles = forms.MultipleChoiceField(
        label="Our roles (ISO/IEC 22989)",
        choices=AIRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    owner = forms.ChoiceField(required=False, widget=picker_select())
    purpose = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    intended_use = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    foreseeable_misuse = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    users_description = forms.CharField(label="Users", widget=forms.Textarea(attrs=TEXT), required=False)
    affected_people = forms.CharField(
        label="Affected people who are not users", widget=forms.Textarea(attrs=TEXT), required=False
    )
    deployment_regions = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. EU, UK."
    )
    human_oversight = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    third_party_components = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    supplier = forms.ChoiceField(
        required=False,
        widget=picker_select(),
        help_text="From the supplier register. For AI embedded in a bought product: the product's supplier.",
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["management_system"].choices = _systems_for(user, Perm.EDIT_AI_SYSTEMS)  # type: ignore[attr-defined]
        self.fields["owner"].choices = _any("No owner yet", owner_choices())  # type: ignore[attr-defined]
        self.fields["supplier"].choices = _any("No supplier", supplier_choices())  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, s: AISystem) -> dict[str, Any]:
        return {
            **{
                n: getattr(s, n)
                for n in ("short_name", "name", "origin", "ai_roles", "purpose", "intended_use")
            },
            **{
                n: getattr(s, n)
                for n in (
                    "foreseeable_misuse",
                    "users_description",
                    "affected_people",
                    "human_oversight",
                    "third_party_components",
                )
            },
            "management_system": s.management_system.short_name,
            "owner": s.owner.email if s.owner else "",
            "deployment_regions": ", ".join(s.deployment_regions),
            "supplier": s.supplier.ref_id if s.supplier else "",
        }

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.VERSION_FIELDS}
        data["owner"] = _user(data["owner"])
        return data


class CreateSystemForm(SystemForm):
    lifecycle_stage = forms.ChoiceField(
        label="Lifecycle stage",
        choices=LifecycleStage.choices,
        initial=LifecycleStage.DESIGN,
        help_text="Deployment, operation or retired only for a system already in service before Keel.",
    )
    existing_reason = forms.CharField(
        label="Why it is recorded as existing",
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        help_text="For a system already in service: since when, and why it did not pass Keel's gate.",
    )


def _version_choices(system: AISystem) -> list[tuple[str, str]]:
    """The system's model versions as ``MODEL@LABEL`` (what the services accept), labelled with
    their status."""
    return [
        (f"{v.model.name}@{v.label}", f"{v.model.name} {v.label} ({v.get_status_display().lower()})")
        for v in ModelVersion.objects.filter(model__ai_system=system)
        .select_related("model")
        .order_by("model__name", "-created_at")
    ]


class StageForm(KeelForm):
    stage = forms.ChoiceField(choices=LifecycleStage.choices)
    model_version = forms.ChoiceField(
        label="Model version to deploy",
        required=False,
        help_text="Into deployment or operation: the version the gate checks and deploys.",
    )
    note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, system: AISystem | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = _version_choices(system) if system is not None else []
        self.fields["model_version"].choices = _any("The versions it runs", versions)  # type: ignore[attr-defined]


class DeployForm(KeelForm):
    model_version = forms.CharField(max_length=300)
    note = forms.CharField(required=False, max_length=2000)


class ModelForm(KeelForm):
    name = forms.CharField(max_length=200)
    model_type = forms.ChoiceField(label="Type", choices=ModelType.choices)
    base_model = forms.CharField(max_length=200, required=False)
    base_model_supplier = forms.CharField(max_length=200, required=False)
    supplier = forms.ChoiceField(
        required=False,
        widget=picker_select(),
        help_text="From the supplier register. The base model's or model API's supplier.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    version = forms.CharField(
        label="First version", max_length=60, required=False, help_text="Its label, e.g. 1.0; add more later."
    )
    training_date = forms.DateField(label="First version trained on", required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = _any("No supplier", supplier_choices())  # type: ignore[attr-defined]


class ModelVersionForm(VersionedForm):
    model = forms.ChoiceField(label="Model")
    label = forms.CharField(label="Version", max_length=60, help_text="E.g. 3.3 or 2026.06.")
    training_date = forms.DateField(required=False, widget=DATE)
    trained_on = forms.MultipleChoiceField(
        label="Trained on (datasets)",
        required=False,
        widget=picker_select(multiple=True),
        help_text="The datasets this version was trained on (only datasets marked for training).",
    )
    evaluated_on = forms.MultipleChoiceField(
        label="Evaluated on (datasets)",
        required=False,
        widget=picker_select(multiple=True),
        help_text="The datasets this version was evaluated on (only datasets marked for evaluation).",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs=TEXT), required=False, help_text="What changed, and why."
    )

    def __init__(
        self, *args: Any, system: AISystem, version: ModelVersion | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [(m.name, m.name) for m in system.models.all()]  # type: ignore[attr-defined]
        if version is not None:
            self.fields["model"].disabled = True
            self.fields["model"].required = False
        data = Dataset.objects.filter(management_system=system.management_system_id).order_by("name")
        self.fields["trained_on"].choices = list(  # type: ignore[attr-defined]
            data.filter(may_train=True).values_list("short_name", "name")
        )
        self.fields["evaluated_on"].choices = list(  # type: ignore[attr-defined]
            data.filter(may_evaluate=True).values_list("short_name", "name")
        )

    @classmethod
    def initial_for(cls, v: ModelVersion) -> dict[str, Any]:
        return {
            "model": v.model.name,
            "label": v.label,
            "training_date": v.training_date,
            "notes": v.notes,
            "trained_on": [d.short_name for d in v.trained_on.all()],
            "evaluated_on": [d.short_name for d in v.evaluated_on.all()],
        }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.pop("model", None)
        return data


class MeasuredForm(KeelForm):
    metric = forms.CharField(max_length=120)
    comparison = forms.ChoiceField(
        label="Criterion", choices=Comparison.choices, initial=Comparison.AT_LEAST, required=False
    )
    criterion_value = forms.DecimalField(
        label="Criterion value", required=False, max_digits=20, decimal_places=6
    )
    criterion = forms.CharField(
        label="Criterion in words",
        max_length=300,
        required=False,
        help_text="Generated from a numeric criterion.",
    )
    result_value = forms.DecimalField(label="Result value", required=False, max_digits=20, decimal_places=6)
    result = forms.CharField(label="Result in words", max_length=300, required=False)
    passed = forms.NullBooleanField(
        label="Passed",
        required=False,
        widget=forms.Select(
            choices=[("unknown", "Compute from the criterion"), ("true", "Passed"), ("false", "Failed")]
        ),
    )
    performed_by_name = forms.CharField(
        label="Performed by (if not you)",
        max_length=200,
        required=False,
        help_text="E.g. an external test lab.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)


class EvaluationForm(MeasuredForm):
    model_version = forms.ChoiceField(label="Model version evaluated")

    def __init__(self, *args: Any, system: AISystem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model_version"].choices = _version_choices(system)  # type: ignore[attr-defined]
        self.order_fields(["model_version"])


class MetricForm(KeelForm):
    short_name = forms.SlugField(max_length=60, help_text="Unique within the system; pipelines push by it.")
    name = forms.CharField(max_length=200)
    unit = forms.CharField(max_length=40, required=False)
    direction = forms.ChoiceField(choices=Direction.choices)
    threshold = forms.DecimalField(max_digits=20, decimal_places=6)
    evaluation_window = forms.CharField(max_length=100, required=False, help_text="E.g. rolling 7 days.")
    description = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)


READING_TIME_FORMAT = "%Y-%m-%dT%H:%M"


class ReadingForm(KeelForm):
    """A reading typed on the system's page: which metric, the value, and when it was measured
    (empty: now). The same service as ``keel ai metric push`` and the API stores it."""

    metric = forms.ChoiceField(label="Metric")
    value = forms.DecimalField(label="Value", max_digits=20, decimal_places=6)
    at = forms.DateTimeField(
        label="Measured at",
        required=False,
        input_formats=[READING_TIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(format=READING_TIME_FORMAT, attrs={"type": "datetime-local"}),
        help_text="Default: now. Readings are never overwritten: give the time it was measured.",
    )

    def __init__(self, *args: Any, system: AISystem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [  # type: ignore[attr-defined]
            (m.short_name, m.name) for m in system.metrics.order_by("name")
        ]
        self.fields["at"].help_text = f"Time zone {settings.TIME_ZONE}. " + str(self.fields["at"].help_text)


class FlagCloseForm(KeelForm):
    note = forms.CharField(max_length=4000)


# ---------------------------------------------------------------- datasets


class DatasetFilterForm(FilterForm[list_filters.DatasetFilters]):
    """Declared in :class:`keel.aisystems.list_filters.DatasetFilters`; takes ``user=``."""

    filters_class = list_filters.DatasetFilters
    field_order = ["q", "acquisition", "management_system", "ai_system", "classification"]


class DatasetForm(VersionedForm):
    short_name = forms.SlugField(max_length=60)
    name = forms.CharField(max_length=200)
    management_system = forms.ChoiceField()
    owner = forms.ChoiceField(required=False, widget=picker_select())
    description = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    source = forms.CharField(max_length=300, required=False)
    supplier = forms.ChoiceField(
        required=False,
        widget=picker_select(),
        help_text="From the supplier register. The dataset vendor or labelling service.",
    )
    acquisition = forms.ChoiceField(choices=Acquisition.choices)
    sources = forms.MultipleChoiceField(
        label="Derived from (sources)",
        required=False,
        widget=picker_select(multiple=True),
        help_text="The datasets this one was built from (its sources, not what was built from it).",
    )
    ai_systems = forms.MultipleChoiceField(
        label="Used by AI systems", required=False, widget=picker_select(multiple=True)
    )
    licence = forms.CharField(max_length=200, required=False)
    rights = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    representativeness = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    personal_data = forms.BooleanField(required=False)
    personal_data_notes = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    classification = forms.ChoiceField(
        required=False,
        help_text="Its level in the classification scheme: the level's AI rules bound the two flags below.",
    )
    may_train = forms.BooleanField(label="May be used for training", required=False)
    may_evaluate = forms.BooleanField(label="May be used for evaluation", required=False)
    licence_scope = forms.CharField(
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        help_text="Empty: the classification level's applies.",
    )
    deletion_method = forms.CharField(
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        help_text="Empty: the classification level's applies.",
    )

    def __init__(
        self, *args: Any, user: User | None = None, dataset: Dataset | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        levels = ClassificationLevel.objects.order_by("rank")
        current = dataset.classification_id if dataset is not None else None
        self.fields["classification"].choices = _any(  # type: ignore[attr-defined]
            "Not classified yet",
            [
                (lv.key, f"{lv.name} (retired)" if lv.retired_at else lv.name)
                for lv in levels
                if lv.retired_at is None or lv.pk == current
            ],
        )
        self.fields["management_system"].choices = _systems_for(user, Perm.EDIT_AI_SYSTEMS)  # type: ignore[attr-defined]
        self.fields["owner"].choices = _any("No owner yet", owner_choices())  # type: ignore[attr-defined]
        self.fields["supplier"].choices = _any("No supplier", supplier_choices())  # type: ignore[attr-defined]
        others = Dataset.objects.order_by("name")
        if dataset is not None:
            others = others.exclude(pk=dataset.pk)
        self.fields["sources"].choices = list(others.values_list("short_name", "name"))  # type: ignore[attr-defined]
        self.fields["ai_systems"].choices = list(  # type: ignore[attr-defined]
            AISystem.objects.order_by("name").values_list("short_name", "name")
        )

    @classmethod
    def initial_for(cls, d: Dataset) -> dict[str, Any]:
        names = [
            f
            for f in cls.base_fields
            if f
            not in {
                "management_system",
                "owner",
                "sources",
                "ai_systems",
                "classification",
                "supplier",
                *cls.VERSION_FIELDS,
            }
        ]
        return {
            "supplier": d.supplier.ref_id if d.supplier else "",
            "classification": d.classification.key if d.classification else "",
            **{n: getattr(d, n) for n in names},
            "management_system": d.management_system.short_name,
            "owner": d.owner.email if d.owner else "",
            "sources": [x.short_name for x in d.sources.all()],
            "ai_systems": [s.short_name for s in d.ai_systems.all()],
        }

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.VERSION_FIELDS}
        data["owner"] = _user(data["owner"])
        return data


# ---------------------------------------------------------------- lifecycle records


class RecordForm(VersionedForm):
    kind = forms.ChoiceField(choices=LifecycleRecordKind.choices)
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text="Markdown: headings, lists, tables, links. HTML is shown as text.",
    )
    owner = forms.ChoiceField(label="Owner", required=False, widget=picker_select())
    requirements = forms.MultipleChoiceField(
        label="ISO/IEC 42001 controls it serves",
        required=False,
        widget=picker_select(multiple=True),
        help_text="Default: the control of its kind.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _any("No owner yet", owner_choices())  # type: ignore[attr-defined]
        reqs = Requirement.objects.filter(standard__key="iso42001:2023", ref_id__startswith="A.").order_by(
            "sort_order"
        )
        self.fields["requirements"].choices = [(r.key, f"{r.ref_id} {r.title}") for r in reqs]  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, r: LifecycleRecord) -> dict[str, Any]:
        return {
            "kind": r.kind,
            "title": r.title,
            "body": r.body,
            "owner": r.owner.email if r.owner is not None else "",
            "requirements": [q.key for q in r.requirements.all()],
        }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["owner"] = _user(data.get("owner") or "")
        if not data.get("requirements") and not self.initial.get("requirements"):
            data.pop("requirements", None)  # a new record: the control of its kind
        return data


class NoteForm(KeelForm):
    note = forms.CharField(required=False, max_length=2000)
