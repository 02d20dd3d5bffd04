"""``keel import controls|soa``: exit codes, the JSON report and the readable table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.site.cli import main
from keel.soa.models import SoARow

pytestmark = pytest.mark.django_db

GOOD = "Register\n\nControl ID;Control Name;Status;ISO 27001 reference\nKC-1;Accès;Done;A.5.15\nKC-2;Backups;Planned;A.12.3.1\n"
BAD = GOOD + "KC-3;Broken;Maybe;A.99.1\n"  # an unknown requirement rejects; an unknown status does not


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("good", GOOD), ("bad", BAD)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_bytes(text.encode("cp1252"))
    return paths


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_every_row_accepted_exits_0_and_re_import_changes_nothing(
    isms: ManagementSystem, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["import", "controls", str(files["good"]), "--management-system", "isms"], capsys)
    assert code == 0 and "Imported." in out and "2 to create" in out
    assert Control.objects.count() == 2
    code, out, _ = run(["import", "controls", str(files["good"]), "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 0 and report["summary"]["unchanged"] == 2 and report["applied"]


def test_rejected_rows_exit_1_and_change_nothing(
    isms: ManagementSystem, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["import", "controls", str(files["bad"]), "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 1 and not report["applied"] and Control.objects.count() == 0
    assert (
        report["rejected"] == [{"row": 6, "ref": "KC-3", "reason": report["rejected"][0]["reason"]}]
        and "'A.99.1'" in report["rejected"][0]["reason"]
    )
    assert "1 row(s) rejected" in err


def test_only_valid_imports_the_rest_and_still_exits_1(
    isms: ManagementSystem, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["import", "controls", str(files["bad"]), "--only-valid"], capsys)
    assert code == 1 and "Rejected rows were skipped" in out
    assert Control.objects.count() == 2


def test_dry_run_prints_the_plan_and_changes_nothing(
    isms: ManagementSystem, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["import", "controls", str(files["good"]), "--dry-run"], capsys)
    assert code == 0 and "Dry run: nothing was changed." in out
    assert "cp1252" in out and "header on row 3" in out
    assert "A.9" not in out and "2013 numbering" in out
    assert Control.objects.count() == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "controls", "/nonexistent/file.csv"], "cannot read"),
        (["import", "controls", "{good}", "--map", "Nope=ref"], "not in the header"),
        (["import", "controls", "{good}", "--map", "Status=colour"], "unknown field"),
        (["import", "controls", "{good}", "--standard", "iso9999"], "not a loaded standard"),
        (["import", "controls", "{empty}"], "empty"),
        (["import", "soa", "{good}"], "required"),
    ],
)
def test_bad_files_and_arguments_exit_2(
    isms: ManagementSystem,
    files: dict[str, Path],
    tmp_path: Path,
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    argv = [a.format(good=files["good"], empty=tmp_path / "empty.csv") for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 2 and message in err and not out


def test_map_names_a_column_the_importer_does_not_know(
    isms: ManagementSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.csv"
    path.write_text("Nummer,Bezeichnung,Verantwortlich\nK-1,Zugang,\n", encoding="utf-8")
    code, _, _ = run(["import", "controls", str(path), "--map", "Nummer=ref", "Bezeichnung=title"], capsys)
    assert code == 0 and Control.objects.get().title == "Zugang"


def test_importing_as_a_user_without_edit_controls_is_refused(
    isms: ManagementSystem,
    files: dict[str, Path],
    make_user: Callable[..., User],
    capsys: pytest.CaptureFixture[str],
) -> None:
    viewer = make_user(Role.VIEWER)
    code, out, err = run(["import", "controls", str(files["good"]), "--as", viewer.email], capsys)
    assert code == 1 and "is not allowed to" in err and not out


# ---------------------------------------------------------------- SoA


SOA = (
    "Statement of Applicability — v3\n"
    "Annex A control,Title,Applicable?,Justification,Implementation status\n"
    "A.5.1,Policies,Yes,Customer contracts require it,Implemented\n"
    'A.7.4,Physical monitoring,No,"No offices, fully remote",N/A\n'
    "5.15,Access,Y,,Planned\n"
)


def test_soa_import_creates_the_soa_and_sets_its_rows(
    isms: ManagementSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "soa.csv"
    path.write_text(SOA, encoding="utf-8")
    code, out, _ = run(["import", "soa", str(path), "--standard", "iso27001:2022", "--dry-run"], capsys)
    assert code == 0 and "Dry run" in out and not SoARow.objects.exists()

    code, out, _ = run(
        ["import", "soa", str(path), "--standard", "iso27001:2022", "--format", "json"], capsys
    )
    report = json.loads(out)
    assert code == 0 and report["applied"] and report["summary"]["updated"] == 3
    rows = {r.requirement.ref_id: r for r in SoARow.objects.select_related("requirement")}
    assert len(rows) == 93
    assert (rows["A.7.4"].applicable, rows["A.7.4"].justification) == (False, "No offices, fully remote")
    assert rows["A.5.1"].business_need == "Customer contracts require it"
    assert (rows["A.5.1"].status_override, rows["A.5.15"].status_override) == ("implemented", "planned")
    assert "soa.csv" in rows["A.5.1"].override_reason

    code, out, _ = run(
        ["import", "soa", str(path), "--standard", "iso27001:2022", "--format", "json"], capsys
    )
    assert code == 0 and json.loads(out)["summary"]["unchanged"] == 3


def test_soa_import_with_a_bad_row_changes_nothing(
    isms: ManagementSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "soa.csv"
    path.write_text(SOA + "A.7.5,Environment,No,,\nA.99.9,Nope,Yes,,\n", encoding="utf-8")
    code, out, _ = run(
        ["import", "soa", str(path), "--standard", "iso27001:2022", "--format", "json"], capsys
    )
    report = json.loads(out)
    assert code == 1 and not SoARow.objects.exists()
    assert [(r["row"], r["ref"]) for r in report["rejected"]] == [(6, "A.7.5"), (7, "A.99.9")]
    assert "needs a justification" in report["rejected"][0]["reason"]
