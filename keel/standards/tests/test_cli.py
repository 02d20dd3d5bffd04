"""``keel standards list`` and ``keel standards show``: the JSON shapes are a contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from keel.platform.choices import Role
from keel.platform.models import User
from keel.site.cli import main
from keel.standards.loader import read_all
from keel.standards.models import Requirement

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def test_list_json_gives_key_title_version_and_counts_by_kind(run: Run, db: Any) -> None:
    # When
    code, out, err = run("standards", "list", "--format", "json")

    # Then
    assert code == 0, err
    rows = json.loads(out)
    by_key = {r["key"]: r for r in rows}
    assert list(by_key) == ["iso27001:2022", "iso42001:2023"]
    for row in rows:
        assert {"key", "title", "version", "counts"} <= set(row)
        assert isinstance(row["version"], int) and row["version"] >= 1
        assert row["title"]
        assert set(row["counts"]) == {
            "clause",
            "annex_theme",
            "objective",
            "annex_control",
            "annex_c_objective",
            "annex_c_risk_source",
        }
    assert by_key["iso27001:2022"]["counts"]["annex_control"] == 93
    assert by_key["iso27001:2022"]["counts"]["annex_theme"] == 4
    assert by_key["iso42001:2023"]["counts"]["annex_control"] == 38
    assert by_key["iso42001:2023"]["counts"]["annex_theme"] == 9
    assert by_key["iso42001:2023"]["counts"]["annex_c_objective"] > 0
    assert by_key["iso42001:2023"]["counts"]["annex_c_risk_source"] > 0


def test_list_table_has_aligned_columns(run: Run, db: Any) -> None:
    code, out, _ = run("standards", "list")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split()[:2] == ["KEY", "VERSION"]
    assert [r.split()[0] for r in rows] == ["iso27001:2022", "iso42001:2023"]
    # Right-aligned numbers end where their heading ends.
    controls_end = header.index("CONTROLS") + len("CONTROLS")
    assert rows[0][:controls_end].endswith(" 93")
    assert rows[1][:controls_end].endswith(" 38")


def expected_entries(key: str) -> list[dict[str, Any]]:
    """What the data files say, in document order."""
    standards, _ = read_all()
    (std,) = [s for s in standards if s.key == key]
    return [
        {
            "key": e.key,
            "ref_id": e.ref_id,
            "title": e.title,
            "kind": e.kind,
            "parent": f"{key}:{e.parent_ref}" if e.parent_ref else None,
        }
        for e in std.entries
    ]


@pytest.mark.parametrize("key", ["iso27001:2022", "iso42001:2023"])
def test_show_json_gives_every_entry_with_id_title_kind_and_parent(run: Run, db: Any, key: str) -> None:
    # When
    code, out, err = run("standards", "show", key, "--format", "json")

    # Then the shape is the contract and every entry of the data files is there, in order
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"key", "name", "edition", "title", "version", "entries"}
    assert doc["key"] == key and doc["edition"] == key.split(":")[1]
    assert all(set(e) == {"key", "ref_id", "title", "kind", "parent"} for e in doc["entries"])
    assert doc["entries"] == expected_entries(key)


def test_show_json_examples(run: Run, db: Any) -> None:
    _, out, _ = run("standards", "show", "iso27001:2022", "--format", "json")
    entries = {e["ref_id"]: e for e in json.loads(out)["entries"]}
    assert entries["A.5.12"] == {
        "key": "iso27001:2022:A.5.12",
        "ref_id": "A.5.12",
        "title": "Classification of information",
        "kind": "annex_control",
        "parent": "iso27001:2022:A.5",
    }
    assert sum(1 for e in entries.values() if e["kind"] == "annex_control") == 93
    _, out, _ = run("standards", "show", "iso42001:2023", "--format", "json")
    kinds = [e["kind"] for e in json.loads(out)["entries"]]
    assert kinds.count("annex_control") == 38


def test_show_table_lists_every_entry(run: Run, db: Any) -> None:
    code, out, _ = run("standards", "show", "iso42001:2023")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("iso42001:2023 — ")
    assert lines[2].split() == ["KEY", "REF", "KIND", "PARENT", "TITLE"]
    keys = [line.split()[0] for line in lines[3:]]
    assert keys == [e["key"] for e in expected_entries("iso42001:2023")]


def test_show_hides_withdrawn_entries_unless_asked(run: Run, db: Any) -> None:
    # Given a withdrawn entry
    Requirement.objects.filter(key="iso27001:2022:A.5.12").update(
        withdrawn_at="2025-01-01T00:00:00Z", withdrawn_in_revision=2
    )
    # Then the default view leaves it out; --include-withdrawn marks it
    _, out, _ = run("standards", "show", "iso27001:2022", "--format", "json")
    assert "iso27001:2022:A.5.12" not in {e["key"] for e in json.loads(out)["entries"]}
    _, out, _ = run("standards", "show", "iso27001:2022", "--format", "json", "--include-withdrawn")
    entries = {e["key"]: e for e in json.loads(out)["entries"]}
    assert entries["iso27001:2022:A.5.12"]["withdrawn"] is True
    assert entries["iso27001:2022:A.5.1"]["withdrawn"] is False


def test_show_unknown_key_lists_the_known_keys(run: Run, db: Any) -> None:
    code, out, err = run("standards", "show", "iso9001:2015")
    assert code == 1
    assert out == ""
    line = err.strip()
    assert line.startswith("keel: error: ") and "\n" not in line
    assert "iso27001:2022" in line and "iso42001:2023" in line


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR, Role.CONTRIBUTOR])
def test_any_role_may_read_the_standards(run: Run, make_user: Callable[..., User], role: str) -> None:
    user = make_user(role)
    assert run("--as", user.email, "standards", "list")[0] == 0
    assert run("standards", "show", "iso27001:2022", "--as", user.email)[0] == 0


def test_a_user_without_any_role_may_not_read_the_standards(run: Run, make_user: Callable[..., User]) -> None:
    nobody = make_user()
    code, _, err = run("standards", "list", "--as", nobody.email)
    assert code == 1
    assert "not allowed" in err
