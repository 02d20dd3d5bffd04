"""Helpers shared by the organisation's API modules (:mod:`keel.organisation.api`,
:mod:`keel.organisation.api_access`): ordering, references in filters, times."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet

from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.standards.records import standards_by_key


def _order(qs: QuerySet[Any], order: str, *tie: str) -> QuerySet[Any]:
    """Order by one of the values the filter schema allows (``-`` for descending)."""
    return qs.order_by(order, *tie)


def _user_ref(ref: str, field: str = "user") -> User:
    """A user named by id or email in a filter or a body; unknown is a 422 on that field."""
    try:
        user = User.objects.filter(pk=uuid.UUID(ref)).first()
    except ValueError:
        user = User.objects.filter(email__iexact=ref.strip()).first()
    if user is None:
        raise ValidationFailed(
            f"No user {ref!r}: give an existing user's id or email.", {field: ["Unknown user."]}
        )
    return user


def _standard_filter(key: str | None) -> str | None:
    """Validate a ``standard`` filter: an unknown key is a 422 naming the known ones."""
    if key:
        standards_by_key([key], field="standard")
    return key


def _get(qs: QuerySet[Any], pk: Any, what: str) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No {what} with id {pk}.")
    return obj


def _aware(value: dt.date, field: str) -> dt.datetime:
    """A time without a zone is taken as UTC (a day: its start); times outside what the
    database stores are an input error, not a server error."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    try:
        return aware.astimezone(dt.UTC)
    except OverflowError:
        raise ValidationFailed(f"{field} is out of range.", {field: ["Out of range."]}) from None


def _set(data: dict[str, Any]) -> dict[str, Any]:
    """Enum members as their plain values, for the services."""
    return {
        k: (
            v.value
            if hasattr(v, "value")
            else [getattr(i, "value", i) for i in v]
            if isinstance(v, list)
            else v
        )
        for k, v in data.items()
    }
