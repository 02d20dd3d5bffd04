"""The demo organisation's EU AI Act picture (called by keel/site/demo.py after the AI systems
and impact assessments): each demo AI system classified through the questionnaire, statuses on
the credit-scoring system's obligations (one with evidence), its fundamental rights impact
assessment (Art. 27, prepared as provider for the lenders), and the operating-model advice.
Idempotent: a system already classified is left alone."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from keel.aisystems.models import AISystem
from keel.evidence.models import Evidence
from keel.platform.actor import Actor

from . import fria, services
from .choices import FriaStatus
from .models import Classification, FundamentalRightsAssessment, OperatingModelAdvice

EU = {"eu_use": True}
CLASSIFICATIONS: dict[str, dict[str, Any]] = {
    "credit-scoring": {
        "role": "provider",
        "answers": {**EU, "annex3_5b": True, "profiling": True, "art5_c": False, "derog_preparatory": False},
        "note": "Lenders deploy Helix under their own name for consumer lending: we are its provider.",
    },
    "support-assistant": {
        "role": "provider",
        "answers": {**EU, "art50_1": True, "art50_2": False, "gpai_model": False},
        "note": "Built on a third-party foundation model; we put the assistant into service ourselves.",
    },
    "fraud-detection": {
        "role": "provider",
        "answers": {**EU, "annex3_5b": False},
        "note": "Fraud detection is left out of the credit-scoring use case of Annex III 5(b).",
    },
    "hr-cv-screening": {
        "role": "deployer",
        "answers": {**EU, "annex3_4a": True, "profiling": True},
        "note": "Used on applicants in Portugal: recruitment is an Annex III 4(a) use case.",
    },
}
STATUSES: list[tuple[str, str, str]] = [
    (
        "art4-literacy",
        "met",
        "AI literacy module completed by every credit-model engineer and officer trainer.",
    ),
    (
        "art9-risk-management",
        "in_progress",
        "AI risk register in place; lifecycle testing plan under review.",
    ),
    ("art10-data", "in_progress", "Representativeness checks run; bias review of bureau features pending."),
    ("art12-record-keeping", "met", "Every score is logged with its reason codes and model version."),
    (
        "art14-human-oversight",
        "met",
        "Refusals need a credit officer; applicants can ask for a human review.",
    ),
    ("art43-conformity-assessment", "not_started", "Internal-control procedure (Annex VI) to be planned."),
    (
        "art72-post-market-monitoring",
        "in_progress",
        "Monthly drift and fairness review; the written plan is a draft.",
    ),
]
# The credit model's fundamental rights impact assessment, written by Tessellate as provider for
# its lenders to build their own on (Art. 27 asks it of the lenders, who deploy Helix).
FRIA_TEXT = {
    "period_of_use": (
        "Continuously: every consumer loan application a lender receives is scored once, at the time "
        "of application, and again if the applicant updates the application. Lenders keep Helix in "
        "use for the life of their contract with us (typically three years)."
    ),
    "complaints": (
        "Applicants complain to the lender, who must offer a human review of any refusal and give "
        "the main reasons of the score. Lenders pass complaints about the score itself to our "
        "support desk within five working days; the AI governance board reviews each one and tells "
        "the lender the outcome. Applicants may also complain to the data protection authority or "
        "the financial ombudsman."
    ),
    "note": "Prepared by Tessellate as provider and shared with lenders at onboarding; each lender "
    "completes its own assessment and notifies its authority.",
}
FRIA_EXTRA = {
    "mitigation": (
        "\n- If monitoring shows a protected group refused more often than the agreed tolerance, the "
        "model version is rolled back to the last approved one within one working day and lenders "
        "are told.\n- Serious incidents are reported under Art. 73; the AI governance board decides "
        "on suspension."
    ),
}
ADVICE = {"ai_centrality": "core", "ai_separate": "no", "high_risk": "yes", "team_size": "medium"}


def ensure_demo_ai_act(actor: Actor | None = None) -> dict[str, int]:
    """Classify the demo AI systems not classified yet, record the credit-scoring statuses and
    the operating-model advice; returns what was created."""
    actor = actor or Actor.system("demo")
    created = {
        "classifications": 0,
        "obligation_statuses": 0,
        "fundamental_rights_assessments": 0,
        "operating_model_advice": 0,
    }
    with transaction.atomic():
        for short, spec in CLASSIFICATIONS.items():
            system = AISystem.objects.filter(short_name=short).first()
            if system is None or Classification.objects.filter(ai_system=system).exists():
                continue
            services.classify_system(actor, system, **spec)
            created["classifications"] += 1
            if short != "credit-scoring":
                continue
            logged = (
                Evidence.objects.filter(management_systems=system.management_system)
                .order_by("ref_id")
                .first()
            )
            for key, status, note in STATUSES:
                evidence = [logged.ref_id] if logged is not None and key == "art12-record-keeping" else None
                services.set_obligation_status(
                    actor, system, key, status=status, note=note, evidence=evidence
                )
                created["obligation_statuses"] += 1
            if not FundamentalRightsAssessment.objects.filter(ai_system=system).exists():
                record = fria.start(actor, system, **FRIA_TEXT)
                extra = {k: getattr(record, k) + v for k, v in FRIA_EXTRA.items()}
                filled = {
                    name: "See the AI system impact assessment."
                    for name in record.missing()
                    if name not in extra
                }
                fria.update(actor, record.pk, status=FriaStatus.COMPLETE, **extra, **filled)
                created["fundamental_rights_assessments"] = 1
        if created["classifications"] and not OperatingModelAdvice.objects.exists():
            services.advise_operating_model(
                actor, ADVICE, note="One integrated management system runs both standards today."
            )
            created["operating_model_advice"] += 1
    return created
