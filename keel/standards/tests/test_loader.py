"""Loading the standards library from a copy of the data folder: idempotent, updates by key,
withdraws instead of deleting, and refuses malformed files without touching the database."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.errors import PermissionDenied
from keel.platform.libraries import SAFE_LOADER
from keel.platform.models import TrailEntry, User
from keel.standards.loader import DATA_DIR, StandardsDataError
from keel.standards.models import Requirement, Standard, VocabularyTerm
from keel.standards.queries import entries_for_show, requirements, standards_with_counts, tree
from keel.standards.services import load_library

KEY_27001 = "iso27001:2022"
KEY_42001 = "iso42001:2023"
A_8_34 = f"{KEY_27001}:A.8.34"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA_DIR, dest)
    return dest


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test-loader")


def edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    change(data)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")


def entry(data: dict[str, Any], ref: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in data["entries"] if e["ref"] == ref)
    return found


def set_revision(folder: Path, revision: int) -> None:
    edit(folder / "standard.yaml", lambda d: d.__setitem__("revision", revision))


def db_state() -> tuple[Any, ...]:
    return (
        list(
            Requirement.objects.order_by("key").values_list(
                "pk",
                "key",
                "title",
                "kind",
                "parent_id",
                "intent",
                "typical_evidence",
                "withdrawn_at",
                "withdrawn_in_revision",
            )
        ),
        list(Standard.objects.order_by("key").values_list("key", "revision", "title", "loaded_at")),
        list(VocabularyTerm.objects.order_by("pk").values_list("pk", "value", "description", "withdrawn_at")),
        TrailEntry.objects.count(),
    )


def last_load_of(key: str) -> dict[str, Any]:
    std = Standard.objects.get(key=key)
    entry = (
        TrailEntry.objects.filter(object_type="standards.standard", object_id=str(std.pk))
        .order_by("-seq")
        .first()
    )
    assert entry is not None and entry.action == "load"
    changes: dict[str, Any] = json.loads(entry.payload)["changes"]
    return changes


def test_given_the_same_files_when_loaded_again_then_nothing_changes(
    db: Any, data_dir: Path, actor: Actor
) -> None:
    # Given the test database already holds the shipped data
    before = db_state()

    # When loading an identical copy twice
    first = load_library(actor, data_dir=data_dir)
    second = load_library(actor, data_dir=data_dir)

    # Then no entry changed and nothing was written to the trail
    for report in [*first, *second]:
        assert not report.changed, report.as_dict()
        assert report.unchanged > 0
    assert db_state() == before


def test_given_a_changed_title_then_the_entry_is_updated_in_place_and_the_trail_lists_it(
    db: Any, data_dir: Path, actor: Actor
) -> None:
    # Given
    row = Requirement.objects.get(key=f"{KEY_27001}:A.5.12")
    edit(
        data_dir / "iso27001-2022" / "annex-a-5.yaml",
        lambda d: entry(d, "A.5.12").__setitem__("title", "Classification of information (revised)"),
    )

    # When
    reports = {r.key: r for r in load_library(actor, data_dir=data_dir)}

    # Then the same row (same primary key) carries the new title
    updated = Requirement.objects.get(key=f"{KEY_27001}:A.5.12")
    assert updated.pk == row.pk and updated.title == "Classification of information (revised)"
    assert "revised" in updated.search_text
    assert reports[KEY_27001].updated == [f"{KEY_27001}:A.5.12"]
    assert not reports[KEY_42001].changed
    changes = last_load_of(KEY_27001)
    assert changes["updated"] == [f"{KEY_27001}:A.5.12"]
    assert changes["created"] == [] and changes["withdrawn"] == []


def test_given_a_new_parent_then_the_entry_moves_and_is_reported(
    db: Any, data_dir: Path, actor: Actor
) -> None:
    # Given 7.5.2 of 42001 re-parented under 7 (a data correction)
    edit(data_dir / "iso42001-2023" / "clauses.yaml", lambda d: entry(d, "7.5.2").__setitem__("parent", "7"))

    # When
    reports = {r.key: r for r in load_library(actor, data_dir=data_dir)}

    # Then
    moved = Requirement.objects.select_related("parent").get(key=f"{KEY_42001}:7.5.2")
    assert moved.parent is not None and moved.parent.ref_id == "7" and moved.depth == 1
    assert reports[KEY_42001].updated == [f"{KEY_42001}:7.5.2"]
    assert reports[KEY_42001].unchanged == len(Requirement.objects.filter(standard__key=KEY_42001)) - 1


def test_given_an_entry_dropped_by_a_newer_revision_then_it_is_withdrawn_not_deleted_and_comes_back(
    db: Any, data_dir: Path, actor: Actor
) -> None:
    # Given revision 2 drops A.8.34
    folder = data_dir / "iso27001-2022"
    original = (folder / "annex-a-6-8.yaml").read_text(encoding="utf-8")
    pk = Requirement.objects.get(key=A_8_34).pk
    edit(
        folder / "annex-a-6-8.yaml",
        lambda d: d.__setitem__("entries", [e for e in d["entries"] if e["ref"] != "A.8.34"]),
    )
    set_revision(folder, 2)

    # When
    reports = {r.key: r for r in load_library(actor, data_dir=data_dir)}

    # Then the row is still there, marked withdrawn in revision 2
    row = Requirement.objects.get(key=A_8_34)
    assert (
        row.pk == pk and row.withdrawn_in_revision == 2 and row.withdrawn_at is not None and row.is_withdrawn
    )
    assert reports[KEY_27001].withdrawn == [A_8_34]
    assert last_load_of(KEY_27001)["withdrawn"] == [A_8_34]
    assert Standard.objects.get(key=KEY_27001).revision == 2
    # and the default queries leave it out
    assert not requirements(standard=KEY_27001).filter(key=A_8_34).exists()
    assert requirements(standard=KEY_27001, include_withdrawn=True).filter(key=A_8_34).exists()
    counts = {s["key"]: s["counts"] for s in standards_with_counts()}
    assert counts[KEY_27001]["annex_control"] == 92
    std = Standard.objects.get(key=KEY_27001)
    assert A_8_34 not in {n.requirement.key for theme in tree(std) for n in theme.children}
    shown = {e["key"]: e for e in entries_for_show(std)}
    assert shown[A_8_34]["withdrawn"] is True

    # When loaded again unchanged: nothing more happens
    trail_count = TrailEntry.objects.count()
    assert not any(r.changed for r in load_library(actor, data_dir=data_dir))
    assert TrailEntry.objects.count() == trail_count

    # When revision 3 brings it back
    (folder / "annex-a-6-8.yaml").write_text(original, encoding="utf-8")
    set_revision(folder, 3)
    reports = {r.key: r for r in load_library(actor, data_dir=data_dir)}

    # Then it is restored in place
    row = Requirement.objects.get(key=A_8_34)
    assert row.pk == pk and row.withdrawn_at is None and row.withdrawn_in_revision is None
    assert reports[KEY_27001].restored == [A_8_34] and not reports[KEY_27001].updated
    assert last_load_of(KEY_27001)["restored"] == [A_8_34]
    assert requirements(standard=KEY_27001, kind="annex_control").count() == 93


def test_given_a_new_entry_then_it_is_created_with_the_revision_that_introduced_it(
    db: Any, data_dir: Path, actor: Actor
) -> None:
    folder = data_dir / "iso42001-2023"

    def add(d: dict[str, Any]) -> None:
        d["entries"].append(
            {
                "ref": "C.3.8",
                "title": "Test-only risk source",
                "kind": "annex_c_risk_source",
                "guidance": {
                    "intent": "Only for this test.",
                    "auditor_focus": "Nothing.",
                    "typical_evidence": ["A test record"],
                },
            }
        )

    edit(folder / "annex-c.yaml", add)
    set_revision(folder, 2)
    reports = {r.key: r for r in load_library(actor, data_dir=data_dir)}
    row = Requirement.objects.get(key=f"{KEY_42001}:C.3.8")
    assert row.introduced_in_revision == 2 and row.parent is None
    assert reports[KEY_42001].created == [f"{KEY_42001}:C.3.8"]


# ---------------------------------------------------------------- malformed files load nothing


def _bad_yaml(d: Path) -> None:
    (d / "iso42001-2023" / "annex-c.yaml").write_text(
        "entries:\n  - ref: C.2.1\n    title: [unclosed\n", encoding="utf-8"
    )


def _unknown_kind(d: Path) -> None:
    edit(
        d / "iso27001-2022" / "annex-a-5.yaml", lambda x: entry(x, "A.5.12").__setitem__("kind", "annex_wish")
    )


def _missing_guidance(d: Path) -> None:
    edit(d / "iso42001-2023" / "annex-a.yaml", lambda x: entry(x, "A.7.4").pop("guidance"))


def _empty_intent(d: Path) -> None:
    edit(
        d / "iso42001-2023" / "annex-a.yaml",
        lambda x: entry(x, "A.7.5")["guidance"].__setitem__("intent", " "),
    )


def _missing_parent(d: Path) -> None:
    edit(d / "iso27001-2022" / "annex-a-6-8.yaml", lambda x: entry(x, "A.7.3").__setitem__("parent", "A.99"))


def _duplicate_ref(d: Path) -> None:
    source = yaml.safe_load((d / "iso27001-2022" / "annex-a-5.yaml").read_text(encoding="utf-8"))
    copy = dict(entry(source, "A.5.7"))
    edit(d / "iso27001-2022" / "annex-a-6-8.yaml", lambda x: x["entries"].append(copy))


def _unknown_field(d: Path) -> None:
    edit(d / "iso42001-2023" / "clauses.yaml", lambda x: entry(x, "6.1.4").__setitem__("colour", "blue"))


def _undeclared_amendment(d: Path) -> None:
    edit(
        d / "iso42001-2023" / "clauses.yaml",
        lambda x: entry(x, "4.3").__setitem__("amendments", ["Amd9:2031"]),
    )


def _hs_key_on_control(d: Path) -> None:
    edit(
        d / "iso27001-2022" / "annex-a-5.yaml",
        lambda x: entry(x, "A.5.1").update({"hs_key": "hs:5.2", "hs_relation": "shared"}),
    )


@pytest.mark.parametrize(
    "break_it, file, entry_ref, reason",
    [
        (_bad_yaml, "iso42001-2023/annex-c.yaml", None, "not valid YAML"),
        (_unknown_kind, "iso27001-2022/annex-a-5.yaml", "A.5.12", "annex_wish"),
        (_missing_guidance, "iso42001-2023/annex-a.yaml", "A.7.4", "missing 'guidance'"),
        (_empty_intent, "iso42001-2023/annex-a.yaml", "A.7.5", "'intent' is empty"),
        (_missing_parent, "iso27001-2022/annex-a-6-8.yaml", "A.7.3", "parent 'A.99' does not exist"),
        (
            _duplicate_ref,
            "iso27001-2022/annex-a-6-8.yaml",
            "A.5.7",
            "duplicate ref (also in iso27001-2022/annex-a-5.yaml)",
        ),
        (_unknown_field, "iso42001-2023/clauses.yaml", "6.1.4", "unknown field(s) ['colour']"),
        (_undeclared_amendment, "iso42001-2023/clauses.yaml", "4.3", "Amd9:2031"),
        (_hs_key_on_control, "iso27001-2022/annex-a-5.yaml", "A.5.1", "only clauses"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_given_a_malformed_file_then_the_error_names_file_and_entry_and_nothing_is_loaded(
    db: Any,
    data_dir: Path,
    actor: Actor,
    break_it: Callable[[Path], None],
    file: str,
    entry_ref: str | None,
    reason: str,
) -> None:
    # Given a valid change in one standard and a broken file somewhere
    edit(
        data_dir / "iso42001-2023" / "annex-a.yaml",
        lambda d: entry(d, "A.2.2").__setitem__("title", "AI policy (should not be loaded)"),
    )
    break_it(data_dir)
    before = db_state()

    # When
    with pytest.raises(StandardsDataError) as exc:
        load_library(actor, data_dir=data_dir)

    # Then the message names the file, the entry and the problem
    problem = next((p for p in exc.value.problems if reason in p), None)
    assert problem is not None, exc.value.problems
    assert problem.startswith(file), problem
    if entry_ref is not None:
        assert f"entry {entry_ref!r}" in problem
    assert file in str(exc.value)
    # and the database is exactly as before (the valid change was not loaded either)
    assert db_state() == before
    assert Requirement.objects.get(key=f"{KEY_42001}:A.2.2").title == "AI policy"


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"owner": "x"}, "unknown field(s) ['owner']"),
        ({"revision": "two"}, "'revision' must be a positive whole number"),
        ({"key": "iso27001:2013"}, "must end with the edition ':2022'"),
        ({"files": []}, "missing 'files'"),
    ],
)
def test_given_a_malformed_standard_yaml_then_nothing_is_loaded(
    db: Any, data_dir: Path, actor: Actor, change: dict[str, Any], reason: str
) -> None:
    edit(data_dir / "iso27001-2022" / "standard.yaml", lambda d: d.update(change))
    before = db_state()
    with pytest.raises(StandardsDataError) as exc:
        load_library(actor, data_dir=data_dir)
    assert any(p.startswith("iso27001-2022/standard.yaml") and reason in p for p in exc.value.problems), (
        exc.value.problems
    )
    assert db_state() == before


def test_given_several_problems_then_all_are_reported_at_once(db: Any, data_dir: Path, actor: Actor) -> None:
    _unknown_kind(data_dir)
    _missing_guidance(data_dir)
    with pytest.raises(StandardsDataError) as exc:
        load_library(actor, data_dir=data_dir)
    assert len(exc.value.problems) >= 2


def test_given_a_user_without_load_permission_then_nothing_is_loaded(
    db: Any, data_dir: Path, make_user: Callable[..., User]
) -> None:
    manager = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER), Channel.CLI)
    edit(
        data_dir / "iso42001-2023" / "annex-a.yaml",
        lambda d: entry(d, "A.2.2").__setitem__("title", "Changed"),
    )
    before = db_state()
    with pytest.raises(PermissionDenied):
        load_library(manager, data_dir=data_dir)
    assert db_state() == before
