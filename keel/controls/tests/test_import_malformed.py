"""A malformed workbook (DOCTYPE, broken XML, not a zip) is a file error where a user meets it:
exit status 2 on the CLI, a message and a 4xx in the wizard; never a traceback (issue 9,
defect 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.tests.test_spreadsheets import MALFORMED
from keel.site.cli import main

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(MALFORMED))
@pytest.mark.parametrize("command", ["controls", "soa", "assets"])
def test_the_cli_exits_2_with_the_reason(
    name: str, command: str, isms: ManagementSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(MALFORMED[name])
    extra = ["--standard", "iso27001:2022", "--management-system", "isms"] if command == "soa" else []
    capsys.readouterr()
    code = main(["import", command, str(path), *extra])
    _, err = capsys.readouterr()
    assert code == 2 and "book.xlsx is not a readable XLSX workbook" in err and "Traceback" not in err


@pytest.mark.parametrize("name", list(MALFORMED))
def test_the_wizard_shows_the_reason_and_changes_nothing(
    name: str, isms: ManagementSystem, admin_client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    response = admin_client.post(
        reverse("control-import"), {"file": SimpleUploadedFile("book.xlsx", MALFORMED[name])}
    )
    assert response.status_code == 422
    assert "book.xlsx is not a readable XLSX workbook" in response.content.decode()
    assert Control.objects.count() == 0


def test_the_wizard_refuses_more_rows_than_the_limit_naming_the_setting(
    isms: ManagementSystem, admin_client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.KEEL_IMPORT_MAX_ROWS = 5
    data = ("Ref;Title;Status\n" + "".join(f"KC-{i};T{i};Done\n" for i in range(20))).encode()
    response = admin_client.post(reverse("control-import"), {"file": SimpleUploadedFile("long.csv", data)})
    assert response.status_code == 422 and "KEEL_IMPORT_MAX_ROWS" in response.content.decode()


def test_the_cli_refuses_a_file_over_the_size_limit_with_exit_2(
    isms: ManagementSystem, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.KEEL_IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_bytes(b"Ref;Title;Status\n" + b"KC-1;T;Done\n" * 100)
    capsys.readouterr()
    code = main(["import", "controls", str(path)])
    assert code == 2 and "KEEL_IMPORT_MAX_BYTES" in capsys.readouterr().err
