"""The versioned risk methodology: the current version, a version by number or id, and the next version."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import RefSequence
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

from ..methodology import clean_methodology
from ..models import Methodology


def _serialise(name: str) -> None:
    """Queue the writers of ``name`` (until the transaction ends) on a lock row, for creates that
    check "is there one already?" or "what is the last version?" before inserting."""
    RefSequence.objects.bulk_create([RefSequence(prefix=name, last=0)], ignore_conflicts=True)
    RefSequence.objects.select_for_update().get(prefix=name)


def current_methodology() -> Methodology:
    m = Methodology.objects.order_by("-version").first()
    if m is None:
        raise ValidationFailed(
            "No risk methodology yet: create one first (Risks → Methodology, or POST /api/v1/risk-methodologies).",
            {"methodology": ["No methodology."]},
        )
    return m


def get_methodology(ref: uuid.UUID | str | int) -> Methodology:
    try:
        return Methodology.objects.get(version=int(str(ref)))
    except (ValueError, Methodology.DoesNotExist):
        pass
    try:
        return Methodology.objects.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, Methodology.DoesNotExist):
        raise NotFound(f"No risk methodology {ref!r}: give its version number or id.") from None


def create_methodology(actor: Actor, **data: Any) -> Methodology:
    """Create the next version of the methodology. Older versions stay as they are, and the
    risks assessed under them keep them until they are re-assessed."""
    check(actor, Perm.EDIT_RISKS)
    reject_control_characters({k: v for k, v in data.items() if isinstance(v, str)})
    unknown = set(data) - {
        "name",
        "note",
        "likelihood",
        "impact",
        "levels",
        "matrix",
        "max_exception_days",
        "assessment_interval_months",
        "assess_on_significant_change",
        "assess_on_new_ai_system",
        "assess_on_impact_assessment",
        "significant_changes",
    }
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}.", {k: ["Unknown field."] for k in unknown}
        )
    values = clean_methodology(data)
    with transaction.atomic():
        _serialise("methodology")  # even the first version, which has no row to lock yet
        last = Methodology.objects.order_by("-version").first()
        m = Methodology.objects.create(
            version=(last.version + 1) if last else 1, created_by=actor.user, **values
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            m,
            changes={"version": [None, m.version], **{k: [None, v] for k, v in values.items()}},
        )
    return m
