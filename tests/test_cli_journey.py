"""Issue 11 item 3: the whole journey from the CLI alone, on a fresh KEEL_HOME, with the real
console command: init → organisation → management system → import a real register → gap
analysis → draft SoA → export it. No page, no fixture, no factory: only what a new user types."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from keel.controls.tests import isms_sheet


def keel(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KEEL_TEST_SQLITE_NAME"}}
    env["KEEL_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "keel.site.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    return result.stdout


def test_the_whole_journey_from_a_fresh_install_with_the_cli_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    register = tmp_path / "register.xlsx"
    register.write_bytes(isms_sheet.workbook())

    # Given a fresh install without an organisation, a command that needs one says how to make it
    ok(keel(home, "init"))
    refused = keel(home, "system", "create", "IMS", "--standard", "iso27001:2022")
    assert refused.returncode == 1 and "keel init --organisation NAME" in refused.stderr

    # When the organisation and one unified system for both standards are created
    assert "Northwind Logistics created" in ok(keel(home, "init", "--organisation", "Northwind Logistics"))
    ok(
        keel(
            home,
            "system",
            "create",
            "Integrated management system",
            "--standard",
            "iso27001:2022",
            "--standard",
            "iso42001:2023",
        )
    )
    systems = json.loads(ok(keel(home, "system", "list", "--format", "json")))
    assert [(s["short_name"], s["operating_model"], s["standards"]) for s in systems] == [
        ("integrated-management-system", "unified", ["iso27001:2022", "iso42001:2023"])
    ]

    # And the register is imported with no option: every row, into the one system
    report = json.loads(ok(keel(home, "import", "controls", str(register), "--format", "json")))
    assert report["applied"] and report["summary"]["created"] == 40 and report["summary"]["rejected"] == 0
    first = report["created"][0]
    assert first["ref"] == "ISMS-01" and first["links"] == ["iso27001:2022:A.5.1", "iso27001:2022:5.2"]
    again = json.loads(ok(keel(home, "import", "controls", str(register), "--format", "json")))
    assert (
        again["summary"]["unchanged"] == 40
        and again["summary"]["created"] == again["summary"]["updated"] == 0
    )

    # Then the gap analysis needs nothing but the target
    gap = json.loads(ok(keel(home, "gap", "--target", "iso42001:2023")))
    assert "iso42001:2023" in json.dumps(gap["target"])
    summary = gap["summary"]
    assert (
        sum(summary[k] for k in ("covered", "partial", "gap", "not_applicable"))
        == len(gap["requirements"])
        > 0
    )

    # And the SoA is drafted and exported with the standard only
    assert "93" in ok(keel(home, "soa", "create", "--standard", "iso27001:2022"))
    soa = json.loads(
        ok(keel(home, "export", "soa", "--standard", "iso27001:2022", "--format", "json", "--out", "-"))
    )
    (statement,) = soa["statements"]
    assert (
        statement["management_system"] == "integrated-management-system" and "draft" in statement["version"]
    )
    rows = {r["ref_id"]: r for r in statement["rows"]}
    assert len(rows) == 93
    assert [c["ref_id"] for c in rows["A.5.1"]["controls"]] == ["ISMS-01"]
    # 5.2 in "A.5.1; 5.2" is clause 5.2: no control lands on A.5.2 through it
    assert [c["ref_id"] for c in rows["A.5.2"]["controls"]] == ["ISMS-02"]
    assert [c["ref_id"] for c in rows["A.8.2"]["controls"]] == ["ISMS-27"]  # not ISMS-37's "8.2"

    # And init again with the same name changes nothing; with another name it refuses
    assert "already set up" in ok(keel(home, "init", "--organisation", "Northwind Logistics"))
    renamed = keel(home, "init", "--organisation", "Other Ltd")
    assert renamed.returncode == 1 and "Nothing was changed" in renamed.stderr
