"""Page-side forms of the improvement queue: they parse input for the services; the rules
(what may close, who may act, dates) live in the services."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from keel.controls.models import Control
from keel.controls.queries import visible as visible_controls
from keel.evidence.models import Evidence
from keel.organisation.models import ManagementSystem
from keel.organisation.options import owner_choices
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, KeelForm, VersionedForm, picker_attrs, picker_select
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from . import queries
from .choices import NonconformityKind, NonconformitySource, RootCauseMethod
from .models import Nonconformity

TEXT = {"rows": 3}


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


def split_keys(text: str) -> list[str]:
    return [k for k in re.split(r"[\s,;]+", text or "") if k]


def evidence_choices() -> list[tuple[str, str]]:
    return [
        (e.ref_id, f"{e.ref_id} {e.title}")
        for e in Evidence.objects.filter(status="current").order_by("ref_id")
    ]


class NonconformityFilterForm(FilterForm[queries.NonconformityFilters]):
    """Declared in :class:`keel.improvement.queries.NonconformityFilters`; takes ``user=``."""

    filters_class = queries.NonconformityFilters
    overdue_actions = forms.BooleanField(label="Overdue actions", required=False)
    field_order = [
        "q",
        "status",
        "source",
        "kind",
        "standard",
        "management_system",
        "owner",
        "overdue_actions",
    ]


class CorrectiveActionFilterForm(FilterForm[queries.CorrectiveActionFilters]):
    filters_class = queries.CorrectiveActionFilters
    overdue = forms.BooleanField(label="Overdue", required=False)


class _NonconformityFields(KeelForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs=TEXT), help_text="What did not conform, and where."
    )
    kind = forms.ChoiceField(choices=NonconformityKind.choices, initial=NonconformityKind.MINOR)
    source = forms.ChoiceField(choices=NonconformitySource.choices)
    source_ref = forms.CharField(
        label="Source reference", max_length=120, required=False, help_text="E.g. AUD-2026-01 F-3, INC-004."
    )
    source_url = forms.CharField(label="Link to the source", max_length=500, required=False)
    management_systems = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="One queue for both standards: tick every system it concerns (none: the whole organisation).",
    )
    requirements = forms.CharField(
        label="Requirements affected",
        required=False,
        max_length=4000,
        widget=forms.TextInput(
            attrs=picker_attrs("requirements", multiple=True, placeholder="e.g. iso27001:2022:9.2")
        ),
        help_text="Clauses and controls of either standard, by key, separated by spaces or commas.",
    )
    controls = forms.MultipleChoiceField(
        label="Controls affected", required=False, widget=picker_select(multiple=True)
    )
    owner = forms.ChoiceField(
        required=False, widget=picker_select(), help_text="Who sees it through (no login needed)."
    )
    raised_on = forms.DateField(label="Raised on", widget=DATE, required=False)
    recurrence_of = forms.ChoiceField(
        label="Recurrence of",
        required=False,
        widget=picker_select(),
        help_text="An earlier nonconformity it repeats.",
    )

    def __init__(
        self, *args: Any, user: User | None = None, exclude: Nonconformity | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        perm = Perm.RAISE_NONCONFORMITIES if exclude is None else Perm.MANAGE_NONCONFORMITIES
        self.fields["management_systems"].choices = [  # type: ignore[attr-defined]
            (ms.short_name, ms.name)
            for ms in ManagementSystem.objects.order_by("name")
            if user is None or has_perm(user, perm, ms)
        ]
        self.fields["owner"].choices = _any("Nobody yet", owner_choices())  # type: ignore[attr-defined]
        self.fields["controls"].choices = [  # type: ignore[attr-defined]
            (c.ref_id, f"{c.ref_id} {c.title}")
            for c in visible_controls(Control.objects.order_by("ref_id"), user)
        ]
        earlier = queries.visible(Nonconformity.objects.order_by("-raised_on", "-ref_id"), user)
        if exclude is not None:
            earlier = earlier.exclude(pk=exclude.pk)
        self.fields["recurrence_of"].choices = _any(  # type: ignore[attr-defined]
            "Not a recurrence", [(nc.ref_id, f"{nc.ref_id} {nc.title}") for nc in earlier[:500]]
        )

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in VersionedForm.VERSION_FIELDS}
        data["requirements"] = split_keys(data["requirements"])
        data["owner"] = data["owner"] or None
        data["recurrence_of"] = data["recurrence_of"] or None
        return data


class NonconformityForm(_NonconformityFields):
    pass


class NonconformityEditForm(VersionedForm, _NonconformityFields):
    @classmethod
    def initial_for(cls, nc: Nonconformity) -> dict[str, Any]:
        return {
            "title": nc.title,
            "description": nc.description,
            "kind": nc.kind,
            "source": nc.source,
            "source_ref": nc.source_ref,
            "source_url": nc.source_url,
            "management_systems": [ms.short_name for ms in nc.management_systems.all()],
            "requirements": " ".join(r.key for r in nc.requirements.all()),
            "controls": [c.ref_id for c in nc.controls.all()],
            "owner": nc.owner.email if nc.owner else "",
            "raised_on": nc.raised_on,
            "recurrence_of": nc.recurrence_of.ref_id if nc.recurrence_of else "",
        }

    def service_data(self) -> dict[str, Any]:
        data = _NonconformityFields.service_data(self)
        if not data.get("raised_on"):
            data.pop("raised_on", None)
        return data


class CorrectionForm(VersionedForm):
    correction = forms.CharField(
        widget=forms.Textarea(attrs=TEXT), help_text="What was done at once to contain and correct it."
    )
    corrected_on = forms.DateField(label="Done on", widget=DATE, required=False, help_text="Default: today.")


class RootCauseForm(VersionedForm):
    method = forms.ChoiceField(choices=RootCauseMethod.choices, initial=RootCauseMethod.FIVE_WHYS)
    whys = forms.CharField(
        label="The whys",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="One per line, each answering the one before (five whys: at least two).",
    )
    conclusion = forms.CharField(
        label="Root cause",
        widget=forms.Textarea(attrs=TEXT),
        help_text="The cause the corrective actions will remove.",
    )
    analysed_on = forms.DateField(label="Analysed on", widget=DATE, required=False)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["whys"] = [line.strip() for line in (data["whys"] or "").splitlines() if line.strip()]
        return data


class ActionForm(VersionedForm):
    description = forms.CharField(
        widget=forms.Textarea(attrs=TEXT), help_text="What will be done to remove the cause."
    )
    owner = forms.ChoiceField(widget=picker_select(), help_text="Who does it (no login needed).")
    due_on = forms.DateField(label="Due on", widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _any("Choose a person", owner_choices())  # type: ignore[attr-defined]


class ActionDoneForm(VersionedForm):
    done_on = forms.DateField(label="Done on", widget=DATE, required=False, help_text="Default: today.")
    note = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = forms.ChoiceField(
        required=False, widget=picker_select(), help_text="An evidence record that shows it."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = _any("No evidence record", evidence_choices())  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["evidence"] = data["evidence"] or None
        return data


class EffectivenessForm(VersionedForm):
    effective = forms.TypedChoiceField(
        choices=[("yes", "Effective: the cause is gone"), ("no", "Not effective: new actions are needed")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    checked_by = forms.ChoiceField(
        label="Checked by", required=False, widget=picker_select(), help_text="Default: you."
    )
    checked_on = forms.DateField(label="Checked on", widget=DATE, required=False, help_text="Default: today.")
    evidence = forms.ChoiceField(
        required=False, widget=picker_select(), help_text="The evidence record the check rests on."
    )
    evidence_note = forms.CharField(
        label="What was looked at",
        max_length=500,
        required=False,
        help_text="When there is no evidence record.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checked_by"].choices = _any("Me", owner_choices())  # type: ignore[attr-defined]
        self.fields["evidence"].choices = _any("No evidence record", evidence_choices())  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["evidence"] = data["evidence"] or None
        data["checked_by"] = data["checked_by"] or None
        return data


class CloseForm(VersionedForm):
    closed_on = forms.DateField(label="Closed on", widget=DATE, required=False, help_text="Default: today.")
