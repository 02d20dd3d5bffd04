"""Page-side forms of the organisation.

Forms only parse and shape input for the service functions; the rules live in the services.
A :class:`KeelError` raised by a service is put back on the form with :func:`add_service_error`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import models
from django.urls import reverse_lazy

from keel.platform.concurrency import EditConflict, base_token, changes_since, version_of
from keel.platform.errors import KeelError

TEXTAREA = {"rows": 3}

# ISO format: what <input type="date"> accepts whatever the locale.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def add_service_error(form: forms.Form, exc: KeelError) -> None:
    """Show a service error on the form: field messages on their fields, the summary on top.
    An edit conflict on a :class:`VersionedForm` also says what changed and re-bases the form."""
    if isinstance(exc, EditConflict) and isinstance(form, VersionedForm):
        form.show_conflict(exc)
        return
    placed = False
    for name, messages in exc.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed or exc.fields.keys() - form.fields.keys():
        form.add_error(None, exc.message)


PICKER_THRESHOLD = 12  # choices above which a select gets the search box of keel.js


class KeelForm(forms.Form):
    """Loads shared choices once per form: a field with a ``load_shared_choices`` callable (the
    standards field of :mod:`keel.organisation.forms`, for example) gets its choices from it, one
    query per callable whatever the number of such fields. Rendered with
    ``{% include "platform/_form_fields.html" %}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        loaded: dict[Callable[[], list[tuple[str, str]]], list[tuple[str, str]]] = {}
        for f in self.fields.values():
            loader = getattr(f, "load_shared_choices", None)
            if loader is not None and isinstance(f, forms.ChoiceField):
                if loader not in loaded:
                    loaded[loader] = loader()
                f.choices = loaded[loader]

    def __getitem__(self, name: str) -> forms.BoundField:
        bound = super().__getitem__(name)
        f = bound.field
        # a long list of choices gets a search box (keel.js); a short one is quicker as it is.
        # Decided when the field is drawn: subclasses fill their choices after __init__.
        if (
            isinstance(f, forms.ChoiceField)
            and type(f.widget) in (forms.Select, forms.SelectMultiple)
            and len(f.choices) > PICKER_THRESHOLD  # type: ignore[arg-type]
        ):
            f.widget.attrs.setdefault("data-picker", "select")
        return bound


class VersionedForm(KeelForm):
    """An edit form that carries the version of the record it was built from, so saving over
    someone else's newer change is a conflict the person sees (:mod:`keel.platform.concurrency`).

    Build it with :meth:`for_record` (or call :meth:`bind_version` on an unbound form), pass
    :attr:`expected_version` to the service, and leave ``version`` and ``base`` out of the
    service data. On :class:`EditConflict`, :func:`add_service_error` keeps the person's input,
    lists what changed and re-bases the form, so a second save is a deliberate choice."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    VERSION_FIELDS = ("version", "base")

    def bind_version(self, obj: models.Model) -> None:
        if self.is_bound:
            raise RuntimeError("bind_version() is for a form built from the stored record")
        self.initial["version"] = version_of(obj)
        self.initial["base"] = base_token(obj)

    def service_data(self) -> dict[str, Any]:
        """The cleaned input for the service, without ``version`` and ``base``."""
        return {k: v for k, v in self.cleaned_data.items() if k not in self.VERSION_FIELDS}

    @property
    def expected_version(self) -> str | None:
        data = getattr(self, "cleaned_data", None) or {}
        return data.get("version") or self.data.get("version") or None

    def show_conflict(self, exc: EditConflict) -> None:
        current = exc.current
        changed = changes_since(self.data.get("base"), current) if current is not None else {}
        lines = []
        for name, (was, now) in changed.items():
            field = self.fields.get(name)
            label = (
                str(field.label) if field is not None and field.label else name.replace("_", " ").capitalize()
            )
            lines.append(f"{label}: {_shown(was)} → {_shown(now)}")
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or dict when bound
        data["version"] = exc.current_version
        if current is not None:
            data["base"] = base_token(current)
        self.data = data
        detail = (" What changed: " + "; ".join(lines) + ".") if lines else ""
        self.add_error(
            None,
            f"Someone else saved this record after you opened the page, so your changes were not "
            f"saved.{detail} Your input is kept below: check it against the current values and "
            "save again to apply it.",
        )


def _shown(value: object) -> str:
    if value in (None, "", []):
        return "(empty)"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”"


class TokenForm(KeelForm):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. CI pipeline.")
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=3650,
        required=False,
        help_text="Leave empty for a token that does not expire.",
    )


class SetPasswordForm(KeelForm):
    """A new password, typed twice (an administrator setting someone's password)."""

    new_password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password.",
    )
    confirm_password = forms.CharField(
        label="New password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("confirm_password") != data.get("new_password"):
            self.add_error("confirm_password", "The two new passwords differ; type the same password twice.")
        return data


class PasswordChangeForm(SetPasswordForm):
    """Changing one's own password: the current one first."""

    current_password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    field_order = ["current_password", "new_password", "confirm_password"]


def picker_attrs(
    kind: str, *, multiple: bool = False, placeholder: str = "", standard: str = ""
) -> dict[str, Any]:
    """Widget attributes that make a text field a searchable picker (``keel.js``): as the person
    types a bare id, a key or words, it asks ``/pick/<kind>/`` and offers the matches (arrow
    keys, Enter, Escape); choosing one writes its key into the field — appended, for a
    comma-separated ``multiple`` field. Without JavaScript the field stays a plain text field."""
    attrs: dict[str, Any] = {
        "data-picker": kind,
        "data-picker-url": reverse_lazy("pick", args=[kind]),
        "autocomplete": "off",
        "spellcheck": "false",
    }
    if multiple:
        attrs["data-picker-multiple"] = "true"
    if placeholder:
        attrs["placeholder"] = placeholder
    if standard:
        attrs["data-picker-standard"] = standard
    return attrs


# A <select> (single or multiple) marked with these gets a search box over its own options
# (``keel.js``): the options are already there and already limited to what the person may choose.
SELECT_PICKER = {"data-picker": "select"}


def picker_select(*, multiple: bool = False, **attrs: Any) -> forms.Select:
    """The widget of a choice field that names people, controls, AI systems, datasets or
    requirements (a *reference field*): a select marked :data:`SELECT_PICKER` whatever its number
    of choices, so every such field is searched the same way — by bare id or key (the option's
    value) or words of its label — with the keyboard, the chosen ones as chips when ``multiple``;
    without JavaScript it is a plain select."""
    widget = forms.SelectMultiple if multiple else forms.Select
    return widget(attrs={**attrs, **SELECT_PICKER})
