"""Loading the shipped crosswalks: idempotent, all-or-nothing, withdraw and restore, people's
edits kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from keel.mapping.choices import Origin
from keel.mapping.loader import CROSSWALKS_DIR, CrosswalkDataError
from keel.mapping.models import Crosswalk, CrosswalkRelation
from keel.mapping.services import load_crosswalks
from keel.platform.actor import Actor
from keel.platform.errors import PermissionDenied
from keel.platform.models import TrailEntry

KEY = "iso27001-2022--iso42001-2023"
FILE = f"{KEY}.yaml"


def _folder(tmp_path: Path, change: Any = None) -> Path:
    folder = tmp_path / "crosswalks"
    folder.mkdir(exist_ok=True)
    doc = yaml.safe_load((CROSSWALKS_DIR / FILE).read_text(encoding="utf-8"))
    if change is not None:
        change(doc)
    (folder / FILE).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _rel(source: str | None, target: str) -> CrosswalkRelation:
    return CrosswalkRelation.objects.get(
        crosswalk__key=KEY,
        source__key=f"iso27001:2022:{source}" if source else None,
        target__key=f"iso42001:2023:{target}",
    )


def test_the_test_database_holds_the_shipped_crosswalk(db: Any) -> None:
    cw = Crosswalk.objects.get(key=KEY)
    assert (cw.source.key, cw.target.key, cw.origin) == ("iso27001:2022", "iso42001:2023", Origin.SHIPPED)
    assert cw.relations.filter(withdrawn_at__isnull=True).count() == cw.relations.count() > 100
    assert cw.data_source == f"crosswalks/{FILE}"


def test_loading_again_changes_nothing_and_writes_no_trail(db: Any, system_actor: Actor) -> None:
    before = TrailEntry.objects.count()
    (report,) = load_crosswalks(system_actor)
    assert (
        not report.changed
        and report.unchanged == CrosswalkRelation.objects.filter(crosswalk__key=KEY).count()
    )
    assert report.targets == 118
    assert TrailEntry.objects.count() == before


def test_a_newer_revision_updates_withdraws_and_later_restores(
    db: Any, system_actor: Actor, tmp_path: Path
) -> None:
    # Given a revision 2 that drops one relation and rewords another
    def change(d: dict[str, Any]) -> None:
        d["revision"] = 2
        d["relations"] = [
            r for r in d["relations"] if not (r["source"] == "A.5.23" and r["target"] == "A.10.3")
        ]
        for r in d["relations"]:
            if r["source"] == "A.8.15":
                r["rationale"] = "Reworded rationale for logging."

    # When it is loaded
    (report,) = load_crosswalks(system_actor, _folder(tmp_path, change))

    # Then the dropped relation is withdrawn (kept in the database), the other one updated
    assert report.withdrawn == ["iso27001:2022:A.5.23 → iso42001:2023:A.10.3"]
    assert report.updated == ["iso27001:2022:A.8.15 → iso42001:2023:A.6.2.8"]
    assert _rel("A.5.23", "A.10.3").withdrawn_at is not None
    assert _rel("A.8.15", "A.6.2.8").rationale == "Reworded rationale for logging."
    assert Crosswalk.objects.get(key=KEY).revision == 2
    entry = TrailEntry.objects.order_by("-seq").first()
    assert (
        entry is not None
        and entry.action == "load"
        and entry.object_id == str(Crosswalk.objects.get(key=KEY).pk)
    )

    # When the shipped file (which has it) is loaded again, it comes back
    (report,) = load_crosswalks(system_actor)
    assert report.restored == ["iso27001:2022:A.5.23 → iso42001:2023:A.10.3"]
    assert _rel("A.5.23", "A.10.3").withdrawn_at is None


def test_a_relation_a_person_edited_is_kept_as_they_left_it(
    db: Any, system_actor: Actor, tmp_path: Path
) -> None:
    # Given a person's edit of one shipped relation and a person's withdrawal of another
    CrosswalkRelation.objects.filter(pk=_rel("A.5.21", "A.10.3").pk).update(
        relation="subset", rationale="Our supply-chain checks already cover models.", edited=True
    )
    withdrawn = _rel("A.5.5", "A.8.5")
    CrosswalkRelation.objects.filter(pk=withdrawn.pk).update(withdrawn_at="2026-01-01T00:00:00Z", edited=True)

    # When a newer revision rewrites both and drops the first
    def change(d: dict[str, Any]) -> None:
        d["revision"] = 2
        d["relations"] = [r for r in d["relations"] if r["source"] != "A.5.21"]
        for r in d["relations"]:
            if r["source"] == "A.5.5" and r["target"] == "A.8.5":
                r["rationale"] = "New shipped wording."

    (report,) = load_crosswalks(system_actor, _folder(tmp_path, change))

    # Then neither is touched
    edited = _rel("A.5.21", "A.10.3")
    assert (edited.relation, edited.rationale, edited.withdrawn_at) == (
        "subset",
        "Our supply-chain checks already cover models.",
        None,
    )
    assert _rel("A.5.5", "A.8.5").withdrawn_at is not None
    assert _rel("A.5.5", "A.8.5").rationale != "New shipped wording."
    assert report.kept == ["iso27001:2022:A.5.5 → iso42001:2023:A.8.5"]
    assert not report.withdrawn


def test_a_broken_file_loads_nothing(db: Any, system_actor: Actor, tmp_path: Path) -> None:
    # Given a folder with a valid change to the shipped file and a second, broken crosswalk
    def change(d: dict[str, Any]) -> None:
        for r in d["relations"]:
            if r["source"] == "A.8.15":
                r["rationale"] = "Should not be loaded."

    folder = _folder(tmp_path, change)
    broken = yaml.safe_load((CROSSWALKS_DIR / FILE).read_text(encoding="utf-8"))
    broken["key"] = "broken"
    broken["relations"] = broken["relations"][:3]
    (folder / "broken.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    trail_before = TrailEntry.objects.count()

    # When / Then
    with pytest.raises(CrosswalkDataError) as info:
        load_crosswalks(system_actor, folder)
    assert any(p.startswith("crosswalks/broken.yaml: incomplete: ") for p in info.value.problems)
    assert _rel("A.8.15", "A.6.2.8").rationale != "Should not be loaded."
    assert not Crosswalk.objects.filter(key="broken").exists()
    assert TrailEntry.objects.count() == trail_before


def test_loading_needs_the_load_permission(db: Any, make_user: Any, tmp_path: Path) -> None:
    from keel.platform.choices import Role

    viewer = make_user(Role.VIEWER)
    with pytest.raises(PermissionDenied):
        load_crosswalks(Actor.for_user(viewer, "cli"), shutil.copytree(CROSSWALKS_DIR, tmp_path / "x"))
