"""Page-side forms of the documents app: they parse input for the services and queries; the
rules (who may approve, what may be uploaded, dates) live in the services."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from keel.assets.queries import levels
from keel.controls.forms import owner_choices
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, KeelForm, VersionedForm, picker_attrs
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from . import queries
from .choices import AudienceKind, ChangeKind, DocumentKind
from .models import Document

BODY = forms.Textarea(attrs={"rows": 16, "class": "mono"})


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


def split_keys(text: str) -> list[str]:
    return [k for k in re.split(r"[\s,;]+", text or "") if k]


class DocumentFilterForm(FilterForm[queries.DocumentFilters]):
    """Declared in :class:`keel.documents.queries.DocumentFilters`; takes ``user=``."""

    filters_class = queries.DocumentFilters
    # a checkbox on the page (the declaration's yes/no/any select has no "no" worth showing)
    review_due = forms.BooleanField(label="Review overdue", required=False)
    field_order = ["q", "kind", "status", "management_system", "review_due", "order"]


def _systems_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The management systems the document belongs to (none: the whole organisation).",
    )


class _DocumentFields(KeelForm):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    owner = forms.ChoiceField(help_text="The person responsible for the document (they need not log in).")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    management_systems = _systems_field()
    classification = forms.ChoiceField(required=False, help_text="Its level in the classification scheme.")
    next_review_on = forms.DateField(label="Next review", widget=DATE, required=False)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _any("Choose a person", owner_choices())  # type: ignore[attr-defined]
        self.fields["classification"].choices = _any(  # type: ignore[attr-defined]
            "Not classified", [(str(lv.pk), lv.name) for lv in levels(include_retired=False)]
        )
        self.fields["management_systems"].choices = [  # type: ignore[attr-defined]
            (ms.short_name, ms.name)
            for ms in ManagementSystem.objects.order_by("name")
            if user is None or has_perm(user, Perm.EDIT_DOCUMENTS, ms)
        ]


class DocumentForm(_DocumentFields):
    requirements = forms.CharField(
        label="Requirements it answers",
        required=False,
        max_length=4000,
        widget=forms.TextInput(
            attrs=picker_attrs("requirements", multiple=True, placeholder="e.g. iso27001:2022:5.2")
        ),
        help_text="Clauses and controls of either standard, by key, separated by spaces or commas.",
    )
    body = forms.CharField(label="Text (Markdown)", widget=BODY, required=False, max_length=200_000)
    file = forms.FileField(required=False, help_text="Or upload it: PDF, Word (.docx) or Excel (.xlsx).")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["requirements"] = split_keys(data["requirements"])
        data["classification"] = data["classification"] or None
        return data


class DocumentEditForm(VersionedForm, _DocumentFields):
    @classmethod
    def initial_for(cls, document: Document) -> dict[str, Any]:
        return {
            "title": document.title,
            "kind": document.kind,
            "owner": document.owner.email,
            "summary": document.summary,
            "management_systems": [ms.short_name for ms in document.management_systems.all()],
            "classification": str(document.classification_id or ""),
            "next_review_on": document.next_review_on,
        }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["classification"] = data["classification"] or None
        return data


class VersionForm(KeelForm):
    change = forms.ChoiceField(
        choices=ChangeKind.choices,
        help_text="A major change asks everyone it was published to to acknowledge it again.",
    )
    body = forms.CharField(label="Text (Markdown)", widget=BODY, required=False, max_length=200_000)
    file = forms.FileField(required=False, help_text="Or upload it: PDF, Word (.docx) or Excel (.xlsx).")
    change_note = forms.CharField(
        label="What changed", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReviewForm(KeelForm):
    reviewers = forms.MultipleChoiceField(required=False, help_text="Who reviews this version.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = owner_choices()  # type: ignore[attr-defined]


class ReturnForm(KeelForm):
    note = forms.CharField(label="What to change", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RetireForm(KeelForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RequirementLinkForm(KeelForm):
    requirement = forms.CharField(
        max_length=128,
        widget=forms.TextInput(attrs=picker_attrs("requirements", placeholder="e.g. iso42001:2023:5.2")),
        help_text="The requirement's key: type it or words of its title and choose.",
    )


class PublishForm(KeelForm):
    audience = forms.ChoiceField(choices=AudienceKind.choices, widget=forms.RadioSelect)
    departments = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    role = forms.ChoiceField(required=False, choices=_any("Choose a role", Role.choices))
    people = forms.MultipleChoiceField(required=False, help_text="For “Chosen people”.")
    due_on = forms.DateField(label="Acknowledge by", widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = sorted(
            set(
                User.objects.filter(is_active=True)
                .exclude(department="")
                .values_list("department", flat=True)
            )
        )
        self.fields["departments"].choices = [(n, n) for n in names]  # type: ignore[attr-defined]
        self.fields["people"].choices = owner_choices()  # type: ignore[attr-defined]
