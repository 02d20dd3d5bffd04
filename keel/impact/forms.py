"""Page-side forms of the impact assessment: they parse input for the services; the rules live
in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.organisation.models import InterestedParty
from keel.platform.forms import KeelForm, VersionedForm, picker_select

from .choices import Affects, Dimension, Nature, Occurrence
from .models import CONTENT_FIELDS, Impact, ImpactAssessment

TEXT = {"rows": 3}


def _text(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs=TEXT), required=False, help_text=help_text
    )


class AssessmentForm(VersionedForm):
    scope = _text("Scope", "What the assessment covers and what it leaves out.")
    system_description = _text("Description of the system")
    capabilities = _text("Capabilities", "What it can do, and its known limits.")
    purpose = _text("Purpose")
    intended_uses = _text("Intended uses")
    unintended_uses = _text("Unintended uses", "Foreseeable misuse and uses out of scope.")
    datasets = forms.MultipleChoiceField(
        label="Datasets", required=False, widget=picker_select(multiple=True)
    )
    data_description = _text("Data")
    data_quality = _text("Data quality", "Quality, representativeness and gaps of the data.")
    ai_models = forms.MultipleChoiceField(label="Models", required=False)
    models_description = _text("Models and third-party components")
    deployment_environment = _text("Deployment environment", "Regions, settings, users, human oversight.")
    interested_parties = forms.MultipleChoiceField(label="Interested parties", required=False)
    affected_people = _text("People affected who are not users")
    parties_notes = _text("Notes on interested parties")
    trigger_stage_change = forms.BooleanField(
        label="Re-assess when the lifecycle stage changes", required=False
    )
    trigger_new_model = forms.BooleanField(
        label="Re-assess when a model is added or its version changes", required=False
    )
    trigger_intended_use = forms.BooleanField(label="Re-assess when the intended use changes", required=False)
    trigger_drift = forms.BooleanField(
        label="Re-assess when an operating metric breaches its threshold (drift)", required=False
    )
    trigger_data_quality = forms.BooleanField(
        label="Re-assess when a data-quality check fails on one of its datasets", required=False
    )
    review_interval_months = forms.IntegerField(
        label="Planned re-assessment interval (months)", min_value=1, max_value=120, required=False
    )

    def __init__(self, *args: Any, assessment: ImpactAssessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        system = assessment.ai_system
        self.fields["datasets"].choices = [  # type: ignore[attr-defined]
            (d.short_name, d.name) for d in system.datasets.order_by("name")
        ] + [(d.short_name, d.name) for d in assessment.datasets.exclude(ai_systems=system)]
        self.fields["ai_models"].choices = [(str(m.pk), str(m)) for m in system.models.order_by("name")]  # type: ignore[attr-defined]
        self.fields["interested_parties"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), p.name) for p in InterestedParty.objects.order_by("name")
        ]

    @staticmethod
    def initial_for(a: ImpactAssessment) -> dict[str, Any]:
        data: dict[str, Any] = {f: getattr(a, f) for f in CONTENT_FIELDS}
        data["datasets"] = [d.short_name for d in a.datasets.all()]
        data["ai_models"] = [str(m.pk) for m in a.ai_models.all()]
        data["interested_parties"] = [str(p.pk) for p in a.interested_parties.all()]
        return data

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.VERSION_FIELDS}


class ImpactForm(VersionedForm):
    title = forms.CharField(max_length=200)
    description = _text("Description")
    nature = forms.ChoiceField(label="Benefit or harm", choices=Nature.choices, initial=Nature.HARM)
    occurrence = forms.ChoiceField(
        label="Actual or potential", choices=Occurrence.choices, initial=Occurrence.POTENTIAL
    )
    affects = forms.ChoiceField(label="Affects", choices=Affects.choices)
    affected_who = _text("Who exactly")
    dimension = forms.ChoiceField(choices=Dimension.choices)
    severity = forms.TypedChoiceField(label="Severity", coerce=int)
    likelihood = forms.TypedChoiceField(label="Likelihood", coerce=int)
    measures = _text("Measures", "What is done to realise the benefit or reduce the harm.")
    residual_severity = forms.TypedChoiceField(
        label="Residual severity", coerce=int, required=False, empty_value=None
    )
    residual_likelihood = forms.TypedChoiceField(
        label="Residual likelihood", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, assessment: ImpactAssessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        m = assessment.methodology
        sev = [(str(s["value"]), f"{s['value']} — {s['label']}") for s in m.impact]
        lik = [(str(s["value"]), f"{s['value']} — {s['label']}") for s in m.likelihood]
        self.fields["severity"].choices = sev  # type: ignore[attr-defined]
        self.fields["likelihood"].choices = lik  # type: ignore[attr-defined]
        self.fields["residual_severity"].choices = [("", "—"), *sev]  # type: ignore[attr-defined]
        self.fields["residual_likelihood"].choices = [("", "—"), *lik]  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(i: Impact) -> dict[str, Any]:
        from .models import IMPACT_FIELDS

        return {f: getattr(i, f) for f in IMPACT_FIELDS}

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.VERSION_FIELDS}


class ApproveForm(KeelForm):
    note = forms.CharField(max_length=4000, required=False)
