"""The demo's AI system inventory as data: Tessellate Labs' AI systems, models and their versions,
evaluations, datasets, quality checks, operating metrics and lifecycle records, written by
:mod:`keel.aisystems.demo`. Every text is Keel's own; the company is invented.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

DOMAIN = "tessellate-labs.example"

SYSTEMS: list[dict[str, Any]] = [
    {
        "short_name": "credit-scoring",
        "name": "Helix credit scoring",
        "origin": "in_house",
        "ai_roles": ["producer", "provider"],
        "lifecycle_stage": "operation",
        "existing_reason": "In production for lenders since 2024, before the AIMS and Keel were adopted.",
        "owner": "tomasz.nowak",
        "purpose": "Estimates the probability that a consumer loan applicant defaults within 12 months.",
        "intended_use": (
            "Lender credit officers use the score, with its reason codes, as one input to a "
            "lending decision that a person makes and can override."
        ),
        "foreseeable_misuse": (
            "Using the score as the sole basis for an automated refusal; applying it to business "
            "lending or to markets the model was not trained on."
        ),
        "users_description": "Credit officers and underwriting teams at lender customers.",
        "affected_people": "Loan applicants, who never use the system but whose applications it scores.",
        "deployment_regions": ["EU", "UK"],
        "human_oversight": (
            "Every refusal is reviewed by a credit officer; applicants can ask for a human "
            "review; the Model Risk Committee reviews drift and fairness monthly."
        ),
        "third_party_components": "Credit bureau data feeds; open-source gradient-boosting library.",
    },
    {
        "short_name": "support-assistant",
        "name": "Atlas support assistant",
        "origin": "third_party_model",
        "ai_roles": ["customer", "provider"],
        "lifecycle_stage": "operation",
        "existing_reason": "Launched to lender staff in 2025, before Keel was adopted.",
        "owner": "mara.lindqvist",
        "purpose": "Answers lender staff's questions about the platform from our documentation.",
        "intended_use": "Self-service help for integration and product questions, with links to sources.",
        "foreseeable_misuse": "Asking it for credit decisions or legal advice; pasting applicant personal data.",
        "users_description": "Lender staff in the customer portal.",
        "affected_people": "None directly; lender customers' applicants if staff paste their data.",
        "deployment_regions": ["EU", "UK"],
        "human_oversight": "Answers cite their sources; a hand-over to a support engineer is one click away.",
        "third_party_components": "A third-party foundation model API (EU region); vector search service.",
    },
    {
        "short_name": "fraud-detection",
        "name": "Sentinel fraud detection",
        "origin": "in_house",
        "ai_roles": ["producer", "provider"],
        "lifecycle_stage": "operation",
        "existing_reason": "Scoring lender transactions since 2023, before Keel was adopted.",
        "owner": "tomasz.nowak",
        "purpose": "Flags card and account transactions that look fraudulent, in real time.",
        "intended_use": "Lender fraud teams review flagged transactions; low-risk ones pass untouched.",
        "foreseeable_misuse": "Blocking customers automatically on a flag without review.",
        "users_description": "Fraud analysts at lender customers.",
        "affected_people": "Account holders whose transactions are scored and may be held.",
        "deployment_regions": ["EU", "UK"],
        "human_oversight": "Holds above a value need an analyst's decision within 15 minutes.",
        "third_party_components": "Streaming platform; device-fingerprint data from a supplier.",
    },
    {
        "short_name": "hr-cv-screening",
        "name": "CV screening in the HR suite",
        "origin": "embedded",
        "ai_roles": ["customer"],
        "lifecycle_stage": "verification",
        "owner": "mara.lindqvist",
        "purpose": "The recruiting module of the HR suite we buy ranks applicants' CVs against a job description.",
        "intended_use": "Under evaluation: recruiters would use the ranking to order, never to reject, applicants.",
        "foreseeable_misuse": "Rejecting applicants below a rank without reading their CV.",
        "users_description": "Recruiters and hiring managers.",
        "affected_people": "Job applicants, who do not know the feature exists unless we tell them.",
        "deployment_regions": ["UK", "PT"],
        "human_oversight": "Not switched on until the vendor's evidence and our own test are reviewed.",
        "third_party_components": "The HR suite vendor's ranking model (a black box to us).",
    },
]

MODELS: dict[str, list[dict[str, Any]]] = {
    "credit-scoring": [{"name": "helix-gbm", "model_type": "regressor"}],
    "support-assistant": [
        {
            "name": "atlas-rag",
            "model_type": "generative",
            "base_model": "General-purpose LLM, large tier",
            "base_model_supplier": "Foundation-model provider (API, EU region)",
        }
    ],
    "fraud-detection": [{"name": "sentinel-anomaly", "model_type": "anomaly"}],
    "hr-cv-screening": [
        {
            "name": "vendor-ranker",
            "model_type": "ranking",
            "base_model": "Vendor proprietary",
            "base_model_supplier": "HR suite vendor",
        }
    ],
}

# (system, model, version, status, training date, trained on, evaluated on, notes). Versions in
# service before Keel are recorded as existing; helix-gbm 3.3 is a retrained candidate nobody
# has evaluated yet, which the deployment gate refuses.
EXISTING_VERSION = "In service before Tessellate adopted Keel; recorded as it was."
VERSIONS: list[tuple[str, str, str, str, dt.date | None, list[str], list[str], str]] = [
    (
        "credit-scoring",
        "helix-gbm",
        "3.1",
        "retired",
        dt.date(2026, 2, 10),
        ["credit-features"],
        ["credit-features"],
        "Replaced by 3.2 in April.",
    ),
    (
        "credit-scoring",
        "helix-gbm",
        "3.2",
        "deployed",
        dt.date(2026, 4, 14),
        ["credit-train-2026q1"],
        ["credit-holdout-2026q1"],
        "Retrained on the Q1 set, re-weighted by age band after the fairness review.",
    ),
    (
        "credit-scoring",
        "helix-gbm",
        "3.3",
        "development",
        dt.date(2026, 11, 20),
        ["credit-train-2026q1", "applications-raw"],
        [],
        "Adds six months of applications; waiting for the hold-out evaluation.",
    ),
    ("support-assistant", "atlas-rag", "2026.03", "deployed", None, [], ["support-docs"], ""),
    (
        "fraud-detection",
        "sentinel-anomaly",
        "7",
        "deployed",
        dt.date(2026, 3, 1),
        ["card-transactions"],
        [],
        "",
    ),
    (
        "hr-cv-screening",
        "vendor-ranker",
        "unknown",
        "development",
        None,
        [],
        [],
        "The vendor does not disclose versions.",
    ),
]

# (system, model@version, metric, comparison, criterion value, result value, days ago)
EVALUATIONS: list[tuple[str, str, str, str, str, str, int]] = [
    ("credit-scoring", "helix-gbm@3.1", "AUC on the hold-out set", "ge", "0.75", "0.79", 80),
    ("credit-scoring", "helix-gbm@3.2", "AUC on the hold-out set", "ge", "0.75", "0.81", 40),
    ("credit-scoring", "helix-gbm@3.2", "Approval-rate gap between age bands", "le", "0.05", "0.034", 40),
    ("fraud-detection", "sentinel-anomaly@7", "Recall at 1% false-positive rate", "ge", "0.60", "0.66", 60),
    ("support-assistant", "atlas-rag@2026.03", "Grounded answers on the test set", "ge", "0.90", "0.93", 30),
    (
        "hr-cv-screening",
        "vendor-ranker@unknown",
        "Selection-rate ratio between sexes (four-fifths rule)",
        "ge",
        "0.80",
        "0.71",
        10,
    ),
]

DATASETS: list[dict[str, Any]] = [
    {
        "short_name": "bureau-raw",
        "name": "Credit bureau extracts",
        "acquisition": "purchased",
        "source": "Two UK and one EU credit reference agency, monthly files",
        "licence": "Bureau data licence (commercial)",
        "rights": "Use for credit scoring of applicants of our lender customers; no resale.",
        "personal_data": True,
        "personal_data_notes": "Applicant identity and credit history; lawful basis: lenders' legitimate interest.",
        "may_train": True,
        "may_evaluate": True,
        "licence_scope": "Model development and scoring for consumer credit only.",
        "deletion_method": "Files purged after 24 months; models retrained without the purged months.",
        "systems": ["credit-scoring"],
    },
    {
        "short_name": "applications-raw",
        "name": "Loan applications (pseudonymised)",
        "acquisition": "provided",
        "source": "Lender customers, under the data processing agreement",
        "personal_data": True,
        "personal_data_notes": "Pseudonymised at intake; the key stays with the lender.",
        "may_train": True,
        "may_evaluate": True,
        "licence_scope": "Improving the scoring service for the providing lender and the pooled model.",
        "deletion_method": "Deleted on contract end; a retraining removes its influence.",
        "representativeness": "Over-represents urban applicants aged 25-45; few applicants over 70.",
        "systems": ["credit-scoring"],
    },
    {
        "short_name": "credit-joined",
        "name": "Applications joined with bureau data",
        "acquisition": "derived",
        "sources": ["bureau-raw", "applications-raw"],
        "personal_data": True,
        "may_train": True,
        "may_evaluate": True,
        "systems": ["credit-scoring"],
    },
    {
        "short_name": "credit-features",
        "name": "Credit feature table v12",
        "acquisition": "derived",
        "sources": ["credit-joined"],
        "personal_data": True,
        "may_train": True,
        "may_evaluate": True,
        "systems": ["credit-scoring"],
    },
    {
        "short_name": "credit-train-2026q1",
        "name": "Credit training set 2026 Q1",
        "acquisition": "derived",
        "sources": ["credit-features"],
        "personal_data": True,
        "may_train": True,
        "representativeness": "Re-weighted by age band to match the lenders' applicant population.",
        "systems": ["credit-scoring"],
    },
    {
        "short_name": "credit-holdout-2026q1",
        "name": "Credit hold-out set 2026 Q1",
        "acquisition": "derived",
        "sources": ["credit-features"],
        "personal_data": True,
        "may_evaluate": True,
        "systems": ["credit-scoring"],
    },
    {
        "short_name": "card-transactions",
        "name": "Card transactions with fraud labels",
        "acquisition": "provided",
        "source": "Lender customers' transaction streams; labels from confirmed chargebacks",
        "personal_data": True,
        "personal_data_notes": "Pseudonymised card and account identifiers; merchant and amount.",
        "may_train": True,
        "may_evaluate": True,
        "licence_scope": "Fraud detection for the providing lender and the pooled model.",
        "deletion_method": "Rolling 18-month window; older partitions dropped and excluded from retraining.",
        "representativeness": "Chargeback labels arrive up to 120 days late: recent fraud is under-labelled.",
        "systems": ["fraud-detection"],
    },
    {
        "short_name": "support-docs",
        "name": "Platform documentation corpus",
        "acquisition": "collected",
        "source": "Our public and customer documentation",
        "licence": "Our own content",
        "may_train": False,
        "may_evaluate": True,
        "licence_scope": "Retrieval only: not sent for training to the model provider (contractual opt-out).",
        "systems": ["support-assistant"],
    },
]

# (dataset, check, comparison, criterion, result)
QUALITY_CHECKS: list[tuple[str, str, str, str, str]] = [
    ("bureau-raw", "Share of records with missing income", "le", "0.02", "0.011"),
    ("credit-joined", "Match rate of applications to bureau records", "ge", "0.97", "0.985"),
    ("credit-train-2026q1", "Applicants aged over 70 (share)", "ge", "0.03", "0.021"),
]

# (system, short name, name, unit, direction, threshold, window, readings (oldest first))
METRICS: list[tuple[str, str, str, str, str, str, str, list[str]]] = [
    (
        "credit-scoring",
        "auc",
        "AUC on labelled outcomes",
        "",
        "higher",
        "0.75",
        "rolling 30 days",
        ["0.80", "0.80", "0.79", "0.79", "0.78", "0.79", "0.78", "0.77", "0.78", "0.77", "0.77", "0.76"],
    ),
    (
        "credit-scoring",
        "psi-drift",
        "Population stability index",
        "",
        "lower",
        "0.2",
        "weekly",
        ["0.05", "0.06", "0.08", "0.07", "0.11", "0.14", "0.18", "0.22", "0.25", "0.24", "0.27", "0.26"],
    ),
    (
        "fraud-detection",
        "precision",
        "Precision of holds",
        "",
        "higher",
        "0.30",
        "daily",
        ["0.41", "0.39", "0.40", "0.42", "0.38", "0.40", "0.41", "0.39", "0.40", "0.43", "0.42", "0.41"],
    ),
    (
        "support-assistant",
        "p95-latency",
        "95th percentile answer time",
        "ms",
        "lower",
        "4000",
        "hourly",
        ["2100", "2300", "2250", "2400", "2200", "2500", "2350", "2300", "2450", "2200", "2380", "2290"],
    ),
]


# Lifecycle records (system, kind, title, owner, approved?, Markdown body). The demo's text is our
# own; the credit-scoring technical documentation is still a draft, and the fraud model has none
# yet — gaps an auditor would see on the system page.
RECORDS: list[tuple[str, str, str, str, bool, str]] = [
    (
        "credit-scoring",
        "requirements",
        "Helix scoring requirements",
        "tomasz.nowak",
        True,
        "## What the score must do\n\n"
        "- Rank applicants by 12-month default risk with an AUC of at least 0.75 on the hold-out set.\n"
        "- Return the four strongest reason codes with every score.\n"
        "- Keep the approval-rate gap between age bands at or below 5 points.\n\n"
        "## What it must not do\n\n"
        "- Decide on its own: a credit officer makes every refusal.\n"
        "- Use protected characteristics, or postcode as a proxy for them, as inputs.\n",
    ),
    (
        "credit-scoring",
        "design",
        "Helix model design and development",
        "tomasz.nowak",
        True,
        "Gradient-boosted trees on the credit feature table, monotonic constraints on income and "
        "arrears features, trained per quarter. Every release is compared with the deployed version "
        "on the same hold-out set before it can pass the deployment gate.\n",
    ),
    (
        "credit-scoring",
        "technical_documentation",
        "Helix technical documentation for lenders",
        "tomasz.nowak",
        False,
        "Draft for the 3.3 release: inputs, outputs, known limits (few applicants over 70), "
        "monitoring thresholds and how lenders escalate a doubtful score.\n",
    ),
    (
        "credit-scoring",
        "event_logs",
        "Scoring decision logs",
        "tomasz.nowak",
        True,
        "| What | Kept for |\n|---|---|\n"
        "| Each score with its inputs, model version and reason codes | 7 years |\n"
        "| Overrides by credit officers, with their reason | 7 years |\n"
        "| Drift and fairness metric readings | 3 years |\n\n"
        "Logs are append-only and replayable: any past score can be reproduced from them.\n",
    ),
    (
        "credit-scoring",
        "data_preparation",
        "Preparing the credit training set",
        "tomasz.nowak",
        True,
        "Bureau extracts and pseudonymised applications are joined on the lender's applicant key, "
        "records with missing income above 2 % are dropped, and the training set is re-weighted by "
        "age band to match the lenders' applicant population.\n",
    ),
    (
        "credit-scoring",
        "user_information",
        "Guide for credit officers",
        "mara.lindqvist",
        True,
        "What the score estimates, what each reason code means, when not to rely on it (business "
        "lending, markets outside the EU and UK), and how an applicant asks for a human review.\n",
    ),
    (
        "support-assistant",
        "user_information",
        "Atlas assistant: what it can and cannot answer",
        "mara.lindqvist",
        True,
        "Shown to lender staff before first use: answers come from our documentation and cite it; "
        "it gives no credit or legal advice; never paste applicant data into it.\n",
    ),
    (
        "support-assistant",
        "event_logs",
        "Assistant conversation logs",
        "mara.lindqvist",
        False,
        "Questions, retrieved passages and answers are kept 90 days for quality review; personal "
        "data found in them is redacted at ingestion.\n",
    ),
]


# Each dataset's classification level (keys of the demo scheme, keel.risks.demo.LEVELS): the
# personal data is Confidential, the documentation corpus (public and customer docs) Internal.
DATASET_LEVELS: dict[str, str] = {
    "bureau-raw": "confidential",
    "applications-raw": "confidential",
    "credit-joined": "confidential",
    "credit-features": "confidential",
    "credit-train-2026q1": "confidential",
    "credit-holdout-2026q1": "confidential",
    "card-transactions": "confidential",
    "support-docs": "internal",
}

# A hot-fixed model version put into production after the impact assessments were approved, not evaluated
# yet: the flaw the consistency check finds twice (a model in service without an evaluation,
# and — through the impact app's "new model" trigger — the credit-scoring impact assessment
# due for re-assessment). docs/consistency-check.md.
RETRAINED_MODEL: dict[str, Any] = {
    "model": "helix-gbm",
    "label": "3.2.1",
    "training_date": dt.date(2026, 11, 20),
    "notes": "Threshold recalibration hot-fixed in production by the on-call engineer during the November "
    "approval-rate incident; the hold-out evaluation is still to be recorded.",
    "existing_reason": "Put into production outside the deployment gate during the November incident; "
    "recorded afterwards.",
}
