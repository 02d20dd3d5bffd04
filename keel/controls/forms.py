"""Page-side forms of the control catalogue: they parse input for the services and queries;
the rules live in the services."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.organisation.options import owner_choices, standard_choices, system_choices, system_filter_field
from keel.platform.filters import FilterForm
from keel.platform.forms import TEXTAREA, KeelForm, VersionedForm, picker_attrs, picker_select
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from . import matrix, policies, queries
from .choices import ControlType, Coverage, Effectiveness, Frequency, ImplementationStatus
from .models import Control


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


class ControlFilterForm(FilterForm[queries.ControlFilters]):
    """Declared in :class:`keel.controls.queries.ControlFilters`; takes ``user=``."""

    filters_class = queries.ControlFilters
    field_order = [
        "q", "status", "effectiveness", "type", "frequency", "owner",
        "management_system", "standard", "requirement", "tag", "template", "order",
    ]  # fmt: skip


class ControlForm(VersionedForm):
    ref_id = forms.CharField(
        label="Reference", max_length=32, required=False, help_text="Leave empty for the next free KC-nnn."
    )
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    owner = forms.ChoiceField(required=False, widget=picker_select())
    type = forms.ChoiceField(choices=ControlType.choices)
    frequency = forms.ChoiceField(choices=Frequency.choices)
    status = forms.ChoiceField(choices=ImplementationStatus.choices, initial=ImplementationStatus.PLANNED)
    effectiveness = forms.ChoiceField(choices=Effectiveness.choices, initial=Effectiveness.NOT_ASSESSED)
    management_systems = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The management systems the control belongs to.",
    )
    tags = forms.CharField(
        required=False, max_length=600, help_text="Comma-separated, e.g. cloud, ml-platform."
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _any("No owner yet", owner_choices())  # type: ignore[attr-defined]
        systems = ManagementSystem.objects.order_by("name")
        self.fields["management_systems"].choices = [  # type: ignore[attr-defined]
            (ms.short_name, ms.name)
            for ms in systems
            if user is None or has_perm(user, Perm.EDIT_CONTROLS, ms)
        ]

    @classmethod
    def initial_for(cls, control: Control) -> dict[str, Any]:
        return {
            "ref_id": control.ref_id,
            "title": control.title,
            "description": control.description,
            "owner": control.owner.email if control.owner_id else "",  # type: ignore[union-attr]
            "type": control.type,
            "frequency": control.frequency,
            "status": control.status,
            "effectiveness": control.effectiveness,
            "management_systems": [ms.short_name for ms in control.management_systems.all()],
            "tags": ", ".join(t.name for t in control.tags.all()),
        }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        email = data.pop("owner")
        data["owner"] = User.objects.filter(email=email).first() if email else None
        data["tags"] = [t for t in (data["tags"] or "").split(",") if t.strip()]
        if not data["ref_id"]:
            data.pop("ref_id")
        return data


class OwnerControlForm(VersionedForm):
    """What a control's owner may update with ``edit_own_controls`` (policies.OWNER_FIELDS)."""

    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    frequency = forms.ChoiceField(choices=Frequency.choices)
    status = forms.ChoiceField(choices=ImplementationStatus.choices)
    effectiveness = forms.ChoiceField(choices=Effectiveness.choices)

    @classmethod
    def initial_for(cls, control: Control) -> dict[str, Any]:
        return {name: getattr(control, name) for name in policies.OWNER_FIELDS}


class LinkForm(KeelForm):
    requirement = forms.CharField(
        max_length=128,
        widget=forms.TextInput(
            attrs=picker_attrs("requirements", placeholder="Id, key or words: A.10.3, supplier")
        ),
        help_text="Type an id (A.10.3), a key (iso42001:2023:A.10.3) or words of the title, and choose.",
    )
    coverage = forms.ChoiceField(choices=Coverage.choices, initial=Coverage.FULL)
    note = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA), required=False, help_text="What the control covers there."
    )


class LinkEditForm(VersionedForm):
    coverage = forms.ChoiceField(choices=Coverage.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class BulkForm(KeelForm):
    controls = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    status = forms.ChoiceField(choices=_any("Keep status", ImplementationStatus.choices), required=False)
    effectiveness = forms.ChoiceField(
        choices=_any("Keep effectiveness", Effectiveness.choices), required=False
    )
    owner = forms.ChoiceField(required=False, widget=picker_select())
    add_tag = forms.CharField(label="Add tag", max_length=60, required=False)

    KEEP = ""
    NOBODY = "-"

    def __init__(self, *args: Any, owners: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        """``owners``: the :func:`owner_choices` the page has already read (else read here)."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            (self.KEEP, "Keep owner"),
            (self.NOBODY, "No owner"),
            *(owner_choices() if owners is None else owners),
        ]

    def clean_controls(self) -> list[str]:
        values: list[str] = self.cleaned_data.get("controls") or []
        for v in values:
            try:
                uuid.UUID(v)
            except ValueError:
                raise forms.ValidationError(f"{v!r} is not a control id.") from None
        return values


class AdoptForm(KeelForm):
    templates = forms.MultipleChoiceField(required=False)
    management_system = forms.ChoiceField(label="Into management system")
    owner = forms.ChoiceField(required=False, widget=picker_select())

    def __init__(
        self, *args: Any, user: User | None = None, template_keys: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["templates"].choices = [(k, k) for k in template_keys or []]  # type: ignore[attr-defined]
        self.fields["management_system"].choices = [  # type: ignore[attr-defined]
            (ms.short_name, ms.name)
            for ms in ManagementSystem.objects.order_by("name")
            if user is None or has_perm(user, Perm.EDIT_CONTROLS, ms)
        ]
        self.fields["owner"].choices = _any("No owner yet", owner_choices())  # type: ignore[attr-defined]


class TemplateFilterForm(FilterForm[queries.TemplateFilters]):
    """Declared in :class:`keel.controls.queries.TemplateFilters`."""

    filters_class = queries.TemplateFilters
    field_order = ["q", "standard", "requirement", "type", "theme", "adopted"]


class MatrixForm(KeelForm):
    first = forms.ChoiceField(label="Standard")
    second = forms.ChoiceField(label="And standard", required=False)
    part = forms.ChoiceField(label="Part", choices=list(matrix.MATRIX_PARTS.items()), required=False)
    management_system = system_filter_field()
    theme = forms.ChoiceField(label="Theme", required=False)

    def __init__(
        self,
        *args: Any,
        user: organisation_resolvers.Viewer,
        themes: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        stds = standard_choices()
        self.fields["first"].choices = stds  # type: ignore[attr-defined]
        self.fields["second"].choices = _any("None", stds)  # type: ignore[attr-defined]
        self.fields["management_system"].choices = _any("All systems", system_choices(user))  # type: ignore[attr-defined]
        self.fields["theme"].choices = _any("All themes", themes or [])  # type: ignore[attr-defined]
