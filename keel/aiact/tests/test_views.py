"""Pages of the EU AI Act app: the questionnaire classifies, the system page shows the tier with
its reasons and the obligations beside 42001, a status is saved from the page, the exports
download, and a viewer cannot classify."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from keel.aiact import services
from keel.aiact.models import Classification, ObligationStatus
from keel.aisystems.tests import factories as af
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import User

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def test_classify_from_the_questionnaire_then_see_tier_reasons_and_obligations(
    aims: ManagementSystem, admin_client: Client
) -> None:
    system = af.ai_system(aims)
    page = admin_client.get(f"/ai-act/systems/{system.short_name}/classify/")
    assert page.status_code == 200 and "Annex III 5(b)" in page.content.decode()
    r = admin_client.post(
        f"/ai-act/systems/{system.short_name}/classify/",
        {"role": "deployer", "eu_use": "yes", "annex3_5b": "yes", "profiling": "yes", "art5_a": "no"},
    )
    assert r.status_code == 302
    c = Classification.objects.get(ai_system=system)
    assert (c.tier, c.annex_iii_points, c.answers["art5_a"]) == ("high_risk", ["5(b)"], False)
    html = admin_client.get(f"/ai-act/systems/{system.short_name}/").content.decode()
    assert "High-risk (Annex III 5(b))" in html
    assert (
        "Fundamental rights impact assessment" in html
        and "2 Dec 2027" in html
        and "originally 2 Aug 2026" in html
    )
    assert "deployer" in html and "credit score" in html  # the reason in our words
    # the AI system page carries the panel
    assert "aiact-panel-tier" in admin_client.get(f"/ai-systems/{system.short_name}/").content.decode()
    # a status saved from the page
    admin_client.post(
        f"/ai-act/systems/{system.short_name}/obligations/art27-fria/",
        {"status": "in_progress", "note": "Drafting."},
    )
    assert ObligationStatus.objects.get(ai_system=system, obligation="art27-fria").status == "in_progress"


def test_the_exports_download_with_the_obligations(aims: ManagementSystem, admin_client: Client) -> None:
    system = af.ai_system(aims, name='=HYPERLINK("http://evil.example","x")')
    services.classify_system(SYSTEM, system, role="provider", answers={"eu_use": True, "art50_1": True})
    assert admin_client.get("/ai-act/").status_code == 200
    xlsx = admin_client.get("/ai-act/export.xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    cells = [c.value for row in wb["Obligations"].iter_rows() for c in row]
    assert "Art. 50(1)" in cells and "Tell people they are dealing with AI" in cells
    # a name a spreadsheet would run is kept as text behind a quote, never a formula
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    pdf = admin_client.get(f"/ai-act/systems/{system.short_name}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_viewer_sees_but_cannot_classify(
    aims: ManagementSystem, make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    system = af.ai_system(aims)
    client = login_client(make_user(Role.VIEWER, aims))
    assert client.get(f"/ai-act/systems/{system.short_name}/").status_code == 200
    r = client.post(f"/ai-act/systems/{system.short_name}/classify/", {"role": "deployer", "eu_use": "yes"})
    assert r.status_code == 403 and not Classification.objects.exists()
