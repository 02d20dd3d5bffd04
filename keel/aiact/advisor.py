"""The operating-model advisor (issue 17 item 4): from four answers, recommend one unified
management system for ISO/IEC 27001 and 42001, or an ISMS and an AIMS federated on a shared
backbone (context, risk methodology, audit programme, management review, nonconformity process),
with the reasons. :func:`advise` is pure; the service stores each advice as a new version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from keel.organisation.models import Organisation

from .choices import OperatingModel, Tier
from .models import Classification, OperatingModelAdvice


@dataclass(frozen=True)
class AdvisorQuestion:
    key: str
    text: str
    options: tuple[tuple[str, str], ...]  # (value, label)


QUESTIONS: tuple[AdvisorQuestion, ...] = (
    AdvisorQuestion(
        "ai_centrality",
        "How central is AI to what the organisation offers?",
        (
            ("core", "AI is the product"),
            ("supporting", "AI supports the product"),
            ("peripheral", "AI is marginal"),
        ),
    ),
    AdvisorQuestion(
        "ai_separate",
        "Does a separate team with its own processes run the AI work?",
        (("yes", "Yes, it runs on its own"), ("no", "No, the same teams run it")),
    ),
    AdvisorQuestion(
        "high_risk",
        "Is any AI system high-risk under the EU AI Act?",
        (("yes", "Yes"), ("no", "No")),
    ),
    AdvisorQuestion(
        "team_size",
        "How many people run governance (security, privacy and AI compliance together)?",
        (("small", "One to three"), ("medium", "Four to ten"), ("large", "More than ten")),
    ),
)


@dataclass(frozen=True)
class Advice:
    recommendation: str
    reasons: tuple[dict[str, str], ...]
    score: int  # > 0 leans federated, <= 0 unified


def check(answers: Mapping[str, str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for q in QUESTIONS:
        allowed = [v for v, _ in q.options]
        if answers.get(q.key) not in allowed:
            problems[q.key] = [f"Answer one of: {', '.join(label for _, label in q.options)}."]
    extra = set(answers) - {q.key for q in QUESTIONS}
    if extra:
        problems["answers"] = [f"Unknown question(s): {', '.join(sorted(extra))}."]
    return problems


def advise(answers: Mapping[str, str]) -> Advice:
    """Each answer leans one way, with a reason; the sum decides (a tie stays unified: it is the
    simpler to run and can be split later)."""
    score = 0
    reasons: list[dict[str, str]] = []

    def lean(question: str, points: int, text: str) -> None:
        nonlocal score
        score += points
        toward = OperatingModel.FEDERATED if points > 0 else OperatingModel.UNIFIED if points < 0 else ""
        reasons.append({"question": question, "leans": toward, "text": text})

    centrality = answers["ai_centrality"]
    if centrality == "core":
        lean(
            "ai_centrality",
            -1,
            "AI is the product: security and AI risks concern the same assets, people and changes.",
        )
    elif centrality == "peripheral":
        lean(
            "ai_centrality",
            -1,
            "AI is marginal: a management system of its own would cost more than it gives.",
        )
    else:
        lean("ai_centrality", 0, "AI supports the product: this answer leans neither way.")
    if answers["ai_separate"] == "yes":
        lean(
            "ai_separate",
            2,
            "The AI work runs on its own: an AIMS with its own scope matches how work is organised.",
        )
    else:
        lean(
            "ai_separate",
            -2,
            "The same teams run AI and the rest: one system avoids two sets of meetings and records.",
        )
    if answers["high_risk"] == "yes":
        lean(
            "high_risk",
            1,
            "High-risk systems bring product duties (quality management, conformity assessment): an AIMS with "
            "its own scope, reviews and audits shows them more clearly.",
        )
    else:
        lean("high_risk", -1, "No high-risk system: the Act adds little that calls for a separate system.")
    size = answers["team_size"]
    if size == "small":
        lean("team_size", -2, "A small team cannot staff two sets of reviews, audits and owners.")
    elif size == "large":
        lean("team_size", 1, "A large team can give each system its own owners while sharing the backbone.")
    else:
        lean("team_size", 0, "A team of four to ten can run either model.")
    recommendation = OperatingModel.FEDERATED if score > 0 else OperatingModel.UNIFIED
    return Advice(recommendation, tuple(reasons), score)


def derived_answers() -> dict[str, str]:
    """Answers Keel can suggest from its records: whether any AI system's current
    classification is high-risk."""
    latest = {}
    for system_id, _version, tier in Classification.objects.order_by("ai_system_id", "version").values_list(
        "ai_system_id", "version", "tier"
    ):
        latest[system_id] = tier
    return {"high_risk": "yes" if Tier.HIGH_RISK in latest.values() else "no"}


def current_advice() -> OperatingModelAdvice | None:
    return OperatingModelAdvice.objects.select_related("decided_by").order_by("-version").first()


def history() -> list[OperatingModelAdvice]:
    return list(OperatingModelAdvice.objects.select_related("decided_by").order_by("-version"))


def organisation() -> Organisation | None:
    return Organisation.objects.first()
