"""The fundamental rights impact assessment of Art. 27 (issue 17 item 2): who needs one, starting
it from the AI system impact assessment (what that already holds pre-fills the elements),
changing it, completing it and recording the notification to the authority.

Art. 27 asks it of deployers that are public bodies or provide public services, and of deployers
of high-risk systems under Annex III points 5(b) (credit scoring) and 5(c) (life and health
insurance pricing), before first use (point 2 excepted): :func:`needed`. A provider may keep one
too — to give its deployers a basis for theirs — so the record is not refused for others."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.aisystems.services import get_system
from keel.impact.choices import Nature
from keel.impact.models import ImpactAssessment
from keel.impact.triggers import current_assessment
from keel.organisation.resolvers import in_perimeter
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

from .catalogue import CONDITIONS
from .choices import ActRole, FriaStatus
from .models import FRIA_ELEMENTS, Classification, FundamentalRightsAssessment

TEXT_FIELDS = (*(name for name, _ref, _text in FRIA_ELEMENTS), "note")
FIELDS = (*TEXT_FIELDS, "status", "notified_on")


def needed(c: Classification | None) -> bool:
    """Whether Art. 27 asks the organisation for an assessment of this system as classified."""
    return c is not None and c.role == ActRole.DEPLOYER and CONDITIONS["fria"](c)


def applies_to_use(c: Classification | None) -> bool:
    """Whether the use is one Art. 27 covers, whoever deploys it (a provider's deployers need one)."""
    return c is not None and CONDITIONS["fria"](c)


def get(ref: uuid.UUID | str | AISystem) -> FundamentalRightsAssessment:
    """The assessment of an AI system (short name or id), or by its own id."""
    qs = FundamentalRightsAssessment.objects.select_related(
        "ai_system__management_system", "impact_assessment"
    )
    if isinstance(ref, AISystem):
        found = qs.filter(ai_system=ref).first()
    else:
        text = str(ref).strip()
        try:
            pk = uuid.UUID(text)
        except ValueError:
            pk = None
        found = (qs.filter(pk=pk).first() or qs.filter(ai_system_id=pk).first()) if pk else None
        if found is None:
            found = qs.filter(ai_system__short_name=text).first()
    if found is None:
        raise NotFound(f"No fundamental rights impact assessment for {str(ref)[:60]!r}.")
    return found


def listing(
    user: User | None, ai_system: str = "", status: str = ""
) -> QuerySet[FundamentalRightsAssessment]:
    """The assessments of the AI systems ``user`` may read (``None``: all)."""
    qs = FundamentalRightsAssessment.objects.select_related(
        "ai_system", "impact_assessment"
    ).prefetch_related("ai_system__act_classifications")
    if user is not None:
        qs = in_perimeter(qs, user, "ai_system__management_system")
    if ai_system:
        try:
            qs = qs.filter(ai_system_id=uuid.UUID(ai_system))
        except ValueError:
            qs = qs.filter(ai_system__short_name=ai_system)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("ai_system__name")


def visible(user: User | None, ref: str) -> FundamentalRightsAssessment:
    """:func:`get`, within what ``user`` may read (else "not found")."""
    found = get(ref)
    if not listing(user).filter(pk=found.pk).exists():
        raise NotFound(f"No fundamental rights impact assessment for {str(ref)[:60]!r}.")
    return found


def _snapshot(f: FundamentalRightsAssessment) -> dict[str, Any]:
    return trail.snapshot(f, FIELDS)


def prefill(system: AISystem, assessment: ImpactAssessment | None) -> dict[str, str]:
    """What the AI system impact assessment (and the AI system record) already say, as starting
    text for the elements; the person then writes it for this use."""
    if assessment is None:
        return {"oversight_measures": system.human_oversight or ""}
    harms = [
        f"- {i.title}"
        + (f": {i.description}" if i.description else "")
        + (f" (affects {i.affected_who})" if i.affected_who else "")
        for i in assessment.impacts.filter(nature=Nature.HARM).order_by("title")
    ]
    measures = [
        f"- {i.title}: {i.measures}" for i in assessment.impacts.exclude(measures="").order_by("title")
    ]
    return {
        "processes": "\n\n".join(
            x for x in (assessment.intended_uses, assessment.deployment_environment) if x
        ),
        "affected_people": assessment.affected_people,
        "risks_of_harm": "\n".join(harms),
        "oversight_measures": system.human_oversight or "",
        "mitigation": "\n".join(measures),
    }


def start(actor: Actor, system_ref: str | AISystem, **data: Any) -> FundamentalRightsAssessment:
    """Start the assessment of an AI system, linked to its approved impact assessment in force
    (or its latest one) and pre-filled from it; ``data`` overrides the pre-filled text."""
    reject_control_characters({k: v for k, v in data.items() if isinstance(v, str)})
    with transaction.atomic():
        system = system_ref if isinstance(system_ref, AISystem) else get_system(system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system_id)
        if FundamentalRightsAssessment.objects.filter(ai_system=system).exists():
            raise Conflict(
                f"{system.name} already has a fundamental rights impact assessment: change that one."
            )
        unknown = set(data) - set(TEXT_FIELDS)
        if unknown:
            raise ValidationFailed(
                f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(unknown))}.",
                {name: ["Unknown field."] for name in unknown},
            )
        basis = (
            current_assessment(system)
            or ImpactAssessment.objects.filter(ai_system=system).order_by("-version").first()
        )
        values = {**prefill(system, basis), **{k: v or "" for k, v in data.items()}}
        fria = FundamentalRightsAssessment(
            ai_system=system, impact_assessment=basis, author=actor.user, **values
        )
        try:
            with transaction.atomic():
                fria.save()
        except IntegrityError:
            raise Conflict(f"{system.name} already has a fundamental rights impact assessment.") from None
        trail.record(
            actor,
            TrailAction.CREATE,
            fria,
            changes={
                **trail.diff({}, _snapshot(fria)),
                "impact_assessment": [None, f"version {basis.version}" if basis else None],
            },
            management_system_id=system.management_system_id,
        )
    return fria


