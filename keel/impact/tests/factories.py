"""Test helpers of the impact assessment: records built through the services as the system actor."""

from __future__ import annotations

from typing import Any

from keel.aisystems.models import AISystem
from keel.impact import services
from keel.impact.models import Impact, ImpactAssessment
from keel.platform.actor import Actor
from keel.risks.tests.factories import methodology

SYSTEM = Actor.system("impact-tests")

HARM: dict[str, Any] = {
    "title": "Older applicants scored lower",
    "description": "Thin credit files of older applicants lower their scores.",
    "affects": "groups",
    "affected_who": "Applicants over 60",
    "nature": "harm",
    "dimension": "fairness",
    "severity": 4,
    "likelihood": 3,
    "measures": "Monthly fairness-gap check; human review of refusals.",
    "residual_severity": 2,
    "residual_likelihood": 2,
}
BENEFIT: dict[str, Any] = {
    "title": "Faster decisions",
    "affects": "individuals",
    "nature": "benefit",
    "dimension": "wellbeing",
    "severity": 3,
    "likelihood": 4,
}


def draft(system: AISystem, **kw: Any) -> ImpactAssessment:
    methodology()
    return services.start_assessment(SYSTEM, system, **kw)


def impact(a: ImpactAssessment, **kw: Any) -> Impact:
    return services.add_impact(SYSTEM, a.pk, **{**HARM, **kw})


def approved(system: AISystem, **kw: Any) -> ImpactAssessment:
    a = draft(system, **kw)
    impact(a)
    return services.approve_assessment(SYSTEM, a.pk)
