"""Page-side forms of the supplier register. Each form's values are the references the services
take (emails, short names, references), so pages, the API and the CLI share one path."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.organisation.options import owner_choices, system_choices
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, TEXTAREA, KeelForm, VersionedForm, picker_select

from . import queries
from .choices import (
    AssessmentDecision,
    QuestionnaireKind,
    QuestionType,
    SupplierCriticality,
    SupplierKind,
    SupplierReviewOutcome,
)
from .models import Supplier


class SupplierFilterForm(FilterForm[queries.SupplierFilters]):
    filters_class = queries.SupplierFilters


def _text(required: bool = False, label: str | None = None) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs=TEXTAREA), required=required)


class SupplierForm(VersionedForm):
    """A supplier's details (requesting one, or editing it)."""

    management_system = forms.ChoiceField(label="Management system")
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(label="Type", choices=SupplierKind.choices)
    criticality = forms.ChoiceField(choices=SupplierCriticality.choices, initial=SupplierCriticality.MEDIUM)
    services = _text(label="What they provide")
    website = forms.URLField(required=False, max_length=500, assume_scheme="https")
    owner = forms.ChoiceField(required=False, widget=picker_select(), help_text="Who owns the relationship.")
    request_reason = _text(label="Why we need them")
    review_months = forms.IntegerField(label="Review every (months)", min_value=1, max_value=60, initial=12)
    next_review_on = forms.DateField(label="Next review", required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["management_system"].choices = system_choices()  # type: ignore[attr-defined]
        self.fields["owner"].choices = [("", "Nobody yet"), *owner_choices()]  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, s: Supplier) -> dict[str, Any]:
        return {
            "management_system": s.management_system.short_name,
            "name": s.name,
            "kind": s.kind,
            "criticality": s.criticality,
            "services": s.services,
            "website": s.website,
            "owner": s.owner.email if s.owner else "",
            "request_reason": s.request_reason,
            "review_months": s.review_months,
            "next_review_on": s.next_review_on,
        }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["owner"] = data.get("owner") or None
        return data


class MoveForm(KeelForm):
    to = forms.CharField(max_length=20)
    reason = _text(label="Reason")


class ContactForm(KeelForm):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    role = forms.CharField(max_length=200, required=False)


class ContractForm(KeelForm):
    title = forms.CharField(max_length=200)
    starts_on = forms.DateField(label="Starts", widget=DATE)
    ends_on = forms.DateField(label="Ends", required=False, widget=DATE)
    renewal_on = forms.DateField(label="Renews on", required=False, widget=DATE)
    notice_days = forms.IntegerField(label="Notice (days)", required=False, min_value=0, max_value=3650)
    document = forms.CharField(
        label="Document", required=False, max_length=60, help_text="DOC-nnn of the signed copy."
    )
    evidence = forms.CharField(
        label="Evidence", required=False, max_length=60, help_text="EV-nnn of the signed copy."
    )
    notes = _text()


class ReviewForm(KeelForm):
    outcome = forms.ChoiceField(choices=SupplierReviewOutcome.choices)
    reviewed_on = forms.DateField(label="Reviewed on", required=False, widget=DATE)
    notes = _text()


class SendForm(KeelForm):
    questionnaire = forms.ChoiceField(widget=picker_select())
    contact = forms.ChoiceField(
        label="Email the link to",
        required=False,
        widget=picker_select(),
        help_text="One of the supplier's contacts; left empty: the email below, else the primary contact.",
    )
    recipient_name = forms.CharField(label="Recipient's name", max_length=200, required=False)
    recipient_email = forms.EmailField(label="Recipient's email", required=False)
    days = forms.IntegerField(label="Link valid for (days)", min_value=1, max_value=180, initial=30)

    def __init__(self, *args: Any, supplier: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contacts = list(supplier.contacts.all()) if supplier is not None else []
        self.fields["contact"].choices = [("", "— primary contact —")] + [  # type: ignore[attr-defined]
            (str(c.pk), f"{c.name} <{c.email}>" if c.email else f"{c.name} (no email)") for c in contacts
        ]
        published = [
            (str(q.pk), f"{q.name} (version {q.version})")
            for q in queries.Questionnaire.objects.filter(published_at__isnull=False).order_by(
                "key", "-version"
            )
        ]
        self.fields["questionnaire"].choices = published  # type: ignore[attr-defined]


class AssessmentReviewForm(KeelForm):
    decision = forms.ChoiceField(choices=AssessmentDecision.choices)
    notes = _text(label="Notes (conditions or reasons)")


class QuestionnaireForm(KeelForm):
    key = forms.SlugField(max_length=60, help_text="Names the questionnaire across its versions.")
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=QuestionnaireKind.choices)
    description = _text()


class QuestionForm(KeelForm):
    """A question; options one per line as ``label = score`` (yes/no and choice questions)."""

    text = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    help = _text(label="Help for the supplier")
    answer_type = forms.ChoiceField(label="Answer", choices=QuestionType.choices)
    required = forms.BooleanField(required=False, initial=True)
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One option per line: label = score (e.g. “Yes = 1”). Yes/no questions default to Yes = 1, No = 0.",
    )
    weight = forms.IntegerField(min_value=0, max_value=100, initial=1)
    reference = forms.CharField(
        max_length=40, required=False, help_text="The control it is about, e.g. A.5.19."
    )

    def clean_options(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for line in str(self.cleaned_data.get("options") or "").splitlines():
            if not line.strip():
                continue
            label, _, score = line.rpartition("=") if "=" in line else (line, "", "0")
            out.append({"label": label.strip(), "score": score.strip() or "0"})
        return out

    @staticmethod
    def options_text(options: list[dict[str, Any]]) -> str:
        return "\n".join(f"{o['label']} = {o['score']}" for o in options)
