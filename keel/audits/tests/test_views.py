"""Pages of the audit programme: each renders, the forms post through the services, the
refusals show on the page, the report PDF downloads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from keel.audits import results, services
from keel.audits.choices import AuditStatus
from keel.audits.models import Audit, AuditItem, AuditProgramme, Finding
from keel.platform.choices import Role

from . import factories as f

pytestmark = pytest.mark.django_db


def test_every_page_renders(admin_client: Any, isms: Any) -> None:
    f.control("KC-301", isms, frequency="weekly")
    a = f.audit(f.programme([isms]), controls=["KC-301"], management_systems=[isms.short_name])
    services.move_audit(f.SYSTEM, a.ref_id, AuditStatus.IN_PROGRESS)
    item = AuditItem.objects.get(audit=a, control__ref_id="KC-301")
    results.draw_sample(
        f.SYSTEM, item.pk, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 2, 28), seed=5
    )
    results.add_finding(
        f.SYSTEM, a.ref_id, grade="ofi", title="Automate the review", description="Could be a job."
    )
    for url in (
        "/audits/",
        "/audits/?status=in_progress",
        "/audits/new/",
        "/audits/programmes/new/",
        f"/audits/programmes/{a.programme.ref_id}/",
        f"/audits/programmes/{a.programme.ref_id}/edit/",
        f"/audits/programmes/{a.programme.ref_id}/coverage/",
        f"/audits/programmes/{a.programme.ref_id}/coverage/?gaps=1",
        f"/audits/{a.ref_id}/",
        f"/audits/{a.ref_id}/edit/",
        f"/audits/{a.ref_id}/items/{item.pk}/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(f"/audits/{a.ref_id}/").content.decode()
    assert "Automate the review" in page and "KC-301" in page
    coverage = admin_client.get(f"/audits/programmes/{a.programme.ref_id}/coverage/").content.decode()
    assert "Never audited in the cycle" in coverage and "(planned)" in coverage


def test_plan_record_find_and_report_through_the_pages(admin_client: Any, isms: Any, make_user: Any) -> None:
    lead = make_user(email="lead@example.com")
    response = admin_client.post(
        "/audits/programmes/new/",
        {
            "title": "Programme 2026–2028",
            "first_year": 2026,
            "last_year": 2028,
            "standards": ["iso27001:2022"],
            "management_systems": [isms.short_name],
            "owner": lead.email,
        },
    )
    assert response.status_code == 302
    prog = AuditProgramme.objects.get()
    response = admin_client.post(
        "/audits/new/",
        {
            "programme": prog.ref_id,
            "title": "Internal audit",
            "planned_start": "2026-04-06",
            "planned_end": "2026-04-08",
            "requirements": f"{f.CLAUSE}, {f.ANNEX}",
            "lead_auditor": lead.email,
            "management_systems": [isms.short_name],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    a = Audit.objects.get()
    assert a.items.count() == 2
    admin_client.post(f"/audits/{a.ref_id}/move/", {"to": "in_progress"})
    item = a.items.order_by("position").first()
    assert item is not None
    response = admin_client.post(f"/audits/{a.ref_id}/items/{item.pk}/result/", {"result": "minor_nc"})
    assert response.status_code == 422 and "Required for a nonconformity" in response.content.decode()
    response = admin_client.post(
        f"/audits/{a.ref_id}/items/{item.pk}/result/",
        {"result": "minor_nc", "notes": "No audit plan for Q1."},
    )
    assert response.status_code == 302
    response = admin_client.post(
        f"/audits/{a.ref_id}/findings/new/",
        {
            "grade": "minor_nc",
            "title": "Audit plan missing",
            "description": "Q1 had no plan.",
            "requirements": f.CLAUSE,
        },
    )
    assert response.status_code == 302
    assert Finding.objects.get().ref == "F-1"
    response = admin_client.post(f"/audits/{a.ref_id}/move/", {"to": "reported"}, follow=True)
    assert "the conclusion is not written" in response.content.decode()
    pdf = admin_client.get(f"/audits/{a.ref_id}/report.pdf")
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )


def test_an_auditor_records_but_does_not_plan(login_client: Any, make_user: Any, isms: Any) -> None:
    a = f.audit(f.programme([isms]))
    client = login_client(make_user(Role.AUDITOR))
    assert client.get("/audits/new/").status_code == 403
    assert client.post(f"/audits/{a.ref_id}/move/", {"to": "in_progress"}).status_code == 403
    assert client.get(f"/audits/{a.ref_id}/").status_code == 200
