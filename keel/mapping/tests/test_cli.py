"""``keel crosswalk list|export|import`` and the CSV round trip behind them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keel.mapping.models import Crosswalk, CrosswalkRelation
from keel.platform.models import TrailEntry
from keel.site.cli import main

KEY = "iso27001-2022--iso42001-2023"
pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str, name: str = "x.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_list_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "crosswalk", "list", "--format", "json")
    assert code == 0
    (item,) = [c for c in json.loads(out) if c["key"] == KEY]
    assert item["counts"] == {"equal": 27, "subset": 5, "superset": 0, "intersects": 54, "not_related": 56}
    assert (item["targets_covered"], item["targets_total"], item["completeness"]) == (118, 118, 1.0)


def test_export_then_import_unchanged_is_a_no_op(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "cw.csv"
    code, _, err = run(capsys, "crosswalk", "export", KEY, "--out", str(out_file))
    assert code == 0 and "Wrote 142 relations" in err
    before = TrailEntry.objects.count()
    code, out, _ = run(capsys, "crosswalk", "import", str(out_file), "--key", KEY)
    assert code == 0
    assert "142 rows: 0 to create, 0 to update, 142 unchanged, 0 rejected." in out
    assert TrailEntry.objects.count() == before


def test_import_into_a_new_crosswalk_with_dry_run_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Given a small file between 42001 and 27001, entries by ref id and by key
    path = write(
        tmp_path,
        "source,target,relation,rationale,extension\n"
        "A.10.3,A.5.19,Intersects with,Suppliers on both sides.,Add security review.\n"
        "iso42001:2023:A.6.2.8,iso27001:2022:A.8.15,subset,AI logs are logs.,Add protection of logs.\n"
        ",A.7.1,not related,Physical perimeters have no AI counterpart.,\n",
    )
    # When run dry
    code, out, _ = run(
        capsys,
        "crosswalk",
        "import",
        path,
        "--key",
        "ai-to-sec",
        "--source",
        "iso42001:2023",
        "--target",
        "iso27001:2022",
        "--dry-run",
    )
    # Then nothing changes
    assert code == 0 and "3 rows: 3 to create" in out and "Dry run" in out
    assert not Crosswalk.objects.filter(key="ai-to-sec").exists()

    # When imported
    code, out, _ = run(
        capsys,
        "crosswalk",
        "import",
        path,
        "--key",
        "ai-to-sec",
        "--source",
        "iso42001:2023",
        "--target",
        "iso27001:2022",
        "--name",
        "AI to security",
        "--format",
        "json",
    )
    # Then the crosswalk and relations exist with origin imported
    assert code == 0, out
    plan = json.loads(out)
    assert plan["applied"] and plan["new_crosswalk"] and plan["summary"]["created"] == 3
    cw = Crosswalk.objects.get(key="ai-to-sec")
    assert (cw.origin, cw.name) == ("imported", "AI to security")
    assert set(CrosswalkRelation.objects.filter(crosswalk=cw).values_list("origin", flat=True)) == {
        "imported"
    }


def test_a_file_with_a_rejected_row_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "source,target,relation,rationale,extension\n"
        "A.8.15,A.6.2.8,subset,Changed rationale.,Add model events.\n"
        "A.5.99,A.6.2.8,intersects,x,y\n"
        "A.5.1,4.1,equal,x,\n"
        "A.5.1,A.2.2,intersects,No extension.,\n"
        ",A.7.6,intersects,x,y\n",
    )
    code, out, err = run(capsys, "crosswalk", "import", path, "--key", KEY)
    assert code == 1
    assert "4 row(s) rejected" in err
    assert "source 'A.5.99' is not an entry of iso27001:2022" in out
    assert "4.1 adds content the source does not have" in out
    assert "needs an extension note" in out
    assert "a intersects relation needs a source entry" in out
    assert "Nothing was imported" in out
    rel = CrosswalkRelation.objects.get(crosswalk__key=KEY, source__key="iso27001:2022:A.8.15")
    assert rel.rationale != "Changed rationale."


def test_an_import_update_marks_a_shipped_relation_edited(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "source;target;relation;rationale;extension\nA.8.15;A.6.2.8;subset;Ours.;Add model events.\n",
    )
    code, out, _ = run(capsys, "crosswalk", "import", path, "--key", KEY)
    assert code == 0, out
    rel = CrosswalkRelation.objects.get(crosswalk__key=KEY, source__key="iso27001:2022:A.8.15")
    assert (rel.relation, rel.rationale, rel.origin, rel.edited) == ("subset", "Ours.", "shipped", True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        (
            "source,target,relation,rationale,source\nA.5.1,A.2.2,equal,r,A.5.2\n",
            "given more than once: source",
        ),
        ("from,to\nA,B\n", "Missing column(s): rationale, relation, target"),
        ("source,target,relation,rationale,colour\n", "Unknown column(s): colour"),
    ],
)
def test_unreadable_files_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    code, _, err = run(capsys, "crosswalk", "import", write(tmp_path, text), "--key", KEY)
    assert code == 2 and message in err


def test_a_new_crosswalk_needs_its_standards(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "source,target,relation,rationale,extension\n")
    code, _, err = run(capsys, "crosswalk", "import", path, "--key", "brand-new")
    assert code == 1 and "give --source and --target" in err
    code, _, err = run(capsys, "crosswalk", "export", "nope", "--out", "-")
    assert code == 1 and "No crosswalk 'nope'" in err


def test_export_to_stdout(capsys: pytest.CaptureFixture[str], db: Any) -> None:
    code, out, _ = run(capsys, "crosswalk", "export", KEY, "--out", "-")
    assert code == 0 and out.splitlines()[0] == "source,target,relation,rationale,extension"


def test_a_messy_file_is_read_like_the_control_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Given a Windows-1252, semicolon-separated file with a title row above the header
    path = tmp_path / "messy.csv"
    path.write_bytes(
        "Crosswalk — AI to security (draft)\n"
        "Source;Target;Relation;Rationale;Extension\n"
        "A.7.4;A.5.12;intersects;Data quality meets classification – café rules;Add handling\n".encode(
            "cp1252"
        )
    )
    # When it is imported dry
    code, out, _ = run(
        capsys,
        "crosswalk",
        "import",
        str(path),
        "--key",
        "ai-to-sec",
        "--source",
        "iso42001:2023",
        "--target",
        "iso27001:2022",
        "--dry-run",
    )
    # Then the header is found under the title and the row is planned
    assert code == 0 and "1 rows: 1 to create" in out, out


@pytest.mark.parametrize(
    ("key", "source", "message"),
    [
        ("Bad Key!", "iso42001:2023", "lower-case letters"),
        ("ai-to-ai", "iso27001:2022", "two different standards"),
    ],
)
def test_a_dry_run_refuses_a_new_crosswalk_the_real_run_would_refuse(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, key: str, source: str, message: str
) -> None:
    path = write(tmp_path, "source,target,relation,rationale,extension\nA.7.4,A.5.12,equal,Same.,\n")
    code, _, err = run(
        capsys,
        "crosswalk",
        "import",
        path,
        "--key",
        key,
        "--source",
        source,
        "--target",
        "iso27001:2022",
        "--dry-run",
    )
    assert code == 1 and message in err, err
    assert not Crosswalk.objects.filter(key=key).exists()
