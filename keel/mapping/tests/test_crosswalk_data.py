"""The shipped 27001 → 42001 crosswalk is complete and keeps its rules.

These tests read the data files only (no database): they fail as soon as someone drops a
target entry, removes an extension note or makes an AI-specific clause "equal".
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from keel.mapping.loader import (
    CROSSWALKS_DIR,
    CrosswalkData,
    CrosswalkDataError,
    EntryInfo,
    entries_from_standards,
    read_crosswalk,
    read_crosswalks,
)
from keel.standards.loader import read_all

SHIPPED = CROSSWALKS_DIR / "iso27001-2022--iso42001-2023.yaml"


@pytest.fixture(scope="module")
def entries() -> dict[str, EntryInfo]:
    standards, _ = read_all()
    return entries_from_standards(standards)


@pytest.fixture(scope="module")
def shipped(entries: dict[str, EntryInfo]) -> CrosswalkData:
    return read_crosswalk(SHIPPED, entries)


def test_the_shipped_folder_reads_without_problems(entries: dict[str, EntryInfo]) -> None:
    keys = [cw.key for cw in read_crosswalks(CROSSWALKS_DIR, entries)]
    assert "iso27001-2022--iso42001-2023" in keys


def test_every_42001_entry_appears_as_a_target(shipped: CrosswalkData, entries: dict[str, EntryInfo]) -> None:
    target_entries = {k for k, e in entries.items() if e.standard == "iso42001:2023"}
    named = {r.target_key for r in shipped.relations}
    assert target_entries - named == set()
    # Every clause and all 38 Annex A controls, counted from the data, not from this test.
    kinds = Counter(entries[k].kind for k in named)
    assert kinds["annex_control"] == 38
    assert kinds["clause"] == sum(
        1 for e in entries.values() if e.standard == "iso42001:2023" and e.kind == "clause"
    )


def test_every_subset_or_intersects_relation_says_what_to_add(shipped: CrosswalkData) -> None:
    for r in shipped.relations:
        if r.relation in ("subset", "intersects"):
            assert len(r.extension) > 20, f"{r.source_key} → {r.target_key} has no real extension note"
        assert len(r.rationale) > 20, f"{r.source_key} → {r.target_key} has no real rationale"


@pytest.mark.parametrize("ref", ["4.1", "5.2", "6.1.1", "6.1.2", "6.1.3", "8.2", "8.3", "6.1.4", "8.4"])
def test_clauses_where_42001_adds_ai_content_are_never_equal(shipped: CrosswalkData, ref: str) -> None:
    key = f"iso42001:2023:{ref}"
    relations = [r for r in shipped.relations if r.target_key == key]
    assert relations, f"{ref} is missing"
    assert all(r.relation != "equal" for r in relations)
    assert key in shipped.never_equal


def test_the_impact_assessment_has_no_27001_counterpart(shipped: CrosswalkData) -> None:
    for ref in ("6.1.4", "8.4", "A.5.2"):
        (rel,) = [r for r in shipped.relations if r.target_key == f"iso42001:2023:{ref}"]
        assert (rel.relation, rel.source_key) == ("not_related", None)


def test_the_annex_a_meeting_points_are_related(shipped: CrosswalkData) -> None:
    pairs = {(r.source_key, r.target_key): r.relation for r in shipped.relations}
    for source, target in [
        ("A.5.19", "A.10.3"),  # suppliers
        ("A.5.24", "A.8.4"),  # incidents
        ("A.8.32", "A.6.2.5"),  # change
        ("A.8.15", "A.6.2.8"),  # logging
        ("A.5.37", "A.6.2.7"),  # documentation
        ("7.2", "A.4.6"),  # competence
        ("A.5.1", "A.2.2"),  # policies
        ("A.5.2", "A.3.2"),  # roles
        ("A.6.8", "A.3.3"),  # reporting concerns
        ("A.5.12", "A.7.2"),  # data governance
        ("A.8.11", "A.7.6"),
    ]:
        assert (f"iso27001:2022:{source}", f"iso42001:2023:{target}") in pairs, (source, target)


def test_the_shared_backbone_is_mostly_equal(shipped: CrosswalkData) -> None:
    by_target = {r.target_key: r.relation for r in shipped.relations if r.source_key}
    for ref in (
        "4.2",
        "5.1",
        "5.3",
        "7.2",
        "7.3",
        "7.4",
        "7.5.1",
        "7.5.2",
        "7.5.3",
        "9.2.1",
        "9.2.2",
        "10.1",
        "10.2",
    ):
        assert by_target[f"iso42001:2023:{ref}"] == "equal", ref


# ---------------------------------------------------------------- the checks catch broken files


def _write_variant(tmp_path: Path, change: object) -> Path:
    doc = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    change(doc)  # type: ignore[operator]
    path = tmp_path / SHIPPED.name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _problems(path: Path, entries: dict[str, EntryInfo]) -> str:
    with pytest.raises(CrosswalkDataError) as info:
        read_crosswalk(path, entries)
    return "\n".join(info.value.problems)


def test_dropping_a_target_entry_makes_the_file_incomplete(
    tmp_path: Path, entries: dict[str, EntryInfo]
) -> None:
    path = _write_variant(
        tmp_path, lambda d: d.update(relations=[r for r in d["relations"] if r["target"] != "A.7.4"])
    )
    problems = _problems(path, entries)
    assert "crosswalks/iso27001-2022--iso42001-2023.yaml: incomplete: 1 iso42001:2023 entry" in problems
    assert "(A.7.4)" in problems


def test_an_intersects_without_extension_is_refused(tmp_path: Path, entries: dict[str, EntryInfo]) -> None:
    def change(d: dict) -> None:  # type: ignore[type-arg]
        for r in d["relations"]:
            if r["source"] == "A.5.19" and r["target"] == "A.10.3":
                r["extension"] = ""

    problems = _problems(_write_variant(tmp_path, change), entries)
    assert "(A.5.19 → A.10.3): a intersects relation needs an extension note" in problems


def test_equal_on_an_ai_clause_is_refused(tmp_path: Path, entries: dict[str, EntryInfo]) -> None:
    def change(d: dict) -> None:  # type: ignore[type-arg]
        for r in d["relations"]:
            if r["target"] in ("4.1", "8.2"):
                r["relation"] = "equal"

    problems = _problems(_write_variant(tmp_path, change), entries)
    assert "(4.1 → 4.1): 4.1 adds content the source does not have and may not be 'equal'" in problems
    # 8.2 is a parallel clause of the harmonised structure: refused even if never_equal forgot it
    assert "(8.2 → 8.2): 8.2 adds content" in problems


def test_unknown_ids_duplicates_and_a_related_entry_without_source_are_named(
    tmp_path: Path, entries: dict[str, EntryInfo]
) -> None:
    def change(d: dict) -> None:  # type: ignore[type-arg]
        d["relations"].append(
            {
                "source": "A.5.99",
                "target": "A.10.3",
                "relation": "intersects",
                "rationale": "x",
                "extension": "y",
            }
        )
        d["relations"].append(
            {
                "source": "A.5.19",
                "target": "A.99.9",
                "relation": "intersects",
                "rationale": "x",
                "extension": "y",
            }
        )
        d["relations"].append(dict(d["relations"][1]))
        d["relations"].append(
            {
                "source": None,
                "target": "A.7.6",
                "relation": "intersects",
                "rationale": "x",
                "extension": "y",
            }
        )
        d["relations"].append({"source": "A.5.1", "target": "A.2.4", "relation": "kind-of", "rationale": "x"})
        d["colour"] = "blue"

    problems = _problems(_write_variant(tmp_path, change), entries)
    assert "source 'A.5.99' is not an entry of iso27001:2022" in problems
    assert "target 'A.99.9' is not an entry of iso42001:2023" in problems
    assert "(4.1 → 4.1): duplicate of relation 2" in problems
    assert "(— → A.7.6): a intersects relation needs a source entry" in problems
    assert "relation 'kind-of' is not one of equal, subset, superset, intersects, not_related" in problems
    assert "unknown field(s) ['colour']" in problems


def test_a_target_both_related_and_not_related_is_refused(
    tmp_path: Path, entries: dict[str, EntryInfo]
) -> None:
    def change(d: dict) -> None:  # type: ignore[type-arg]
        d["relations"].append(
            {
                "source": "A.5.1",
                "target": "6.1.4",
                "relation": "intersects",
                "rationale": "x",
                "extension": "y",
            }
        )

    problems = _problems(_write_variant(tmp_path, change), entries)
    assert "6.1.4 is marked not_related and also related to a source entry" in problems
