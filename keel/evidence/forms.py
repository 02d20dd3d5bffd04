"""Page-side forms of the evidence register: they parse input for the services and queries;
the rules (size limit, URL schemes, dates) live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.controls.forms import owner_choices
from keel.organisation.models import ManagementSystem
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, TEXTAREA, KeelForm, VersionedForm, picker_attrs, picker_select
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from . import queries, services
from .choices import EvidenceKind
from .models import Evidence


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


class EvidenceFilterForm(FilterForm[queries.EvidenceFilters]):
    """Declared in :class:`keel.evidence.queries.EvidenceFilters`; takes ``user=``."""

    filters_class = queries.EvidenceFilters
    field_order = ["q", "validity", "kind", "status", "management_system", "control", "requirement", "order"]


def _systems_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The management systems the evidence belongs to (who may read and download it).",
    )


def _refs(text: str) -> list[str]:
    return [r.strip() for r in (text or "").replace(";", ",").split(",") if r.strip()]


FILE_AGAIN = (
    "Choose the file again: {name} was not kept, because a browser cannot keep a chosen file "
    "when the form comes back with a problem."
)


class VersionForm(KeelForm):
    """A new version: a file or a link (the evidence's kind decides), when and by whom.

    A form shown again with errors has an empty file input (browsers do not let a page refill
    it); when a file had been chosen, the file field says so, by name, so it is not lost
    unnoticed."""

    file = forms.FileField(required=False, help_text="")
    url = forms.CharField(
        label="Link",
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    collected_on = forms.DateField(
        label="Collected on", widget=DATE, required=False, help_text="Default: today."
    )
    valid_until = forms.DateField(
        label="Valid until", widget=DATE, required=False, help_text="Leave empty when it does not expire."
    )
    collected_by = forms.ChoiceField(label="Collected by", required=False, widget=picker_select())
    collected_by_name = forms.CharField(
        label="Or collected by (no account)",
        max_length=200,
        required=False,
        help_text="A name, for someone without an account.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False, max_length=4000)

    def __init__(self, *args: Any, kind: str | None = None, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"At most {services.human_size(services.max_bytes())}. Stored with its SHA-256; never overwritten."
        self.fields["collected_by"].choices = _any("Me", owner_choices())  # type: ignore[attr-defined]
        if kind == EvidenceKind.LINK:
            del self.fields["file"]
        elif kind == EvidenceKind.FILE:
            del self.fields["url"]
        self._file_asked_again = False

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._ask_for_the_file_again()

    def _ask_for_the_file_again(self) -> None:
        if self._file_asked_again or "file" not in self.fields or not self.is_bound:
            return
        upload = self.files.get(self.add_prefix("file"))
        if not upload or self.data.get(self.add_prefix("kind")) == EvidenceKind.LINK:
            return
        self._file_asked_again = True
        super().add_error("file", FILE_AGAIN.format(name=getattr(upload, "name", "") or "the file"))

    def version(self) -> services.NewVersion:
        data = self.cleaned_data
        upload = data.get("file")
        email = data.get("collected_by")
        return services.NewVersion(
            file=upload,
            filename=getattr(upload, "name", "") or "",
            content_type=getattr(upload, "content_type", "") or "",
            url=data.get("url") or "",
            collected_on=data.get("collected_on"),
            valid_until=data.get("valid_until"),
            collected_by=User.objects.filter(email=email).first() if email else None,
            collected_by_name=data.get("collected_by_name") or "",
            note=data.get("note") or "",
        )


class EvidenceForm(VersionForm):
    """New evidence: what it is, where it belongs, its first version, and what it supports."""

    field_order = [
        "kind",
        "title",
        "file",
        "url",
        "description",
        "owner",
        "management_systems",
        "controls",
        "requirements",
        "collected_on",
        "valid_until",
        "collected_by",
        "collected_by_name",
        "note",
    ]
    kind = forms.ChoiceField(
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        initial=EvidenceKind.FILE,
        label="Evidence is a",
    )
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    owner = forms.ChoiceField(required=False, widget=picker_select())
    management_systems = _systems_field()
    controls = forms.CharField(
        required=False,
        max_length=600,
        widget=forms.TextInput(attrs=picker_attrs("controls", multiple=True, placeholder="KC-012 or words")),
        help_text="The controls it supports: type a reference or words and choose; several are "
        "comma-separated (KC-012, KC-014).",
    )
    requirements = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            attrs=picker_attrs("requirements", multiple=True, placeholder="A.5.15 or words")
        ),
        help_text="The requirements it answers directly: type an id, a key or words and choose; several "
        "are comma-separated (iso27001:2022:A.5.15).",
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"].choices = _any("No owner yet", owner_choices())  # type: ignore[attr-defined]
        self.fields["management_systems"].choices = [  # type: ignore[attr-defined]
            (ms.short_name, ms.name)
            for ms in ManagementSystem.objects.order_by("name")
            if user is None or has_perm(user, Perm.EDIT_EVIDENCE, ms)
        ]
        self.order_fields(self.field_order)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        email = data.get("owner")
        kind = data["kind"]
        version = self.version()
        if kind == EvidenceKind.LINK:
            version.file = None
        else:
            version.url = ""
        return {
            "title": data["title"],
            "kind": kind,
            "description": data.get("description") or "",
            "owner": User.objects.filter(email=email).first() if email else None,
            "management_systems": data.get("management_systems") or [],
            "controls": _refs(data.get("controls", "")),
            "requirements": _refs(data.get("requirements", "")),
            "version": version,
        }


class EvidenceEditForm(VersionedForm):
    ref_id = forms.CharField(label="Reference", max_length=32)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    owner = forms.ChoiceField(required=False, widget=picker_select())
    management_systems = _systems_field()

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _any("No owner yet", owner_choices())  # type: ignore[attr-defined]
        self.fields["management_systems"].choices = [  # type: ignore[attr-defined]
            (ms.short_name, ms.name)
            for ms in ManagementSystem.objects.order_by("name")
            if user is None or has_perm(user, Perm.EDIT_EVIDENCE, ms)
        ]

    @classmethod
    def initial_for(cls, evidence: Evidence) -> dict[str, Any]:
        return {
            "ref_id": evidence.ref_id,
            "title": evidence.title,
            "description": evidence.description,
            "owner": evidence.owner.email if evidence.owner_id else "",  # type: ignore[union-attr]
            "management_systems": [ms.short_name for ms in evidence.management_systems.all()],
        }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        email = data.pop("owner")
        data["owner"] = User.objects.filter(email=email).first() if email else None
        return data


class ControlLinkForm(KeelForm):
    control = forms.CharField(
        max_length=64,
        widget=forms.TextInput(attrs=picker_attrs("controls", placeholder="KC-012 or words")),
        help_text="The control's reference: type it or words of its title and choose.",
    )


class RequirementLinkForm(KeelForm):
    requirement = forms.CharField(
        max_length=128,
        widget=forms.TextInput(attrs=picker_attrs("requirements", placeholder="A.5.15, key or words")),
        help_text="The requirement's key: type an id, the key or words of its title and choose.",
    )


class WithdrawForm(KeelForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        max_length=2000,
        help_text="Why it is withdrawn (kept in the trail).",
    )
