"""The shipped control-template library passes its own checks: it loads, it covers every
Annex A control and every clause of both standards, and where the standards meet one template
serves both."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from keel.controls.models import ControlTemplate, TemplateRequirement
from keel.controls.services import load_templates
from keel.controls.templates_loader import read_templates
from keel.platform.actor import Actor
from keel.standards.models import Requirement


@pytest.fixture
def loaded(db: Any) -> None:
    load_templates(Actor.system("test"))


def test_the_library_loads_and_only_links_requirements_that_exist(db: Any) -> None:
    known = set(Requirement.objects.values_list("key", flat=True))
    templates = read_templates(known_requirements=known)
    assert len(templates) >= 60


def test_every_annex_a_control_and_leaf_clause_of_both_standards_has_a_template(loaded: None) -> None:
    leaves = Requirement.objects.filter(kind="clause", children__isnull=True)
    controls = Requirement.objects.filter(kind="annex_control")
    required = set(leaves.values_list("key", flat=True)) | set(controls.values_list("key", flat=True))
    assert len(required) == 93 + 38 + 30 + 32  # controls, plus leaf clauses of 27001 and 42001
    covered = set(TemplateRequirement.objects.values_list("requirement__key", flat=True))
    assert sorted(required - covered) == []


def test_every_annex_a_control_is_fully_covered_by_some_template(loaded: None) -> None:
    full = set(TemplateRequirement.objects.filter(coverage="full").values_list("requirement__key", flat=True))
    controls = set(Requirement.objects.filter(kind="annex_control").values_list("key", flat=True))
    assert sorted(controls - full) == []


@pytest.mark.parametrize(
    "meeting_point, iso27001, iso42001",
    [
        ("suppliers", "A.5.19", "A.10.3"),
        ("incidents", "A.5.26", "A.8.4"),
        ("change", "A.8.32", "A.6.2.6"),
        ("logging", "A.8.15", "A.6.2.8"),
        ("data governance", "A.5.12", "A.7.2"),
        ("data deletion", "A.8.10", "A.7.2"),
        ("competence", "7.2", "7.2"),
        ("internal audit", "9.2.2", "9.2.2"),
        ("management review", "9.3.2", "9.3.2"),
        ("corrective action", "10.2", "10.2"),
    ],
)
def test_where_the_standards_meet_one_template_serves_both_and_says_what_42001_adds(
    loaded: None, meeting_point: str, iso27001: str, iso42001: str
) -> None:
    both = ControlTemplate.objects.filter(links__requirement__key=f"iso27001:2022:{iso27001}").filter(
        links__requirement__key=f"iso42001:2023:{iso42001}"
    )
    assert both.exists(), meeting_point
    assert all(t.ai_extension for t in both), meeting_point


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return set(zip(words, words[1:], words[2:], strict=False))


def test_every_template_is_written_for_itself(loaded: None) -> None:
    rows = list(ControlTemplate.objects.values_list("key", "title", "description"))
    assert len({r[1] for r in rows}) == len(rows), "duplicate titles"
    grams = {key: _trigrams(desc) for key, _title, desc in rows}
    for (a, ga), (b, gb) in itertools.combinations(grams.items(), 2):
        overlap = len(ga & gb) / max(1, len(ga | gb))
        assert overlap < 0.5, f"{a} and {b} read alike ({overlap:.2f})"
