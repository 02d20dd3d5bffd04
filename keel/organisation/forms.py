"""Page-side forms of the organisation.

Forms only parse and shape input for the service functions; the rules live in the services.
A :class:`KeelError` raised by a service is put back on the form with :func:`add_service_error`.
"""

from __future__ import annotations

from typing import Any

from django import forms

from keel.organisation import list_filters
from keel.organisation.choices import (
    AIRole,
    ClimateRelevance,
    IssueCategory,
    IssueEffect,
    IssueKind,
    LifecycleStage,
    ManagementSystemStatus,
    OperatingModel,
    PartyCategory,
)
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    ScopeStatement,
)
from keel.organisation.options import standard_choices
from keel.platform.choices import Role
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, TEXTAREA, KeelForm, VersionedForm
from keel.platform.models import User
from keel.standards.models import Standard


class StandardsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "The standards this record serves.")
        super().__init__(**kwargs)

    @staticmethod
    def load_shared_choices() -> list[tuple[str, str]]:
        return standard_choices()


class OrganisationForm(VersionedForm):
    name = forms.CharField(max_length=200)
    legal_name = forms.CharField(max_length=200, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    sector = forms.CharField(max_length=120, required=False)
    headquarters = forms.CharField(max_length=200, required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    climate_relevance = forms.ChoiceField(
        label="Is climate change a relevant issue?",
        choices=ClimateRelevance.choices,
        widget=forms.RadioSelect,
        help_text="The climate-change decision of clause 4.1: in ISO/IEC 42001:2023 as published, added to ISO/IEC 27001:2022 by Amd 1:2024.",
    )
    climate_rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text="Why climate change is or is not relevant to the management system(s).",
    )

    @classmethod
    def initial_for(cls, org: Organisation | None) -> dict[str, Any]:
        if org is None:
            return {"climate_relevance": ClimateRelevance.NOT_DETERMINED}
        return {name: getattr(org, name) for name in cls.base_fields if name not in cls.VERSION_FIELDS}


class ManagementSystemForm(VersionedForm):
    name = forms.CharField(max_length=200)
    short_name = forms.SlugField(
        max_length=40, help_text="Letters, digits and hyphens, e.g. isms. Used in addresses."
    )
    description = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    operating_model = forms.ChoiceField(choices=OperatingModel.choices, widget=forms.RadioSelect)
    status = forms.ChoiceField(choices=ManagementSystemStatus.choices, initial=ManagementSystemStatus.ACTIVE)
    standards = StandardsField(
        label="Standards covered", required=True, help_text="The standards this management system covers."
    )

    @classmethod
    def initial_for(cls, ms: ManagementSystem) -> dict[str, Any]:
        data = {
            name: getattr(ms, name)
            for name in ("name", "short_name", "description", "operating_model", "status")
        }
        data["standards"] = [s.key for s in ms.standards.all()]
        return data


class ScopeDraftForm(KeelForm):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The scope in one or two sentences, as it would appear on a certificate.",
    )
    boundaries = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text="Organisational, physical and logical boundaries.",
    )
    interfaces = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text="Interfaces and dependencies on activities outside the scope.",
    )
    sites = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    exclusions = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA), required=False, help_text="What is excluded, and why."
    )
    ai_systems = forms.CharField(
        label="AI systems in scope", widget=forms.Textarea(attrs=TEXTAREA), required=False
    )
    lifecycle_stages = forms.MultipleChoiceField(
        label="AI lifecycle stages in scope",
        choices=LifecycleStage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    ai_roles = forms.MultipleChoiceField(
        label="Our AI roles", choices=AIRole.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    change_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What changed from the previous version.",
    )

    AI_FIELDS = ("ai_systems", "lifecycle_stages", "ai_roles")

    def __init__(self, *args: Any, standard_key: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not Standard.key_covers_ai_systems(standard_key):
            for name in self.AI_FIELDS:
                del self.fields[name]

    @classmethod
    def initial_for(cls, scope: ScopeStatement | None) -> dict[str, Any]:
        if scope is None:
            return {}
        data = {name: getattr(scope, name) for name in cls.base_fields}
        if scope.status != "draft":
            data["change_note"] = ""
        return data


class InterestedPartyForm(VersionedForm):
    name = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=PartyCategory.choices)
    needs_expectations = forms.CharField(
        label="Needs and expectations", widget=forms.Textarea(attrs=TEXTAREA)
    )
    requirements = forms.CharField(
        label="Requirements we address", widget=forms.Textarea(attrs=TEXTAREA), required=False
    )
    climate_related = forms.BooleanField(label="Has climate-related requirements", required=False)
    affected_not_user = forms.BooleanField(
        label="Affected by our AI systems without using them", required=False
    )
    review_date = forms.DateField(required=False, widget=DATE)
    standards = StandardsField()

    @classmethod
    def initial_for(cls, party: InterestedParty) -> dict[str, Any]:
        data = {
            name: getattr(party, name)
            for name in cls.base_fields
            if name not in ("standards", *cls.VERSION_FIELDS)
        }
        data["standards"] = [s.key for s in party.standards.all()]
        return data


class ContextIssueForm(VersionedForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA))
    kind = forms.ChoiceField(choices=IssueKind.choices)
    category = forms.ChoiceField(choices=IssueCategory.choices)
    effect = forms.ChoiceField(choices=IssueEffect.choices, initial=IssueEffect.RISK)
    climate_related = forms.BooleanField(label="Climate-related", required=False)
    review_date = forms.DateField(required=False, widget=DATE)
    standards = StandardsField()

    @classmethod
    def initial_for(cls, issue: ContextIssue) -> dict[str, Any]:
        data = {
            name: getattr(issue, name)
            for name in cls.base_fields
            if name not in ("standards", *cls.VERSION_FIELDS)
        }
        data["standards"] = [s.key for s in issue.standards.all()]
        return data


