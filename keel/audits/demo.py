"""The internal audit programme of the demo company (Tessellate Labs): a three-year programme
covering both standards and both management systems, one internal audit completed — access
management and documented information, with a sample of the quarterly access review, one minor
nonconformity raised in the improvement queue, one observation and one opportunity for
improvement — and one audit planned of the AI system lifecycle. Written through the services;
dates relative to the demo's today. Called from keel/site/demo.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import results, services
from .choices import AuditStatus
from .models import AuditItem

COMPLETED_SCOPE = [
    "iso27001:2022:7.5.3",
    "iso42001:2023:7.5.3",
    "iso27001:2022:A.5.15",
    "iso27001:2022:A.5.18",
    "iso27001:2022:A.8.5",
]
PLANNED_SCOPE = ["iso42001:2023:8.4", "iso42001:2023:6.1.4", "iso42001:2023:A.6.2.4", "iso42001:2023:A.5.2"]

RATIONALE = (
    "Every clause of both standards and every applicable control is audited at least once in the three-year "
    "certification cycle. Access management, change and supplier controls are audited every year: they carry "
    "the highest information-security risks in the register and had findings in the readiness review. The AI "
    "lifecycle and impact assessment are audited in the first and third year because the credit-scoring "
    "system is high-risk under the EU AI Act. Areas with nonconformities are audited again the next year."
)


def _control(template_prefix: str) -> Control | None:
    return Control.objects.filter(template__key__startswith=template_prefix).order_by("ref_id").first()


def load_demo_audits(
    actor: Actor,
    say: Callable[[str], None],
    systems: dict[str, ManagementSystem],
    people: dict[str, User],
) -> None:
    today = timezone.localdate()
    say("Planning the internal audit programme, one completed audit with its findings and one planned ...")
    start = today - dt.timedelta(days=75)
    prog = services.create_programme(
        actor,
        title="Internal audit programme, ISMS and AIMS",
        first_year=start.year,
        last_year=start.year + 2,
        standards=["iso27001:2022", "iso42001:2023"],
        management_systems=[ms.short_name for ms in systems.values()],
        criteria="ISO/IEC 27001:2022 and ISO/IEC 42001:2023, our policies and procedures, the Statements of "
        "Applicability and the contracts we hold with customers.",
        rationale=RATIONALE,
        owner=people["mara.lindqvist"].email,
    )
    reviews = _control("access-control-and-reviews")
    identity = _control("identity-and-credential-lifecycle")
    ctl_refs = [c.ref_id for c in (reviews, identity) if c is not None]
    audit = services.plan_audit(
        actor,
        programme_ref=prog.ref_id,
        title="Access management and documented information",
        objective="Check that access to systems and data is granted, reviewed and removed as our access "
        "policy says, and that documented information is controlled the same way for both standards.",
        planned_start=start,
        planned_end=start + dt.timedelta(days=3),
        requirements=COMPLETED_SCOPE,
        controls=ctl_refs,
        processes="Joiners, movers and leavers\nQuarterly access review\nDocument approval and review",
        management_systems=[systems["integrated"].short_name],
        lead_auditor=people["luis.fernandez"].email,
        team=[people["ben.adeyemi"].email],
    )
    services.move_audit(actor, audit.ref_id, AuditStatus.IN_PROGRESS, on=start)
    items = {
        i.subject_ref: i
        for i in AuditItem.objects.filter(audit=audit).select_related("requirement__standard", "control")
    }
    notes = {
        "iso27001 7.5.3": (
            "observation",
            "Review dates are kept both in Keel and in the wiki page footer; two disagreed.",
        ),
        "iso42001 7.5.3": (
            "conforming",
            "AI policy versions approved by someone other than the author; history kept.",
        ),
        "iso27001 A.5.15": (
            "conforming",
            "Access policy approved and published; acknowledged by 94% of staff.",
        ),
        "iso27001 A.5.18": ("minor_nc", "The access review of one quarter has no record of the sign-off."),
        "iso27001 A.8.5": (
            "conforming",
            "SSO with hardware keys for production; break-glass accounts logged.",
        ),
    }
    for ref, (result, note) in notes.items():
        if ref in items:
            results.record_item(
                actor, items[ref].pk, result=result, notes=note, on=start + dt.timedelta(days=1)
            )
    if reviews is not None and reviews.ref_id in items:
        item = items[reviews.ref_id]
        period_end = start - dt.timedelta(days=1)
        samples = results.draw_sample(
            actor, item.pk, period_start=period_end - dt.timedelta(days=364), period_end=period_end, seed=2026
        )
        for n, s in enumerate(samples):
            if n == len(samples) - 1:
                results.record_sample(
                    actor,
                    s.pk,
                    result="not_available",
                    note="No sign-off recorded for this review.",
                    on=start,
                )
            else:
                results.record_sample(
                    actor, s.pk, result="effective", note="Review signed off by the owner.", on=start
                )
        results.record_item(
            actor,
            item.pk,
            result="minor_nc",
            notes=f"{len(samples) - 1} of {len(samples)} sampled reviews signed off; one has no record.",
            on=start + dt.timedelta(days=1),
        )
    if identity is not None and identity.ref_id in items:
        results.record_item(
            actor,
            items[identity.ref_id].pk,
            result="ofi",
            notes="Leavers are removed within a day, by hand.",
            on=start,
        )
    nc = results.add_finding(
        actor,
        audit.ref_id,
        grade="minor_nc",
        title="A quarterly access review has no record of its sign-off",
        description="The sample of the quarterly access review found one quarter with no record that the "
        "system owners reviewed and signed off the access lists. The policy asks for a signed review "
        "every quarter.",
        requirements=["iso27001:2022:A.5.18"],
        controls=[reviews.ref_id] if reviews is not None else [],
        on=start + dt.timedelta(days=2),
    )
    results.add_finding(
        actor,
        audit.ref_id,
        grade="observation",
        title="Review dates of documents kept in two places",
        description="Document review dates are kept in Keel and repeated in the wiki page footers; two of "
        "twelve disagreed. Keep them in one place.",
        requirements=["iso27001:2022:7.5.3"],
        on=start + dt.timedelta(days=2),
    )
    results.add_finding(
        actor,
        audit.ref_id,
        grade="ofi",
        title="Reconcile leavers automatically",
        description="Leavers are removed from systems by hand from the HR list. A daily reconciliation "
        "between the HR system and the identity provider would remove the manual step.",
        controls=[identity.ref_id] if identity is not None else [],
        on=start + dt.timedelta(days=2),
    )
    results.raise_finding(actor, audit.ref_id, nc.ref, owner=people["tomasz.nowak"].email)
    services.update_audit(
        actor,
        audit.ref_id,
        conclusion="Access management and documented information are effective for both standards, with "
        "one minor nonconformity (a missing review sign-off), one observation and one opportunity for "
        "improvement.",
        actual_end=start + dt.timedelta(days=3),
    )
    services.move_audit(actor, audit.ref_id, AuditStatus.REPORTED, on=start + dt.timedelta(days=10))
    services.move_audit(actor, audit.ref_id, AuditStatus.CLOSED, on=start + dt.timedelta(days=14))

    services.plan_audit(
        actor,
        programme_ref=prog.ref_id,
        title="AI system lifecycle and impact assessment",
        objective="Check that AI systems are assessed for their impact before release and that the "
        "lifecycle records of the credit-scoring system are complete.",
        planned_start=today + dt.timedelta(days=45),
        planned_end=today + dt.timedelta(days=48),
        requirements=PLANNED_SCOPE,
        processes="AI system impact assessment\nModel release and retraining",
        ai_systems=["credit-scoring"],
        management_systems=[systems["integrated"].short_name],
        lead_auditor=people["ben.adeyemi"].email,
        team=[people["rafael.costa"].email],
    )
