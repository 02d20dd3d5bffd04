"""The classification questionnaire, read from ``data/questionnaire.yaml`` (our own wording; the
file says how each section is used). Read once and cached: the file ships with the code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"
KINDS = frozenset(
    {
        "scope",
        "context",
        "prohibited",
        "annex_i",
        "annex_iii",
        "derogation",
        "profiling",
        "transparency",
        "gpai",
    }
)


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    kind: str
    ref: str
    text: str
    explain: str
    point: str = ""  # Annex III point ("5(b)") or Art. 50 paragraph ("50(1)")
    area: str = ""  # Annex III area number


@dataclass(frozen=True)
class Section:
    key: str
    kind: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    version: str
    sections: tuple[Section, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    def of_kind(self, kind: str) -> list[Question]:
        return [q for q in self.questions if q.kind == kind]


def parse(raw: dict[str, Any]) -> Questionnaire:
    """Build the questionnaire from the parsed YAML; a malformed file raises ``ValueError``
    naming the entry."""
    sections = []
    seen: set[str] = set()
    for s in raw.get("sections", []):
        kind = s.get("kind", "")
        if kind not in KINDS:
            raise ValueError(f"questionnaire section {s.get('key')!r}: unknown kind {kind!r}")
        questions = []
        for q in s.get("questions", []):
            key = str(q.get("key", ""))
            if not key or key in seen:
                raise ValueError(f"questionnaire section {s['key']!r}: missing or repeated key {key!r}")
            if not q.get("text") or not q.get("explain") or not q.get("ref"):
                raise ValueError(f"questionnaire question {key!r}: text, explain and ref are required")
            if kind in ("annex_iii", "transparency") and not q.get("point"):
                raise ValueError(f"questionnaire question {key!r}: a {kind} question names its point")
            seen.add(key)
            questions.append(
                Question(
                    key=key,
                    section=str(s["key"]),
                    kind=kind,
                    ref=str(q["ref"]),
                    text=str(q["text"]),
                    explain=str(q["explain"]),
                    point=str(q.get("point", "")),
                    area=str(q.get("area", "")),
                )
            )
        sections.append(Section(str(s["key"]), kind, str(s["title"]), tuple(questions)))
    if not raw.get("version"):
        raise ValueError("questionnaire: version is required")
    return Questionnaire(version=str(raw["version"]), sections=tuple(sections))


@cache
def current() -> Questionnaire:
    with (DATA / "questionnaire.yaml").open(encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh))
