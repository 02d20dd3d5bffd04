"""The gap analysis through the CLI (``keel gap``), the API (``/gap-analyses``) and the pages:
the same JSON everywhere, decisions, exports, the draft SoA, and fixed query counts."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from keel.gap import queries
from keel.gap.models import CoverageDecision
from keel.gap.tests import factories as f
from keel.site.cli import main

API = "/api/v1"


def _json(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_cli_json_is_the_contract(world: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gap", "--target", "t:2024", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc == queries.report(world["t"], world["ms"]).contract()
    assert "Analysing IMS against t:2024" in err  # progress on stderr


def test_cli_xlsx_needs_a_file_and_writes_two_sheets(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gap", "--target", "t:2024", "--format", "xlsx"]) == 2
    out = tmp_path / "gap.xlsx"
    assert (
        main(
            ["gap", "--target", "t:2024", "--management-system", "ims", "--format", "xlsx", "--out", str(out)]
        )
        == 0
    )
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    assert wb.sheetnames == ["Summary", "Requirements"]
    sheet = wb["Requirements"]
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == "A1:J8"
    assert [c.value for c in sheet["A"]][1:] == ["4.1", "4.2", "T.1", "T.2", "T.3", "T.4", "T.5"]


def test_cli_unknown_target_is_a_clear_error(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gap", "--target", "nope:1", "--format", "json"]) == 1
    assert "Unknown standard(s): nope:1" in capsys.readouterr().err


def test_api_returns_the_same_json_with_fixed_queries(world: dict[str, Any], admin_client: Client) -> None:
    url = f"{API}/gap-analyses?target=t:2024&management_system=ims"
    counts = []
    for n in (0, 25):
        for i in range(n):
            f.control(world["ms"], f"KA-{i}", [(f.req(world["s1"], "A.1"), "full")])
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert response.json() == queries.report(world["t"], world["ms"]).contract()


def test_api_put_and_delete_a_decision(world: dict[str, Any], admin_client: Client) -> None:
    body = {"management_system": "ims", "requirement": "t:2024:T.5", "status": "covered", "reason": "Manual."}
    response = _json(admin_client, "put", f"{API}/gap-analyses/decisions", body)
    assert response.status_code == 200, response.content
    assert response.json()["confirmed_status"] == "covered"
    assert response.json()["inferred_status"] == "gap"
    t5 = next(
        r
        for r in admin_client.get(f"{API}/gap-analyses?target=t:2024").json()["requirements"]
        if r["ref_id"] == "T.5"
    )
    assert (t5["status"], t5["inferred_status"], t5["confirmed_status"]) == ("covered", "gap", "covered")
    # a missing reason changes nothing
    response = _json(
        admin_client, "put", f"{API}/gap-analyses/decisions", {**body, "status": "gap", "reason": ""}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["reason"]
    assert CoverageDecision.objects.get().confirmed_status == "covered"
    response = admin_client.delete(
        f"{API}/gap-analyses/decisions?management_system=ims&requirement=t:2024:T.5"
    )
    assert response.status_code == 204
    assert not CoverageDecision.objects.exists()


def test_api_export_and_draft_soa(world: dict[str, Any], admin_client: Client) -> None:
    response = admin_client.get(f"{API}/gap-analyses/export?target=t:2024&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = _json(
        admin_client,
        "post",
        f"{API}/gap-analyses/draft-soa",
        {"target": "t:2024", "management_system": "ims"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["rows_written"] == ["T.1", "T.2", "T.3", "T.4", "T.5"]


def test_page_shows_figures_rows_and_filters(world: dict[str, Any], admin_client: Client) -> None:
    response = admin_client.get(f"/gap/?target=t:2024&management_system={world['ms'].pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="coverage_ratio"' in html and "14.3 %" in html  # 1 of 7 covered
    assert ">Coverage<" in html and ">coverage_ratio<" not in html  # the label, not the key
    assert html.count('data-status="gap"') == 4
    response = admin_client.get(
        f"/gap/?target=t:2024&management_system={world['ms'].pk}&status=partial", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'data-status="partial"' in html and 'data-status="gap"' not in html


def test_drill_down_draws_the_chain_and_the_form_saves_a_decision(
    world: dict[str, Any], admin_client: Client
) -> None:
    ms = world["ms"]
    response = admin_client.get(f"/gap/{ms.pk}/requirements/t:2024:T.1/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "KC-1" in html and "s3:2020:C.1" in html and "Add the AI-specific part." in html
    response = admin_client.post(
        f"/gap/{ms.pk}/requirements/t:2024:T.1/decide/",
        {"status": "covered", "reason": "The AI part is in KC-1's procedure."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    assert CoverageDecision.objects.get().confirmed_status == "covered"
    response = admin_client.post(
        f"/gap/{ms.pk}/requirements/t:2024:T.1/decide/",
        {"status": "gap", "reason": " "},
        HTTP_HX_REQUEST="true",
    )
    assert "needs a reason" in response.content.decode()
    assert CoverageDecision.objects.get().confirmed_status == "covered"
    # the drill-down shows the decision history from the trail
    html = admin_client.get(f"/gap/{ms.pk}/requirements/t:2024:T.1/", HTTP_HX_REQUEST="true").content.decode()
    assert "Decision history" in html and "The AI part is in KC-1&#x27;s procedure." in html


def test_page_draft_soa_redirects_to_the_soa(world: dict[str, Any], admin_client: Client) -> None:
    response = admin_client.post(f"/gap/{world['ms'].pk}/draft-soa/", {"target": "t:2024"})
    assert response.status_code == 302
    assert response["Location"].startswith("/soa/")
    page = admin_client.get(response["Location"]).content.decode()
    assert "Machine-written, not reviewed" in page


def test_page_export_pdf_or_a_clear_message(world: dict[str, Any], admin_client: Client) -> None:
    response = admin_client.get(f"/gap/{world['ms'].pk}/export/?target=t:2024&format=pdf")
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.content.startswith(b"%PDF")


def test_cli_pdf_titles_with_the_standards_name_and_shows_percentages(
    world: dict[str, Any], tmp_path: Path
) -> None:
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    world["t"].name = "ISO/IEC 99999"
    world["t"].save(update_fields=["name"])
    out = tmp_path / "gap.pdf"
    assert main(["gap", "--target", "t:2024", "--format", "pdf", "--out", str(out)]) == 0
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Gap analysis — ISO/IEC 99999:2024" in text
    assert "t:2024 —" not in text  # not the key as the title
    assert "14.3 %" in text and "0.1429" not in text  # coverage 1 of 7
    assert "Coverage" in text and "coverage_ratio" not in text
    assert "is a subset of" in text and "—subset→" not in text  # relations in words


def test_soa_create_page_drafts_from_the_gap_analysis(world: dict[str, Any], admin_client: Client) -> None:
    # Given the SoA's create page (keel/soa), which drafts through the gap app's hook
    response = admin_client.post(
        "/soa/new/", {"management_system": world["ms"].pk, "standard": "t:2024", "source": "from_gap"}
    )
    # Then the draft is written as by keel soa create --from-gap and the gap page
    assert response.status_code == 302 and response["Location"].startswith("/soa/")
    page = admin_client.get(response["Location"]).content.decode()
    assert "Machine-written, not reviewed" in page
    assert "Drafted from the gap analysis: 5 rows" in page
