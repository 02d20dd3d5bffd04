"""``keel import assets`` (exit codes and report as ``keel import controls``) and
``keel risks export``."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from keel.assets import services as asset_services
from keel.assets.models import Asset
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.site.cli import main

from . import factories as f

pytestmark = pytest.mark.django_db


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def level(org: object) -> None:
    asset_services.create_level(f.SYSTEM, key="confidential", name="Confidential", rank=3)


def test_import_assets_csv_dry_run_then_apply_then_reimport(
    isms: ManagementSystem, admin: User, level: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "assets.csv"
    path.write_text(
        "Asset inventory\n\nAsset ID;Asset name;Type;Owner;Classification;Location\n"
        f"AS-010;Customer database;Database;{admin.email};Confidential;eu-west-1\nAS-011;Laptops;laptop;;;Offices\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        ["import", "assets", str(path), "--management-system", "isms", "--dry-run", "--format", "json"],
        capsys,
    )
    report = json.loads(out)
    assert (
        code == 0 and report["summary"]["created"] == 2 and report["dry_run"] and not Asset.objects.exists()
    )
    code, out, _ = run(["import", "assets", str(path), "--management-system", "isms"], capsys)
    assert code == 0 and "Imported." in out
    db = Asset.objects.get(ref_id="AS-010")
    assert (db.type, db.owner, db.classification.key, db.location) == (
        "information",
        admin,
        "confidential",
        "eu-west-1",
    )  # type: ignore[union-attr]
    code, out, _ = run(
        ["import", "assets", str(path), "--management-system", "isms", "--format", "json"], capsys
    )
    assert code == 0 and json.loads(out)["summary"]["unchanged"] == 2


def test_import_assets_xlsx_with_rejected_rows_changes_nothing(
    isms: ManagementSystem, level: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Name", "Type", "Management system", "Classification"])
    ws.append(["Model registry", "software", "isms", "confidential"])
    ws.append(["Mystery", "spaceship", "isms", "top secret"])
    path = tmp_path / "assets.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    code, out, _err = run(["import", "assets", str(path), "--format", "json"], capsys)
    report = json.loads(out)
    assert (
        code == 1 and report["summary"]["rejected"] == 1 and "unknown type" in report["rejected"][0]["reason"]
    )
    assert "unknown classification" in report["rejected"][0]["reason"] and not Asset.objects.exists()


def test_import_assets_unreadable_file_exits_2(
    org: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("nothing,here\n1,2\n")
    code, _, err = run(["import", "assets", str(path)], capsys)
    assert code == 2 and "No header row" in err


def test_import_assets_needs_edit_assets(
    isms: ManagementSystem, make_user: Callable[..., User], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = make_user(Role.CONTRIBUTOR)
    path = tmp_path / "a.csv"
    path.write_text("Name,Type\nX,software\n")
    code, out, err = run(["import", "assets", str(path), "--as", user.email], capsys)
    assert code == 1 and "is not allowed to" in err and not out


def test_risks_export_json_and_xlsx(
    isms: ManagementSystem, admin: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f.is_risk(isms, admin, title="Laptop theft", controls=[f.control("KC-001", isms).ref_id])
    f.ai_risk(isms, admin, title="Drift")
    code, out, err = run(["risks", "export", "--register", "is", "--format", "json", "--out", "-"], capsys)
    body = json.loads(out)
    assert code == 0 and body["register"] == "is" and body["count"] == 1
    assert body["risks"][0]["title"] == "Laptop theft" and body["risks"][0]["controls"] == ["KC-001"]
    assert "1 risk(s)" in err
    target = tmp_path / "ai.xlsx"
    code, _, _ = run(
        ["risks", "export", "--register", "ai", "--format", "xlsx", "--out", str(target)], capsys
    )
    ws = load_workbook(target).active
    assert (
        code == 0 and ws is not None and ws["B2"].value == "Drift" and "AI system" in [c.value for c in ws[1]]
    )
    code, _, err = run(["risks", "export", "--register", "ai", "--format", "xlsx", "--out", "-"], capsys)
    assert code == 2


def test_risks_due_lists_what_is_due_as_table_and_json(
    isms: ManagementSystem, aims: ManagementSystem, admin: User, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt

    from django.utils import timezone

    risk = f.is_risk(isms, admin, review_date=timezone.localdate() - dt.timedelta(days=3))
    code, out, err = run(["risks", "due"], capsys)
    assert code == 0 and risk.ref_id in out and "review date" in out and "1 risk assessment(s) due" in err
    code, out, _ = run(["risks", "due", "--format", "json", "--management-system", "isms"], capsys)
    body = json.loads(out)
    assert code == 0 and body["count"] == 1
    assert body["due"][0] | {"url": ""} == {
        "kind": "risk",
        "ref": risk.ref_id,
        "title": risk.title,
        "trigger": "review_date",
        "reason": body["due"][0]["reason"],
        "since": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "management_system": str(isms.pk),
        "url": "",
    }
    code, out, _ = run(["risks", "due", "--format", "json", "--management-system", aims.short_name], capsys)
    assert code == 0 and json.loads(out)["count"] == 0
    code, _, err = run(["risks", "due", "--management-system", "nowhere"], capsys)
    assert code == 2 and "management system" in err.lower()
