"""``keel catalog import``: foreign catalogues as standards — columns, messy files, re-import,
exit codes and the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied
from keel.platform.models import TrailEntry
from keel.site.cli import main
from keel.standards.catalog import import_catalog
from keel.standards.choices import EntryKind, StandardOrigin
from keel.standards.models import Requirement, Standard

pytestmark = pytest.mark.django_db

NIST = Path(__file__).parent / "data" / "nist-ai-rmf-1.0-subcategories.csv"
NIST_ARGS = [
    "--key",
    "nist-ai-rmf:1.0",
    "--name",
    "NIST AI RMF 1.0",
    "--id-column",
    "subcategory_id",
    "--title-column",
    "description",
    "--text-column",
    "category_text,function",
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "cat.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_the_nist_ai_rmf_file_imports_as_a_catalogue_of_items(capsys: pytest.CaptureFixture[str]) -> None:
    # When
    code, out, err = run(["catalog", "import", str(NIST), *NIST_ARGS, "--format", "json"], capsys)

    # Then
    assert code == 0, err
    report = json.loads(out)
    assert report["summary"]["created"] == 72 and report["summary"]["rejected"] == 0
    std = Standard.objects.get(key="nist-ai-rmf:1.0")
    assert std.origin == StandardOrigin.IMPORTED and std.edition == "1.0" and std.name == "NIST AI RMF 1.0"
    item = Requirement.objects.get(key="nist-ai-rmf:1.0:GOVERN 1.1")
    assert item.kind == EntryKind.CATALOG_ITEM
    assert item.title.startswith("Legal and regulatory requirements involving AI")
    assert "Policies, processes, procedures" in item.intent and "Govern" in item.intent
    assert "reading" in err  # progress on stderr
    assert TrailEntry.objects.filter(object_type="standards.standard", object_id=str(std.pk)).count() == 1


def test_re_import_updates_by_id_and_withdraws_dropped_items(tmp_path: Path) -> None:
    # Given
    first = write(tmp_path, "id,name,text\nX-1,Access reviews,Review access.\nX-2,Backups,Back up data.\n")
    import_catalog(Actor.cli(), first.read_bytes(), "cat.csv", key="acme", name="Acme", id_column="id",
                   title_column="name", text_columns=["text"])  # fmt: skip
    second = "id,name,text\nX-1,Access reviews,Review access every quarter.\nX-3,Logging,Keep logs.\n"

    # When
    report = import_catalog(Actor.cli(), second.encode(), "cat.csv", key="acme", name="Acme", id_column="id",
                            title_column="name", text_columns=["text"])  # fmt: skip

    # Then
    assert (report.created, report.updated, report.withdrawn) == (["X-3"], ["X-1"], ["X-2"])
    assert Requirement.objects.get(key="acme:X-2").withdrawn_at is not None  # kept, not deleted
    assert Requirement.objects.get(key="acme:X-1").intent == "Review access every quarter."
    assert Standard.objects.get(key="acme").revision == 2

    # And a third import that brings X-2 back restores it
    import_catalog(Actor.cli(), first.read_bytes(), "cat.csv", key="acme", name="Acme", id_column="id",
                   title_column="name", text_columns=["text"])  # fmt: skip
    assert Requirement.objects.get(key="acme:X-2").withdrawn_at is None


def test_a_messy_windows_file_with_title_rows_and_semicolons_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: a title row, a semicolon delimiter, Windows-1252 accents, header names with odd case
    path = write(
        tmp_path,
        "Catalogue export 2026\n\n  Ref ;Intitulé;Détail\nC-1;Contrôle d'accès;Règles d'accès\nC-2;Sauvegardes;\n",
        "cp1252",
    )

    # When
    code, out, err = run(["catalog", "import", str(path), "--key", "fr-cat", "--name", "Catalogue FR",
                          "--id-column", "ref", "--title-column", "intitulé", "--text-column", "Détail",
                          "--format", "json"], capsys)  # fmt: skip

    # Then
    assert code == 0, err
    report = json.loads(out)
    assert report["source"]["delimiter"] == ";" and report["source"]["encoding"] == "cp1252"
    assert Requirement.objects.get(key="fr-cat:C-1").title == "Contrôle d'accès"


def test_rejected_rows_exit_1_and_change_nothing_unless_only_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: an empty id and a duplicate id
    path = write(tmp_path, "id,title,text\nA-1,One,x\n,Two,y\nA-1,Again,z\nA-2,Three,w\n")
    args = ["catalog", "import", str(path), "--key", "bad", "--name", "Bad", "--id-column", "id",
            "--title-column", "title", "--text-column", "text"]  # fmt: skip

    # When
    code, out, _err = run([*args, "--format", "json"], capsys)

    # Then
    assert code == 1
    reasons = [r["reason"] for r in json.loads(out)["rejected"]]
    assert any("empty" in r for r in reasons) and any("duplicate" in r for r in reasons)
    assert not Standard.objects.filter(key="bad").exists()

    # And with --only-valid the good rows go in (still exit 1: rows were rejected)
    code, out, _err = run([*args, "--only-valid"], capsys)
    assert code == 1
    assert set(Requirement.objects.filter(standard__key="bad").values_list("ref_id", flat=True)) == {
        "A-1",
        "A-2",
    }


@pytest.mark.parametrize(
    ("text", "columns", "message"),
    [
        ("id,title\nA,B\n", ["--text-column", "body"], "no column 'body'"),
        ("foo,bar\n1,2\n", ["--text-column", "text"], "No header row with the columns"),
        ("", ["--text-column", "text"], "is empty"),
    ],
)
def test_unreadable_files_and_unknown_columns_exit_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, columns: list[str], message: str
) -> None:
    path = write(tmp_path, text)
    code, out, err = run(["catalog", "import", str(path), "--key", "x", "--name", "X", "--id-column", "id",
                          "--title-column", "title", *columns], capsys)  # fmt: skip
    assert code == 2
    assert message in err and not out.strip()


def test_bad_key_exits_2_and_a_shipped_standard_cannot_be_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "id,title,text\nA,B,C\n")
    base = ["catalog", "import", str(path), "--name", "X", "--id-column", "id", "--title-column", "title",
            "--text-column", "text"]  # fmt: skip
    code, _, err = run([*base, "--key", "Not A Key"], capsys)
    assert code == 2 and "not valid" in err
    with pytest.raises(Conflict):
        import_catalog(Actor.cli(), path.read_bytes(), "c.csv", key="iso27001:2022", name="X", id_column="id",
                       title_column="title", text_columns=["text"])  # fmt: skip
    assert Requirement.objects.filter(standard__key="iso27001:2022", kind=EntryKind.CATALOG_ITEM).count() == 0


def test_importing_needs_load_standards(tmp_path: Path, make_user, isms) -> None:  # type: ignore[no-untyped-def]
    manager = make_user(Role.COMPLIANCE_MANAGER)
    with pytest.raises(PermissionDenied):
        import_catalog(Actor.for_user(manager, "web"), b"id,title,text\nA,B,C\n", "c.csv", key="x", name="X",
                       id_column="id", title_column="title", text_columns=["text"])  # fmt: skip
    assert not Standard.objects.filter(key="x").exists()


def test_a_long_title_is_shortened_and_kept_whole_in_the_text(tmp_path: Path) -> None:
    long = "word " * 80
    report = import_catalog(Actor.cli(), f"id,title,text\nL-1,{long},more\n".encode(), "c.csv", key="long",
                            name="Long", id_column="id", title_column="title", text_columns=["text"])  # fmt: skip
    item = Requirement.objects.get(key="long:L-1")
    assert len(item.title) <= 255 and item.title.endswith("…")
    assert item.intent.startswith("word word") and report.warnings


def test_the_standards_list_counts_an_imported_catalogue_by_its_items(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(["catalog", "import", str(NIST), *NIST_ARGS], capsys)
    code, out, _ = run(["standards", "list", "--format", "json"], capsys)
    rows = {r["key"]: r for r in json.loads(out)}
    assert rows["nist-ai-rmf:1.0"]["counts"] == {"catalog_item": 72}
    assert rows["nist-ai-rmf:1.0"]["origin"] == "imported" and rows["iso27001:2022"]["origin"] == "shipped"
    assert "catalog_item" not in rows["iso27001:2022"]["counts"]
    code, out, _ = run(["standards", "list"], capsys)
    assert code == 0 and "ITEMS" in out and "nist-ai-rmf:1.0" in out
