"""An SoA row's reason for inclusion can name requirements of the legal register (issue 14 item
7): set by the service, the page and the API, an unknown or foreign one refused by name, the
trail naming them, the exports printing their references and sources."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from keel.organisation.models import ManagementSystem
from keel.platform.errors import ValidationFailed
from keel.platform.models import TrailEntry
from keel.soa import exports, queries, services
from keel.soa.tests.factories import SYSTEM, row, soa_for
from keel.support import legal

pytestmark = pytest.mark.django_db
API = "/api/v1"


def gdpr(ms: ManagementSystem, title: str = "Security of processing") -> object:
    return legal.create_legal_requirement(
        SYSTEM,
        management_system=ms.short_name,
        title=title,
        kind="regulation",
        source="GDPR Art. 32",
        summary="Protect personal data.",
    )


def test_a_row_names_legal_requirements_and_the_exports_print_them(
    isms: ManagementSystem, aims: ManagementSystem
) -> None:
    lr = gdpr(isms)
    other = gdpr(aims, "AI Act Art. 26")
    soa = soa_for(isms)
    target = row(soa, "A.5.34")
    services.update_row(SYSTEM, target.pk, legal_requirements=["lr-001"])
    assert list(target.legal_requirements.all()) == [lr]
    entry = TrailEntry.objects.filter(object_id=str(target.pk)).latest("seq")
    assert json.loads(entry.payload)["changes"]["legal_requirements"] == [[], ["LR-001"]]
    with pytest.raises(ValidationFailed, match="No legal requirement 'LR-002'") as exc:
        services.update_row(SYSTEM, target.pk, legal_requirements=[other.ref_id])  # type: ignore[attr-defined]
    assert "legal_requirements" in exc.value.fields
    assert list(target.legal_requirements.all()) == [lr]
    data = next(r for r in queries.rows(soa) if r["id"] == str(target.pk))
    assert data["legal_requirements"] == [
        {"ref_id": "LR-001", "title": "Security of processing", "source": "GDPR Art. 32"}
    ]
    wb = load_workbook(io.BytesIO(exports.export([soa], "xlsx")))
    ws = wb[wb.sheetnames[0]]
    header = [c.value for c in ws[exports.HEADER_ROW]]
    col = header.index("Legal requirements")
    cells = [
        r[col] for r in ws.iter_rows(min_row=exports.HEADER_ROW + 1, values_only=True) if r[0] == "A.5.34"
    ]
    assert cells == ["LR-001 Security of processing (GDPR Art. 32)"]


def test_the_row_page_and_the_api_set_and_show_them(admin_client: Client, isms: ManagementSystem) -> None:
    lr = gdpr(isms)
    soa = soa_for(isms)
    target = row(soa, "A.5.31")
    edit = admin_client.get(reverse("soa-row-edit", args=[target.pk])).content.decode()
    assert "LR-001" in edit
    r = admin_client.patch(
        API + f"/soa/{soa.pk}/rows/{target.pk}",
        json.dumps({"legal_requirements": ["LR-001"]}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["legal_requirements"][0]["ref_id"] == "LR-001"
    page = admin_client.get(reverse("soa-row", args=[target.pk])).content.decode()
    assert "LR-001" in page and "GDPR Art. 32" in page
    r = admin_client.patch(
        API + f"/soa/{soa.pk}/rows/{target.pk}",
        json.dumps({"legal_requirements": ["LR-404"]}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "LR-404" in r.content.decode()
    assert list(target.legal_requirements.all()) == [lr]
