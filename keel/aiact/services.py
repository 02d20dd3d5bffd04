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
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.aisystems.services import get_system
from keel.evidence.models import Evidence
from keel.organisation.models import Organisation
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

from . import advisor
from . import catalogue as obligations_data
from .choices import ObligationState
from .classify import check_answers, classify
from .models import Classification, ObligationStatus, OperatingModelAdvice
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


# ---------------------------------------------------------------- obligation statuses


def _evidence(refs: Iterable[Any], system: AISystem) -> list[Evidence]:
    wanted = [str(r).strip() for r in refs if str(r).strip()]
    ids = []
    for r in wanted:
        try:
            ids.append(uuid.UUID(r))
        except ValueError:
            continue
    found = list(
        Evidence.objects.filter(Q(ref_id__in=wanted) | Q(pk__in=ids)).prefetch_related("management_systems")
    )
    keys = {e.ref_id for e in found} | {str(e.pk) for e in found}
    missing = [r for r in wanted if r not in keys]
    if missing:
        raise ValidationFailed(
            f"Unknown evidence: {', '.join(missing)}.", {"evidence": ["Unknown reference."]}
        )
    foreign = [
        e.ref_id
        for e in found
        if system.management_system_id not in {m.pk for m in e.management_systems.all()}
    ]
    if foreign:
        raise ValidationFailed(
            f"Evidence {', '.join(foreign)} belongs to another management system than {system.name}.",
            {"evidence": ["Not in this AI system's management system."]},
        )
    return found


def _status_snapshot(s: ObligationStatus) -> dict[str, Any]:
    data = trail.snapshot(s, ["status", "note"])
    data["evidence"] = sorted(s.evidence.values_list("ref_id", flat=True)) if s.pk else []
    return data


def set_obligation_status(
    actor: Actor,
    system_ref: uuid.UUID | str | AISystem,
    obligation: str,
    *,
    status: str | None = None,
    note: str | None = None,
    evidence: Iterable[Any] | None = None,
    expected_version: str | None = None,
) -> ObligationStatus:
    """Record where ``system`` stands on ``obligation`` (status, note, evidence). The obligation
    must fall on the system as currently classified; ``expected_version`` makes a stale edit a
    conflict."""
    reject_control_characters({"note": note or ""})
    if status is not None and status not in ObligationState.values:
        raise ValidationFailed(
            f"Status {status!r} is not one of: {', '.join(str(x) for x in ObligationState.labels)}.",
            {"status": ["Unknown status."]},
        )
    ob = obligations_data.catalogue().get(obligation)
    if ob is None:
        raise NotFound(f"No obligation {obligation!r} in the catalogue.")
    with transaction.atomic():
        system = system_ref if isinstance(system_ref, AISystem) else get_system(system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        c = current_classification(system)
        if c is None or not ob.applies(c):
            raise ValidationFailed(
                f"{ob.ref} ({ob.title}) does not fall on {system.name} as it is classified"
                + ("" if c else " (it is not classified yet)")
                + ". Nothing was changed.",
                {"obligation": ["Not applicable to this AI system."]},
            )
        row, created = ObligationStatus.objects.select_for_update().get_or_create(
            ai_system=system, obligation=ob.key, defaults={"updated_by": actor.user}
        )
        if not created:
            check_version(row, expected_version, f"The status of {ob.ref} for {system.name}")
        before = {} if created else _status_snapshot(row)
        if status is not None:
            row.status = status
        if note is not None:
            row.note = note.strip()
        row.updated_by = actor.user
        row.save()
        if evidence is not None:
            row.evidence.set(_evidence(evidence, system))
        changes = trail.diff(before, _status_snapshot(row))
        if changes or created:
            trail.record(
                actor,
                TrailAction.CREATE if created else TrailAction.UPDATE,
                row,
                management_system_id=system.management_system_id,
                changes=changes,
            )
    return row


# ---------------------------------------------------------------- operating model


def advise_operating_model(actor: Actor, answers: Mapping[str, Any], note: str = "") -> OperatingModelAdvice:
    """Record the operating-model advice for the organisation from ``answers``: a new version
    with the recommendation and the reasons (``manage_systems`` at organisation level)."""
    reject_control_characters({"note": note})
    clean_answers = {str(k): str(v) for k, v in answers.items()}
    problems = advisor.check(clean_answers)
    if problems:
        raise ValidationFailed(
            "The advice cannot be given: "
            + " ".join(f"{k}: {' '.join(v)}" for k, v in problems.items())
            + " Nothing was changed.",
            problems,
        )
    advice = advisor.advise(clean_answers)
    with transaction.atomic():
        check(actor, Perm.MANAGE_SYSTEMS)
        org = Organisation.objects.select_for_update().first()
        if org is None:
            raise NotFound("Set up the organisation first (keel init or the organisation page).")
        latest = OperatingModelAdvice.objects.filter(organisation=org).order_by("-version").first()
        a = OperatingModelAdvice.objects.create(
            organisation=org,
            version=(latest.version + 1) if latest else 1,
            answers=clean_answers,
            recommendation=advice.recommendation,
            reasons=list(advice.reasons),
            note=note.strip(),
            decided_by=actor.user,
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            a,
            changes={
                "version": [latest.version if latest else None, a.version],
                "recommendation": [latest.recommendation if latest else None, a.recommendation],
                "answers": [latest.answers if latest else None, a.answers],
            },
        )
    return a
