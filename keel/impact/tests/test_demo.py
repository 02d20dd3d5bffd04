"""The demo's impact assessments: two approved (benefits and harms, one harm each raised into
the AI risk register), one draft; loading again adds nothing."""

from __future__ import annotations

from keel.aisystems import gates
from keel.aisystems.models import AISystem
from keel.impact.demo import ensure_demo_impact_assessments
from keel.impact.models import Impact, ImpactAssessment
from keel.platform.tests.shared_db import LoadedDemo
from keel.risks.models import Risk


def test_demo_impact_assessments(demo: LoadedDemo) -> None:
    status = dict(ImpactAssessment.objects.values_list("ai_system__short_name", "status"))
    assert status == {
        "credit-scoring": "approved",
        "support-assistant": "approved",
        "hr-cv-screening": "draft",
    }
    credit = ImpactAssessment.objects.get(ai_system__short_name="credit-scoring")
    assert {"benefit", "harm"} == set(credit.impacts.values_list("nature", flat=True))
    assert credit.interested_parties.filter(name="Loan applicants").exists()
    raised = Risk.objects.filter(impact__isnull=False)
    assert raised.count() == 2 and all(r.register == "ai" for r in raised)
    # the support assistant's answer time breached its threshold after approval (drift): due
    support = ImpactAssessment.objects.get(ai_system__short_name="support-assistant")
    assert support.due and "breached its threshold" in support.due_reason
    assert not gates.impact_assessment_approved(AISystem.objects.get(short_name="support-assistant"))
    # the hot-fixed credit-scoring model version recorded after approval (a flaw the consistency
    # check finds, docs/consistency-check.md) made its assessment due for re-assessment
    assert credit.due and "3.2.1" in credit.due_reason
    assert not gates.impact_assessment_approved(AISystem.objects.get(short_name="credit-scoring"))
    # Idempotent
    before = (ImpactAssessment.objects.count(), Impact.objects.count(), Risk.objects.count())
    assert ensure_demo_impact_assessments() == {"impact_assessments": 0, "impacts": 0, "risks": 0}
    assert (ImpactAssessment.objects.count(), Impact.objects.count(), Risk.objects.count()) == before
