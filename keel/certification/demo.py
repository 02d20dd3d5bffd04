"""The demo's certification cycle (Tessellate Labs): the ISO/IEC 27001 certificate with stage 1
and stage 2 done (an observation at stage 1; at stage 2 a minor nonconformity — which enters the
nonconformity queue — and an opportunity for improvement), the first surveillance audit planned;
the ISO/IEC 42001 cycle with stage 1 planned; the auditor's requests answered from Keel's
records; the integration questions answered. Dates relative to today; through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from keel.documents.models import Document
from keel.evidence.models import Evidence
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import services

CB = "Northbridge Certification Ltd"
LEAD = "Jonas Becker"


def load_demo_certification(
    actor: Actor, say: Callable[[str], None], integrated: ManagementSystem, people: dict[str, User]
) -> None:
    today = timezone.localdate()
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    say("Recording the certification cycles, the certification body's audits and the auditor's requests ...")
    isms = services.create_cycle(
        actor,
        title="ISO/IEC 27001 certificate",
        standards=["iso27001:2022"],
        management_systems=[integrated.short_name],
        certification_body=CB,
        certificate_number="NB-ISMS-24817",
        decision_on=day(-150),
    )
    s1 = services.add_audit(
        actor,
        isms,
        kind="stage_1",
        planned_start=day(-240),
        planned_end=day(-239),
        auditors=[LEAD],
        audit_days="2",
    )
    services.record_audit(
        actor, s1, status="done", actual_start=day(-240), actual_end=day(-239), outcome="ready"
    )
    services.add_finding(
        actor,
        s1,
        grade="observation",
        title="The scope statement does not say whether the Dublin office is in scope",
        requirements=["iso27001:2022:4.3"],
    )
    s2 = services.add_audit(
        actor,
        isms,
        kind="stage_2",
        planned_start=day(-180),
        planned_end=day(-177),
        auditors=[LEAD, "Karin Solberg"],
        audit_days="4",
    )
    services.record_audit(
        actor, s2, status="done", actual_start=day(-180), actual_end=day(-177), outcome="recommended"
    )
    services.add_finding(
        actor,
        s2,
        grade="minor",
        title="Access reviews of the finance system were not recorded for the second quarter",
        description="The quarterly review of the finance system's accounts took place, but no record of who "
        "reviewed which accounts was kept for Q2.",
        requirements=["iso27001:2022:A.5.18"],
        owner=people["tomasz.nowak"].email,
    )
    services.add_finding(
        actor,
        s2,
        grade="ofi",
        title="The joiner-mover-leaver evidence could be exported from the HR system instead of collected by hand",
    )
    services.add_audit(
        actor,
        isms,
        kind="surveillance_1",
        planned_start=day(170),
        planned_end=day(171),
        auditors=[LEAD],
        audit_days="2",
    )

    aims = services.create_cycle(
        actor,
        title="ISO/IEC 42001 certificate",
        standards=["iso42001:2023"],
        management_systems=[integrated.short_name],
        certification_body=CB,
    )
    services.add_audit(
        actor,
        aims,
        kind="stage_1",
        planned_start=day(45),
        planned_end=day(46),
        auditors=["Karin Solberg"],
        audit_days="2",
    )

    access = Evidence.objects.filter(title__startswith="Quarterly access review").order_by("ref_id").first()
    policy = Document.objects.filter(title="Information security policy").order_by("ref_id").first()
    r1 = services.add_request(
        actor,
        isms,
        text="Show the access review records for Q3.",
        requested_by=LEAD,
        requested_on=day(-179),
        audit_ref=s2.ref_id,
        owner=people["tomasz.nowak"].email,
    )
    if access is not None:
        services.link_request(actor, r1, kind="evidence", ref=access.ref_id)
        services.set_request_status(actor, r1, status="accepted")
    r2 = services.add_request(
        actor,
        isms,
        text="Show the information security policy and the record of its approval.",
        requested_by=LEAD,
        requested_on=day(-240),
        audit_ref=s1.ref_id,
        owner=people["mara.lindqvist"].email,
    )
    if policy is not None:
        services.link_request(actor, r2, kind="document", ref=policy.ref_id)
    services.add_request(
        actor,
        isms,
        text="For the surveillance audit: the security assessments of suppliers added since the certificate was issued.",
        requested_by=LEAD,
        requested_on=day(-5),
        due_on=day(10),
        owner=people["mara.lindqvist"].email,
    )
    for question, answer, note in [
        ("one_policy_framework", "yes", "One management-system policy answers clause 5.2 of both standards."),
        ("one_management_review", "yes", "The quarterly management review covers both systems."),
        ("one_risk_approach", "partly", "One methodology; AI risks have their own register and criteria."),
        ("one_improvement_process", "yes", "One nonconformity queue for both standards."),
        ("one_responsible_manager", "yes", "The CTO is accountable for both systems."),
    ]:
        services.answer_question(actor, question=question, answer=answer, note=note)
