"""Page-side forms of the support records. Each form's values are the references the services
take (emails, short names, keys, ids), so pages, the API and the CLI share one path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from keel.aisystems.models import AISystem, Metric
from keel.controls.forms import owner_choices, system_choices
from keel.documents.forms import split_keys
from keel.organisation.forms import StandardsField
from keel.platform.filters import FilterForm
from keel.platform.forms import TEXTAREA, KeelForm, VersionedForm, picker_attrs, picker_select

from . import queries
from .choices import (
    CommunicationMethod,
    CompetenceKind,
    ConcernStatus,
    Direction,
    LegalRequirementKind,
    LegalRequirementStatus,
    ObjectiveTheme,
    ReadingFrequency,
)
from .models import Competence, MsRole

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


def _text(required: bool = True) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=required)


def _date(label: str | None = None, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, required=required)


class SupportForm(VersionedForm):
    """Fills its choices; ``initial_for`` reads a record back into references."""

    PEOPLE: tuple[str, ...] = ()
    REQUIRED_PEOPLE: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "management_system" in self.fields:
            self.fields["management_system"].choices = system_choices()  # type: ignore[attr-defined]
        people = owner_choices() if self.PEOPLE else []
        for name in self.PEOPLE:
            label = "Choose a person" if name in self.REQUIRED_PEOPLE else "Nobody yet"
            self.fields[name].choices = _any(label, people)  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, obj: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in cls.base_fields:
            if name in cls.VERSION_FIELDS:
                continue
            value = getattr(obj, name, None)
            if name == "standards":
                value = [s.key for s in obj.standards.all()]
            elif name == "management_system":
                value = obj.management_system.short_name
            elif name in cls.PEOPLE:
                value = value.email if value is not None else ""
            elif name == "metric":
                value = f"{value.ai_system.short_name}/{value.short_name}" if value is not None else ""
            elif name == "ai_system":
                value = value.short_name if value is not None else ""
            elif name in ("role", "competence"):
                value = str(value.pk) if value is not None else ""
            elif name == "controls":
                value = ", ".join(c.ref_id for c in obj.controls.all())
            elif name == "requirements":
                value = ", ".join(r.key for r in obj.requirements.all())
            data[name] = value
        return data

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        for name in ("metric", "competence", "ai_system", *self.PEOPLE):
            if name in data and data[name] == "":
                data[name] = None
        return data


class RoleForm(SupportForm):
    PEOPLE = ("holder",)
    management_system = forms.ChoiceField(label="Management system")
    standards = StandardsField()
    name = forms.CharField(max_length=200, label="Role")
    responsibilities = _text()
    authorities = _text(required=False)
    holder = forms.ChoiceField(required=False, label="Held by", widget=picker_select())
    held_from = _date("Held from", required=False)
    held_until = _date("Held until", required=False)


class CommitmentForm(SupportForm):
    PEOPLE = REQUIRED_PEOPLE = ("decided_by",)
    management_system = forms.ChoiceField(label="Management system")
    standards = StandardsField()
    decision = forms.CharField(max_length=300)
    detail = _text(required=False)
    decided_on = _date("Decided on")
    decided_by = forms.ChoiceField(label="Decided by", widget=picker_select())
    minutes = forms.CharField(max_length=300, required=False, label="Where it is minuted")


def metric_choices() -> list[tuple[str, str]]:
    return [
        (f"{m.ai_system.short_name}/{m.short_name}", f"{m.ai_system.name}: {m.name}")
        for m in Metric.objects.select_related("ai_system").order_by("ai_system__short_name", "short_name")
    ]


class ObjectiveForm(SupportForm):
    PEOPLE = ("owner",)
    ref_id = forms.CharField(
        label="Reference", max_length=32, required=False, help_text="Leave empty for the next free OB-nnn."
    )
    management_system = forms.ChoiceField(label="Management system")
    standards = StandardsField()
    title = forms.CharField(max_length=200)
    description = _text(required=False)
    theme = forms.ChoiceField(
        choices=ObjectiveTheme.choices,
        required=False,
        label="ISO/IEC 42001 Annex C theme",
        help_text="A starting point for AI objectives; the page lists what each could measure.",
    )
    measure = forms.CharField(max_length=300, help_text="What is measured.")
    unit = forms.CharField(max_length=40, required=False)
    target = forms.DecimalField(max_digits=20, decimal_places=6)
    direction = forms.ChoiceField(choices=Direction.choices)
    owner = forms.ChoiceField(required=False, widget=picker_select())
    frequency = forms.ChoiceField(choices=ReadingFrequency.choices, label="Read")
    metric = forms.ChoiceField(
        required=False, label="Fed by the operating metric", help_text="Its readings are copied in."
    )
    due_on = _date("Target date", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = _any("Readings recorded by hand", metric_choices())  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if not data.get("ref_id"):
            data.pop("ref_id", None)
        return data


class ReadingForm(KeelForm):
    value = forms.DecimalField(max_digits=20, decimal_places=6)
    on = _date("On")
    note = forms.CharField(max_length=300, required=False)


class CompetenceForm(SupportForm):
    role = forms.ChoiceField(help_text="The management-system role that requires it.")
    name = forms.CharField(max_length=200, label="Competence")
    description = _text(required=False)
    evidence_expected = forms.CharField(max_length=300, required=False, label="Evidence expected")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _any(  # type: ignore[attr-defined]
            "Choose a role",
            [
                (str(r.pk), f"{r.name} ({r.management_system.short_name})")
                for r in MsRole.objects.select_related("management_system").order_by("name")
            ],
        )


class CompetenceRecordForm(SupportForm):
    PEOPLE = REQUIRED_PEOPLE = ("person",)
    management_system = forms.ChoiceField(label="Management system")
    person = forms.ChoiceField(widget=picker_select())
    competence = forms.ChoiceField(required=False, label="Meets the competence", widget=picker_select())
    kind = forms.ChoiceField(choices=CompetenceKind.choices)
    title = forms.CharField(max_length=200)
    provider = forms.CharField(max_length=200, required=False)
    achieved_on = _date("Achieved on")
    expires_on = _date("Expires on", required=False)
    evidence = forms.CharField(max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competence"].choices = _any(  # type: ignore[attr-defined]
            "None named",
            [
                (str(c.pk), f"{c.name} ({c.role.name})")
                for c in Competence.objects.select_related("role").order_by("role__name", "name")
            ],
        )


class CampaignForm(SupportForm):
    PEOPLE = ("owner",)
    management_system = forms.ChoiceField(label="Management system")
    standards = StandardsField()
    title = forms.CharField(max_length=200)
    message = _text()
    audience = forms.CharField(max_length=300)
    owner = forms.ChoiceField(required=False, widget=picker_select())
    starts_on = _date("Starts on")
    ends_on = _date("Ends on", required=False)


class CompletionForm(KeelForm):
    person = forms.ChoiceField(widget=picker_select())
    completed_on = _date("Completed on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _any("Choose a person", owner_choices())  # type: ignore[attr-defined]
        self.fields["completed_on"].initial = dt.date.today()


class CommunicationForm(SupportForm):
    PEOPLE = ("communicator",)
    management_system = forms.ChoiceField(label="Management system")
    standards = StandardsField()
    subject = forms.CharField(max_length=200, label="What")
    when = forms.CharField(max_length=200, label="When")
    audience = forms.CharField(max_length=300, label="With whom")
    communicator = forms.ChoiceField(required=False, label="Who communicates", widget=picker_select())
    method = forms.ChoiceField(choices=CommunicationMethod.choices, label="How")
    external = forms.BooleanField(required=False, label="With parties outside the organisation")


class LegalRequirementForm(SupportForm):
    PEOPLE = ("owner",)
    ref_id = forms.CharField(
        label="Reference", max_length=32, required=False, help_text="Leave empty for the next free LR-nnn."
    )
    management_system = forms.ChoiceField(label="Management system")
    standards = StandardsField()
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=LegalRequirementKind.choices)
    jurisdiction = forms.CharField(max_length=100, required=False, help_text="e.g. EU, UK, Germany.")
    source = forms.CharField(
        max_length=300, help_text="The act and article, or the contract and clause, e.g. GDPR Art. 32."
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="What it asks of the organisation, in your own words.",
    )
    owner = forms.ChoiceField(required=False, widget=picker_select())
    controls = forms.CharField(
        label="Controls it drives",
        required=False,
        max_length=4000,
        widget=forms.TextInput(attrs=picker_attrs("controls", multiple=True, placeholder="e.g. KC-012")),
        help_text="The organisation's controls, by reference, separated by spaces or commas.",
    )
    requirements = forms.CharField(
        label="Clauses and controls of the standards it drives",
        required=False,
        max_length=4000,
        widget=forms.TextInput(
            attrs=picker_attrs("requirements", multiple=True, placeholder="e.g. iso27001:2022:A.5.31")
        ),
        help_text="By key, separated by spaces or commas.",
    )
    review_on = _date("Next review", required=False)
    status = forms.ChoiceField(choices=LegalRequirementStatus.choices)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["controls"] = split_keys(data.get("controls") or "")
        data["requirements"] = split_keys(data.get("requirements") or "")
        if not data.get("ref_id"):
            data.pop("ref_id", None)
        return data


def ai_system_choices() -> list[tuple[str, str]]:
    return [(s.short_name, s.name) for s in AISystem.objects.filter(retired_at__isnull=True).order_by("name")]


class ConcernForm(KeelForm):
    ai_system = forms.ChoiceField(label="AI system", widget=picker_select())
    summary = forms.CharField(max_length=200)
    description = _text()
    anonymous = forms.BooleanField(
        required=False,
        label="Report anonymously",
        help_text="Keel then stores nothing about who reported it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ai_system"].choices = _any("Choose the AI system", ai_system_choices())  # type: ignore[attr-defined]


class ResponseForm(SupportForm):
    PEOPLE = ("handler",)
    status = forms.ChoiceField(choices=ConcernStatus.choices)
    response = _text(required=False)
    handler = forms.ChoiceField(required=False, label="Handled by", widget=picker_select())


class SupportFilterForm(FilterForm[queries.Filters]):
    """Declared in :class:`keel.support.queries.Filters` (every support list's page); takes
    ``user=``."""

    filters_class = queries.Filters
    field_order = ["q", "management_system"]
