"""A spreadsheet program opens the XLSX export (issue 3, done-when): LibreOffice Calc, headless,
converts the workbook to one CSV per sheet and each sheet holds the header, the version line
and one row per Annex A control (93 for ISO 27001, 38 for ISO 42001).

Needs ``soffice`` (Debian: ``apt-get install --no-install-recommends libreoffice-calc-nogui``;
``.ci/run`` installs it). Without it the test fails on CI (``CI`` set) and is skipped elsewhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User
from keel.soa import exports, services

from .factories import adopt_all, complete_rows, soa_for

MakeUser = Callable[..., User]
pytestmark = [pytest.mark.django_db, pytest.mark.spreadsheet]

# LibreOffice's CSV export filter: comma, double quote, UTF-8 (76), from row 1, …; the 12th
# token (-1) writes every sheet to its own file, <name>-<sheet>.csv (LibreOffice >= 7.2).
CSV_EVERY_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
TIMEOUT = 180


def soffice() -> str:
    configured = os.environ.get("KEEL_SOFFICE")
    path = shutil.which(configured) if configured else shutil.which("soffice") or shutil.which("libreoffice")
    if path:
        return path
    message = (
        "LibreOffice (soffice) is not installed: 'apt-get install --no-install-recommends "
        "libreoffice-calc-nogui', or set KEEL_SOFFICE to its path"
    )
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI must check that a spreadsheet program opens the XLSX export. {message}.")
    pytest.skip(f"{message}; CI runs this test.")


def convert_every_sheet(xlsx: Path, outdir: Path) -> dict[str, list[list[str]]]:
    """Open ``xlsx`` in LibreOffice Calc and save every sheet as CSV; return the rows by sheet.
    A private user profile keeps parallel runs (pytest-xdist workers) from sharing one."""
    profile = outdir / "lo-profile"
    result = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            CSV_EVERY_SHEET,
            "--outdir",
            str(outdir),
            str(xlsx),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    written = sorted(outdir.glob(f"{xlsx.stem}-*.csv"))
    # soffice exits 0 even when it could not load the file: the written files are the proof.
    assert result.returncode == 0 and written, (
        f"LibreOffice did not convert {xlsx.name} (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    sheets = {}
    for path in written:
        with path.open(encoding="utf-8", newline="") as f:
            sheets[path.stem.removeprefix(f"{xlsx.stem}-")] = list(csv.reader(f))
    return sheets


def test_libreoffice_opens_the_xlsx_with_one_sheet_per_standard_and_every_annex_a_row(
    org: object, make_user: MakeUser, tmp_path: Path
) -> None:
    # Given an integrated system with the catalogue adopted and both SoAs approved
    from keel.organisation.tests.factories import ManagementSystemFactory

    soffice()  # fail or skip before building anything
    approver = make_user("compliance_manager", full_name="Ada Approver", email="ada@example.com")
    ms: ManagementSystem = ManagementSystemFactory.create(
        organisation=org, short_name="both", standards=["iso27001:2022", "iso42001:2023"]
    )
    adopt_all(ms)
    soas = [soa_for(ms, "iso27001:2022"), soa_for(ms, "iso42001:2023")]
    for soa in soas:
        complete_rows(soa, approver)
        services.approve(Actor.for_user(approver, "web"), soa.pk)
    expected = {
        soa.standard.key: sorted(soa.rows.values_list("requirement__ref_id", flat=True)) for soa in soas
    }
    assert [len(v) for v in expected.values()] == [93, 38]
    xlsx = tmp_path / "soa.xlsx"
    xlsx.write_bytes(exports.export(soas, "xlsx"))

    # When LibreOffice Calc opens it and saves every sheet
    sheets = convert_every_sheet(xlsx, tmp_path)

    # Then there is one sheet per standard, each with its title, version line, header and rows
    assert sorted(sheets) == ["ISO-IEC 27001 2022", "ISO-IEC 42001 2023"], sorted(sheets)
    today = dt.date.today().isoformat()
    for (key, refs), (name, rows) in zip(expected.items(), sorted(sheets.items()), strict=True):
        assert rows[0][0].startswith("Statement of Applicability — ISO/IEC"), name
        assert rows[1][0] == f"Version 1 · Approved: {today} · Approver: Ada Approver", name
        assert rows[2][0] == "Management system: " + ms.name, name
        header = exports.HEADER_ROW - 1
        assert rows[header] == [h for h, _w in exports.COLUMNS], name
        data = [r for r in rows[header + 1 :] if any(r)]
        assert len(data) == len(refs), f"{name}: {len(data)} rows, expected {len(refs)} for {key}"
        assert sorted(r[0] for r in data) == refs, name
        assert all(r[2] == "Annex A" and r[3] == "Yes" for r in data), name
