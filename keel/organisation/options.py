"""What a list's filters offer to choose from, known only when the page is drawn: the
management systems a person may view, the people who can own a record, the standards. The
filter declarations (``keel.platform.filters``) name these as their ``options``; forms use the
same lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from keel.platform.models import User
from keel.standards.models import Standard

from . import resolvers


def standard_choices() -> list[tuple[str, str]]:
    return [(s.key, f"{s.name}:{s.edition}") for s in Standard.objects.order_by("key")]


def system_choices(who: resolvers.Viewer = resolvers.TRUSTED) -> list[tuple[str, str]]:
    """Management systems to choose from: those ``who`` may view."""
    return [(ms.short_name, ms.name) for ms in resolvers.visible_systems(who)]


def system_filter_field() -> forms.ChoiceField:
    """A list page's ``management_system`` filter: a value that is unknown or outside the
    user's perimeter gets the resolver's message (never the value back, never other systems)."""
    return forms.ChoiceField(
        label="Management system",
        required=False,
        error_messages={"invalid_choice": resolvers.UNKNOWN_SYSTEM},
    )


def owner_choices() -> list[tuple[str, str]]:
    """Everyone in the directory who is active, with or without a login (docs/people.md): an
    owner need not log in. The value is the email (a stand-in one for people Keel has none of)."""
    return [
        (u.email, f"{u.full_name} ({u.shown_email})" if u.full_name and u.shown_email else u.display_name)
        for u in User.objects.filter(is_active=True).order_by("full_name", "email")
    ]


# ``options`` of a filter declaration: called with the form's keyword arguments.


def systems_of_user(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The systems the form's ``user`` may view."""
    return system_choices(context["user"])


def owners(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return owner_choices()


def standards(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return standard_choices()


UNKNOWN_SYSTEM = resolvers.UNKNOWN_SYSTEM
