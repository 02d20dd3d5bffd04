"""The answered questions of the integration self-assessment (our own wording; the method is in
docs/certification.md). Each names the aspect it informs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    key: str
    aspect: str
    text: str
    help: str


QUESTIONS: dict[str, Question] = {
    q.key: q
    for q in [
        Question(
            "one_policy_framework",
            "documentation",
            "Are the policies and objectives of both systems set in one framework and approved together?",
            "One policy set and one objectives plan, rather than two parallel sets.",
        ),
        Question(
            "one_management_review",
            "review",
            "Does top management review both systems in the same meetings, with one set of minutes?",
            "Yes when every review covers both; partly when some do.",
        ),
        Question(
            "one_risk_approach",
            "processes",
            "Is one approach used to assess and treat information-security and AI risks?",
            "One methodology and one register owner, even if there are two registers.",
        ),
        Question(
            "one_improvement_process",
            "processes",
            "Do nonconformities and corrective actions of both systems go through one process?",
            "One queue, one root-cause method, one effectiveness check.",
        ),
        Question(
            "one_responsible_manager",
            "responsibilities",
            "Is one member of top management accountable for both systems?",
            "The same person, or a committee that covers both.",
        ),
    ]
}

ASPECTS = {
    "documentation": "Documentation",
    "audits": "Internal audits",
    "review": "Management review",
    "processes": "Processes (controls, risk, improvement)",
    "responsibilities": "Responsibilities",
}
