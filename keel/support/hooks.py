"""What the support app registers at start-up (SupportConfig.ready): on the person page, the
roles a person holds, the objectives they own and their competence records (an expired one says
so); and three consistency-check rules (docs/consistency-check.md) — competence records past
their expiry that nothing renews, objectives whose latest reading is off target, concerns about
AI systems not answered within :data:`CONCERN_RESPONSE_DAYS`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.documents.models import Document
from keel.organisation.resolvers import in_perimeter
from keel.platform import checks, hooks, trail
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import current_user
from keel.work import reminders

from . import due, queries
from .choices import OPEN_CONCERN, LegalRequirementStatus, SystemDocumentPurpose
from .models import (
    AwarenessCompletion,
    Competence,
    CompetenceRecord,
    Concern,
    LegalRequirement,
    MsRole,
    Objective,
    ObjectiveReading,
    SystemDocument,
)

CONCERN_RESPONSE_DAYS = 30


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    today = timezone.localdate()
    roles = in_perimeter(MsRole.objects.filter(holder=person), viewer).order_by("name")
    objectives = in_perimeter(Objective.objects.filter(owner=person), viewer).order_by("ref_id")
    records = in_perimeter(CompetenceRecord.objects.filter(person=person), viewer).order_by("-achieved_on")
    out = [
        hooks.Owned(
            "Management-system roles",
            "",
            r.name,
            reverse("ms-role-detail", args=[r.pk]),
            "held until " + r.held_until.isoformat() if r.held_until else "holder",
        )
        for r in roles
    ]
    out += [
        hooks.Owned("Objectives", o.ref_id, o.title, reverse("objective-detail", args=[o.ref_id]), "owner")
        for o in objectives
    ]
    for rec in records:
        if rec.expires_on is None:
            detail = f"{rec.get_kind_display()}, does not expire"
        elif rec.expires_on < today:
            detail = f"Expired on {rec.expires_on.isoformat()}"
        else:
            detail = f"{rec.get_kind_display()}, valid until {rec.expires_on.isoformat()}"
        out.append(
            hooks.Owned(
                "Competence records",
                "",
                rec.title,
                reverse("competence-record-detail", args=[rec.pk]),
                detail,
            )
        )
    return out


def expired_competence(systems: checks.Systems) -> list[checks.Finding]:
    return [
        checks.Finding(
            rule="competence_expired",
            title=f"{rec.person.display_name}'s {rec.title} expired on {rec.expires_on.isoformat()}",  # type: ignore[union-attr]
            detail="A competence record past its expiry, and no current record of the same person renews it. "
            "Record the renewal (a new record with its evidence), or end the person's role if they no longer need it.",
            record_label=f"{rec.person.display_name}: {rec.title}",
            url=reverse("competence-record-detail", args=[rec.pk]),
            management_system_id=rec.management_system_id,
        )
        for rec in queries.expired_records(systems)
    ]


def objectives_off_target(systems: checks.Systems) -> list[checks.Finding]:
    latest = ObjectiveReading.objects.filter(objective=OuterRef("pk")).order_by("-on")
    qs = (
        Objective.objects.filter(**checks.in_systems(systems))
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]), latest_on=Subquery(latest.values("on")[:1])
        )
        .filter(latest_value__isnull=False)
        .order_by("ref_id")
    )
    unit = lambda o: f" {o.unit}" if o.unit else ""  # noqa: E731
    return [
        checks.Finding(
            rule="objective_off_target",
            title=f"{o.ref_id} {o.title} is off target",
            detail=f"The latest reading ({o.latest_value.normalize()}{unit(o)} on {o.latest_on.isoformat()}) does not meet "
            f"the target of {o.target.normalize()}{unit(o)} ({o.get_direction_display().lower()}). Record the action taken "
            "and the next reading, or revise the target with its reason.",
            record_label=f"{o.ref_id} {o.title}",
            url=reverse("objective-detail", args=[o.ref_id]),
            management_system_id=o.management_system_id,
        )
        for o in qs
        if not o.on_target(o.latest_value)
    ]


def concerns_unanswered(systems: checks.Systems) -> list[checks.Finding]:
    cutoff = timezone.localdate() - dt.timedelta(days=CONCERN_RESPONSE_DAYS)
    qs = (
        Concern.objects.filter(
            status__in=OPEN_CONCERN, response="", reported_on__lt=cutoff, **checks.in_systems(systems)
        )
        .select_related("ai_system")
        .order_by("reported_on")
    )
    return [
        checks.Finding(
            rule="concern_unanswered",
            title=f"{c.ref_id} {c.summary} has had no answer for {(timezone.localdate() - c.reported_on).days} days",
            detail=f"Concerns about AI systems are to be answered within {CONCERN_RESPONSE_DAYS} days. Respond to it "
            "(what was found, what will change) and set its status.",
            record_label=f"{c.ref_id} {c.summary}",
            url=reverse("concern-detail", args=[c.ref_id]),
            management_system_id=c.management_system_id,
        )
        for c in qs
    ]


def _of_objective(obj: ObjectiveReading) -> list[uuid.UUID]:
    return [obj.objective.management_system_id]


def _of_campaign(obj: AwarenessCompletion) -> list[uuid.UUID]:
    return [obj.campaign.management_system_id]


def _of_role(obj: Competence) -> list[uuid.UUID]:
    return [obj.role.management_system_id]


def legal_reviews_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    """Legal requirements in force whose review date falls by ``today + horizon``: the owner
    reviews them (has the law, the regulation or the contract changed?)."""
    qs = (
        LegalRequirement.objects.filter(review_on__lte=today + horizon)
        .exclude(status=LegalRequirementStatus.RETIRED)
        .order_by("review_on", "ref_id")
    )
    return [
        reminders.Due(
            key=f"legal_review:{r.ref_id}:{r.review_on.isoformat()}",  # type: ignore[union-attr]
            kind="Legal requirement review",
            title=f"{r.title} ({r.ref_id})",
            url=reverse("legal-requirement-detail", args=[r.ref_id]),
            due=r.review_on,  # type: ignore[arg-type]
            person_id=r.owner_id,
            management_system_id=r.management_system_id,
            detail="owner",
        )
        for r in qs
    ]


def aisystem_documents_panel(request: HttpRequest, system: AISystem) -> dict[str, Any]:
    """The documents that inform interested parties about the AI system (42001 A.8.2–A.8.5)."""
    links = list(
        SystemDocument.objects.filter(ai_system=system)
        .select_related("document", "document__issued_version")
        .order_by("purpose", "document__ref_id")
    )
    can_link = has_perm(current_user(request), Perm.EDIT_AI_SYSTEMS, system.management_system_id)
    linked = {lk.document_id for lk in links}
    return {
        "system": system,
        "info_links": links,
        "can_link_documents": can_link,
        "purposes": SystemDocumentPurpose.choices,
        "documents": (
            [
                d
                for d in Document.objects.filter(retired_at__isnull=True).order_by("ref_id")
                if d.pk not in linked
            ]
            if can_link
            else []
        ),
    }


def _of_system_document(obj: SystemDocument) -> list[uuid.UUID]:
    return [obj.ai_system.management_system_id]


def register() -> None:
    reminders.register("competence_expiry", due.competence_expiring)
    reminders.register("objective_reading", due.readings_due)
    hooks.register("person.owned", owned)
    reminders.register("legal_review", legal_reviews_due)
    trail.register_systems("support.systemdocument", _of_system_document)
    hooks.register_panel(
        "aisystem_detail", "support/_aisystem_documents.html", aisystem_documents_panel, order=120
    )
    trail.register_systems("support.objectivereading", _of_objective)
    trail.register_systems("support.awarenesscompletion", _of_campaign)
    trail.register_systems("support.competence", _of_role)
    checks.register(
        checks.Rule(
            "competence_expired",
            "Competence records past their expiry",
            "support",
            expired_competence,
            order=90,
        )
    )
    checks.register(
        checks.Rule(
            "objective_off_target", "Objectives off target", "support", objectives_off_target, order=91
        )
    )
    checks.register(
        checks.Rule(
            "concern_unanswered",
            "Concerns about AI systems left unanswered",
            "support",
            concerns_unanswered,
            order=92,
        )
    )


__all__ = ["register"]
