"""Page-side forms of the control catalogue: they parse input for the services and queries;
the rules live in the services."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.forms import standard_choices
from keel.organisation.models import ManagementSystem
from keel.platform.forms import TEXTAREA, KeelForm, VersionedForm, picker_attrs
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from . import queries
from .choices import ControlType, Coverage, Effectiveness, Frequency, ImplementationStatus, ShownStatus
from .models import Control

ORDER_CHOICES = [
    ("ref_id", "Reference"),
    ("-ref_id", "Reference, last first"),
    ("title", "Title"),
    ("-title", "Title, Z to A"),
    ("status", "Status"),
    ("-status", "Status, reversed"),
    ("effectiveness", "Effectiveness"),
    ("-effectiveness", "Effectiveness, reversed"),
    ("-updated_at", "Recently changed"),
]


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


def system_choices(
    who: organisation_resolvers.Viewer = organisation_resolvers.TRUSTED,
) -> list[tuple[str, str]]:
    """Management systems to choose from: those ``who`` may view."""
    return [(ms.short_name, ms.name) for ms in organisation_resolvers.visible_systems(who)]


def system_filter_field() -> forms.ChoiceField:
    """A list page's ``management_system`` filter: a value that is unknown or outside the
    user's perimeter gets the resolver's message (never the value back, never other systems)."""
    return forms.ChoiceField(
        label="Management system",
        required=False,
        error_messages={"invalid_choice": organisation_resolvers.UNKNOWN_SYSTEM},
    )


def owner_choices() -> list[tuple[str, str]]:
    """Everyone in the directory who is active, with or without a login (docs/people.md): an
    owner need not log in. The value is the email (a stand-in one for people Keel has none of)."""
    return [
        (u.email, f"{u.full_name} ({u.shown_email})" if u.full_name and u.shown_email else u.display_name)
        for u in User.objects.filter(is_active=True).order_by("full_name", "email")
    ]


class ControlFilterForm(KeelForm):
    q = forms.CharField(label="Search", required=False, max_length=queries.MAX_TEXT)
    status = forms.ChoiceField(choices=_any("Any status", ShownStatus.choices), required=False)
    effectiveness = forms.ChoiceField(
        choices=_any("Any effectiveness", Effectiveness.choices), required=False
    )
    type = forms.ChoiceField(choices=_any("Any type", ControlType.choices), required=False)
    frequency = forms.ChoiceField(choices=_any("Any frequency", Frequency.choices), required=False)
    owner = forms.ChoiceField(label="Owner", required=False)
    management_system = system_filter_field()
    standard = forms.ChoiceField(label="Standard", required=False)
    requirement = forms.CharField(
        label="Requirement",
        required=False,
        max_length=128,
        widget=forms.TextInput(
            attrs=picker_attrs("requirements", placeholder="Id, key or words: A.5.19, access")
        ),
    )
    tag = forms.CharField(label="Tag", required=False, max_length=60)
    template = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)
    order = forms.ChoiceField(choices=ORDER_CHOICES, required=False)

    def __init__(self, *args: Any, user: organisation_resolvers.Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _any("Anyone", owner_choices())  # type: ignore[attr-defined]
        self.fields["management_system"].choices = _any("All systems", system_choices(user))  # type: ignore[attr-defined]
        self.fields["standard"].choices = _any("All standards", standard_choices())  # type: ignore[attr-defined]

    def filters(self) -> queries.ControlFilters:
        if not self.is_valid():
            return queries.ControlFilters()
        data = {k: (v or "") for k, v in self.cleaned_data.items()}
        data["order"] = data["order"] or "ref_id"
        return queries.ControlFilters(**data)


class ControlForm(VersionedForm):
    ref_id = forms.CharField(
        label="Reference", max_length=32, required=False, help_text="Leave empty for the next free KC-nnn."
    )
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    owner = forms.ChoiceField(required=False)
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
    """What a control's owner may update with ``edit_own_controls`` (queries.OWNER_FIELDS)."""

    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    frequency = forms.ChoiceField(choices=Frequency.choices)
    status = forms.ChoiceField(choices=ImplementationStatus.choices)
    effectiveness = forms.ChoiceField(choices=Effectiveness.choices)

    @classmethod
    def initial_for(cls, control: Control) -> dict[str, Any]:
        return {name: getattr(control, name) for name in queries.OWNER_FIELDS}


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
    owner = forms.ChoiceField(required=False)
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
    owner = forms.ChoiceField(required=False)

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


class TemplateFilterForm(KeelForm):
    q = forms.CharField(label="Search", required=False, max_length=queries.MAX_TEXT)
    standard = forms.ChoiceField(label="Standard", required=False)
    requirement = forms.CharField(
        label="Requirement",
        required=False,
        max_length=128,
        widget=forms.TextInput(attrs=picker_attrs("requirements", placeholder="Id, key or words: A.10.3")),
    )
    type = forms.ChoiceField(choices=_any("Any type", ControlType.choices), required=False)
    theme = forms.ChoiceField(label="Theme or clause", required=False)
    adopted = forms.ChoiceField(
        label="Adopted",
        choices=[("", "Adopted or not"), ("no", "Not adopted yet"), ("yes", "Adopted")],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = _any("All standards", standard_choices())  # type: ignore[attr-defined]
        self.fields["theme"].choices = _any(  # type: ignore[attr-defined]
            "All themes",
            [
                (r.key, f"{r.standard.name.removeprefix('ISO/IEC ')} {r.ref_id} {r.title}")
                for r in queries.template_themes()
            ],
        )

    def filters(self) -> queries.TemplateFilters:
        if not self.is_valid():
            return queries.TemplateFilters()
        return queries.TemplateFilters(**{k: v or "" for k, v in self.cleaned_data.items()})


class MatrixForm(KeelForm):
    first = forms.ChoiceField(label="Standard")
    second = forms.ChoiceField(label="And standard", required=False)
    part = forms.ChoiceField(label="Part", choices=list(queries.MATRIX_PARTS.items()), required=False)
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
