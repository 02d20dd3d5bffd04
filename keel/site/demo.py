"""The demo organisation: Tessellate Labs, a fictional AI scale-up, loaded by ``keel demo``.

Tessellate Labs Ltd is invented for Keel (any likeness to a real company is accidental). It is
a Series B company of about 180 people that sells an AI credit-decisioning and
fraud-detection platform to lenders in the EU and the UK, and runs a customer-support
assistant on a third-party foundation model. Every text below is Keel's own.

Rules the demo follows:
- every write goes through the core service functions, so each record has its trail entry;
- it runs in one transaction: it loads completely or not at all;
- it only loads into an instance without an organisation, so running it again (``make run``
  does, every time) changes nothing and never touches a real organisation's data;
- every demo account shares :data:`DEMO_PASSWORD`. That is acceptable **only** because this is
  throw-away demo data on a local machine: never run ``keel demo`` on a production instance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.aisystems.demo import ensure_demo_ai_systems, ensure_demo_retrained_model
from keel.aisystems.models import AISystem, Dataset
from keel.controls import services as controls
from keel.controls.models import Control, ControlLink, ControlTemplate
from keel.evidence.demo import load_demo_evidence
from keel.evidence.models import Evidence
from keel.gap.demo import load_demo_gap
from keel.impact.demo import ensure_demo_impact_assessments
from keel.mapping.demo import load_demo_suggestions
from keel.organisation import directory
from keel.organisation import people as organisation_people
from keel.organisation import services as organisation
from keel.organisation.choices import (
    AIRole,
    ClimateRelevance,
    IssueCategory,
    IssueEffect,
    IssueKind,
    LifecycleStage,
    OperatingModel,
    PartyCategory,
)
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
    ScopeStatement,
)
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import KeelError
from keel.platform.models import TrailEntry, User
from keel.risks.demo import load_demo_risks
from keel.soa.demo import load_demo_soas
from keel.standards.models import Standard
from keel.support.demo import load_demo_support

ISO27001 = "iso27001:2022"
ISO42001 = "iso42001:2023"
BOTH = (ISO27001, ISO42001)

DEMO_DOMAIN = "tessellate-labs.example"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
# A fixed password is fine only because this is local demo data; see the module docstring.
DEMO_PASSWORD = "keel-demo-harbour-lights"  # noqa: S105

Progress = Callable[[str], None]


@dataclass
class DemoReport:
    """What ``load_demo`` did. ``created`` is False when an organisation already existed."""

    created: bool
    login_email: str
    login_password: str
    summary: dict[str, int] = field(default_factory=dict)
    message: str = ""


# ---------------------------------------------------------------- the content

ORGANISATION: dict[str, Any] = {
    "name": "Tessellate Labs",
    "legal_name": "Tessellate Labs Ltd",
    "description": (
        "Series B scale-up of about 180 people building an AI credit-decisioning and "
        "fraud-detection platform for banks, building societies and consumer lenders in the EU "
        "and the UK. Lenders call the platform's APIs to score loan applications and to flag "
        "suspicious transactions; Tessellate also runs a customer-support assistant for lender "
        "staff, built on a third-party foundation model."
    ),
    "sector": "Financial technology: AI credit decisioning and fraud detection",
    "headquarters": "London, United Kingdom (engineering hub in Lisbon, Portugal)",
    "website": f"https://www.{DEMO_DOMAIN}",
    "climate_relevance": ClimateRelevance.RELEVANT,
    "climate_rationale": (
        "Determined relevant at the March management review. Training and nightly retraining of "
        "the credit and fraud models, plus foundation-model inference for the support assistant, "
        "make cloud compute our largest source of energy use. Several lender customers now ask "
        "for compute emissions figures in their ESG due diligence, and our investors report on "
        "portfolio emissions. Physical climate risk to our operations is low (fully remote-capable, "
        "multi-region cloud), but we track region choice and model efficiency as part of the "
        "ISMS and AIMS."
    ),
}

MANAGEMENT_SYSTEMS: list[dict[str, Any]] = [
    {
        "name": "Integrated ISMS + AIMS",
        "short_name": "integrated",
        "operating_model": OperatingModel.UNIFIED,
        "standards": list(BOTH),
        "description": (
            "The company-wide management system. One backbone (context, policy, risk method, "
            "internal audit, management review, corrective action) serves both ISO/IEC 27001 and "
            "ISO/IEC 42001 for the production lending platform, because AI is the product."
        ),
    },
    {
        "name": "Research AIMS",
        "short_name": "research-aims",
        "operating_model": OperatingModel.FEDERATED,
        "standards": [ISO42001],
        "description": (
            "A separate AI management system for Tessellate Research, the eight-person applied "
            "research team in Lisbon that experiments with new model architectures and synthetic "
            "data. It runs its own lifecycle gates but shares the governance layer (context, risk "
            "methodology, audit programme and management review) with the integrated system."
        ),
    },
]

# (email local part, full name, job title, role, management system short name or None)
PEOPLE: list[tuple[str, str, str, str, str | None]] = [
    ("admin", "Ines Duarte", "Head of Security and IT", Role.ADMIN, None),
    ("mara.lindqvist", "Mara Lindqvist", "Head of Compliance and Risk", Role.COMPLIANCE_MANAGER, None),
    ("tomasz.nowak", "Tomasz Nowak", "Platform Security Lead (control owner)", Role.CONTRIBUTOR, None),
    (
        "priya.raman",
        "Priya Raman",
        "Research ML Lead (control owner, Research AIMS)",
        Role.CONTRIBUTOR,
        "research-aims",
    ),
    ("jonas.becker", "Jonas Becker", "Lead Auditor, external certification body", Role.AUDITOR, None),
    ("oliver.grant", "Oliver Grant", "Chief Financial Officer", Role.VIEWER, None),
    ("daniel.osei", "Daniel Osei", "ML Platform Engineer", Role.CONTRIBUTOR, "integrated"),
]
# Further roles the demo's records imply (email local part, role, management system short name):
# a risk owner needs a role on the risk's management system, and Priya owns AI risks of the
# integrated management system besides her Research AIMS controls: she sees that system (a
# viewer) and still edits only the Research AIMS.
MORE_ROLES: list[tuple[str, str, str]] = [("priya.raman", Role.VIEWER, "integrated")]
# The departments of the people above (the directory's department filter).
DEPARTMENTS: dict[str, str] = {
    "admin": "Security and IT",
    "mara.lindqvist": "Compliance and Risk",
    "tomasz.nowak": "Platform Engineering",
    "priya.raman": "Research",
    "oliver.grant": "Finance",
    "daniel.osei": "Platform Engineering",
}
# Staff in the directory without a login (docs/people.md): most owners in a real company never
# log in. (email local part, full name, job title, department); some own controls below.
STAFF: list[tuple[str, str, str, str]] = [
    ("hannah.okafor", "Hannah Okafor", "Head of People", "People"),
    ("sam.whitaker", "Sam Whitaker", "People Operations Partner", "People"),
    ("george.mensah", "George Mensah", "Office and Facilities Manager", "Operations"),
    ("leila.haddad", "Leila Haddad", "Data Protection Officer", "Legal"),
    ("rafael.costa", "Rafael Costa", "General Counsel", "Legal"),
    ("anya.petrova", "Anya Petrova", "Procurement Manager", "Finance"),
    ("ben.adeyemi", "Ben Adeyemi", "Financial Controller", "Finance"),
    ("chloe.martin", "Chloe Martin", "Head of Customer Success", "Customer Success"),
    ("dev.patel", "Dev Patel", "Support Team Lead", "Customer Success"),
    ("elena.rossi", "Elena Rossi", "Head of Engineering", "Platform Engineering"),
    ("finn.oconnor", "Finn O'Connor", "Site Reliability Engineer", "Platform Engineering"),
    ("grace.liu", "Grace Liu", "Senior Backend Engineer", "Platform Engineering"),
    ("hugo.schmidt", "Hugo Schmidt", "IT Service Desk Lead", "Security and IT"),
    ("isla.murray", "Isla Murray", "Security Analyst", "Security and IT"),
    ("jamal.wright", "Jamal Wright", "Data Scientist, credit models", "Data Science"),
    ("kaori.tanaka", "Kaori Tanaka", "ML Engineer", "Data Science"),
    ("luis.fernandez", "Luis Fernandez", "Model Risk Manager", "Compliance and Risk"),
    ("maya.singh", "Maya Singh", "Product Manager, lending API", "Product"),
]
APPROVER = "mara.lindqvist"

SCOPE_27001_V1: dict[str, Any] = {
    "summary": (
        "The information security management system for the design, development, hosting and "
        "support of the Tessellate lending platform (credit-decisioning and fraud-detection APIs) "
        "provided to lenders, run from the London office."
    ),
    "boundaries": (
        "Organisational: engineering, data science, platform operations, customer success and the "
        "corporate functions that support them (people, finance, legal). Logical: the production "
        "and staging environments in our cloud tenancy, the ML platform, source repositories, the "
        "corporate identity provider and laptops issued to staff."
    ),
    "interfaces": (
        "Lender systems that call our APIs over mutual TLS; the cloud provider's infrastructure "
        "(shared-responsibility model); the foundation-model API used by the support assistant; "
        "the outsourced payroll bureau; credit reference agencies that supply bureau data."
    ),
    "sites": "London head office (Shoreditch); staff working remotely in the UK.",
    "exclusions": (
        "Tessellate Research's experimental environment, which is isolated from production and "
        "covered by the Research AIMS. A.7.12 cabling security is not applicable: we hold no "
        "on-premises server rooms and the office landlord owns the building cabling."
    ),
}

SCOPE_27001_V2: dict[str, Any] = {
    **SCOPE_27001_V1,
    "sites": (
        "London head office (Shoreditch); Lisbon engineering hub (opened this year); staff working "
        "remotely in the UK and Portugal."
    ),
    "change_note": "Added the Lisbon engineering hub and remote staff in Portugal after the office opened.",
}

SCOPE_42001_V1: dict[str, Any] = {
    "summary": (
        "The AI management system for the development, provision and operation of Tessellate's "
        "credit-scoring and fraud-detection models offered to lenders, and for the use of a "
        "third-party foundation model in the customer-support assistant."
    ),
    "boundaries": (
        "The model development teams, the ML platform (feature store, training pipelines, model "
        "registry, monitoring), model risk and fairness review, and customer success for lender "
        "onboarding. Covers the full lifecycle from problem framing to monitored operation."
    ),
    "interfaces": (
        "Lenders, who deploy our scores in their own credit decisions and remain responsible for "
        "the final decision; credit reference agencies supplying training and inference data; the "
        "foundation-model provider; the Research AIMS, which hands promising models over through "
        "the model transfer gate."
    ),
    "sites": "London head office; Lisbon engineering hub; cloud regions in the EU (Frankfurt) and UK (London).",
    "exclusions": (
        "Office productivity tools with embedded AI features used by staff (covered by the "
        "acceptable use policy, not developed or provided by us); research prototypes before the "
        "model transfer gate (Research AIMS)."
    ),
    "ai_systems": (
        "Helix credit-scoring model (gradient-boosted ensemble scoring consumer loan applications "
        "for lenders; high-risk under the EU AI Act). Sentinel fraud-detection model (real-time "
        "transaction and application fraud scoring). Atlas support assistant (answers lender "
        "staff questions about the platform using a third-party foundation model with retrieval "
        "over our documentation)."
    ),
    "lifecycle_stages": [
        LifecycleStage.DESIGN,
        LifecycleStage.DEVELOPMENT,
        LifecycleStage.VERIFICATION,
        LifecycleStage.DEPLOYMENT,
        LifecycleStage.OPERATION,
    ],
    "ai_roles": [AIRole.PROVIDER, AIRole.PRODUCER, AIRole.CUSTOMER],
}

SCOPE_42001_V2_DRAFT: dict[str, Any] = {
    "ai_systems": SCOPE_42001_V1["ai_systems"]
    + (
        " Pilot: Cadence collections-prioritisation model, ranking overdue accounts for two "
        "lender customers' collections teams."
    ),
    "lifecycle_stages": [*SCOPE_42001_V1["lifecycle_stages"], LifecycleStage.RETIRED],
    "change_note": (
        "Adds the Cadence collections pilot and the retirement stage, because the first-generation "
        "fraud model is being decommissioned this quarter. Awaiting review by the model risk committee."
    ),
}

SCOPE_RESEARCH: dict[str, Any] = {
    "summary": (
        "The AI management system of Tessellate Research for designing, building and evaluating "
        "experimental credit and fraud models and synthetic training data, up to the model "
        "transfer gate into production."
    ),
    "boundaries": (
        "The Tessellate Research team and its isolated research environment (separate cloud "
        "account, no production customer data; only pseudonymised or synthetic data sets)."
    ),
    "interfaces": (
        "Hands candidate models to the Integrated ISMS + AIMS through the model transfer gate; uses "
        "shared governance processes (risk methodology, internal audit, management review); "
        "collaborates with a university fairness research group under a data-sharing agreement."
    ),
    "sites": "Lisbon engineering hub.",
    "exclusions": "Operation of models in production (covered by the integrated system).",
    "ai_systems": (
        "Experimental challenger models for credit scoring and fraud detection; the Mosaic "
        "synthetic applicant-data generator; the evaluation harness used to test foundation models "
        "before adoption."
    ),
    "lifecycle_stages": [LifecycleStage.DESIGN, LifecycleStage.DEVELOPMENT, LifecycleStage.VERIFICATION],
    "ai_roles": [AIRole.PRODUCER, AIRole.CUSTOMER],
}

# (name, category, needs and expectations, requirements we address, climate, affected-not-user, standards)
PARTIES: list[tuple[str, str, str, str, bool, bool, tuple[str, ...]]] = [
    (
        "Lender customers",
        PartyCategory.CUSTOMER,
        "Banks, building societies and consumer lenders expect accurate, stable scores, an "
        "available API, protection of their applicants' data, explanations they can pass on to "
        "applicants, and evidence they can show their own supervisors.",
        "Service levels in the master agreement; security schedule and annual questionnaire; model "
        "documentation pack and quarterly performance reports; ISO/IEC 27001 and 42001 certificates.",
        True,
        False,
        BOTH,
    ),
    (
        "Loan applicants",
        PartyCategory.AFFECTED_PERSON,
        "People applying for credit never use our platform, yet our scores shape whether they get "
        "a loan and at what price. They expect fair treatment, an understandable reason for a "
        "refusal, a way to contest it, and that their data is handled lawfully.",
        "Reason codes with every score; bias testing across protected characteristics before each "
        "release; support for lenders' human review and appeals processes; data minimisation.",
        False,
        True,
        BOTH,
    ),
    (
        "Financial supervisors (EU and UK)",
        PartyCategory.REGULATOR,
        "Banking supervisors and the FCA expect lenders, and through them us as a critical "
        "supplier, to manage model risk, operational resilience and outsourcing risk soundly.",
        "Model risk management evidence; resilience testing results; audit and access rights in "
        "lender contracts; incident notification to lenders within agreed times.",
        False,
        False,
        BOTH,
    ),
    (
        "EU AI Act authorities",
        PartyCategory.REGULATOR,
        "National market surveillance authorities and the EU AI Office expect providers of "
        "high-risk AI systems such as credit scoring to meet the Act's requirements, register "
        "the system and report serious incidents.",
        "Risk management, data governance, technical documentation, logging, human oversight and "
        "post-market monitoring for the Helix credit-scoring model.",
        False,
        False,
        (ISO42001,),
    ),
    (
        "Data protection authorities",
        PartyCategory.REGULATOR,
        "The ICO and the Portuguese CNPD expect lawful processing of applicants' personal data, "
        "safeguards for automated decision-making, DPIAs and prompt breach notification.",
        "DPIAs for each model; records of processing; breach procedure with a 72-hour clock; "
        "processor terms with lenders.",
        False,
        False,
        BOTH,
    ),
    (
        "Investors and board",
        PartyCategory.INVESTOR,
        "The Series B investors and the board expect certifications that unlock enterprise deals, "
        "no regulatory surprises, and climate and ESG figures for their portfolio reporting.",
        "Quarterly risk and compliance report to the board; certification roadmap; annual compute "
        "emissions estimate.",
        True,
        False,
        BOTH,
    ),
    (
        "Employees and contractors",
        PartyCategory.EMPLOYEE,
        "Staff expect clear rules for using AI tools at work, training for their role, a safe way "
        "to raise concerns about a model, and that their own personal data is protected.",
        "Acceptable use policy covering AI tools; role-based training; concern reporting channel; "
        "HR data protection.",
        False,
        False,
        BOTH,
    ),
    (
        "Foundation-model provider",
        PartyCategory.SUPPLIER,
        "The provider of the model behind the Atlas assistant expects us to respect its usage "
        "policies and rate limits and to report misuse; it offers contractual commitments on data "
        "retention and training use.",
        "Usage policy compliance; no customer personal data in prompts; supplier due diligence "
        "refreshed yearly and on model version changes.",
        False,
        False,
        BOTH,
    ),
    (
        "Cloud infrastructure provider",
        PartyCategory.SUPPLIER,
        "Our cloud provider expects us to configure and secure our side of the shared "
        "responsibility model and publishes region-level energy and carbon data we can use.",
        "Cloud security baseline; region selection considering carbon intensity; capacity "
        "planning for training jobs.",
        True,
        False,
        BOTH,
    ),
    (
        "Certification body",
        PartyCategory.CERTIFICATION_BODY,
        "The certification body expects an operating, evidenced management system, access to "
        "people and records during audits, and timely closure of nonconformities.",
        "Integrated audit plan across both standards; evidence held in Keel; corrective action "
        "within agreed deadlines.",
        False,
        False,
        BOTH,
    ),
    (
        "The public and consumer groups",
        PartyCategory.SOCIETY,
        "Consumer advocates and the wider public expect AI in lending not to entrench "
        "discrimination or push people into unaffordable debt, and want transparency about "
        "where AI is used.",
        "Published model fairness statement; participation in industry consultations; societal "
        "impact section in each AI system impact assessment.",
        False,
        True,
        (ISO42001,),
    ),
]

# (title, description, kind, category, effect, climate, standards)
ISSUES: list[tuple[str, str, str, str, str, bool, tuple[str, ...]]] = [
    (
        "EU AI Act: credit scoring is high-risk",
        "Creditworthiness assessment of natural persons is listed as high-risk, so the Helix model "
        "needs a conformity assessment, registration, technical documentation and post-market "
        "monitoring before the application date. Fraud detection is carved out, but we treat it "
        "with the same discipline.",
        IssueKind.EXTERNAL,
        IssueCategory.LEGAL,
        IssueEffect.BOTH,
        False,
        BOTH,
    ),
    (
        "GDPR and UK GDPR limits on automated decisions",
        "Lenders rely on our scores in decisions with legal or similarly significant effects on "
        "applicants, which brings rights to human intervention and explanation, and strict "
        "purpose limitation for bureau data used in training.",
        IssueKind.EXTERNAL,
        IssueCategory.LEGAL,
        IssueEffect.RISK,
        False,
        BOTH,
    ),
    (
        "DORA requirements flow down from lender customers",
        "EU lenders must manage ICT third-party risk under DORA and push contractual clauses "
        "(audit rights, incident reporting, exit plans, resilience testing) onto us as an ICT "
        "service provider.",
        IssueKind.EXTERNAL,
        IssueCategory.LEGAL,
        IssueEffect.RISK,
        False,
        (ISO27001,),
    ),
    (
        "Competitive market for ML engineers",
        "Experienced ML and MLOps engineers are scarce in London and Lisbon; losing a key model "
        "owner would slow releases and weaken oversight of models in production.",
        IssueKind.EXTERNAL,
        IssueCategory.ECONOMIC,
        IssueEffect.RISK,
        False,
        BOTH,
    ),
    (
        "Dependence on one foundation-model provider",
        "The Atlas assistant depends on a single provider's model and API. Price changes, model "
        "deprecations or behaviour changes between versions could affect quality and cost with "
        "little notice.",
        IssueKind.EXTERNAL,
        IssueCategory.TECHNOLOGICAL,
        IssueEffect.RISK,
        False,
        BOTH,
    ),
    (
        "Model drift after macroeconomic shifts",
        "Interest-rate rises and cost-of-living pressure change applicant behaviour faster than "
        "our retraining cycle; scores calibrated on earlier years can drift and become unfair or "
        "inaccurate without anyone noticing.",
        IssueKind.EXTERNAL,
        IssueCategory.ECONOMIC,
        IssueEffect.RISK,
        False,
        (ISO42001,),
    ),
    (
        "Climate change: energy use of training and inference",
        "Climate change is a relevant issue for us (see the organisation's determination). Compute "
        "for retraining and foundation-model inference is our main footprint; customers and "
        "investors ask for figures, and efficient models are a selling point.",
        IssueKind.EXTERNAL,
        IssueCategory.ENVIRONMENTAL,
        IssueEffect.BOTH,
        True,
        BOTH,
    ),
    (
        "Fraud patterns change quickly",
        "Synthetic identities and authorised push-payment scams evolve within weeks; attackers "
        "also probe our models to learn what gets through.",
        IssueKind.EXTERNAL,
        IssueCategory.TECHNOLOGICAL,
        IssueEffect.RISK,
        False,
        BOTH,
    ),
    (
        "Headcount doubling after Series B",
        "We are growing from 90 to 180 people in eighteen months. New starters need onboarding "
        "into security and responsible-AI practices, and informal ways of working no longer scale.",
        IssueKind.INTERNAL,
        IssueCategory.ORGANISATIONAL,
        IssueEffect.BOTH,
        False,
        BOTH,
    ),
    (
        "One ML platform for production and research",
        "Production teams and Tessellate Research share parts of the ML platform (feature store, "
        "model registry). Separation of data and environments must be enforced technically, not "
        "just by convention.",
        IssueKind.INTERNAL,
        IssueCategory.TECHNOLOGICAL,
        IssueEffect.RISK,
        False,
        BOTH,
    ),
    (
        "Explainability as a product strength",
        "Lenders choose us partly for clear reason codes. Investing in explanation quality serves "
        "customers, applicants and regulators at once.",
        IssueKind.INTERNAL,
        IssueCategory.ORGANISATIONAL,
        IssueEffect.OPPORTUNITY,
        False,
        (ISO42001,),
    ),
    (
        "Security culture uneven across teams",
        "Engineering has strong security habits; sales and customer success handle lender data "
        "in spreadsheets and shared drives more loosely.",
        IssueKind.INTERNAL,
        IssueCategory.SOCIAL,
        IssueEffect.RISK,
        False,
        (ISO27001,),
    ),
]


# ---------------------------------------------------------------- loading


def load_demo(actor: Actor, progress: Progress | None = None) -> DemoReport:
    """Load the demo organisation through the service functions, in one transaction.

    Idempotent: if an organisation already exists nothing is written and the report says
    ``created=False``. Raises :class:`KeelError` if the standards are not loaded yet.
    """
    say: Progress = progress or (lambda _line: None)
    missing = set(BOTH) - set(Standard.objects.filter(key__in=BOTH).values_list("key", flat=True))
    if missing:
        raise KeelError(
            f"The standards library is not loaded (missing {', '.join(sorted(missing))}): "
            "run 'keel init' first, then 'keel demo'."
        )
    existing = Organisation.objects.first()
    if existing is not None:
        has_demo_admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).exists()
        say(f"An organisation already exists ({existing.name}): nothing to do.")
        return DemoReport(
            created=False,
            login_email=DEMO_ADMIN_EMAIL if has_demo_admin else "",
            login_password=DEMO_PASSWORD if has_demo_admin else "",
            summary=demo_summary(),
            message=f"An organisation already exists ({existing.name}); the demo was not loaded again.",
        )

    with transaction.atomic():
        say("Creating the organisation profile (Tessellate Labs) ...")
        organisation.save_organisation(actor, **ORGANISATION)

        say("Creating the management systems (Integrated ISMS + AIMS, Research AIMS) ...")
        systems: dict[str, ManagementSystem] = {}
        for ms in MANAGEMENT_SYSTEMS:
            data = dict(ms)
            standards = data.pop("standards")
            systems[data["short_name"]] = organisation.create_management_system(
                actor, standards=standards, **data
            )

        say(f"Creating {len(PEOPLE)} people and their roles ...")
        people: dict[str, User] = {}
        for local, full_name, job_title, role, ms_name in PEOPLE:
            domain = "audit-partner.example" if role == Role.AUDITOR else DEMO_DOMAIN
            people[local] = organisation_people.create_user(
                actor,
                f"{local}@{domain}",
                full_name=full_name,
                job_title=job_title,
                password=DEMO_PASSWORD,
                role=role,
                management_system=systems[ms_name] if ms_name else None,
            )
        for local, role, ms_name in MORE_ROLES:
            organisation_people.grant_role(actor, people[local], role, systems[ms_name])
        for local, department in DEPARTMENTS.items():
            directory.update_person(actor, people[local].pk, department=department)
        say(f"Adding {len(STAFF)} members of staff to the directory (no login) ...")
        for local, full_name, job_title, department in STAFF:
            people[local] = directory.create_person(
                actor,
                full_name,
                email=f"{local}@{DEMO_DOMAIN}",
                job_title=job_title,
                department=department,
            )
        approver = Actor.for_user(people[APPROVER], actor.channel, actor.ip)

        say("Drafting and approving the scope statements ...")
        integrated, research = systems["integrated"], systems["research-aims"]
        _draft_and_approve(actor, approver, integrated, ISO27001, SCOPE_27001_V1)
        _draft_and_approve(actor, approver, integrated, ISO27001, SCOPE_27001_V2)
        _draft_and_approve(actor, approver, integrated, ISO42001, SCOPE_42001_V1)
        _draft_and_approve(actor, approver, research, ISO42001, SCOPE_RESEARCH)
        say("Starting a new draft of the AIMS scope (version 2, awaiting approval) ...")
        organisation.draft_scope(actor, integrated.pk, ISO42001, **SCOPE_42001_V2_DRAFT)

        review = timezone.localdate() + dt.timedelta(days=180)
        say(f"Recording {len(PARTIES)} interested parties ...")
        for name, category, needs, reqs, climate, affected, stds in PARTIES:
            organisation.save_interested_party(
                actor,
                standards=stds,
                name=name,
                category=category,
                needs_expectations=needs,
                requirements=reqs,
                climate_related=climate,
                affected_not_user=affected,
                review_date=review,
            )

        say(f"Recording {len(ISSUES)} internal and external issues ...")
        for title, description, kind, category, effect, climate, stds in ISSUES:
            organisation.save_context_issue(
                actor,
                standards=stds,
                title=title,
                description=description,
                kind=kind,
                category=category,
                effect=effect,
                climate_related=climate,
                review_date=review,
            )

        _adopt_controls(actor, say, integrated, people)

        load_demo_evidence(actor, say, systems, people)

        # before the SoAs: the 42001 SoA's rows name the AI systems they apply to
        say("Recording the AI systems, their models, datasets, evaluations and metrics ...")
        ensure_demo_ai_systems(actor, integrated, people)

        load_demo_soas(actor, approver, say, integrated, people)

        load_demo_gap(actor, approver, say, integrated, people)

        load_demo_suggestions(approver, say)

        load_demo_risks(actor, approver, say, integrated, people)

        say("Recording the AI system impact assessments ...")
        ensure_demo_impact_assessments(actor, approver, people)

        say("Recording a hot-fixed credit-scoring model version, not evaluated yet ...")
        ensure_demo_retrained_model(actor)

        load_demo_support(actor, say, integrated, people)

        # A realistic flaw the consistency check finds (docs/consistency-check.md): Daniel owns an
        # AI risk of the integrated system and then moved to the data-centre team; his role there
        # is now viewer, so nobody named on the risk may accept it.
        say("Moving Daniel Osei to the data-centre team (he still owns an AI risk) ...")
        moved = people["daniel.osei"]
        for assignment in RoleAssignment.objects.filter(user=moved, management_system=systems["integrated"]):
            organisation_people.revoke_role(actor, assignment.pk)
        organisation_people.grant_role(actor, moved, Role.VIEWER, systems["integrated"])

    summary = demo_summary()
    say("Demo organisation loaded: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()))
    return DemoReport(
        created=True,
        login_email=DEMO_ADMIN_EMAIL,
        login_password=DEMO_PASSWORD,
        summary=summary,
        message="Demo organisation loaded.",
    )


def _draft_and_approve(
    actor: Actor, approver: Actor, ms: ManagementSystem, standard: str, data: dict[str, Any]
) -> ScopeStatement:
    draft = organisation.draft_scope(actor, ms.pk, standard, **data)
    return organisation.approve_scope(approver, draft.pk)


# Implementation state of the adopted catalogue, by template key prefix where it matters and
# by position otherwise: a company about two-thirds through its programme, with the AI side
# (impact assessment, data quality, monitoring) behind the security side.
CONTROL_STATES: list[tuple[str, str]] = [
    ("implemented", "effective"),
    ("implemented", "effective"),
    ("implemented", "partly_effective"),
    ("in_progress", "not_assessed"),
    ("implemented", "effective"),
    ("planned", "not_assessed"),
]
AI_BEHIND = ("ai-", "model-", "responsible-ai")
OWNERS_BY_TYPE = {"technical": "tomasz.nowak", "physical": "george.mensah", "people": "hannah.okafor"}
# Controls whose template key starts with one of these are owned by a member of staff who does
# not log in (their evidence and updates go through a control owner who does).
OWNERS_BY_TEMPLATE: dict[str, str] = {
    "supplier": "anya.petrova",
    "privacy": "leila.haddad",
    "data-retention": "leila.haddad",
    "legal-and-regulatory": "rafael.costa",
    "intellectual-property": "rafael.costa",
    "incident-evidence": "isla.murray",
    "post-incident-review": "isla.murray",
    "asset-inventory": "hugo.schmidt",
    "equipment-and-media": "hugo.schmidt",
    "backup-and-redundancy": "finn.oconnor",
    "capacity-compute": "finn.oconnor",
    "ai-data-quality": "jamal.wright",
    "ai-dataset-register": "kaori.tanaka",
    "customer-ai-commitments": "chloe.martin",
    "ai-user-information": "maya.singh",
}

CUSTOM_CONTROLS: list[dict[str, Any]] = [
    {
        "title": "Fairness testing of the credit-scoring model before every release",
        "description": (
            "Each candidate release of the credit-scoring model is scored on the hold-out set split "
            "by age band, sex and nationality group; the approval-rate gap between groups must stay "
            "under the threshold agreed with the Model Risk Committee, or the release is blocked."
        ),
        "type": "technical",
        "frequency": "per_event",
        "status": "implemented",
        "effectiveness": "partly_effective",
        "tags": ["credit-model", "fairness"],
        "links": [
            ("iso42001:2023:A.6.2.4", "partial", "Fairness is one of the release criteria we verify."),
            ("iso42001:2023:A.5.4", "partial", "Measures one effect on groups of applicants."),
        ],
    },
    {
        "title": "Prompt and response logging for the support assistant, with PII redaction",
        "description": (
            "Every conversation with the support assistant is logged with the model version and "
            "system prompt used; personal data is redacted before storage and logs are kept for "
            "180 days for incident analysis."
        ),
        "type": "technical",
        "frequency": "continuous",
        "status": "in_progress",
        "effectiveness": "not_assessed",
        "tags": ["support-assistant", "logging"],
        "links": [
            ("iso42001:2023:A.6.2.8", "full", "Event records for the assistant."),
            ("iso27001:2022:A.8.15", "partial", "Covers the assistant's logs only."),
            ("iso27001:2022:A.8.11", "partial", "Redaction of personal data in logs."),
        ],
    },
]


def _adopt_controls(
    actor: Actor, say: Progress, integrated: ManagementSystem, people: dict[str, User]
) -> None:
    """Adopt the whole template library into the integrated system, give the controls owners
    and a realistic state, and add two controls of the company's own."""

    keys = list(ControlTemplate.objects.filter(withdrawn_at__isnull=True).values_list("key", flat=True))
    if not keys:
        say("No control templates loaded: skipping the control catalogue (run 'keel init').")
        return
    say(f"Adopting {len(keys)} control templates into the integrated system ...")
    adopted = controls.adopt_templates(actor, keys, integrated.pk)
    say("Giving the controls owners and an implementation state ...")
    for index, control in enumerate(adopted):
        status, effectiveness = CONTROL_STATES[index % len(CONTROL_STATES)]
        template_key = control.template.key if control.template else ""
        if template_key.startswith(AI_BEHIND) and status == "implemented":
            status, effectiveness = "in_progress", "not_assessed"
        by_template = next((o for k, o in OWNERS_BY_TEMPLATE.items() if template_key.startswith(k)), None)
        owner = people[by_template or OWNERS_BY_TYPE.get(control.type, "mara.lindqvist")]
        controls.update_control(actor, control.pk, status=status, effectiveness=effectiveness, owner=owner)
    say(f"Adding {len(CUSTOM_CONTROLS)} controls of Tessellate's own ...")
    for spec in CUSTOM_CONTROLS:
        data = dict(spec)
        links = data.pop("links")
        control = controls.create_control(
            actor, management_systems=[integrated.pk], owner=people["tomasz.nowak"], **data
        )
        for key, coverage, note in links:
            controls.link_requirement(actor, control.pk, key, coverage, note)


def demo_summary() -> dict[str, int]:
    """Counts of the records the demo writes (one query each)."""

    return {
        "controls": Control.objects.count(),
        "ai_systems": AISystem.objects.count(),
        "datasets": Dataset.objects.count(),
        "control_links": ControlLink.objects.count(),
        "evidence": Evidence.objects.count(),
        "management_systems": ManagementSystem.objects.count(),
        "scope_statements": ScopeStatement.objects.count(),
        "interested_parties": InterestedParty.objects.count(),
        "context_issues": ContextIssue.objects.count(),
        "users": User.objects.count(),
        "role_assignments": RoleAssignment.objects.count(),
        "trail_entries": TrailEntry.objects.count(),
    }
