"""Shared mechanics for service functions that create and update simple records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from keel.platform.errors import ValidationFailed

M = TypeVar("M", bound=models.Model)


def validation_failed(exc: ValidationError, what: str) -> ValidationFailed:
    fields: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            fields[name] = list(errors)
    else:
        fields["__all__"] = list(exc.messages)
    summary = "; ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in fields.items())
    return ValidationFailed(f"The {what} is not valid — {summary}", fields)


def apply_fields(obj: M, data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Set the allowed fields from ``data``; unknown fields are an error, not silently dropped."""
    allowed = set(allowed)
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}. Allowed: {', '.join(sorted(allowed))}.",
            {name: ["Unknown field."] for name in unknown},
        )
    reject_control_characters(data)
    for name, value in data.items():
        setattr(obj, name, "" if value is None and _is_text(obj, name) else value)


def reject_control_characters(data: Mapping[str, Any]) -> None:
    """NUL and other C0 control characters (except tab and newlines) are never meaningful in
    our text and PostgreSQL refuses NUL: reject them with a message instead of a 500."""
    bad = [
        name
        for name, value in data.items()
        for text in (value if isinstance(value, list) else [value])
        if isinstance(text, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in text)
    ]
    if bad:
        raise ValidationFailed(
            f"Remove the control characters from: {', '.join(sorted(bad))}.",
            {name: ["Contains a control character."] for name in bad},
        )


def _is_text(obj: models.Model, name: str) -> bool:
    f = obj._meta.get_field(name)
    return isinstance(f, models.CharField | models.TextField) and not f.null


def clean(obj: M, what: str, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=True)
    except ValidationError as exc:
        raise validation_failed(exc, what) from None
