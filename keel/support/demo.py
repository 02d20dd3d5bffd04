"""The support records of the demo company (Tessellate Labs): roles and their holders,
leadership commitments, objectives (one fed by the credit model's AUC), required competences
and people's records (one lapsed, which the consistency check finds), an awareness campaign with
its completions, the communication plan, and two concerns about AI systems (one answered, one
left too long). Called from keel/site/demo.py through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import concerns, objectives, services
from .models import Concern

BOTH = ["iso27001:2022", "iso42001:2023"]
ISO27 = ["iso27001:2022"]
ISO42 = ["iso42001:2023"]


def load_demo_support(
    actor: Actor, say: Callable[[str], None], integrated: ManagementSystem, people: dict[str, User]
) -> None:
    today = timezone.localdate()
    ms = integrated.short_name

    def email(local: str) -> str:
        return people[local].email

    say("Recording management-system roles, commitments, objectives, competence, awareness and concerns ...")
    roles = {}
    for key, name, resp, auth, holder, since, stds in ROLES:
        roles[key] = services.create(
            actor,
            services.ROLE,
            management_system=ms,
            name=name,
            responsibilities=resp,
            authorities=auth,
            holder=email(holder),
            held_from=dt.date.fromisoformat(since),
            standards=stds,
        )
    for decision, detail, days_ago, stds in COMMITMENTS:
        services.create(
            actor,
            services.COMMITMENT,
            management_system=ms,
            decision=decision,
            detail=detail,
            decided_on=today - dt.timedelta(days=days_ago),
            decided_by=email("oliver.grant"),
            minutes="Board minutes, " + (today - dt.timedelta(days=days_ago)).strftime("%B %Y"),
            standards=stds,
        )
    for data, readings in OBJECTIVES:
        obj = objectives.create_objective(actor, management_system=ms, **data)
        for months_ago, value in readings:
            objectives.add_reading(actor, obj.pk, value, today - dt.timedelta(days=30 * months_ago))
    competence = {}
    for role_key, name, desc, evidence in COMPETENCES:
        competence[name] = services.create(
            actor,
            services.COMPETENCE,
            role=roles[role_key].pk,
            name=name,
            description=desc,
            evidence_expected=evidence,
        )
    for person, comp, kind, title, provider, achieved_days, expires_days, evidence in RECORDS:
        services.create(
            actor,
            services.COMPETENCE_RECORD,
            management_system=ms,
            person=email(person),
            competence=competence[comp].pk if comp else None,
            kind=kind,
            title=title,
            provider=provider,
            achieved_on=today - dt.timedelta(days=achieved_days),
            expires_on=None if expires_days is None else today + dt.timedelta(days=expires_days),
            evidence=evidence,
        )
    campaign = services.create(
        actor,
        services.CAMPAIGN,
        management_system=ms,
        title="Working with customer data and AI outputs",
        message="Where the security and AI policies apply to your work, how to spot and report a phishing "
        "attempt or an AI output that looks wrong, and what happens when the rules are not followed.",
        audience="Everyone in engineering, data science and customer success",
        owner=email("mara.lindqvist"),
        starts_on=today - dt.timedelta(days=40),
        ends_on=today + dt.timedelta(days=20),
        standards=BOTH,
    )
    for i, local in enumerate(("tomasz.nowak", "priya.raman", "jamal.wright", "kaori.tanaka", "dev.patel")):
        services.record_completion(actor, campaign.pk, email(local), today - dt.timedelta(days=35 - 4 * i))
    for subject, when, audience, who, method, external, stds in COMMUNICATIONS:
        services.create(
            actor,
            services.COMMUNICATION,
            management_system=ms,
            subject=subject,
            when=when,
            audience=audience,
            communicator=email(who),
            method=method,
            external=external,
            standards=stds,
        )
    reporter = Actor.for_user(people["daniel.osei"], actor.channel)
    answered = concerns.report(
        reporter,
        ai_system="credit-scoring",
        summary="Declines cluster on thin-file applicants",
        description="In the March sample, applicants with under a year of credit history were declined at "
        "twice the rate of others with similar incomes. It may be the bureau feature, not the applicants.",
    )
    concerns.respond(
        actor,
        answered.pk,
        status="answered",
        handler=email("luis.fernandez"),
        response="Model risk reviewed it: the bureau-history feature was capped and a fairness test on "
        "thin-file applicants was added to the evaluation suite before the next release.",
    )
    late = concerns.report(
        actor,
        anonymous=True,
        ai_system="support-assistant",
        summary="Assistant suggests waiving checks",
        description="Twice this month the support assistant told lender staff they could skip an "
        "affordability check for repeat customers. Nobody seems to have looked at it.",
    )
    # reported 40 days ago and still unanswered: the consistency check flags it
    Concern.objects.filter(pk=late.pk).update(reported_on=today - dt.timedelta(days=40))


# (key, name, responsibilities, authorities, holder, held since, standards)
ROLES: list[tuple[str, str, str, str, str, str, list[str]]] = [
    (
        "ms-lead",
        "Management system lead",
        "Runs the integrated management system day to day: keeps the risk method, the SoAs and the "
        "objectives current, prepares the management review and reports performance to the board.",
        "May open corrective actions in any team and stop a release that lacks its required evidence.",
        "mara.lindqvist",
        "2025-03-01",
        BOTH,
    ),
    (
        "security",
        "Information security officer",
        "Owns the security controls of the platform, the incident runbook and the security awareness programme.",
        "May suspend access and isolate systems during an incident.",
        "admin",
        "2024-09-01",
        ISO27,
    ),
    (
        "ai-owner",
        "AI system owner: credit scoring",
        "Answers for the credit-scoring system across its life cycle: intended use, impact assessment, "
        "evaluation before each release, operating metrics and the human oversight of declines.",
        "May withdraw a model version from production and require a new impact assessment.",
        "tomasz.nowak",
        "2025-06-01",
        ISO42,
    ),
    (
        "model-risk",
        "Model risk reviewer",
        "Challenges every credit and fraud model before release and reviews concerns about AI systems.",
        "May refuse a model release that fails its fairness or robustness tests.",
        "luis.fernandez",
        "2025-01-15",
        ISO42,
    ),
]

# (decision, detail, days ago, standards)
COMMITMENTS: list[tuple[str, str, int, list[str]]] = [
    (
        "Run one management system for information security and AI",
        "The board approved one integrated management system for both standards, with the AI policy kept "
        "separate from the security policy where they differ.",
        300,
        BOTH,
    ),
    (
        "Fund a model risk reviewer independent of the data science team",
        "A new role reporting to the Head of Compliance and Risk, budgeted from the next quarter.",
        200,
        ISO42,
    ),
    (
        "Security and AI objectives reviewed at every quarterly board meeting",
        "Objective readings and consistency-check findings go to the board pack each quarter.",
        90,
        BOTH,
    ),
]

# (objective data, readings as (months ago, value))
OBJECTIVES: list[tuple[dict[str, Any], list[tuple[int, str]]]] = [
    (
        {
            "title": "Patch critical vulnerabilities quickly",
            "measure": "Median days to patch a critical vulnerability",
            "unit": "days",
            "target": "7",
            "direction": "lower",
            "owner": "admin@tessellate-labs.example",
            "frequency": "monthly",
            "standards": ISO27,
        },
        [(5, "15"), (4, "12"), (3, "10"), (2, "8"), (1, "6.5"), (0, "6")],
    ),
    (
        {
            "title": "Keep the credit model's discrimination above its floor",
            "measure": "AUC on labelled outcomes, rolling 30 days",
            "target": "0.78",
            "direction": "higher",
            "owner": "tomasz.nowak@tessellate-labs.example",
            "frequency": "weekly",
            "theme": "C.2.8",
            "metric": "credit-scoring/auc",
            "standards": ISO42,
        },
        [],
    ),
    (
        {
            "title": "Everyone in an AI role holds current AI training",
            "measure": "Share of people in AI roles with current required competences",
            "unit": "%",
            "target": "95",
            "direction": "higher",
            "owner": "mara.lindqvist@tessellate-labs.example",
            "frequency": "quarterly",
            "theme": "C.2.2",
            "standards": ISO42,
        },
        [(6, "70"), (3, "82"), (0, "88")],
    ),
]

# (role key, name, description, evidence expected)
COMPETENCES: list[tuple[str, str, str, str]] = [
    (
        "security",
        "Cloud security certification",
        "A current professional certification in cloud security.",
        "Certificate number",
    ),
    (
        "ai-owner",
        "Responsible AI training",
        "The internal course on fairness, oversight and impact assessment.",
        "Course completion",
    ),
    (
        "model-risk",
        "Model validation experience",
        "Two years validating credit or fraud models.",
        "CV and references",
    ),
]

# (person, competence, kind, title, provider, achieved days ago, expires in days (None: never), evidence)
RECORDS: list[tuple[str, str, str, str, str, int, int | None, str]] = [
    (
        "admin",
        "Cloud security certification",
        "qualification",
        "Certified Cloud Security Professional",
        "ISC2",
        900,
        200,
        "CCSP #552031",
    ),
    (
        "tomasz.nowak",
        "Responsible AI training",
        "training",
        "Responsible AI for system owners",
        "Internal academy",
        420,
        -55,
        "LMS record 2025-118",
    ),
    (
        "luis.fernandez",
        "Model validation experience",
        "experience",
        "Model validation at a retail bank",
        "",
        1500,
        None,
        "CV on file",
    ),
    (
        "priya.raman",
        "",
        "training",
        "Secure ML engineering",
        "Internal academy",
        120,
        610,
        "LMS record 2026-031",
    ),
]

# (what, when, with whom, who, how, external, standards)
COMMUNICATIONS: list[tuple[str, str, str, str, str, bool, list[str]]] = [
    (
        "Security and AI objectives and their readings",
        "Every quarter",
        "The board",
        "mara.lindqvist",
        "report",
        False,
        BOTH,
    ),
    (
        "Security incidents affecting lender data",
        "Within 24 hours of confirmation",
        "Affected lender customers",
        "admin",
        "contract",
        True,
        ISO27,
    ),
    (
        "How our credit models decide and their limits",
        "With each major model release",
        "Lender customers' credit teams",
        "tomasz.nowak",
        "report",
        True,
        ISO42,
    ),
    (
        "Changes to the AI and security policies",
        "When a new version is approved",
        "All staff",
        "mara.lindqvist",
        "intranet",
        False,
        BOTH,
    ),
]
