"""``keel export soa``: the contract of its arguments, files and errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from keel.organisation.models import ManagementSystem
from keel.site.cli import main
from keel.soa import exports
from keel.soa.models import StatementOfApplicability

from .factories import complete_rows, soa_for

pytestmark = pytest.mark.django_db


def test_export_xlsx_and_json(
    isms: ManagementSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    soa_for(isms)
    out = tmp_path / "soa.xlsx"
    assert main(["export", "soa", "--standard", "iso27001:2022", "--format", "xlsx", "--out", str(out)]) == 0
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    assert wb[wb.sheetnames[0]].max_row == exports.HEADER_ROW + 93
    code = main(
        [
            "export",
            "soa",
            "--standard",
            "iso27001:2022",
            "--management-system",
            "isms",
            "--format",
            "json",
            "--out",
            "-",
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["statements"][0]["rows"]) == 93


def test_export_without_an_soa_is_a_clear_error(
    isms: ManagementSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["export", "soa", "--standard", "iso27001:2022", "--format", "pdf", "--out", str(tmp_path / "x")]
    )
    assert code == 1
    assert (
        "No management system has a Statement of Applicability for iso27001:2022" in capsys.readouterr().err
    )
    assert not (tmp_path / "x").exists()


def test_bad_arguments_exit_2(isms: ManagementSystem, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "soa", "--standard", "iso27001:2022", "--format", "docx", "--out", "x"]) == 2
    assert main(["export", "soa", "--standard", "iso27001:2022", "--format", "pdf", "--out", "-"]) == 2


def test_unknown_standard_is_named(isms: ManagementSystem, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "soa", "--standard", "iso9001", "--format", "json", "--out", "-"]) == 1
    assert "Unknown standard(s): iso9001" in capsys.readouterr().err


def test_soa_create_list_and_approve(
    isms: ManagementSystem, admin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Create (the operator), then again: idempotent
    argv = ["soa", "create", "--standard", "iso27001:2022", "--management-system", isms.short_name]
    assert main([*argv, "--format", "json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert (created["standard"], created["rows"], created["latest_version"]) == ("iso27001:2022", 93, None)
    assert main(argv) == 0 and "93 rows" in capsys.readouterr().out
    # List
    assert main(["soa", "list", "--format", "json"]) == 0
    assert [i["id"] for i in json.loads(capsys.readouterr().out)] == [created["id"]]
    # Approve: refused with the rows named, then approved once the rows are complete
    approve = ["soa", "approve", "--standard", "iso27001:2022", "--as", admin.email, "--format", "json"]
    assert main(approve) == 1
    assert "no reason for inclusion" in capsys.readouterr().err
    complete_rows(StatementOfApplicability.objects.get(pk=created["id"]), admin)
    assert main(approve) == 0
    assert json.loads(capsys.readouterr().out)["number"] == 1


def test_soa_create_needs_a_covered_standard_and_a_known_system(
    isms: ManagementSystem, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["soa", "create", "--standard", "iso42001:2023", "--management-system", isms.short_name]) == 1
    assert "does not cover" in capsys.readouterr().err
    assert main(["soa", "create", "--standard", "iso27001:2022", "--management-system", "nope"]) == 1
    assert not StatementOfApplicability.objects.exists()
