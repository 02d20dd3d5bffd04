"""The demo's AI system inventory: Tessellate Labs' credit-scoring model, support assistant on a
third-party foundation model, fraud model, and the CV-screening feature embedded in the HR tool
it buys — with models, evaluations (one failed), datasets with a lineage chain four levels deep,
quality checks, and operating metrics whose readings include a run of breaches.

The three production systems were in service before Tessellate adopted Keel, so they are
recorded in their stage as existing systems (``existing_reason``: the trail marks them as
recorded history), not moved through the deployment gate. Their impact assessments are recorded
after the risk registers (keel/impact/demo.py).

:func:`ensure_demo_ai_systems` is idempotent: records are found by short name (systems,
datasets, metrics), by name and version (models), by metric and time (evaluations, quality
checks and readings), and only what is missing is written.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.assets.demo import ensure_demo_levels
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import services
from .models import AIModel, AISystem, Dataset, Evaluation, Metric, MetricReading, QualityCheck

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
    "credit-scoring": [
        {
            "name": "helix-gbm",
            "version": "3.1",
            "model_type": "regressor",
            "training_date": dt.date(2026, 2, 10),
        },
        {
            "name": "helix-gbm",
            "version": "3.2",
            "model_type": "regressor",
            "training_date": dt.date(2026, 4, 14),
        },
    ],
    "support-assistant": [
        {
            "name": "atlas-rag",
            "version": "2026.03",
            "model_type": "generative",
            "base_model": "General-purpose LLM, large tier",
            "base_model_supplier": "Foundation-model provider (API, EU region)",
        }
    ],
    "fraud-detection": [
        {
            "name": "sentinel-anomaly",
            "version": "7",
            "model_type": "anomaly",
            "training_date": dt.date(2026, 3, 1),
        }
    ],
    "hr-cv-screening": [
        {
            "name": "vendor-ranker",
            "version": "unknown",
            "model_type": "ranking",
            "base_model": "Vendor proprietary",
            "base_model_supplier": "HR suite vendor",
        }
    ],
}

# (system, model name/version or None, metric, comparison, criterion value, result value, days ago)
EVALUATIONS: list[tuple[str, str | None, str, str, str, str, int]] = [
    ("credit-scoring", "helix-gbm 3.1", "AUC on the hold-out set", "ge", "0.75", "0.79", 80),
    ("credit-scoring", "helix-gbm 3.2", "AUC on the hold-out set", "ge", "0.75", "0.81", 40),
    ("credit-scoring", "helix-gbm 3.2", "Approval-rate gap between age bands", "le", "0.05", "0.034", 40),
    ("fraud-detection", "sentinel-anomaly 7", "Recall at 1% false-positive rate", "ge", "0.60", "0.66", 60),
    ("support-assistant", "atlas-rag 2026.03", "Grounded answers on the test set", "ge", "0.90", "0.93", 30),
    (
        "hr-cv-screening",
        None,
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


def _owner(people: dict[str, User], local: str) -> User | None:
    user = people.get(local)
    if user is None:
        user = User.objects.filter(email=f"{local}@{DOMAIN}").first()
    return user


def ensure_demo_ai_systems(
    actor: Actor | None = None,
    management_system: ManagementSystem | None = None,
    people: dict[str, User] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Create what is missing of the demo inventory (idempotent) in one transaction; returns how
    many records of each kind were created. Without an actor the trail names the system actor
    ``demo``; without a management system it uses the demo's integrated one (or the first)."""
    actor = actor or Actor.system("demo")
    ms = management_system or ManagementSystem.objects.filter(short_name="integrated").first()
    if ms is None:
        ms = ManagementSystem.objects.order_by("name").first()
    if ms is None:
        return {}
    people = people or {}
    now = now or timezone.now().replace(minute=0, second=0, microsecond=0)
    created = {
        "ai_systems": 0,
        "models": 0,
        "evaluations": 0,
        "datasets": 0,
        "quality_checks": 0,
        "readings": 0,
    }
    with transaction.atomic():
        names = [x["short_name"] for x in SYSTEMS]
        systems: dict[str, AISystem] = {
            s.short_name: s for s in AISystem.objects.filter(short_name__in=names)
        }
        for spec in SYSTEMS:
            if spec["short_name"] in systems:
                continue
            data = dict(spec)
            data["owner"] = _owner(people, data.pop("owner"))
            systems[spec["short_name"]] = services.create_system(actor, management_system=ms, **data)
            created["ai_systems"] += 1

        models: dict[str, AIModel] = {}
        for short, specs in MODELS.items():
            for spec in specs:
                model = AIModel.objects.filter(
                    ai_system=systems[short], name=spec["name"], version=spec["version"]
                ).first()
                if model is None:
                    model = services.create_model(actor, systems[short].pk, **spec)
                    created["models"] += 1
                models[f"{spec['name']} {spec['version']}"] = model

        evaluator = _owner(people, "tomasz.nowak")
        for short, model_key, metric, comparison, criterion, result, days in EVALUATIONS:
            system = systems[short]
            if Evaluation.objects.filter(ai_system=system, metric=metric).exists():
                continue
            services.record_evaluation(
                actor,
                system.pk,
                model=models[model_key].pk if model_key else None,
                metric=metric,
                comparison=comparison,
                criterion_value=criterion,
                result_value=result,
                performed_by=evaluator if short != "hr-cv-screening" else None,
                performed_by_name=""
                if short != "hr-cv-screening"
                else "People team with the vendor's test harness",
                performed_at=now - dt.timedelta(days=days),
            )
            created["evaluations"] += 1

        ensure_demo_levels(actor)
        for spec in DATASETS:
            level = DATASET_LEVELS.get(spec["short_name"])
            existing = Dataset.objects.filter(short_name=spec["short_name"]).first()
            if existing is not None:
                if existing.classification_id is None and level:
                    services.update_dataset(actor, existing.pk, classification=level)
                continue
            data = dict(spec)
            services.create_dataset(
                actor,
                management_system=ms,
                ai_systems=data.pop("systems", []),
                sources=data.pop("sources", []),
                owner=_owner(people, "tomasz.nowak"),
                classification=level,
                **data,
            )
            created["datasets"] += 1

        for short, check, comparison, criterion, result in QUALITY_CHECKS:
            dataset = Dataset.objects.get(short_name=short)
            if QualityCheck.objects.filter(dataset=dataset, metric=check).exists():
                continue
            services.record_quality_check(
                actor,
                dataset.pk,
                metric=check,
                comparison=comparison,
                criterion_value=criterion,
                result_value=result,
                performed_by=evaluator,
                performed_at=now - dt.timedelta(days=20),
            )
            created["quality_checks"] += 1

        for short, metric_name, name, unit, direction, threshold, window, values in METRICS:
            system = systems[short]
            om = Metric.objects.filter(ai_system=system, short_name=metric_name).first()
            if om is None:
                om = services.create_metric(
                    actor,
                    system.pk,
                    short_name=metric_name,
                    name=name,
                    unit=unit,
                    direction=direction,
                    threshold=threshold,
                    evaluation_window=window,
                )
            if MetricReading.objects.filter(metric=om).exists():
                continue  # its history is already there (a later run has another "now")
            for i, value in enumerate(values):
                at = now - dt.timedelta(days=7 * (len(values) - 1 - i))
                services.push_reading(actor, short, metric_name, decimal.Decimal(value), at)
                created["readings"] += 1
    return created


# A retrained model registered after the impact assessments were approved and not evaluated
# yet: the flaw the consistency check finds twice (a model in service without an evaluation,
# and — through the impact app's "new model" trigger — the credit-scoring impact assessment
# due for re-assessment). docs/consistency-check.md.
RETRAINED_MODEL: dict[str, Any] = {
    "name": "helix-gbm",
    "version": "3.3",
    "model_type": "regressor",
    "training_date": dt.date(2026, 11, 20),
    "description": "Retrained on applications up to October 2026; registered by the ML team, evaluation "
    "on the new hold-out set still to be recorded.",
}


def ensure_demo_retrained_model(actor: Actor) -> bool:
    """Register :data:`RETRAINED_MODEL` on the credit-scoring system unless it is there."""
    system = AISystem.objects.get(short_name="credit-scoring")
    spec = dict(RETRAINED_MODEL)
    if AIModel.objects.filter(ai_system=system, name=spec["name"], version=spec["version"]).exists():
        return False
    services.create_model(actor, system.pk, **spec)
    return True
