"""Page-side forms of the audit programme: they parse input for the services; the rules
(independence, dates, what a finding needs) live in the services."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from keel.aisystems.models import AISystem
from keel.organisation.options import owner_choices, system_choices
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, KeelForm, VersionedForm, picker_attrs, picker_select

from . import queries
from .choices import AuditFindingGrade, AuditItemResult, AuditSampleResult
from .models import Audit, AuditProgramme


def split_keys(text: str) -> list[str]:
    return [k for k in re.split(r"[\s,;]+", text or "") if k]


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


class AuditFilterForm(FilterForm[queries.AuditFilters]):
    """Declared in :class:`keel.audits.queries.AuditFilters`."""

    filters_class = queries.AuditFilters


class ProgrammeForm(VersionedForm):
    title = forms.CharField(max_length=200)
    first_year = forms.IntegerField(min_value=2000, max_value=2100)
    last_year = forms.IntegerField(min_value=2000, max_value=2100)
    standards = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        choices=[("iso27001:2022", "ISO/IEC 27001:2022"), ("iso42001:2023", "ISO/IEC 42001:2023")],
        required=False,
    )
    management_systems = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False)
    criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Why this focus and frequency: the risks, how important each process is, what earlier audits found.",
    )
    owner = forms.ChoiceField(required=False, widget=picker_select(), help_text="Who manages the programme.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["management_systems"].choices = system_choices()  # type: ignore[attr-defined]
        self.fields["owner"].choices = _any("Nobody named yet", owner_choices())  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(p: AuditProgramme) -> dict[str, Any]:
        return {
            "title": p.title,
            "first_year": p.first_year,
            "last_year": p.last_year,
            "standards": [s.key for s in p.standards.all()],
            "management_systems": [m.short_name for m in p.management_systems.all()],
            "criteria": p.criteria,
            "rationale": p.rationale,
            "owner": p.owner.email if p.owner else "",
        }


class AuditForm(VersionedForm):
    programme = forms.ChoiceField(label="Programme")
    title = forms.CharField(max_length=200)
    objective = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    planned_start = forms.DateField(widget=DATE)
    planned_end = forms.DateField(widget=DATE)
    requirements = forms.CharField(
        label="Clauses and Annex controls",
        required=False,
        max_length=8000,
        widget=forms.TextInput(
            attrs=picker_attrs("requirements", multiple=True, placeholder="e.g. iso27001:2022:9.2")
        ),
    )
    controls = forms.CharField(
        label="Our controls",
        required=False,
        max_length=4000,
        widget=forms.TextInput(attrs=picker_attrs("controls", multiple=True, placeholder="KC-012 or words")),
    )
    processes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="The processes audited, one a line.",
    )
    ai_systems = forms.MultipleChoiceField(
        label="AI systems", required=False, widget=picker_select(multiple=True)
    )
    management_systems = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, required=False)
    lead_auditor = forms.ChoiceField(required=False, widget=picker_select())
    team = forms.MultipleChoiceField(required=False, widget=picker_select(multiple=True))
    report_due = forms.DateField(widget=DATE, required=False)
    conclusion = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = owner_choices()
        self.fields["programme"].choices = [  # type: ignore[attr-defined]
            (p.ref_id, f"{p.ref_id} {p.title}") for p in AuditProgramme.objects.order_by("-first_year")
        ]
        self.fields["ai_systems"].choices = [  # type: ignore[attr-defined]
            (s.short_name, s.name) for s in AISystem.objects.order_by("name")
        ]
        self.fields["management_systems"].choices = system_choices()  # type: ignore[attr-defined]
        self.fields["lead_auditor"].choices = _any("Nobody named yet", people)  # type: ignore[attr-defined]
        self.fields["team"].choices = people  # type: ignore[attr-defined]
        if editing:
            del self.fields["programme"]
        else:
            del self.fields["conclusion"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["requirements"] = split_keys(data.get("requirements", ""))
        data["controls"] = split_keys(data.get("controls", ""))
        return data

    @staticmethod
    def initial_for(a: Audit) -> dict[str, Any]:
        return {
            "title": a.title,
            "objective": a.objective,
            "planned_start": a.planned_start,
            "planned_end": a.planned_end,
            "requirements": ", ".join(r.key for r in a.requirements.all()),
            "controls": ", ".join(c.ref_id for c in a.controls.all()),
            "processes": a.processes,
            "ai_systems": [s.short_name for s in a.ai_systems.all()],
            "management_systems": [m.short_name for m in a.management_systems.all()],
            "lead_auditor": a.lead_auditor.email if a.lead_auditor else "",
            "team": [p.email for p in a.team.all()],
            "report_due": a.report_due,
            "conclusion": a.conclusion,
        }


class ItemResultForm(VersionedForm):
    result = forms.ChoiceField(choices=AuditItemResult.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence = forms.CharField(
        label="Evidence seen",
        required=False,
        max_length=2000,
        help_text="Evidence references, e.g. EV-007, EV-012.",
    )


class SampleDrawForm(KeelForm):
    period_start = forms.DateField(label="Period from", widget=DATE)
    period_end = forms.DateField(label="Period to", widget=DATE)
    seed = forms.IntegerField(
        min_value=0, max_value=2**31, help_text="Any number; the same number draws the same sample again."
    )


class SampleResultForm(VersionedForm):
    result = forms.ChoiceField(choices=AuditSampleResult.choices)
    note = forms.CharField(required=False, max_length=2000)
    evidence_ref = forms.CharField(label="Evidence", required=False, max_length=40, help_text="e.g. EV-007")


class FindingForm(VersionedForm):
    grade = forms.ChoiceField(choices=AuditFindingGrade.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    requirements = forms.CharField(
        label="Requirements",
        required=False,
        max_length=4000,
        widget=forms.TextInput(
            attrs=picker_attrs("requirements", multiple=True, placeholder="e.g. iso27001:2022:9.2.2")
        ),
    )
    controls = forms.CharField(
        label="Controls",
        required=False,
        max_length=4000,
        widget=forms.TextInput(attrs=picker_attrs("controls", multiple=True, placeholder="KC-012 or words")),
    )
    item_id = forms.CharField(widget=forms.HiddenInput, required=False)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["requirements"] = split_keys(data.get("requirements", ""))
        data["controls"] = split_keys(data.get("controls", ""))
        return data
