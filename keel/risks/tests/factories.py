"""Test helpers of risk management: records built through the services (as the system actor),
or directly where a test needs many rows fast."""

from __future__ import annotations

from typing import Any

from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User
from keel.risks import services
from keel.risks.defaults import default_methodology
from keel.risks.models import Methodology, Risk

SYSTEM = Actor.system("risk-tests")
RISK_SOURCE = "iso42001:2023:C.3.4"
OBJECTIVE = "iso42001:2023:C.2.5"


def methodology() -> Methodology:
    return Methodology.objects.order_by("-version").first() or services.create_methodology(
        SYSTEM, **default_methodology()
    )


def control(ref: str, ms: ManagementSystem) -> Control:
    c, _ = Control.objects.get_or_create(
        ref_id=ref, defaults={"title": f"Control {ref}", "type": "process", "frequency": "yearly"}
    )
    c.management_systems.add(ms)
    return c


def ai_system(ms: ManagementSystem, short_name: str = "credit-scoring") -> AISystem:
    system, _ = AISystem.objects.get_or_create(
        short_name=short_name,
        defaults={
            "name": short_name.replace("-", " ").title(),
            "management_system": ms,
            "origin": "in_house",
        },
    )
    return system


def is_risk(ms: ManagementSystem, owner: User, **kw: Any) -> Risk:
    methodology()
    data: dict[str, Any] = {
        "title": "Stolen laptop exposes customer data",
        "process": "Remote work",
        "threat": "Theft",
        "vulnerability": "Unencrypted disk",
        "affects_confidentiality": True,
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "treatment_option": "modify",
        "treatment_plan": "Encrypt every disk.",
        "residual_likelihood": 2,
        "residual_impact": 3,
    }
    data.update(kw)
    return services.create_risk(SYSTEM, register="is", management_system=ms.pk, owner=owner, **data)


def ai_risk(ms: ManagementSystem, owner: User, **kw: Any) -> Risk:
    methodology()
    data: dict[str, Any] = {
        "title": "Scores drift against a group of applicants",
        "ai_system": ai_system(ms),
        "risk_source": RISK_SOURCE,
        "objective": OBJECTIVE,
        "affected_people": "Loan applicants",
        "inherent_likelihood": 3,
        "inherent_impact": 5,
        "treatment_option": "modify",
        "treatment_plan": "Monthly fairness checks.",
        "residual_likelihood": 2,
        "residual_impact": 3,
    }
    data.update(kw)
    return services.create_risk(SYSTEM, register="ai", management_system=ms.pk, owner=owner, **data)