class StandardFilterForm(FilterForm[list_filters.ContextFilters]):
    """Declared in :class:`keel.organisation.list_filters.ContextFilters`."""

    filters_class = list_filters.ContextFilters


def perimeter_choices() -> list[tuple[str, str]]:
    return [
        ("", "The whole organisation"),
        *((ms.short_name, ms.name) for ms in ManagementSystem.objects.order_by("name")),
    ]


class PerimeterForm(KeelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "management_system" in self.fields:
            self.fields["management_system"].choices = perimeter_choices()  # type: ignore[attr-defined]


class UserCreateForm(PerimeterForm):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=150, required=False)
    job_title = forms.CharField(max_length=150, required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Optional. Without one the person cannot log in until a password is set.",
    )
    role = forms.ChoiceField(choices=[("", "No role yet"), *Role.choices], required=False)
    management_system = forms.ChoiceField(label="Perimeter", required=False)


class GrantRoleForm(PerimeterForm):
    """A further role for someone. The least-privileged role is preselected, so a hurried
    click on Grant never hands out administration (docs/people.md)."""

    DEFAULT_ROLE = Role.VIEWER

    role = forms.ChoiceField(choices=Role.choices, initial=DEFAULT_ROLE)
    management_system = forms.ChoiceField(label="Perimeter", required=False)


class PersonAddForm(KeelForm):
    """A person for the directory: a name, and what else is known (docs/people.md)."""

    full_name = forms.CharField(label="Name", max_length=150)
    email = forms.EmailField(
        required=False, help_text="Optional. Needed only when they are invited to log in."
    )
    job_title = forms.CharField(max_length=150, required=False)
    department = forms.CharField(max_length=150, required=False)


class PersonForm(VersionedForm, PersonAddForm):
    """The edit of a person's details, carrying the version it was built from."""

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        return {
            "full_name": user.full_name,
            "email": user.shown_email,
            "job_title": user.job_title,
            "department": user.department,
        }

    @classmethod
    def for_record(cls, user: User, **kwargs: Any) -> PersonForm:
        form = cls(initial=cls.initial_for(user), **kwargs)
        form.bind_version(user)
        return form


class PeopleFilterForm(FilterForm[list_filters.PeopleFilters]):
    """Declared in :class:`keel.organisation.list_filters.PeopleFilters`; takes
    ``departments=``."""

    filters_class = list_filters.PeopleFilters


class InviteForm(PerimeterForm):
    email = forms.EmailField(
        required=False, help_text="The address they will log in with (required when Keel has none)."
    )
    role = forms.ChoiceField(choices=[("", "No role yet"), *Role.choices], required=False)
    management_system = forms.ChoiceField(label="Perimeter", required=False)


class TrailFilterForm(FilterForm[list_filters.TrailFilters]):
    """Declared in :class:`keel.organisation.list_filters.TrailFilters`; takes
    ``object_types=`` (the recorded types as (stored type, readable label))."""

    filters_class = list_filters.TrailFilters

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date is before the start date.")
        return data
