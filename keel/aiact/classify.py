"""The classification rule: a pure function from the questionnaire's answers to the Act's tier
and the reasons that led to it (docs/ai-act.md#classification). No database, no clock: the
service stores what this returns, and the tests call it directly for every practice and area.

Order of the rule:

1. Not used in the EU (``eu_use`` is no): outside the Act.
2. Any Art. 5 practice: prohibited (every practice answered yes is a reason).
3. An Annex III use case: high-risk (Art. 6(2)), unless an Art. 6(3) condition holds *and* the
   system does not profile people — then the derogation applies and the provider documents it.
4. A product, or safety component of one, under Annex I that needs a third-party conformity
   assessment: high-risk (Art. 6(1)).
5. Any Art. 50 case: transparency obligations (recorded on any tier: a high-risk chatbot still
   tells people it is an AI system).
6. Otherwise minimal risk.

A general-purpose AI model (and its systemic risk) is recorded beside the tier: Chapter V
obligations attach to the model, whatever the tier of the system built on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .choices import GPAI, ActRole, HighRiskRoute, Tier
from .questionnaire import Questionnaire, current


@dataclass(frozen=True)
class Reason:
    """One step of the explanation: the answer (question key, empty for a conclusion), the
    article or annex point it rests on, and what it means, in our words."""

    question: str
    ref: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"question": self.question, "ref": self.ref, "text": self.text}


@dataclass(frozen=True)
class Result:
    tier: str
    role: str
    high_risk_route: str = HighRiskRoute.NONE
    annex_iii_points: tuple[str, ...] = ()
    annex_i: bool = False
    derogation_applied: bool = False
    prohibited_practices: tuple[str, ...] = ()
    transparency_cases: tuple[str, ...] = ()
    gpai: str = GPAI.NONE
    public_body: bool = False
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> str:
        label = str(Tier(self.tier).label)
        if self.tier == Tier.PROHIBITED:
            return f"{label}: {', '.join(self.prohibited_practices)}"
        if self.tier == Tier.HIGH_RISK and self.high_risk_route == HighRiskRoute.ANNEX_III:
            return f"{label} (Annex III {', '.join(self.annex_iii_points)})"
        if self.tier == Tier.HIGH_RISK:
            return f"{label} (Annex I product)"
        if self.tier == Tier.TRANSPARENCY:
            return f"{label} (Art. {', '.join(self.transparency_cases)})"
        return label


def check_answers(
    answers: Mapping[str, Any], role: str, q: Questionnaire | None = None
) -> dict[str, list[str]]:
    """What is wrong with a set of answers, by field (empty when they can be classified): the
    role is one of the Act's, every key is a question, every value yes or no, and the reach of
    the Act (``eu_use``) is answered."""
    q = q or current()
    problems: dict[str, list[str]] = {}
    if role not in ActRole.values:
        problems["role"] = [f"Choose one of: {', '.join(str(label) for label in ActRole.labels)}."]
    known = q.by_key()
    for key, value in answers.items():
        if key not in known:
            problems.setdefault("answers", []).append(f"{key} is not a question of version {q.version}.")
        elif not isinstance(value, bool):
            problems.setdefault("answers", []).append(f"{key}: answer yes (true) or no (false).")
    if "eu_use" in known and "eu_use" not in answers:
        problems.setdefault("answers", []).append("eu_use: say whether the system reaches the EU.")
    return problems


def classify(answers: Mapping[str, bool], role: str, q: Questionnaire | None = None) -> Result:
    """The tier, route, cases and reasons for ``answers`` (question key → yes/no; a question not
    answered counts as no) given the organisation's ``role``."""
    q = q or current()
    yes = {k for k, v in answers.items() if v is True}

    def hits(kind: str) -> list[Any]:
        return [x for x in q.of_kind(kind) if x.key in yes]

    def why(x: Any) -> Reason:
        return Reason(x.key, x.ref, x.explain)

    reasons: list[Reason] = []
    public_body = any(x.key in yes for x in q.of_kind("context") if x.key == "public_body")
    scope = q.of_kind("scope")
    if scope and not all(x.key in yes for x in scope):
        return Result(
            tier=Tier.OUT_OF_SCOPE,
            role=role,
            public_body=public_body,
            reasons=(
                Reason(
                    scope[0].key,
                    scope[0].ref,
                    "The system neither reaches the EU market nor has its outputs used in the EU, "
                    "so the Act does not apply to it.",
                ),
            ),
        )
    reasons += [why(x) for x in scope]

    transparency = hits("transparency")
    cases = tuple(x.point for x in transparency)
    gpai_q = hits("gpai")
    gpai = GPAI.NONE
    if any(x.key == "gpai_model" for x in gpai_q):
        gpai = GPAI.SYSTEMIC if any(x.key == "gpai_systemic" for x in gpai_q) else GPAI.GPAI
    gpai_reasons = [why(x) for x in gpai_q if gpai != GPAI.NONE]
    common: dict[str, Any] = {
        "role": role,
        "transparency_cases": cases,
        "gpai": gpai,
        "public_body": public_body,
    }

    prohibited = hits("prohibited")
    if prohibited:
        reasons += [why(x) for x in prohibited]
        reasons.append(
            Reason(
                "",
                "Art. 5",
                "A prohibited practice may not be placed on the market, put into service or used in "
                "the EU: stop or change the system before anything else.",
            )
        )
        return Result(
            tier=Tier.PROHIBITED,
            prohibited_practices=tuple(x.ref for x in prohibited),
            reasons=tuple(reasons + gpai_reasons),
            **common,
        )

    annex_iii = hits("annex_iii")
    points = tuple(x.point for x in annex_iii)
    derogations = hits("derogation")
    profiling = hits("profiling")
    annex_i_answers = hits("annex_i")
    annex_i = bool(q.of_kind("annex_i")) and len(annex_i_answers) == len(q.of_kind("annex_i"))

    route = HighRiskRoute.NONE
    derogation_applied = False
    if annex_iii:
        reasons += [why(x) for x in annex_iii]
        if derogations and profiling:
            reasons += [why(x) for x in derogations] + [why(x) for x in profiling]
            reasons.append(
                Reason(
                    "",
                    "Art. 6(3)",
                    "An exception of Art. 6(3) was claimed, but the system profiles people, so it "
                    "stays high-risk.",
                )
            )
            route = HighRiskRoute.ANNEX_III
        elif derogations:
            reasons += [why(x) for x in derogations]
            reasons.append(
                Reason(
                    "",
                    "Art. 6(3), 6(4), 49(2)",
                    "The system does not profile people and meets an exception of Art. 6(3), so it is "
                    "not high-risk; the provider documents this assessment and registers the system "
                    "before placing it on the market.",
                )
            )
            derogation_applied = True
        else:
            route = HighRiskRoute.ANNEX_III
            if profiling:
                reasons += [why(x) for x in profiling]
    if route == HighRiskRoute.NONE and annex_i:
        route = HighRiskRoute.ANNEX_I
    if annex_i:
        reasons += [why(x) for x in annex_i_answers]
    elif annex_i_answers:
        reasons += [why(x) for x in annex_i_answers]
        reasons.append(
            Reason(
                "",
                "Art. 6(1)",
                "The product does not need a third-party conformity assessment, so Art. 6(1) does not "
                "make the system high-risk.",
            )
        )

    if route != HighRiskRoute.NONE:
        where = (
            f"Annex III point {', '.join(points)}"
            if route == HighRiskRoute.ANNEX_III
            else "Annex I legislation"
        )
        reasons.append(
            Reason(
                "",
                "Art. 6(2)" if route == HighRiskRoute.ANNEX_III else "Art. 6(1)",
                f"The system is high-risk through {where}: the requirements of Chapter III apply to it.",
            )
        )
        reasons += [why(x) for x in transparency]
        return Result(
            tier=Tier.HIGH_RISK,
            high_risk_route=route,
            annex_iii_points=points,
            annex_i=annex_i,
            reasons=tuple(reasons + gpai_reasons),
            **common,
        )

    if transparency:
        reasons += [why(x) for x in transparency]
        return Result(
            tier=Tier.TRANSPARENCY,
            annex_iii_points=points,
            derogation_applied=derogation_applied,
            reasons=tuple(reasons + gpai_reasons),
            **common,
        )

    reasons.append(
        Reason(
            "",
            "Art. 4, Art. 95",
            "No prohibited practice, high-risk use or transparency case was answered yes: the system "
            "is minimal risk (AI literacy applies; voluntary codes of conduct are encouraged).",
        )
    )
    return Result(
        tier=Tier.MINIMAL,
        annex_iii_points=points,
        derogation_applied=derogation_applied,
        reasons=tuple(reasons + gpai_reasons),
        **common,
    )
