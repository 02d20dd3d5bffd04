"""Page-side forms of incidents: they parse input for the services; the rules live there."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.organisation import resolvers
from keel.organisation.options import owner_choices
from keel.platform.filters import FilterForm
from keel.platform.forms import KeelForm, VersionedForm, picker_select
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm
from keel.risks.models import Risk
from keel.suppliers.models import Supplier

from . import queries
from .choices import (
    FLAG_NAMES,
    ClockRegime,
    ClockStart,
    DurationUnit,
    IncidentFamily,
    IncidentFlag,
    IncidentSeverity,
    IncidentStatus,
    TimelineKind,
)
from .models import FLAG_CHOICES, Incident

MOMENT_FORMAT = "%Y-%m-%dT%H:%M"
MOMENT = forms.DateTimeInput(format=MOMENT_FORMAT, attrs={"type": "datetime-local"})
TEXT = forms.Textarea(attrs={"rows": 3})
STAGES = [(s, label) for s, label in IncidentStatus.choices if s != IncidentStatus.CLOSED]


class IncidentFilterForm(FilterForm[queries.IncidentFilters]):
    """Declared in :class:`keel.incidents.queries.IncidentFilters`; takes ``user=``."""

    filters_class = queries.IncidentFilters
    open_clocks = forms.BooleanField(label="Open clocks", required=False)
    field_order = ["q", "status", "incident_type", "family", "management_system", "open_clocks"]


def _moment(label: str, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=MOMENT,
        input_formats=[MOMENT_FORMAT, "%Y-%m-%d %H:%M"],
        required=required,
        help_text=help_text,
    )


class _IncidentFields(KeelForm):
    incident_type = forms.ChoiceField(label="Type")
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    severity = forms.ChoiceField(choices=IncidentSeverity.choices)
    aware_at = _moment(
        "Aware since", help_text="When we became aware of it: the regulatory clocks run from here."
    )
    serious_ai_incident = forms.BooleanField(label=IncidentFlag.SERIOUS_AI_INCIDENT.label, required=False)
    widespread_or_critical = forms.BooleanField(
        label=IncidentFlag.WIDESPREAD_OR_CRITICAL.label, required=False
    )
    death = forms.BooleanField(label=IncidentFlag.DEATH.label, required=False)
    personal_data_breach = forms.BooleanField(label=IncidentFlag.PERSONAL_DATA_BREACH.label, required=False)
    nis2_significant = forms.BooleanField(label=IncidentFlag.NIS2_SIGNIFICANT.label, required=False)
    handler = forms.ChoiceField(
        required=False, widget=picker_select(), help_text="Who handles it (they need not log in)."
    )
    ai_systems = forms.MultipleChoiceField(
        label="AI systems", required=False, widget=picker_select(multiple=True)
    )
    risks = forms.MultipleChoiceField(required=False, widget=picker_select(multiple=True))
    controls = forms.MultipleChoiceField(required=False, widget=picker_select(multiple=True))
    suppliers = forms.MultipleChoiceField(required=False, widget=picker_select(multiple=True))

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [("", "Nobody yet"), *owner_choices()]
        self.fields["handler"].choices = people  # type: ignore[attr-defined]
        self.fields["incident_type"].choices = [  # type: ignore[attr-defined]
            (t.slug, f"{t.name} ({t.get_family_display()})") for t in queries.types()
        ]
        self.fields["ai_systems"].choices = [  # type: ignore[attr-defined]
            (s.short_name, s.name) for s in resolvers.in_perimeter(AISystem.objects.order_by("name"), user)
        ]
        self.fields["risks"].choices = [  # type: ignore[attr-defined]
            (r.ref_id, f"{r.ref_id} {r.title}")
            for r in resolvers.in_perimeter(Risk.objects.order_by("ref_id"), user)
        ]
        self.fields["controls"].choices = [  # type: ignore[attr-defined]
            (c.ref_id, f"{c.ref_id} {c.title}") for c in Control.objects.order_by("ref_id")
        ]
        self.fields["suppliers"].choices = [  # type: ignore[attr-defined]
            (s.ref_id, f"{s.ref_id} {s.name}")
            for s in resolvers.in_perimeter(Supplier.objects.order_by("ref_id"), user)
        ]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class IncidentForm(_IncidentFields):
    management_system = forms.ChoiceField(
        help_text="Left empty: that of the first AI system chosen.", required=False
    )
    reported_by = forms.ChoiceField(
        required=False, widget=picker_select(), help_text="Who reported it (need not log in)."
    )
    field_order = [
        "incident_type",
        "management_system",
        "title",
        "description",
        "severity",
        "aware_at",
        "reported_by",
        "handler",
    ]

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["reported_by"].choices = [("", "Me"), *owner_choices()]  # type: ignore[attr-defined]
        self.fields["management_system"].choices = [("", "From the AI system")] + [  # type: ignore[attr-defined]
            (ms.short_name, ms.name)
            for ms in resolvers.visible_systems(user)
            if user is None or has_perm(user, Perm.REPORT_INCIDENTS, ms)
        ]


class IncidentEditForm(VersionedForm, _IncidentFields):
    @classmethod
    def initial_for(cls, incident: Incident) -> dict[str, Any]:
        return {
            "incident_type": incident.incident_type.slug,
            "title": incident.title,
            "description": incident.description,
            "severity": incident.severity,
            "aware_at": incident.aware_at,
            "handler": incident.handler.email if incident.handler else "",
            "ai_systems": [s.short_name for s in incident.ai_systems.all()],
            "risks": [r.ref_id for r in incident.risks.all()],
            "controls": [c.ref_id for c in incident.controls.all()],
            "suppliers": [s.ref_id for s in incident.suppliers.all()],
            **{name: getattr(incident, name) for name in FLAG_NAMES},
        }


class AdvanceForm(KeelForm):
    to = forms.ChoiceField(label="Move to", choices=IncidentStatus.choices)
    note = forms.CharField(required=False, max_length=2000)


class TimelineForm(KeelForm):
    kind = forms.ChoiceField(choices=TimelineKind.choices, initial=TimelineKind.NOTE)
    text = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    at = _moment("When", required=False, help_text="Left empty: now.")


class MeetClockForm(KeelForm):
    met_at = _moment("Made at", required=False, help_text="Left empty: now.")
    note = forms.CharField(required=False, max_length=2000, help_text="To whom, the case number.")


class ReviewForm(KeelForm):
    review_what_happened = forms.CharField(label="What happened", widget=TEXT, max_length=20000)
    review_root_cause = forms.CharField(label="Root cause", widget=TEXT, max_length=20000)
    review_lessons = forms.CharField(label="Lessons learned", widget=TEXT, max_length=20000)
    review_actions = forms.CharField(label="Follow-up actions", widget=TEXT, max_length=20000, required=False)


# ---------------------------------------------------------------- catalogue


class TypeForm(KeelForm):
    name = forms.CharField(max_length=200)
    family = forms.ChoiceField(choices=IncidentFamily.choices)
    description = forms.CharField(widget=TEXT, required=False, max_length=4000)
    clocks = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The regulatory clocks that may run on incidents of this type.",
    )
    order = forms.IntegerField(min_value=0, initial=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clocks"].choices = [(c.slug, c.name) for c in queries.clocks()]  # type: ignore[attr-defined]


class StepForm(KeelForm):
    stage = forms.ChoiceField(choices=STAGES, initial=IncidentStatus.TRIAGE)
    text = forms.CharField(label="Step", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    role = forms.CharField(max_length=120, required=False)


class ClockForm(KeelForm):
    name = forms.CharField(max_length=200)
    regime = forms.ChoiceField(choices=ClockRegime.choices)
    applies_when = forms.ChoiceField(label="Runs when", choices=FLAG_CHOICES, required=False)
    starts_from = forms.ChoiceField(choices=ClockStart.choices)
    duration = forms.IntegerField(min_value=1)
    unit = forms.ChoiceField(choices=DurationUnit.choices)
    description = forms.CharField(widget=TEXT, required=False, max_length=4000)
    order = forms.IntegerField(min_value=0, initial=100)


class VariantForm(KeelForm):
    condition = forms.ChoiceField(label="When", choices=IncidentFlag.choices)
    duration = forms.IntegerField(min_value=1)
    unit = forms.ChoiceField(choices=DurationUnit.choices)
    note = forms.CharField(max_length=300, required=False)
