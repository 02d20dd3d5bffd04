"""The demo's documented information: Tessellate Labs' policy set and a few procedures and plans,
written, reviewed and approved through the services (the author never approves their own
version), and the policies published to the staff who must acknowledge them.

One top-level management-system policy answers clause 5.2 of both standards; the information
security policy and the AI policy are distinct topic-specific documents, because what the
standards ask of them differs. The AI policy has a second, major version, so its readers were
asked again. Some requirements are left without a document on purpose: the coverage page shows
them as gaps. Publishing in the demo sends no email (``email=False``).

Called once from :func:`keel.site.demo.load_demo`, inside its transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from keel.assets.demo import ensure_demo_levels
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Channel
from keel.platform.models import User

from . import acknowledgements, services
from .choices import AudienceKind
from .models import Document

ALL_DEPARTMENTS = [
    "Compliance and Risk",
    "Customer Success",
    "Data Science",
    "Finance",
    "Legal",
    "Operations",
    "People",
    "Platform Engineering",
    "Product",
    "Research",
    "Security and IT",
]


@dataclass
class DemoDocument:
    title: str
    kind: str
    summary: str
    body: str
    requirements: list[str]
    systems: list[str]  # short names ("" list: organisation level)
    author: str  # email local part of the writer (an approver is the other of the two)
    owner: str
    classification: str = "internal"
    approve: bool = True
    later: list[tuple[str, str, str]] = field(default_factory=list)  # (change, body, note) approved after
    open_draft: tuple[str, str, str] | None = None  # (change, body, note) left in review
    publish_to: list[str] = field(default_factory=list)  # departments
    acknowledged_by: list[str] = field(default_factory=list)  # people who already acknowledged
    review_lapsed_days: int = 0  # next review this many days ago (a finding of the check)
    # approved and published this many days ago, acknowledgements due 30 days after publishing:
    # those who have not acknowledged are overdue (a finding of the check)
    published_days_ago: int = 0


MS_POLICY = """# Management system policy

Tessellate Labs builds AI systems that lenders rely on to decide credit and stop fraud. Our
customers trust us with their borrowers' data and with decisions that change people's lives.
This policy is the commitment of the executive team to one management system that protects
that information and governs our AI responsibly.

## Our commitments
- We set information security objectives and AI objectives each year, review them at the
  management review and give the teams the people, budget and time to meet them.
- We meet the legal, regulatory and contractual requirements that apply to us, including data
  protection law and our lenders' requirements.
- We keep improving the management system, and act on what audits, incidents and our staff
  tell us.

## Where the detail lives
The information security policy and the AI policy set the rules for each topic. Both are
approved by the executive team and reviewed at least once a year.
"""

IS_POLICY = """# Information security policy

## Purpose
This policy sets the rules that keep the information of Tessellate Labs, our lender customers and
their borrowers confidential, correct and available.

## Rules
1. Every information asset has an owner, and is classified using our classification scheme.
2. Access is granted on a need-to-know basis, reviewed every quarter and removed on the last day
   of employment.
3. Production systems are changed only through reviewed and tested changes.
4. Security incidents are reported at once to the security team through the incident channel.
5. Suppliers that handle customer data are assessed before they are engaged and every year.

## Responsibilities
The Head of Security and IT maintains this policy. Every member of staff reads it when they join
and acknowledges each new major version.
"""

IS_POLICY_1_1 = IS_POLICY.replace(
    "reviewed every quarter", "reviewed every quarter (monthly for production administrators)"
)

AI_POLICY = """# AI policy

## Purpose
This policy sets how Tessellate Labs designs, builds, deploys and monitors AI systems, so that
they are fair to borrowers, explainable to lenders and safe to operate.

## Principles
- A person can always ask for a human review of a credit decision our models informed.
- We test every model for bias across protected groups before release and monitor it after.
- We document the intended use of each AI system and refuse uses outside it.
- Training data is used only where our classification scheme allows it.

## Responsibilities
The Head of Compliance and Risk maintains this policy. The AI governance board approves new AI
systems and material changes to them.
"""

AI_POLICY_2 = AI_POLICY.replace(
    "- Training data is used only where our classification scheme allows it.",
    "- Training data is used only where our classification scheme allows it.\n"
    "- Foundation models from suppliers are assessed like any other AI system before use, and their\n"
    "  outputs are never the sole basis of a credit decision.",
)

AUP = """# Acceptable use policy

Company laptops, accounts and data are for company work. Do not install unapproved software, do
not share your accounts, lock your screen when you leave it, and report a lost device at once.
Customer data never leaves approved systems.
"""

RISK_PROCEDURE = """# Risk assessment procedure

1. The risk owner identifies risks to information and from AI systems each quarter and whenever a
   significant change is planned.
2. Each risk is scored for likelihood and impact with the approved risk methodology.
3. Risks above the appetite get a treatment plan, approved by the risk owner.
4. The risk register is reviewed at every management review.
"""

INCIDENT_PLAN = """# Incident response plan

The on-call security analyst triages every reported incident within one hour, opens a record and
names an incident lead. Incidents affecting customer data are escalated to the Data Protection
Officer, who decides on notifications. Every major incident ends with a review and corrective
actions.
"""

AUDIT_PROGRAMME = """# Internal audit programme

Each process of the management system is audited at least once in three years, the AI lifecycle
and access control every year. Auditors do not audit their own work. Findings are tracked as
corrective actions until closed.
"""

ACCESS_PROCEDURE = """# Access control procedure

