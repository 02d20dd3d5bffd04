"""What the suppliers app registers at start-up (SuppliersConfig.ready): the suppliers a person
owns on their page; trail scopes of its records without a management system field; two
consistency-check rules (docs/consistency-check.md) — a critical or high-criticality supplier we
depend on without a reviewed due-diligence assessment, and a periodic review overdue; the
reminder source of periodic reviews and contract renewals (keel/work/reminders.py); and its
answer to ``management_system.restructured`` (the EU AI Act split and merge)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from keel.organisation.resolvers import in_perimeter
from keel.platform import checks, hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.models import User
from keel.work import reminders

from .choices import (
    AssessmentDecision,
    SupplierAssessmentStatus,
    SupplierCriticality,
    SupplierKind,
    SupplierStatus,
)
from .models import (
    Supplier,
    SupplierAnswer,
    SupplierAssessment,
    SupplierContact,
    SupplierContract,
    SupplierReview,
)

# suppliers that serve only the AI management system (moved to it when 42001 is split off)
AI_KINDS = (
    SupplierKind.FOUNDATION_MODEL,
    SupplierKind.MODEL_API,
    SupplierKind.DATASET,
    SupplierKind.LABELLING,
)
DEPENDED_ON = (SupplierStatus.APPROVED, SupplierStatus.ACTIVE)
RENEWAL_NOTICE_DAYS = 0  # a renewal is due at its notice deadline (renewal date minus notice)


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    qs = in_perimeter(Supplier.objects.filter(owner=person), viewer).order_by("ref_id")
    return [
        hooks.Owned(
            "Suppliers", s.ref_id, s.name, reverse("supplier-detail", args=[s.ref_id]), s.get_status_display()
        )
        for s in qs
    ]


def without_due_diligence(systems: checks.Systems) -> list[checks.Finding]:
    reviewed = SupplierAssessment.objects.filter(
        supplier=OuterRef("pk"),
        status=SupplierAssessmentStatus.REVIEWED,
        decision__in=[AssessmentDecision.ACCEPTABLE, AssessmentDecision.CONDITIONS],
    )
    qs = (
        Supplier.objects.filter(
            criticality__in=[SupplierCriticality.CRITICAL, SupplierCriticality.HIGH],
            status__in=DEPENDED_ON,
            **checks.in_systems(systems),
        )
        .exclude(Exists(reviewed))
        .order_by("ref_id")
    )
    return [
        checks.Finding(
            rule="supplier_without_due_diligence",
            title=f"{s.ref_id} {s.name} is {s.get_criticality_display().lower()} and has no reviewed due diligence",
            detail="A supplier we depend on this much should have answered a due-diligence questionnaire that "
            "someone reviewed and found acceptable. Send it the questionnaire that fits (security, or AI "
            "component for models and data) and review the answers.",
            record_label=f"{s.ref_id} {s.name}",
            url=reverse("supplier-detail", args=[s.ref_id]),
            management_system_id=s.management_system_id,
        )
        for s in qs
    ]


def review_overdue(systems: checks.Systems) -> list[checks.Finding]:
    today = timezone.localdate()
    qs = Supplier.objects.filter(
        status=SupplierStatus.ACTIVE, next_review_on__lt=today, **checks.in_systems(systems)
    ).order_by("next_review_on")
    return [
        checks.Finding(
            rule="supplier_review_overdue",
            title=f"{s.ref_id} {s.name}'s periodic review was due on {s.next_review_on.isoformat()}",  # type: ignore[union-attr]
            detail="Suppliers under contract are reviewed periodically (how they performed, whether their "
            "answers still hold, changes in what we buy). Record the review on the supplier's page.",
            record_label=f"{s.ref_id} {s.name}",
            url=reverse("supplier-detail", args=[s.ref_id]),
            management_system_id=s.management_system_id,
        )
        for s in qs
    ]


def reviews_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    """Periodic reviews of suppliers under contract, and contract notice deadlines, due by
    ``today + horizon`` (overdue included)."""
    until = today + horizon
    out: list[reminders.Due] = []
    for s in Supplier.objects.filter(status=SupplierStatus.ACTIVE, next_review_on__lte=until).order_by(
        "ref_id"
    ):
        out.append(
            reminders.Due(
                key=f"supplier_review:{s.ref_id}:{s.next_review_on.isoformat()}",  # type: ignore[union-attr]
                kind="Supplier review",
                title=f"{s.name} ({s.ref_id})",
                url=reverse("supplier-detail", args=[s.ref_id]),
                due=s.next_review_on,  # type: ignore[arg-type]
                person_id=s.owner_id,
                management_system_id=s.management_system_id,
                detail="owner",
            )
        )
    contracts = SupplierContract.objects.filter(
        supplier__status=SupplierStatus.ACTIVE, renewal_on__isnull=False, renewal_on__gte=today - horizon
    ).select_related("supplier")
    for c in contracts:
        assert c.renewal_on is not None
        deadline: dt.date = c.renewal_on - dt.timedelta(days=c.notice_days or 0)
        if deadline > until:
            continue
        out.append(
            reminders.Due(
                key=f"supplier_contract:{c.pk}:{c.renewal_on.isoformat()}",
                kind="Supplier contract renewal",
                title=f"{c.title} — {c.supplier.name} ({c.supplier.ref_id})",
                url=reverse("supplier-detail", args=[c.supplier.ref_id]),
                due=deadline,
                person_id=c.supplier.owner_id,
                management_system_id=c.supplier.management_system_id,
                detail=f"renews {c.renewal_on.isoformat()}; last day to give notice",
            )
        )
    return out


def restructured(
    actor: Actor, kind: str, source: Any, target: Any, standard: Any = None, **kwargs: Any
) -> list[trail.Pending]:
    """Split: the suppliers that serve AI only (model, model API, dataset, labelling) move to the
    new AI management system; the others stay. Merge: every supplier of ``source`` moves."""
    qs = Supplier.objects.filter(management_system=source)
    if kind == "split":
        qs = qs.filter(kind__in=AI_KINDS)
    out = []
    for s in qs:
        out.append(
            trail.Pending(
                TrailAction.UPDATE,
                s,
                changes={"management_system": [str(source.pk), str(target.pk)]},
                object_repr=f"{s.ref_id} {s.name}",
                management_system_ids=[source.pk, target.pk],
            )
        )
    qs.update(management_system=target)
    return out


def _of_supplier(obj: Any) -> list[uuid.UUID]:
    return [obj.supplier.management_system_id]


def _of_answer(obj: SupplierAnswer) -> list[uuid.UUID]:
    return [obj.assessment.supplier.management_system_id]


def register() -> None:
    hooks.register("person.owned", owned)
    hooks.register("management_system.restructured", restructured)
    for model in (SupplierContact, SupplierContract, SupplierReview, SupplierAssessment):
        trail.register_systems(model._meta.label_lower, _of_supplier)
    trail.register_systems(SupplierAnswer._meta.label_lower, _of_answer)
    reminders.register("supplier_review", reviews_due)
    checks.register(
        checks.Rule(
            "supplier_without_due_diligence",
            "Critical suppliers without reviewed due diligence",
            "suppliers",
            without_due_diligence,
            order=95,
        )
    )
    checks.register(
        checks.Rule(
            "supplier_review_overdue", "Supplier reviews overdue", "suppliers", review_overdue, order=96
        )
    )


__all__ = ["register"]
