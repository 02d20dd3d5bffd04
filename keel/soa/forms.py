"""Page forms of the SoA editor."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.platform.forms import TEXTAREA, VersionedForm
from keel.platform.models import User

from .choices import OVERRIDE_CHOICES
from .models import SoARow

DATE = forms.DateInput(attrs={"type": "date"})


class SoARowForm(VersionedForm):
    """Applicability, reasons, exclusion and the status override of one row."""

    applicable = forms.BooleanField(required=False, label="Applicable (included in the SoA)")
    obligations = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        label="Legal, regulatory, contractual obligations",
    )
    business_need = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    justification = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA), required=False, label="Justification of the exclusion"
    )
    accountable = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("email"),
        required=False,
        label="Accountable for the exclusion",
    )
    review_date = forms.DateField(required=False, widget=DATE, label="Exclusion review date")
    status_override = forms.ChoiceField(
        choices=[("", "No override: use the rule"), *OVERRIDE_CHOICES],
        required=False,
        label="Status override",
    )
    override_reason = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    target_date = forms.DateField(required=False, widget=DATE)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("email"),
        required=False,
        label="Owner (accountable for the row)",
        help_text="Every applicable row needs an owner before the SoA can be approved.",
    )

    @classmethod
    def initial_for(cls, row: SoARow) -> dict[str, Any]:
        return {name: getattr(row, name) for name in cls.base_fields if name not in cls.VERSION_FIELDS}
