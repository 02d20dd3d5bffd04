"""Template helpers of the evidence register: the validity of evidence or of one version,
computed by the one rule in :func:`keel.evidence.queries.validity`."""

from __future__ import annotations

from typing import Any

from django import template

from keel.evidence import queries
from keel.evidence.choices import Validity
from keel.evidence.models import Evidence

register = template.Library()


@register.filter
def validity(obj: Any) -> Validity:
    """``{{ evidence|validity }}`` or ``{{ version|validity }}``."""
    if isinstance(obj, Evidence):
        return queries.validity_of(obj)
    return queries.validity(getattr(obj, "valid_until", None))
