"""What a browser posts back for a form it was given: every field's own initial value.

Used by the tests that save edit pages unchanged and by the race tests that post edit pages
from two people at once."""

from __future__ import annotations

from typing import Any

from django import forms


def initial_post_data(form: forms.Form) -> dict[str, Any]:
    """The POST body of ``form`` submitted as rendered (unchanged): what each widget shows,
    unchecked checkboxes left out as a browser leaves them out."""
    data: dict[str, Any] = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        widget = bound.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is None:
            data[name] = ""
        elif hasattr(value, "isoformat") and isinstance(widget, forms.DateInput):
            data[name] = value.isoformat()
        elif hasattr(value, "pk"):
            data[name] = str(value.pk)
        else:
            data[name] = str(value)
    return data
