"""``keel evidence add|list|verify``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from keel.controls import services as controls
from keel.evidence import queries
from keel.evidence.models import Evidence
from keel.organisation.models import ManagementSystem
from keel.site.cli import main

from .factories import SYSTEM, file_evidence, link_evidence

pytestmark = pytest.mark.django_db


def test_add_a_file_with_links_and_dates(
    tmp_path: Path, isms: ManagementSystem, capsys: pytest.CaptureFixture[str]
) -> None:
    control = controls.create_control(SYSTEM, title="Pentest", type="technical", frequency="annually")
    report = tmp_path / "pentest-summary.txt"
    report.write_bytes(b"External penetration test: 0 critical, 2 medium findings.\n")
    today = queries.today()

    code = main(
        [
            "evidence", "add", str(report), "--title", "Pentest summary 2026",
            "--control", control.ref_id, "--requirement", "iso27001:2022:A.8.8",
            "--collected-on", today.isoformat(), "--valid-until", (today + dt.timedelta(days=365)).isoformat(),
            "--management-system", isms.short_name, "--collected-by", "Hall & Co (external tester)",
            "--format", "json",
        ]
    )  # fmt: skip

    assert code == 0
    body = json.loads(capsys.readouterr().out)
    assert body["ref_id"] == "EV-001" and body["kind"] == "file" and body["validity"] == "valid"
    assert body["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
    assert body["controls"] == [control.ref_id] and body["requirements"] == ["iso27001:2022:A.8.8"]
    assert body["versions"][0]["collected_by_name"] == "Hall & Co (external tester)"
    assert body["management_systems"] == [isms.short_name]


def test_add_a_link_and_refuse_other_schemes(
    isms: ManagementSystem, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evidence", "add", "https://status.example.com", "--title", "Status page"]) == 0
    assert "EV-001 Status page: https://status.example.com" in capsys.readouterr().out
    assert main(["evidence", "add", "ftp://files.example.com/x", "--title", "FTP"]) == 1
    assert "only http:// and https://" in capsys.readouterr().err
    assert Evidence.objects.count() == 1


def test_add_a_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evidence", "add", "/no/such/file.pdf", "--title", "X"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_list_expired_and_expiring(isms: ManagementSystem, capsys: pytest.CaptureFixture[str]) -> None:
    today = queries.today()
    file_evidence(
        [isms],
        title="Old",
        collected_on=today - dt.timedelta(days=500),
        valid_until=today - dt.timedelta(days=1),
    )
    link_evidence([isms], title="Soon", valid_until=today + dt.timedelta(days=20))
    link_evidence([isms], title="Later", valid_until=today + dt.timedelta(days=200))
    link_evidence([isms], title="Forever")

    assert main(["evidence", "list", "--expired", "--format", "json"]) == 0
    assert [i["title"] for i in json.loads(capsys.readouterr().out)["items"]] == ["Old"]
    assert main(["evidence", "list", "--expiring", "30", "--format", "json"]) == 0
    assert [i["title"] for i in json.loads(capsys.readouterr().out)["items"]] == ["Soon"]
    assert main(["evidence", "list", "--expiring", "30", "--expired", "--format", "json"]) == 0
    assert [i["title"] for i in json.loads(capsys.readouterr().out)["items"]] == ["Old", "Soon"]
    assert main(["evidence", "list"]) == 0
    text = capsys.readouterr().out
    assert "Forever" in text and "Expired" in text and "No expiry" in text


def test_verify_exits_1_on_an_altered_file(
    isms: ManagementSystem, capsys: pytest.CaptureFixture[str]
) -> None:
    ev = file_evidence([isms], content=b"genuine")
    assert main(["evidence", "verify"]) == 0
    assert "OK: 1 evidence file" in capsys.readouterr().out
    Path(ev.current_version.file.path).write_bytes(b"forged")  # type: ignore[union-attr]
    assert main(["evidence", "verify", "--format", "json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] is False and body["altered"][0]["evidence"] == ev.ref_id