def update(
    actor: Actor, ref: uuid.UUID | str | AISystem, *, expected_version: str | None = None, **data: Any
) -> FundamentalRightsAssessment:
    """Change the elements given. ``status="complete"`` needs every element written;
    ``notified_on`` needs a complete assessment and a day not in the future. Back to draft
    clears neither the text nor the history (the trail keeps it)."""
    reject_control_characters({k: v for k, v in data.items() if isinstance(v, str)})
    with transaction.atomic():
        found = get(ref)
        fria = (
            FundamentalRightsAssessment.objects.select_for_update()
            .select_related("ai_system")
            .get(pk=found.pk)
        )
        check(actor, Perm.EDIT_AI_SYSTEMS, fria.ai_system.management_system_id)
        check_version(fria, expected_version, str(fria))
        unknown = set(data) - set(FIELDS)
        if unknown:
            raise ValidationFailed(
                f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(unknown))}.",
                {name: ["Unknown field."] for name in unknown},
            )
        before = _snapshot(fria)
        for name in TEXT_FIELDS:
            if name in data:
                setattr(fria, name, data[name] or "")
        if "status" in data:
            if data["status"] not in FriaStatus.values:
                raise ValidationFailed(
                    f"status is one of: {', '.join(FriaStatus.values)}.", {"status": ["Unknown status."]}
                )
            fria.status = data["status"]
        if "notified_on" in data:
            fria.notified_on = _day(data["notified_on"])
        _validate(fria)
        if fria.status == FriaStatus.COMPLETE and fria.completed_on is None:
            fria.completed_on = timezone.localdate()
        if fria.status == FriaStatus.DRAFT:
            fria.completed_on = None
        changes = trail.diff(before, _snapshot(fria))
        if changes:
            fria.save()
            trail.record(
                actor,
                TrailAction.UPDATE,
                fria,
                changes=changes,
                management_system_id=fria.ai_system.management_system_id,
            )
    return fria


def _day(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            "notified_on is a date, YYYY-MM-DD.", {"notified_on": ["Not a date."]}
        ) from None


def _validate(fria: FundamentalRightsAssessment) -> None:
    if fria.status == FriaStatus.COMPLETE:
        missing = fria.missing()
        if missing:
            labels = ", ".join(
                f"{ref} {name.replace('_', ' ')}" for name, ref, _t in FRIA_ELEMENTS if name in missing
            )
            raise ValidationFailed(
                f"Write every element before completing the assessment; still empty: {labels}.",
                {name: ["Required to complete."] for name in missing},
            )
    if fria.notified_on is not None:
        if fria.status != FriaStatus.COMPLETE:
            raise ValidationFailed(
                "Only a complete assessment is notified to the authority: complete it first.",
                {"notified_on": ["The assessment is a draft."]},
            )
        if fria.notified_on > timezone.localdate():
            raise ValidationFailed(
                "The notification date cannot be in the future.", {"notified_on": ["In the future."]}
            )
