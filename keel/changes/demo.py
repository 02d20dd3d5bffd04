"""The changes of the demo company (Tessellate Labs), written through the services: an approved
retraining of the Helix credit model (version 3.2, every gate met), a submitted prompt and
threshold change of the support assistant still waiting for its impact assessment and AI risks
to be reviewed, a
database upgrade implemented six weeks ago whose post-implementation review is overdue (the
consistency check flags it), and the planned separation of the ISMS and the AIMS (clause 6.3).
Dates are relative to the demo's today; the past ones are set after the services ran, as other
demo modules do for dates a service stamps with "now"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.impact.choices import AssessmentStatus
from keel.impact.models import ImpactAssessment
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import services
from .models import Change


def _approved_assessment(short_name: str) -> str | None:
    a = (
        ImpactAssessment.objects.filter(ai_system__short_name=short_name, status=AssessmentStatus.APPROVED)
        .order_by("-version")
        .first()
    )
    return str(a.pk) if a else None


def load_demo_changes(
    actor: Actor,
    approver: Actor,
    say: Callable[[str], None],
    integrated: ManagementSystem,
    research: ManagementSystem,
    people: dict[str, User],
) -> None:
    say(
        "Recording changes: a credit-model retraining, a support-assistant prompt change, a database upgrade "
        "and the planned ISMS/AIMS separation ..."
    )
    now = timezone.now()
    today = timezone.localdate()

    def email(local: str) -> str:
        return people[local].email

    credit = AISystem.objects.get(short_name="credit-scoring")
    retraining = services.create(
        actor,
        family="model_lifecycle",
        kind="retraining",
        title="Retrain Helix on the 2026 Q1 bureau and application data",
        description="Version 3.2 of helix-gbm, retrained on the joined Q1 data set; same features, new "
        "hyper-parameters chosen on the Q1 hold-out set.",
        ai_system=credit.short_name,
        model_version="helix-gbm@3.2",
        impact_assessment=_approved_assessment("credit-scoring"),
        requester=email("daniel.osei"),
        owner=email("daniel.osei"),
        planned_on=today - dt.timedelta(days=35),
        risk_notes="Scores shift for thin-file applicants; the approval-rate gap between age bands is "
        "re-checked before release.",
    )
    services.submit(actor, retraining.pk)
    # submitted six weeks ago: the impact assessment and the AI risks were reviewed since
    Change.objects.filter(pk=retraining.pk).update(submitted_at=now - dt.timedelta(days=45))
    services.approve(approver, retraining.pk, "AUC 0.81 and an age-band gap of 0.034 on the hold-out set.")

    services.submit(
        actor,
        services.create(
            actor,
            family="model_lifecycle",
            kind="threshold_prompt",
            title="Tighten the support assistant's system prompt and answer threshold",
            description="Refuse questions about credit decisions outright and raise the grounding threshold "
            "from 0.6 to 0.75, so fewer answers go out without a supporting document.",
            ai_system="support-assistant",
            model_version="atlas-rag@2026.03",
            requester=email("dev.patel"),
            owner=email("chloe.martin"),
            planned_on=today + dt.timedelta(days=10),
            risk_notes="More hand-overs to human agents in the first weeks.",
        ).pk,
    )

    upgrade = services.create(
        actor,
        family="information_system",
        management_system=integrated,
        kind="normal",
        title="Upgrade the production PostgreSQL cluster to version 16",
        description="In-place major upgrade of the three-node cluster behind the scoring API.",
        requester=email("tomasz.nowak"),
        owner=email("tomasz.nowak"),
        planned_on=today - dt.timedelta(days=42),
        test_plan="Rehearsed twice on the staging cluster restored from last night's backup; API smoke tests.",
        rollback_plan="Fail over to the untouched replica kept on version 15 for 48 hours.",
        risk_notes="Up to five minutes of read-only scoring during the switch-over, announced to lenders.",
    )
    services.submit(actor, upgrade.pk)
    services.approve(approver, upgrade.pk, "Agreed for the Sunday maintenance window.")
    services.implement(actor, upgrade.pk, "Done in the maintenance window; four minutes read-only.")
    Change.objects.filter(pk=upgrade.pk).update(
        submitted_at=now - dt.timedelta(days=50),
        approved_at=now - dt.timedelta(days=46),
        implemented_at=now - dt.timedelta(days=42),
    )

    split = services.create(
        actor,
        family="management_system",
        management_system=integrated,
        management_systems=[integrated.short_name, research.short_name],
        kind="structure",
        title="Run the AIMS as a management system of its own",
        description="Move from one integrated ISMS + AIMS to a separate ISMS and AIMS with shared "
        "support processes, before the AIMS certification audit.",
        requester=email("mara.lindqvist"),
        owner=email("mara.lindqvist"),
        planned_on=today + dt.timedelta(days=60),
        purpose="Let the AIMS be certified, audited and reviewed on its own cycle, and give the AI "
        "governance board a management system it owns.",
        consequences="Controls, documents and roles serving only ISO/IEC 42001 move to the AIMS; shared "
        "ones stay shared. Two management reviews a year instead of one; SoAs are re-approved.",
        resources="About 20 days of the compliance team over two months; no new tooling.",
        responsibilities="Mara Lindqvist leads; Ines Duarte answers for the ISMS side, Priya Raman for "
        "the research AIMS; the board approves the new scope statements.",
        risk_notes="A control left unowned during the move: the consistency check is run after each step.",
    )
    services.submit(actor, split.pk)
