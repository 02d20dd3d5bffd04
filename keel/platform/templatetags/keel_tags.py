"""Small template helpers: permission checks and audit-trail value display."""

from __future__ import annotations

from typing import Any

from django import template

from keel.platform import hooks
from keel.platform.permissions import has_perm

register = template.Library()

MAX_VALUE = 90


@register.filter
def can(user: Any, perm: str) -> bool:
    """``{% if user|can:"edit_context" %}``: the one permission check, organisation level."""
    return has_perm(user, perm)


@register.filter
def change_pair(value: Any) -> tuple[Any, Any] | None:
    """A trail change ``[old, new]`` as a pair, or ``None`` for a plain value (e.g. ``version``)."""
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None


@register.filter
def trail_value(value: Any) -> str:
    """A JSON value from the trail, short and readable."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        text = ", ".join(trail_value(v) for v in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}: {trail_value(v)}" for k, v in value.items())
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


@register.filter
def choice_labels(values: Any, kind: str) -> str:
    """Stored choice values as their labels: ``{{ scope.ai_roles|choice_labels:"ai_role" }}``."""
    # the apps that own the choices register them (hooks "choice_labels"): ai_role and
    # lifecycle_stage (organisation), control_status (controls), evidence_validity (evidence)
    found = [c for c in hooks.call("choice_labels", kind=kind) if c is not None]
    if not found:
        raise template.TemplateSyntaxError(f"choice_labels: no app registers the kind {kind!r}")
    choices = found[0]
    if isinstance(values, str):
        values = [values]
    labels = dict(choices.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or []) or "—"
