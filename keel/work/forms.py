"""Forms of keel.work."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.organisation.options import owner_choices
from keel.platform.forms import KeelForm, picker_select


class PersonForm(KeelForm):
    """Whose work to show (for those who may see other people's)."""

    person = forms.ChoiceField(label="Person", required=False, widget=picker_select())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Me"), *owner_choices()]  # type: ignore[attr-defined]
