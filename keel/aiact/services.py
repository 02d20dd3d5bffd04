"""Write-side services of the EU AI Act app: one transaction each, each writes its trail entry
(docs/ai-act.md).

- Classifying an AI system (:func:`classify_system`) needs ``edit_ai_systems`` over the system's
  management system; it adds a new version and never changes an earlier one.
- The AI system services announce a change of intended use (hook ``aisystem.changed``): the
  classification in force becomes due for redoing (:func:`note_change`).
- Obligation statuses (:func:`set_obligation_status`) need ``edit_ai_systems`` too.
- The operating-model advice (:func:`advise_operating_model`) is organisation-wide and needs
  ``manage_systems``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.aisystems.services import get_system
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

from .classify import check_answers, classify
from .models import Classification
from .questionnaire import current

# ---------------------------------------------------------------- classification


def get_classification(ref: uuid.UUID | str) -> Classification:
    try:
        return Classification.objects.select_related("ai_system__management_system", "classified_by").get(
            pk=uuid.UUID(str(ref))
        )
    except (ValueError, ValidationError, Classification.DoesNotExist):
        raise NotFound(f"No AI Act classification with id {ref}.") from None


def current_classification(system: AISystem | uuid.UUID) -> Classification | None:
    system_id = getattr(system, "pk", system)
    return Classification.objects.filter(ai_system_id=system_id).order_by("-version").first()


def classify_system(
    actor: Actor,
    system_ref: uuid.UUID | str | AISystem,
    *,
    role: str,
    answers: Mapping[str, Any],
    note: str = "",
) -> Classification:
    """Classify ``system`` from the questionnaire's ``answers`` as the organisation's ``role``:
    a new version, with the tier and its reasons; earlier versions stay as they were."""
    reject_control_characters({"note": note})
    q = current()
    problems = check_answers(answers, role, q)
    if problems:
        raise ValidationFailed(
            "The classification cannot be recorded: "
            + " ".join(m for msgs in problems.values() for m in msgs)
            + " Nothing was changed.",
            problems,
        )
    result = classify(answers, role, q)
    with transaction.atomic():
        system = system_ref if isinstance(system_ref, AISystem) else get_system(system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        AISystem.objects.select_for_update().filter(pk=system.pk).first()
        latest = current_classification(system)
        c = Classification.objects.create(
            ai_system=system,
            version=(latest.version + 1) if latest else 1,
            questionnaire_version=q.version,
            role=role,
            answers={k: bool(v) for k, v in sorted(answers.items())},
            tier=result.tier,
            high_risk_route=result.high_risk_route,
            annex_iii_points=list(result.annex_iii_points),
            annex_i=result.annex_i,
            derogation_applied=result.derogation_applied,
            prohibited_practices=list(result.prohibited_practices),
            transparency_cases=list(result.transparency_cases),
            gpai=result.gpai,
            public_body=result.public_body,
            reasons=[r.as_dict() for r in result.reasons],
            note=note.strip(),
            classified_by=actor.user,
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            c,
            management_system_id=system.management_system_id,
            changes={
                "version": [latest.version if latest else None, c.version],
                "role": [latest.role if latest else None, c.role],
                "tier": [latest.tier if latest else None, c.tier],
                "summary": [None, result.summary],
            },
        )
    return c


def note_change(actor: Actor, system: AISystem, what: str, detail: str) -> Classification | None:
    """The intended use of ``system`` changed: its classification in force is due for redoing
    (called through the ``aisystem.changed`` hook, inside the change's transaction)."""
    c = Classification.objects.select_for_update().filter(ai_system=system).order_by("-version").first()
    if c is None or c.redo_due:
        return c
    c.redo_due = True
    c.redo_reason = detail[:300]
    c.redo_since = timezone.now()
    c.save(update_fields=["redo_due", "redo_reason", "redo_since"])
    trail.record(
        actor,
        TrailAction.UPDATE,
        c,
        management_system_id=system.management_system_id,
        changes={"redo_due": [False, True], "redo_reason": ["", c.redo_reason]},
    )
    return c
