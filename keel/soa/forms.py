"""Page forms of the SoA editor."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.aisystems.models import AISystem
from keel.organisation.models import ManagementSystem
from keel.platform.forms import TEXTAREA, KeelForm, VersionedForm, picker_select
from keel.platform.models import User
from keel.platform.permissions import Perm, system_ids_with
from keel.standards.models import Standard
from keel.support.models import LegalRequirement

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
        empty_label="Nobody yet",
        widget=picker_select(),
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
        empty_label="No owner yet",
        widget=picker_select(),
        help_text="Every applicable row needs an owner before the SoA can be approved.",
    )
    legal_requirements = forms.ModelMultipleChoiceField(
        queryset=LegalRequirement.objects.none(),
        required=False,
        widget=picker_select(multiple=True),
        label="Legal, regulatory and contractual requirements behind it",
        help_text="From the register of legal requirements of the SoA's management system.",
    )
    ai_systems = forms.ModelMultipleChoiceField(
        queryset=AISystem.objects.none(),
        required=False,
        widget=picker_select(multiple=True),
        label="AI systems this row applies to",
    )

    def __init__(self, *args: Any, row: SoARow, **kwargs: Any) -> None:
        """The AI systems to pick from are those of the SoA's management system, on an SoA of a
        standard about AI systems (ISO/IEC 42001); other SoAs have no such column."""
        super().__init__(*args, **kwargs)
        self.fields["legal_requirements"].queryset = LegalRequirement.objects.filter(  # type: ignore[attr-defined]
            management_system_id=row.soa.management_system_id
        ).order_by("ref_id")
        if row.soa.standard.covers_ai_systems:
            self.fields["ai_systems"].queryset = AISystem.objects.filter(  # type: ignore[attr-defined]
                management_system_id=row.soa.management_system_id
            ).order_by("name")
        else:
            del self.fields["ai_systems"]

    @classmethod
    def initial_for(cls, row: SoARow) -> dict[str, Any]:
        initial = {
            name: getattr(row, name)
            for name in cls.base_fields
            if name not in cls.VERSION_FIELDS and name not in ("ai_systems", "legal_requirements")
        }
        return {
            **initial,
            "ai_systems": [s.pk for s in row.ai_systems.all()],
            "legal_requirements": [r.pk for r in row.legal_requirements.all()],
        }


EMPTY, FROM_GAP = "empty", "from_gap"


class SoACreateForm(KeelForm):
    """Create an SoA: a management system the user may edit SoAs of, a standard it covers, and
    whether to start empty or draft it from the gap analysis."""

    management_system = forms.ModelChoiceField(queryset=ManagementSystem.objects.none(), empty_label=None)
    standard = forms.ModelChoiceField(
        queryset=Standard.objects.none(), empty_label=None, to_field_name="key", label="Standard"
    )
    source = forms.ChoiceField(
        label="Start from",
        widget=forms.RadioSelect,
        choices=[(EMPTY, "Empty: one row per Annex A control, every reason still to write")],
        initial=EMPTY,
    )

    def __init__(self, *args: Any, user: User, from_gap: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = system_ids_with(user, Perm.EDIT_SOA)
        systems = ManagementSystem.objects.order_by("name")
        self.fields["management_system"].queryset = systems if ids is None else systems.filter(pk__in=ids)  # type: ignore[attr-defined]
        self.fields["standard"].queryset = Standard.objects.filter(  # type: ignore[attr-defined]
            pk__in=ManagementSystem.standards.through.objects.values("standard_id")
        ).order_by("key")
        if from_gap:
            self.fields["source"].choices = [  # type: ignore[attr-defined]
                *self.fields["source"].choices,  # type: ignore[attr-defined]
                (
                    FROM_GAP,
                    "Drafted from the gap analysis: reasons and control links written by Keel, "
                    "each row to be reviewed before approval",
                ),
            ]
