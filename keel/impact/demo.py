"""The demo's AI system impact assessments: approved assessments of Helix credit scoring and the
Atlas support assistant (benefits as well as harms; one harm of each raised into the AI risk
register), and a draft for the CV-screening feature embedded in the bought HR tool.

Runs after the risk demo (it needs the risk methodology and raises AI risks).
:func:`ensure_demo_impact_assessments` is idempotent: a system that already has an assessment
is left alone.
"""

from __future__ import annotations

import decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.aisystems import readings
from keel.aisystems.models import AISystem, Metric
from keel.organisation.models import InterestedParty
from keel.platform.actor import Actor
from keel.platform.models import User
from keel.risks.models import Methodology

from . import services
from .models import ImpactAssessment

ASSESSMENTS: dict[str, dict[str, Any]] = {
    "credit-scoring": {
        "approve": True,
        "raise": "Applicants with thin credit files are scored lower",
        "sections": {
            "scope": (
                "Helix scores of consumer loan applications for lender customers in the EU and the UK, from "
                "the data feeds to the score and reason codes shown to credit officers. Out of scope: the "
                "lenders' own decision rules and business lending."
            ),
            "capabilities": (
                "Ranks applicants by the estimated probability of default within 12 months and explains "
                "each score with up to four reason codes. It does not decide: a credit officer does."
            ),
            "data_description": "Bureau records, application forms and repayment outcomes 2019–2025.",
            "data_quality": (
                "Applicants under 25 and recent movers to the country are under-represented; label "
                "quality checked quarterly (see the datasets' quality checks)."
            ),
            "parties_notes": "Lender customers and their supervisors; loan applicants; the Model Risk Committee.",
            "review_interval_months": 12,
        },
        "parties": ["Lender customers", "Loan applicants"],
        "impacts": [
            {
                "title": "Applicants with thin credit files are scored lower",
                "description": "Young applicants and recent movers have short histories, which lowers their scores.",
                "occurrence": "actual",
                "affects": "groups",
                "affected_who": "Applicants under 25 and applicants new to the country",
                "nature": "harm",
                "dimension": "fairness",
                "severity": 4,
                "likelihood": 3,
                "measures": "Monthly approval-rate gap check per age band; human review of every refusal.",
                "residual_severity": 3,
                "residual_likelihood": 2,
            },
            {
                "title": "Applicants cannot see why they were refused",
                "affects": "individuals",
                "affected_who": "Refused loan applicants",
                "nature": "harm",
                "dimension": "transparency",
                "severity": 3,
                "likelihood": 3,
                "measures": "Reason codes in plain words passed to lenders for their refusal letters.",
                "residual_severity": 2,
                "residual_likelihood": 2,
            },
            {
                "title": "Personal data used beyond what scoring needs",
                "affects": "individuals",
                "affected_who": "All scored applicants",
                "nature": "harm",
                "dimension": "privacy",
                "severity": 3,
                "likelihood": 2,
                "measures": "Feature list reviewed against data minimisation; bureau data kept 24 months.",
                "residual_severity": 2,
                "residual_likelihood": 1,
            },
            {
                "title": "Faster, more consistent lending decisions",
                "occurrence": "actual",
                "affects": "individuals",
                "affected_who": "Loan applicants",
                "nature": "benefit",
                "dimension": "economic",
                "severity": 3,
                "likelihood": 4,
                "measures": "Decision times reported to lenders quarterly.",
            },
            {
                "title": "Fewer over-indebted borrowers",
                "affects": "society",
                "nature": "benefit",
                "dimension": "wellbeing",
                "severity": 3,
                "likelihood": 3,
            },
        ],
    },
    "support-assistant": {
        "approve": True,
        "raise": "Confident but wrong answers mislead lender staff",
        # after approval the answer time breaches its threshold: a re-assessment is due (drift)
        "breach_after_approval": ("p95-latency", "5200"),
        "sections": {
            "scope": (
                "The Atlas assistant answering lender staff questions about the platform, on a third-party "
                "foundation model with retrieval over our documentation. Out of scope: the foundation "
                "model's own training."
            ),
            "capabilities": "Answers in natural language with links to the documentation pages it used.",
            "data_description": "Product documentation and anonymised past support tickets.",
            "data_quality": "Documentation reviewed each release; tickets scrubbed of personal data before indexing.",
            "review_interval_months": 6,
        },
        "parties": ["Lender customers"],
        "impacts": [
            {
                "title": "Confident but wrong answers mislead lender staff",
                "affects": "individuals",
                "affected_who": "Lender staff, and through them applicants",
                "nature": "harm",
                "dimension": "safety",
                "severity": 3,
                "likelihood": 3,
                "measures": "Answers cite their sources; grounding rate measured on a fixed test set each release.",
                "residual_severity": 2,
                "residual_likelihood": 2,
            },
            {
                "title": "Energy use of the hosted model",
                "affects": "society",
                "nature": "harm",
                "dimension": "environmental",
                "severity": 2,
                "likelihood": 3,
                "measures": "Smaller model tier for simple questions; response caching.",
                "residual_severity": 1,
                "residual_likelihood": 3,
            },
            {
                "title": "Quicker answers for lender staff",
                "occurrence": "actual",
                "affects": "groups",
                "affected_who": "Lender support and credit teams",
                "nature": "benefit",
                "dimension": "wellbeing",
                "severity": 2,
                "likelihood": 4,
            },
        ],
    },
    "hr-cv-screening": {
        "approve": False,
        "sections": {
            "scope": (
                "The CV-screening feature of the HR tool we buy, as used by our People team to shortlist "
                "applicants. Draft: awaiting the vendor's model documentation."
            ),
        },
        "parties": [],
        "impacts": [
            {
                "title": "Qualified candidates screened out by biased ranking",
                "affects": "groups",
                "affected_who": "Job applicants, in particular career changers and older applicants",
                "nature": "harm",
                "dimension": "fairness",
                "severity": 4,
                "likelihood": 3,
                "measures": "Recruiters review every rejected CV until the vendor's bias report is in.",
            },
        ],
    },
}


