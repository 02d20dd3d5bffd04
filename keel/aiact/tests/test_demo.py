"""The demo's EU AI Act picture: the four AI systems classified (credit scoring high-risk under
Annex III 5(b), the support assistant with Art. 50 duties, fraud detection minimal, CV screening
high-risk for its deployer), credit-scoring statuses with evidence, the advice; loading again adds
nothing."""

from __future__ import annotations

from keel.aiact.demo import ensure_demo_ai_act
from keel.aiact.models import (
    Classification,
    FundamentalRightsAssessment,
    ObligationStatus,
    OperatingModelAdvice,
)
from keel.platform.tests.shared_db import LoadedDemo


def test_demo_ai_act(demo: LoadedDemo) -> None:
    tiers = dict(Classification.objects.values_list("ai_system__short_name", "tier"))
    assert tiers == {
        "credit-scoring": "high_risk",
        "support-assistant": "transparency",
        "fraud-detection": "minimal",
        "hr-cv-screening": "high_risk",
    }
    credit = Classification.objects.get(ai_system__short_name="credit-scoring")
    assert credit.annex_iii_points == ["5(b)"] and credit.role == "provider"
    logged = ObligationStatus.objects.get(
        ai_system__short_name="credit-scoring", obligation="art12-record-keeping"
    )
    assert logged.status == "met" and logged.evidence.exists()
    assert OperatingModelAdvice.objects.get().recommendation == "unified"
    fria = FundamentalRightsAssessment.objects.get(ai_system__short_name="credit-scoring")
    assert fria.status == "complete" and not fria.missing() and fria.notified_on is None
    assert fria.impact_assessment is not None and "credit officer" in fria.oversight_measures
    assert ensure_demo_ai_act() == {
        "classifications": 0,
        "obligation_statuses": 0,
        "fundamental_rights_assessments": 0,
        "operating_model_advice": 0,
    }
