"""The suppliers of the demo company (Tessellate Labs, an AI scale-up): its cloud provider, the
foundation-model API behind the support assistant, a labelling service in due diligence, the
credit-bureau data vendor (its contract renews soon and its review is overdue, which the
consistency check finds), the HR suite with the CV screening embedded in it, an observability
SaaS, a synthetic-data vendor just requested and a translation API that was rejected. One
AI-component assessment answered and reviewed, one sent and still open. Called from
keel/site/demo.py through the services; the AI systems, models and datasets are pointed at their
suppliers by ``keel.aisystems.demo.link_demo_suppliers`` (aisystems sits above this app).

Returns the suppliers' references by key for that step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import assessments, questionnaires, services
from .models import Question
from .questionnaire_content import AI_KEY, SECURITY_KEY

# key, name, kind, criticality, services, owner, final status, reason
SUPPLIERS: list[tuple[str, str, str, str, str, str, str, str]] = [
    (
        "cloud",
        "Stratus Cloud",
        "cloud_saas",
        "critical",
        "Hosting of the Tessellate platform: compute, managed databases and object storage (EU regions).",
        "admin",
        "active",
        "Our production platform runs on it.",
    ),
    (
        "llm",
        "Lumen Foundation Models",
        "model_api",
        "critical",
        "The large language model behind the Atlas support assistant, used through its API (EU region).",
        "mara.lindqvist",
        "active",
        "Atlas needs a hosted model; building one is out of reach.",
    ),
    (
        "labelling",
        "Northwind Labelling",
        "labelling",
        "high",
        "Human review and labelling of disputed card transactions for the fraud models.",
        "daniel.osei",
        "due_diligence",
        "Chargeback labels arrive too late to retrain Sentinel monthly.",
    ),
    (
        "bureau",
        "Meridian Credit Data",
        "dataset",
        "high",
        "Monthly credit reference extracts for two UK and one EU agency, used to train Helix.",
        "mara.lindqvist",
        "active",
        "Credit scoring cannot work without bureau data.",
    ),
    (
        "hr",
        "PeopleFlow HR",
        "cloud_saas",
        "high",
        "The HR suite, including its CV screening and ranking feature.",
        "admin",
        "active",
        "One HR system for hiring, onboarding and payroll data.",
    ),
    (
        "observability",
        "Beacon Observability",
        "cloud_saas",
        "medium",
        "Logs, metrics and traces of the platform; alerting for the on-call rota.",
        "tomasz.nowak",
        "active",
        "Replace our self-hosted monitoring.",
    ),
    (
        "synthetic",
        "Synthia Data",
        "dataset",
        "medium",
        "Synthetic loan applications to test new credit features without customer data.",
        "priya.raman",
        "requested",
        "Test data for the research team without personal data.",
    ),
    (
        "translation",
        "Polyglot Translate API",
        "model_api",
        "low",
        "Machine translation of support answers into French and German.",
        "mara.lindqvist",
        "rejected",
        "Customers ask for answers in their language.",
    ),
]
REJECTED_BECAUSE = (
    "Inputs are kept for 2 years and used to train their models, with no opt-out: not acceptable for "
    "customer support content."
)
# key -> (title, start days ago, renewal in days, notice days, review months)
CONTRACTS: dict[str, tuple[str, int, int | None, int | None, int]] = {
    "cloud": ("Cloud services agreement and data processing addendum", 700, 395, 90, 12),
    "llm": ("API terms, enterprise tier, with zero-retention addendum", 200, 165, 30, 6),
    "bureau": ("Data licence: credit reference extracts", 340, 25, 14, 12),
    "hr": ("Subscription agreement, HR suite", 400, 330, 60, 12),
    "observability": ("Subscription, observability platform", 150, 215, 30, 12),
}
# what the reviewed AI-component answers say (by position; the best option unless given here)
LLM_ANSWERS: dict[int, Any] = {
    1: "Lumen-L 3 (large tier), served from the EU region. Pre-trained by Lumen on licensed and public web text, "
    "then tuned with human feedback; model card v3.2.",
    2: "For most of it, with known gaps",
    3: "Enterprise API terms: use of outputs in our products allowed; no use to build a competing model.",
    4: "Only if we opt in",
    7: "Can state outdated facts confidently; weaker in Polish and Greek; not for legal or medical advice.",
    9: "No use for political campaigning, biometric identification or decisions about credit or employment.",
    10: "Inputs and outputs kept 0 days under the zero-retention addendum; abuse logs 30 days.",
    12: "3",
}


def _answer(q: Question, given: dict[int, Any]) -> Any:
    if q.position in given:
        return given[q.position]
    if q.answer_type in ("yes_no", "single"):
        return max(q.options, key=lambda o: o["score"])["label"]
    if q.answer_type == "multiple":
        return [o["label"] for o in q.options if o["score"] > 0][:3]
    if q.answer_type == "text":
        return "See the attached model card and our trust centre."
    if q.answer_type == "number":
        return "2"
    return None


def load_demo_suppliers(
    actor: Actor,
    approver: Actor,
    say: Callable[[str], None],
    integrated: ManagementSystem,
    people: dict[str, User],
) -> dict[str, str]:
    today = timezone.localdate()
    say(f"Recording {len(SUPPLIERS)} suppliers, their contracts and due-diligence assessments ...")
    questionnaires.seed(actor)
    refs: dict[str, str] = {}
    for key, name, kind, criticality, what, owner, status, reason in SUPPLIERS:
        s = services.request_supplier(
            actor,
            management_system=integrated,
            name=name,
            kind=kind,
            criticality=criticality,
            services=what,
            owner=people[owner].email,
            request_reason=reason,
            review_months=CONTRACTS.get(key, ("", 0, None, None, 12))[4],
            contacts=[
                {
                    "name": f"Account team, {name}",
                    "email": f"accounts@{key}.example",
                    "role": "Account manager",
                }
            ],
        )
        refs[key] = s.ref_id
        if status == "requested":
            continue
        services.move(actor, s.pk, "due_diligence")
        if status == "due_diligence":
            continue
        if status == "rejected":
            services.move(approver, s.pk, "rejected", reason=REJECTED_BECAUSE)
            continue
        services.move(approver, s.pk, "approved", reason="Due diligence answers acceptable.")
        title, started, renews, notice, _months = CONTRACTS[key]
        services.add_contract(
            actor,
            s.pk,
            title=title,
            starts_on=today - dt.timedelta(days=started),
            renewal_on=today + dt.timedelta(days=renews) if renews is not None else None,
            notice_days=notice,
        )
        services.move(actor, s.pk, "active")
    # the credit-bureau vendor's review was due three weeks ago (the consistency check finds it)
    services.update_supplier(actor, refs["bureau"], {"next_review_on": today - dt.timedelta(days=21)})

    # security due diligence of the cloud provider and the HR suite: answered and reviewed
    for key in ("cloud", "hr"):
        a = assessments.send(
            actor,
            refs[key],
            SECURITY_KEY,
            recipient_name="Security team",
            recipient_email=f"security@{key}.example",
        )
        answers = {str(q.pk): _answer(q, {}) for q in a.questionnaire.questions.all()}
        assessments.answer_by_link(
            assessments.token_for(a),
            {k: v for k, v in answers.items() if v is not None},
            submit=True,
            answered_by=f"Security team, {key}",
        )
        assessments.review(
            approver, a.pk, decision="acceptable", notes="Certificate current; exit terms clear."
        )

    # AI-component due diligence of the model API: answered and reviewed, with conditions
    a = assessments.send(
        actor,
        refs["llm"],
        AI_KEY,
        recipient_name="Trust and safety desk",
        recipient_email="trust@llm.example",
    )
    answers = {str(q.pk): _answer(q, LLM_ANSWERS) for q in a.questionnaire.questions.all()}
    assessments.answer_by_link(
        assessments.token_for(a),
        {k: v for k, v in answers.items() if v is not None},
        submit=True,
        answered_by="Noor Haddad, Trust and Safety, Lumen",
    )
    assessments.review(
        approver,
        a.pk,
        decision="conditions",
        notes="Acceptable with the zero-retention addendum in the contract and training on our data left off "
        "(opt-in never given). Re-assess at the next major model version.",
    )
    # AI-component due diligence of the labelling service: sent, still open
    assessments.send(
        actor,
        refs["labelling"],
        AI_KEY,
        recipient_name="Kim Lee",
        recipient_email="kim.lee@labelling.example",
        days=21,
    )
    return refs