def ensure_demo_impact_assessments(
    actor: Actor | None = None, approver: Actor | None = None, people: dict[str, User] | None = None
) -> dict[str, int]:
    """Create the demo's assessments that are missing (idempotent); returns what was created."""
    actor = actor or Actor.system("demo")
    approver = approver or actor
    created = {"impact_assessments": 0, "impacts": 0, "risks": 0}
    if not Methodology.objects.exists():
        return created
    with transaction.atomic():
        for short, spec in ASSESSMENTS.items():
            system = AISystem.objects.filter(short_name=short).first()
            if system is None or ImpactAssessment.objects.filter(ai_system=system).exists():
                continue
            parties = list(
                InterestedParty.objects.filter(name__in=spec["parties"]).values_list("pk", flat=True)
            )
            a = services.start_assessment(actor, system, interested_parties=parties, **spec["sections"])
            created["impact_assessments"] += 1
            impacts = {}
            for data in spec["impacts"]:
                impacts[data["title"]] = services.add_impact(actor, a.pk, **data)
                created["impacts"] += 1
            if spec["approve"]:
                services.approve_assessment(approver, a.pk, "Reviewed with the system owner and the DPO.")
            if spec.get("raise") and (system.owner_id or actor.user):  # a risk needs an owner
                services.raise_risk(actor, impacts[spec["raise"]].pk)
                created["risks"] += 1
            if spec.get("breach_after_approval"):
                # an operating metric breaches after approval: the assessment is due again
                metric, value = spec["breach_after_approval"]
                if Metric.objects.filter(ai_system=system, short_name=metric).exists():
                    readings.push_reading(
                        actor, system.short_name, metric, decimal.Decimal(value), timezone.now()
                    )
    return created
