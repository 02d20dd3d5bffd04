"""Test helpers of the supplier register, made through the services (so their trail entries exist)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Channel
from keel.platform.models import User

from .. import assessments, questionnaires, services
from ..models import Questionnaire, Supplier, SupplierAssessment
from ..questionnaire_content import AI_KEY, SECURITY_KEY

SYSTEM = Actor.system("test")


def as_(user: User) -> Actor:
    return Actor.for_user(user, Channel.WEB)


def supplier(ms: ManagementSystem, name: str = "Cumulus Cloud", actor: Actor = SYSTEM, **kw: Any) -> Supplier:
    data: dict[str, Any] = {"kind": "cloud_saas", "criticality": "high", **kw}
    return services.request_supplier(actor, management_system=ms, name=name, **data)


def seeded() -> tuple[Questionnaire, Questionnaire]:
    questionnaires.seed(SYSTEM)
    return questionnaires.get_questionnaire(SECURITY_KEY), questionnaires.get_questionnaire(AI_KEY)


def sent(s: Supplier, key: str = AI_KEY, actor: Actor = SYSTEM, **kw: Any) -> SupplierAssessment:
    if not Questionnaire.objects.filter(key=key).exists():
        seeded()
    return assessments.send(
        actor, s.pk, key, recipient_name="Ada Vendor", recipient_email="ada@vendor.example", **kw
    )


def contract(s: Supplier, **kw: Any) -> Any:
    data: dict[str, Any] = {"title": "Master services agreement", "starts_on": dt.date(2026, 1, 1), **kw}
    return services.add_contract(SYSTEM, s.pk, **data)


def full_answers(a: SupplierAssessment) -> dict[str, Any]:
    """A complete set of answers to the AI-component questionnaire (the best option each time)."""
    out: dict[str, Any] = {}
    for q in a.questionnaire.questions.order_by("position"):
        if q.answer_type == "text":
            out[str(q.pk)] = "We document this in our model card, section 3."
        elif q.answer_type == "number":
            out[str(q.pk)] = "3"
        elif q.answer_type == "date":
            out[str(q.pk)] = "2027-06-30"
        elif q.answer_type == "multiple":
            out[str(q.pk)] = [o["label"] for o in q.options]
        elif q.answer_type in ("single", "yes_no"):
            out[str(q.pk)] = max(q.options, key=lambda o: o["score"])["label"]
    return out