Access requests are raised in the service desk, approved by the asset owner and provisioned by
IT. Quarterly reviews compare every account with the people directory.
"""

DOCUMENTS: list[DemoDocument] = [
    DemoDocument(
        "Management system policy",
        "policy",
        "The top-level commitment of the executive team, for both standards.",
        MS_POLICY,
        ["iso27001:2022:5.2", "iso42001:2023:5.2"],
        ["integrated", "research-aims"],
        author="mara.lindqvist",
        owner="mara.lindqvist",
        classification="public",
        publish_to=ALL_DEPARTMENTS,
        acknowledged_by=["admin", "mara.lindqvist", "tomasz.nowak", "hannah.okafor", "elena.rossi"],
    ),
    DemoDocument(
        "Information security policy",
        "policy",
        "The rules that protect information: ownership, access, change, incidents, suppliers.",
        IS_POLICY,
        ["iso27001:2022:A.5.1"],
        ["integrated"],
        author="admin",
        owner="admin",
        later=[("minor", IS_POLICY_1_1, "Monthly access reviews for production administrators.")],
        publish_to=["Platform Engineering", "Security and IT"],
        acknowledged_by=["admin", "isla.murray", "grace.liu"],
    ),
    DemoDocument(
        "AI policy",
        "policy",
        "How AI systems are designed, built, deployed and monitored; distinct from the security policy.",
        AI_POLICY,
        ["iso42001:2023:5.2", "iso42001:2023:A.2.2"],
        ["integrated", "research-aims"],
        author="mara.lindqvist",
        owner="mara.lindqvist",
        later=[("major", AI_POLICY_2, "Supplier foundation models are assessed before use.")],
        publish_to=["Data Science", "Research"],
        acknowledged_by=["jamal.wright"],
    ),
    DemoDocument(
        "Acceptable use policy",
        "policy",
        "What staff may and may not do with company devices, accounts and data.",
        AUP,
        ["iso27001:2022:A.5.10"],
        [],
        author="admin",
        owner="hugo.schmidt",
        publish_to=["Customer Success", "Finance"],
        acknowledged_by=["chloe.martin", "ben.adeyemi"],
        published_days_ago=45,
    ),
    DemoDocument(
        "Risk assessment procedure",
        "procedure",
        "How information security and AI risks are identified, scored and treated.",
        RISK_PROCEDURE,
        ["iso27001:2022:6.1.2", "iso27001:2022:8.2", "iso42001:2023:6.1.2", "iso42001:2023:8.2"],
        ["integrated"],
        author="mara.lindqvist",
        owner="luis.fernandez",
    ),
    DemoDocument(
        "Incident response plan",
        "plan",
        "Triage, escalation, notification and review of security incidents.",
        INCIDENT_PLAN,
        ["iso27001:2022:A.5.37"],
        ["integrated"],
        author="admin",
        owner="isla.murray",
        classification="confidential",
        review_lapsed_days=12,
    ),
    DemoDocument(
        "Internal audit programme",
        "plan",
        "What is audited, how often and by whom, for both standards.",
        AUDIT_PROGRAMME,
        ["iso27001:2022:9.2.2", "iso42001:2023:9.2.2"],
        ["integrated"],
        author="mara.lindqvist",
        owner="mara.lindqvist",
    ),
    DemoDocument(
        "Access control procedure",
        "procedure",
        "Requesting, approving, provisioning and reviewing access.",
        ACCESS_PROCEDURE,
        ["iso27001:2022:A.5.37"],
        ["integrated"],
        author="admin",
        owner="hugo.schmidt",
        approve=False,
    ),
]
AUTHORS = ("admin", "mara.lindqvist")


def load_demo_documents(
    say: Callable[[str], None], systems: dict[str, ManagementSystem], people: dict[str, User]
) -> list[Document]:
    """Write, review, approve and publish the demo's documents."""
    say(f"Writing and approving {len(DOCUMENTS)} documents, publishing the policies ...")
    ensure_demo_levels(Actor.cli())
    out = []
    for spec in DOCUMENTS:
        author = Actor.for_user(people[spec.author], Channel.CLI)
        approver = Actor.for_user(people[next(a for a in AUTHORS if a != spec.author)], Channel.CLI)
        doc = services.create_document(
            author,
            title=spec.title,
            kind=spec.kind,
            owner=people[spec.owner],
            summary=spec.summary,
            version=services.NewVersion(body=spec.body),
            management_systems=[systems[s].pk for s in spec.systems],
            classification=spec.classification,
            requirements=spec.requirements,
        )
        services.submit_for_review(author, doc.pk, [approver.label])
        if spec.approve:
            published_on = dt.date.today() - dt.timedelta(days=spec.published_days_ago)
            services.approve(
                approver,
                doc.pk,
                published_on - dt.timedelta(days=7) if spec.published_days_ago else None,
                notify=False,
            )
            if spec.publish_to:
                acknowledgements.publish(
                    author,
                    doc.pk,
                    audience=AudienceKind.DEPARTMENT,
                    departments=spec.publish_to,
                    email=False,
                    published_on=published_on if spec.published_days_ago else None,
                    due_on=published_on + dt.timedelta(days=30) if spec.published_days_ago else None,
                )
            for local in spec.acknowledged_by:
                person = people[local]
                ack = doc.acknowledgements.get(person=person)
                if person.can_log_in:
                    acknowledgements.acknowledge(Actor.for_user(person, Channel.CLI), ack.pk)
                else:  # through the link they were sent
                    acknowledgements.acknowledge_by_link(acknowledgements.token_for(ack))
            for change, body, note in spec.later:
                services.add_version(
                    author, doc.pk, services.NewVersion(body=body, change=change, change_note=note)
                )
                services.submit_for_review(author, doc.pk, [approver.label])
                services.approve(approver, doc.pk, notify=False)
            if spec.review_lapsed_days:
                services.update_document(
                    author,
                    doc.pk,
                    next_review_on=dt.date.today() - dt.timedelta(days=spec.review_lapsed_days),
                )
        out.append(doc)
    return out
