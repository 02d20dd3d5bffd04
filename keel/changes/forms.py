"""Page-side forms of keel.changes: they parse input for the services; the rules (gates, who may
approve, transitions) live in the services. The create and edit forms show only the fields of
the change's family."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from keel.aisystems.models import AISystem, ModelVersion
from keel.evidence.models import Evidence
from keel.impact.choices import AssessmentStatus
from keel.impact.models import ImpactAssessment
from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem
from keel.organisation.options import owner_choices
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, KeelForm, VersionedForm, picker_select
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from . import queries
from .choices import FAMILY_TYPES, ChangeFamily, ChangeType

TEXT = forms.Textarea(attrs={"rows": 3})

# The fields each family shows, after the common ones.
FAMILY_FIELDS: dict[str, tuple[str, ...]] = {
    ChangeFamily.INFORMATION_SYSTEM: ("risk_notes", "test_plan", "rollback_plan"),
    ChangeFamily.MODEL_LIFECYCLE: (
        "ai_system",
        "model_version",
        "impact_assessment",
        "evidence",
        "risk_notes",
    ),
    ChangeFamily.MANAGEMENT_SYSTEM: (
        "purpose",
        "consequences",
        "resources",
        "responsibilities",
        "management_systems",
        "risk_notes",
    ),
}
COMMON = ("title", "kind", "description", "requester", "owner", "planned_on")


class ChangeFilterForm(FilterForm[queries.ChangeFilters]):
    """Declared in :class:`keel.changes.queries.ChangeFilters`; takes ``user=``."""

    filters_class = queries.ChangeFilters


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class ChangeForm(VersionedForm):
    management_system = forms.ChoiceField(
        help_text="The management system the change belongs to (a model lifecycle change: its AI system's)."
    )
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField()
    description = forms.CharField(widget=TEXT, required=False)
    requester = forms.ChoiceField(
        widget=picker_select(), help_text="Who asks for the change (they need not log in)."
    )
    owner = forms.ChoiceField(widget=picker_select(), help_text="Who sees it through.")
    planned_on = forms.DateField(label="Planned on", widget=DATE, required=False)
    risk_notes = forms.CharField(label="Risks and expected impact", widget=TEXT, required=False)
    test_plan = forms.CharField(widget=TEXT, required=False)
    rollback_plan = forms.CharField(widget=TEXT, required=False)
    ai_system = forms.ChoiceField(label="AI system", widget=picker_select(), required=False)
    model_version = forms.ChoiceField(
        label="Model version released",
        widget=picker_select(),
        required=False,
        help_text="The version the change puts into service (none for a retirement).",
    )
    impact_assessment = forms.ChoiceField(
        label="Impact assessment reviewed for it",
        widget=picker_select(),
        required=False,
        help_text="The approved version reviewed for this change (else one approved after submission counts).",
    )
    evidence = forms.MultipleChoiceField(
        label="Verification and validation evidence", widget=picker_select(multiple=True), required=False
    )
    purpose = forms.CharField(widget=TEXT, required=False, help_text="Why, and what it should achieve.")
    consequences = forms.CharField(widget=TEXT, required=False, help_text="What could follow from it.")
    resources = forms.CharField(widget=TEXT, required=False, help_text="People, money and time it needs.")
    responsibilities = forms.CharField(widget=TEXT, required=False, help_text="Who does what.")
    management_systems = forms.MultipleChoiceField(
        label="Management systems it changes", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(
        self, *args: Any, family: str, user: User | None = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.family = family
        keep = {*COMMON, *FAMILY_FIELDS[family], *self.VERSION_FIELDS}
        if not editing:
            keep.add("management_system")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        _choices(self, "kind", [(k, ChangeType(k).label) for k in FAMILY_TYPES[family]])
        people = _any("Choose a person", owner_choices())
        _choices(self, "requester", people)
        _choices(self, "owner", people)
        visible = resolvers.visible_system_ids(user)
        if "management_system" in self.fields:
            _choices(
                self,
                "management_system",
                _any(
                    "Choose a system",
                    [
                        (ms.short_name, ms.name)
                        for ms in ManagementSystem.objects.order_by("name")
                        if user is None or has_perm(user, Perm.EDIT_CHANGES, ms)
                    ],
                ),
            )
            if family == ChangeFamily.MODEL_LIFECYCLE:
                self.fields["management_system"].required = False
        if "management_systems" in self.fields:
            _choices(
                self,
                "management_systems",
                [(ms.short_name, ms.name) for ms in resolvers.visible_systems(user)],
            )
        if family == ChangeFamily.MODEL_LIFECYCLE:
            systems = AISystem.objects.order_by("name")
            if visible is not None:
                systems = systems.filter(management_system_id__in=visible)
            self.fields["ai_system"].required = True
            _choices(
                self, "ai_system", _any("Choose an AI system", [(s.short_name, s.name) for s in systems])
            )
            versions = ModelVersion.objects.select_related("model__ai_system").filter(
                model__ai_system__in=systems
            )
            _choices(
                self,
                "model_version",
                _any(
                    "None (a retirement)",
                    [
                        (str(v.pk), f"{v.model.ai_system.short_name}: {v.model.name} {v.label}")
                        for v in versions.order_by("model__ai_system__name", "model__name", "created_at")
                    ],
                ),
            )
            assessments = ImpactAssessment.objects.select_related("ai_system").filter(
                ai_system__in=systems, status=AssessmentStatus.APPROVED
            )
            _choices(
                self,
                "impact_assessment",
                _any(
                    "None linked",
                    [
                        (str(a.pk), f"{a.ai_system.short_name}: impact assessment v{a.version}")
                        for a in assessments.order_by("ai_system__name", "-version")
                    ],
                ),
            )
            _choices(
                self,
                "evidence",
                [(e.ref_id, f"{e.ref_id} {e.title}") for e in Evidence.objects.order_by("ref_id")],
            )

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        for name in ("ai_system", "model_version", "impact_assessment", "management_system"):
            if name in data and data[name] == "":
                data[name] = None
        if "management_system" in data and data["management_system"] is None:
            data.pop("management_system")
        return data


class DecisionForm(KeelForm):
    note = forms.CharField(label="Reason", widget=TEXT, required=False, max_length=4000)


class StepForm(KeelForm):
    note = forms.CharField(widget=TEXT, required=False, max_length=4000)
