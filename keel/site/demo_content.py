"""The demo organisation's own content: Tessellate Labs' profile, management systems, people,
scope statements, interested parties and context issues (loaded by :mod:`keel.site.demo`).

Every text below is Keel's own; the company is invented (see :mod:`keel.site.demo`).
"""

from __future__ import annotations

from typing import Any

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
from keel.platform.choices import Role

ISO27001 = "iso27001:2022"
ISO42001 = "iso42001:2023"
BOTH = (ISO27001, ISO42001)

DEMO_DOMAIN = "tessellate-labs.example"

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
