"""Page-side forms of crosswalks: they parse input for the services and queries; the rules
live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.platform.filters import FilterForm
from keel.platform.forms import KeelForm, VersionedForm, picker_attrs

from . import queries
from .choices import Relation

EXTENSION_HELP = "What must be added on the source side; required for subset and intersects."


class RelationFilterForm(FilterForm[queries.RelationFilters]):
    """Declared in :class:`keel.mapping.queries.RelationFilters` (the page's crosswalk is the
    one shown)."""

    filters_class = queries.RelationFilters


class RelationFields(KeelForm):
    relation = forms.ChoiceField(choices=Relation.choices, help_text="Read 'source <relation> target'.")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    extension = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False, help_text=EXTENSION_HELP
    )


class RelationEditForm(VersionedForm, RelationFields):
    """A relation's type, rationale and extension, with the version the person saw."""


class RelationAddForm(RelationFields):
    source = forms.CharField(
        max_length=128,
        required=False,
        help_text="Ref id (A.5.19) or key in the source standard; empty for not related.",
    )
    target = forms.CharField(max_length=128, help_text="Ref id (A.10.3) or key in the target standard.")
    field_order = ["source", "target", "relation", "rationale", "extension"]

    def __init__(
        self, *args: Any, source_standard: str = "", target_standard: str = "", **kwargs: Any
    ) -> None:
        """Both ends are requirement pickers limited to their side's standard (keys ``…:2022``)."""
        super().__init__(*args, **kwargs)
        for name, standard, example in (
            ("source", source_standard, "A.5.19"),
            ("target", target_standard, "A.10.3"),
        ):
            self.fields[name].widget.attrs.update(
                picker_attrs("requirements", standard=standard, placeholder=f"Id, key or words: {example}")
            )
