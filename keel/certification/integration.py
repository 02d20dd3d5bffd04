"""The integration self-assessment (docs/certification.md): how far the ISO/IEC 27001 and
ISO/IEC 42001 systems share documentation, internal audits, management review, processes and
responsibilities — measured from Keel's records where it can be and from a few answered
questions — and what that suggests for sizing a combined audit under IAF MD 11 (at most 20% less
than the two audits' time added up). It is Keel's own method, an input for the certification
body, which decides the audit time. Each figure shows what it was computed from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from keel.audits.models import Audit
from keel.controls.models import ControlLink
from keel.documents.choices import DocumentStatus
from keel.documents.models import DocumentRequirement
from keel.organisation.models import Organisation
from keel.support.models import MsRole

from .choices import IntegrationAnswerValue
from .models import IntegrationAnswer
from .questions import ASPECTS, QUESTIONS

ISMS, AIMS = "iso27001", "iso42001"
MAX_REDUCTION = Decimal("20")
MIN_LEVEL = Decimal("0.25")  # below a quarter integrated, no reduction is suggested
ANSWER_SCORE = {
    IntegrationAnswerValue.YES: Decimal(1),
    IntegrationAnswerValue.PARTLY: Decimal("0.5"),
    IntegrationAnswerValue.NO: Decimal(0),
}


@dataclass
class Measure:
    aspect: str
    label: str
    score: Decimal | None  # 0..1; None: nothing to measure yet
    basis: str  # "12 of 20 documents answer requirements of both standards"
    question: str = ""  # the key of an answered question, "" for a measured figure


@dataclass
class Aspect:
    key: str
    label: str
    measures: list[Measure] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        scores = [m.score for m in self.measures if m.score is not None]
        return (sum(scores, Decimal(0)) / len(scores)) if scores else None


@dataclass
class Assessment:
    aspects: list[Aspect]
    unanswered: list[str]

    @property
    def level(self) -> Decimal:
        scores = [a.score for a in self.aspects if a.score is not None]
        return (sum(scores, Decimal(0)) / len(scores)) if scores else Decimal(0)

    @property
    def level_percent(self) -> int:
        return int((self.level * 100).quantize(Decimal(1), rounding=ROUND_DOWN))

    @property
    def level_label(self) -> str:
        lv = self.level
        return (
            "high"
            if lv >= Decimal("0.75")
            else "substantial"
            if lv >= Decimal("0.5")
            else "partial"
            if lv >= MIN_LEVEL
            else "low"
        )

    @property
    def reduction_percent(self) -> Decimal:
        if self.level < MIN_LEVEL:
            return Decimal(0)
        raw = MAX_REDUCTION * self.level
        return (raw * 2).quantize(Decimal(1), rounding=ROUND_DOWN) / 2  # down to half a percent

    def as_dict(self) -> dict[str, Any]:
        return {
            "level_percent": self.level_percent,
            "level": self.level_label,
            "reduction_percent": float(self.reduction_percent),
            "max_reduction_percent": float(MAX_REDUCTION),
            "unanswered": self.unanswered,
            "aspects": [
                {
                    "key": a.key,
                    "label": a.label,
                    "score_percent": None if a.score is None else int(a.score * 100),
                    "measures": [
                        {
                            "label": m.label,
                            "score_percent": None if m.score is None else int(m.score * 100),
                            "basis": m.basis,
                            "question": m.question,
                        }
                        for m in a.measures
                    ],
                }
                for a in self.aspects
            ],
        }


def _family(key: str) -> str:
    return key.split(":", 1)[0]


def _both(pairs: Any) -> tuple[int, int]:
    """From (record, standard key) rows: how many records touch both standards, of those
    touching either."""
    seen: dict[Any, set[str]] = defaultdict(set)
    for pk, key in pairs:
        if key:
            fam = _family(key)
            if fam in (ISMS, AIMS):
                seen[pk].add(fam)
    return sum(1 for fams in seen.values() if len(fams) == 2), len(seen)


def _ratio(label: str, aspect: str, both: int, total: int, noun: str, what: str) -> Measure:
    if not total:
        return Measure(aspect, label, None, f"no {noun} {what} yet")
    return Measure(aspect, label, Decimal(both) / Decimal(total), f"{both} of {total} {noun} {what}")


def assess(organisation: Organisation | None = None) -> Assessment:
    """Eight queries whatever the number of records."""
    docs = _both(
        DocumentRequirement.objects.exclude(document__status=DocumentStatus.RETIRED).values_list(
            "document_id", "requirement__standard__key"
        )
    )
    controls = _both(ControlLink.objects.values_list("control_id", "requirement__standard__key"))
    audits_by_req = list(Audit.objects.values_list("pk", "requirements__standard__key"))
    audits_by_ms = list(Audit.objects.values_list("pk", "management_systems__standards__key"))
    audits = _both(audits_by_req + audits_by_ms)
    roles = _both(MsRole.objects.values_list("pk", "standards__key"))
    role_systems = _both(
        MsRole.objects.filter(holder__isnull=False).values_list(
            "holder_id", "management_system__standards__key"
        )
    )
    answers = {
        a.question: a
        for a in IntegrationAnswer.objects.filter(**({"organisation": organisation} if organisation else {}))
    }
    measures = [
        _ratio(
            "Documents shared by both systems",
            "documentation",
            *docs,
            "documents",
            "answer requirements of both standards (of those answering either)",
        ),
        _ratio("Internal audits covering both", "audits", *audits, "internal audits", "cover both standards"),
        _ratio(
            "Controls serving both",
            "processes",
            *controls,
            "controls",
            "serve requirements of both standards (of those linked to either)",
        ),
        _ratio(
            "Roles shared by both systems",
            "responsibilities",
            *roles,
            "management-system roles",
            "are tagged with both standards",
        ),
        _ratio(
            "People holding roles in both",
            "responsibilities",
            *role_systems,
            "role holders",
            "hold roles in both systems",
        ),
    ]
    unanswered = []
    for q in QUESTIONS.values():
        a = answers.get(q.key)
        if a is None:
            unanswered.append(q.key)
            measures.append(Measure(q.aspect, q.text, None, "not answered yet", q.key))
        else:
            basis = f"answered {a.get_answer_display().lower()}" + (f": {a.note}" if a.note else "")
            measures.append(
                Measure(q.aspect, q.text, ANSWER_SCORE[IntegrationAnswerValue(a.answer)], basis, q.key)
            )
    aspects = [Aspect(k, label, [m for m in measures if m.aspect == k]) for k, label in ASPECTS.items()]
    return Assessment(aspects, unanswered)
