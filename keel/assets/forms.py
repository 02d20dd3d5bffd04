"""Page-side forms of the asset inventory and the classification scheme."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.controls.forms import owner_choices, system_choices
from keel.platform.filters import FilterForm
from keel.platform.forms import TEXTAREA, VersionedForm, picker_select
from keel.platform.models import User

from . import queries
from .choices import AssetType
from .models import Asset, ClassificationLevel
from .queries import level_choices


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


class AssetFilterForm(FilterForm[queries.AssetFilters]):
    """Declared in :class:`keel.assets.queries.AssetFilters`; takes ``user=``. The page applies
    :meth:`~keel.platform.filters.FilterForm.valid_filters` (an invalid filter is left out, the
    others still apply)."""

    filters_class = queries.AssetFilters
    field_order = ["q", "type", "classification", "owner", "management_system", "retired", "order"]


class AssetForm(VersionedForm):
    ref_id = forms.CharField(
        label="Reference", max_length=32, required=False, help_text="Leave empty for the next free AS-nnn."
    )
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    type = forms.ChoiceField(choices=AssetType.choices)
    management_system = forms.ChoiceField(label="Management system")
    owner = forms.ChoiceField(required=False, widget=picker_select())
    classification = forms.ChoiceField(required=False)
    location = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["management_system"].choices = system_choices()  # type: ignore[attr-defined]
        self.fields["owner"].choices = _any("No owner yet", owner_choices())  # type: ignore[attr-defined]
        self.fields["classification"].choices = _any("Not classified", level_choices())  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, asset: Asset) -> dict[str, Any]:
        return {
            "ref_id": asset.ref_id,
            "name": asset.name,
            "description": asset.description,
            "type": asset.type,
            "management_system": asset.management_system.short_name,
            "owner": asset.owner.email if asset.owner else "",
            "classification": asset.classification.key if asset.classification else "",
            "location": asset.location,
        }

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.VERSION_FIELDS}
        email = data.pop("owner")
        data["owner"] = User.objects.filter(email=email).first() if email else None
        key = data.pop("classification")
        data["classification"] = ClassificationLevel.objects.filter(key=key).first() if key else None
        if not data["ref_id"]:
            data.pop("ref_id")
        return data


class LevelForm(forms.ModelForm, VersionedForm):
    """A classification level's fields (from the model) and the version it was read at."""

    class Meta:
        model = ClassificationLevel
        fields = [
            "key",
            "name",
            "rank",
            "description",
            "handling",
            "retention",
            "disposal",
            "ai_training_allowed",
            "ai_evaluation_allowed",
            "licence_scope",
            "training_data_deletion",
        ]
        widgets = {
            n: forms.Textarea(attrs={"rows": 2})
            for n in (
                "description",
                "handling",
                "retention",
                "disposal",
                "licence_scope",
                "training_data_deletion",
            )
        }

    def validate_unique(self) -> None:  # the service validates (and reports) uniqueness
        pass

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.VERSION_FIELDS}
