"""Read side of the impact assessment, shared by pages and API: lists with a fixed number of
queries whatever the row count, restricted to the management systems the user may read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from keel.platform import filters
from keel.platform.errors import NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm, restrict
from keel.risks.models import Risk

from .choices import AssessmentStatus
from .models import Impact, ImpactAssessment
from .triggers import due_state

MS = "ai_system__management_system"


@dataclass
class AssessmentFilters:
    """The filters of the impact-assessment list (issue 10): the API's parameters."""

    ai_system: str = filters.reference(help="An AI system's id or short name.")
    status: str = filters.choice(AssessmentStatus)
    due: bool | None = filters.boolean(help="Only versions due (true) or not due (false) for re-assessment.")


def due_q() -> Q:
    """Approved versions due for re-assessment: flagged by a trigger or past their planned date."""
    return Q(status=AssessmentStatus.APPROVED) & (Q(due=True) | Q(next_review_at__lte=timezone.now()))


def base() -> QuerySet[ImpactAssessment]:
    return ImpactAssessment.objects.select_related(
        "ai_system__management_system", "methodology", "author", "approved_by"
    ).annotate(impact_count=Count("impacts"))


def assessments(user: User | None, f: AssessmentFilters | None = None) -> QuerySet[ImpactAssessment]:
    f = f or AssessmentFilters()
    qs = restrict(base(), user, Perm.VIEW, field=MS)
    if f.ai_system:
        try:
            qs = qs.filter(ai_system_id=uuid.UUID(f.ai_system))
        except ValueError:
            qs = qs.filter(ai_system__short_name=f.ai_system.strip())
    if f.status:
        if f.status not in AssessmentStatus.values:
            raise ValidationFailed(
                f"status is one of: {', '.join(AssessmentStatus.values)}.", {"status": ["Unknown status."]}
            )
        qs = qs.filter(status=f.status)
    if f.due is True:
        qs = qs.filter(due_q())
    elif f.due is False:
        qs = qs.exclude(due_q())
    return qs.order_by("ai_system__name", "-version")


def impacts_qs() -> QuerySet[Impact]:
    return Impact.objects.select_related("objective").prefetch_related(
        Prefetch("risks", Risk.objects.only("id", "ref_id", "title", "impact_id").order_by("ref_id"))
    )


def assessment_for(user: User | None, ref: uuid.UUID | str) -> ImpactAssessment:
    """One version with its impacts (and the risks raised from them) and links; 403 when the
    user may not read its AI system."""
    qs = base().prefetch_related(
        Prefetch("impacts", impacts_qs().order_by("created_at")),
        "datasets",
        "ai_models",
        "interested_parties",
    )
    try:
        a = qs.filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        a = None
    if a is None:
        raise NotFound(f"No impact assessment with id {ref}.")
    if not has_perm(user, Perm.VIEW, a.ai_system.management_system):
        raise PermissionDenied("You may not read the impact assessments of this AI system.")
    return a


def impacts(user: User | None, ref: uuid.UUID | str) -> QuerySet[Impact]:
    """The impacts of one version (403 when the user may not read its AI system)."""
    try:
        a = ImpactAssessment.objects.select_related(MS).filter(pk=uuid.UUID(str(ref))).first()
    except ValueError:
        a = None
    if a is None:
        raise NotFound(f"No impact assessment with id {ref}.")
    if not has_perm(user, Perm.VIEW, a.ai_system.management_system):
        raise PermissionDenied("You may not read the impact assessments of this AI system.")
    return impacts_qs().filter(assessment=a).order_by("created_at")


def for_system(system_id: uuid.UUID) -> list[ImpactAssessment]:
    return list(base().filter(ai_system_id=system_id).order_by("-version"))


def system_panel(system_id: uuid.UUID) -> dict[str, object]:
    """What the AI system page shows of its impact assessments: every version with whether it is
    due for re-assessment (the rule of :func:`keel.impact.services.due_state`, as the gate and
    the API use it), the first due one, whether a draft is open, and the impacts (benefits and
    harms, with the risks raised from them) of the version in force — the latest approved one,
    else the draft."""
    versions = for_system(system_id)
    dues = [due_state(a) for a in versions]
    shown = next((a for a in versions if a.status == AssessmentStatus.APPROVED), None) or next(
        (a for a in versions if a.status == AssessmentStatus.DRAFT), None
    )
    impacts = (
        list(
            Impact.objects.filter(assessment=shown)
            .select_related("assessment__methodology")
            .prefetch_related(Prefetch("risks", Risk.objects.only("id", "ref_id", "impact_id")))
            .order_by("nature", "-severity", "title")
        )
        if shown is not None
        else []
    )
    return {
        "assessments": [{"a": a, "due": d} for a, d in zip(versions, dues, strict=True)],
        "assessment_due": next((d for d in dues if d.due), None),
        "has_draft": any(a.status == AssessmentStatus.DRAFT for a in versions),
        "shown": shown,
        "impacts": impacts,
    }


def due_summary(user: User | None, limit: int = 8) -> dict[str, object]:
    """The dashboard panel: how many approved assessments are due, and the first few."""
    qs = restrict(base(), user, Perm.VIEW, field=MS).filter(due_q()).order_by("due_since", "ai_system__name")
    items = list(qs[:limit])
    return {"count": qs.count() if len(items) == limit else len(items), "items": items}


def due_by_system(user: User | None) -> dict[uuid.UUID, int]:
    """Approved impact assessments due for re-assessment, counted per management system (one
    query)."""
    grouped = (
        restrict(ImpactAssessment.objects.filter(due_q()), user, Perm.VIEW, field=MS)
        .values_list(MS, flat=False)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {ms_id: n for ms_id, n in grouped}
