"""The pages that create certification records: each form page renders, a valid post calls the
service and redirects, and bad input (the form's or the service's) is shown on the form with
nothing created."""

from __future__ import annotations

from typing import Any

import pytest

from keel.certification import services
from keel.certification.models import AuditorRequest, CbFinding, CertificationAudit, CertificationCycle
from keel.documents.tests import factories as docs
from keel.improvement.models import Nonconformity
from keel.platform.actor import Actor
from keel.platform.choices import Role

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def cycle(isms: Any, org: Any) -> Any:
    return services.create_cycle(
        SYSTEM,
        title="ISO/IEC 27001 certificate",
        standards=["iso27001:2022"],
        management_systems=[isms.short_name],
        certification_body="Northbridge",
    )


def test_new_cycle_page_creates_a_cycle(admin_client: Any, isms: Any, org: Any) -> None:
    page = admin_client.get("/certification/cycles/new/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "New certification cycle" in text and 'name="standards"' in text and "data-picker" in text
    r = admin_client.post(
        "/certification/cycles/new/",
        {
            "title": "ISO/IEC 42001 certificate",
            "standards": ["iso42001:2023"],
            "management_systems": [isms.short_name],
            "certification_body": "Northbridge",
            "certificate_number": "NB-42-001",
            "decision_on": "2026-03-01",
        },
    )
    assert r.status_code == 302
    c = CertificationCycle.objects.get()
    assert r["Location"].endswith(f"#{c.ref_id}")
    assert [s.key for s in c.standards.all()] == ["iso42001:2023"]
    assert c.certificate_number == "NB-42-001" and str(c.expires_on) == "2029-02-28"
    assert list(c.management_systems.all()) == [isms]


def test_new_cycle_page_shows_errors_and_creates_nothing(admin_client: Any, org: Any) -> None:
    r = admin_client.post("/certification/cycles/new/", {"title": "X", "certification_body": "CB"})
    assert r.status_code == 422 and "This field is required" in r.content.decode()
    r = admin_client.post(
        "/certification/cycles/new/",
        {
            "title": "X",
            "standards": ["iso27001:2022"],
            "certification_body": "CB",
            "decision_on": "2026-03-01",
            "expires_on": "2026-01-01",
        },
    )
    assert r.status_code == 422
    assert CertificationCycle.objects.count() == 0


def test_plan_an_audit_and_record_its_outcome(admin_client: Any, cycle: Any) -> None:
    url = f"/certification/cycles/{cycle.ref_id}/audits/new/"
    page = admin_client.get(url)
    assert page.status_code == 200 and "Plan a certification audit" in page.content.decode()
    r = admin_client.post(
        url,
        {
            "kind": "stage_1",
            "planned_start": "2026-02-02",
            "planned_end": "2026-02-03",
            "auditors": "J. Becker, A. Moreau",
            "audit_days": "2",
        },
    )
    a = CertificationAudit.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/certification/audits/{a.ref_id}/"
    assert a.auditors == ["J. Becker", "A. Moreau"] and str(a.planned_end) == "2026-02-03"
    # the same kind twice: the service's conflict is on the form, nothing more is created
    again = admin_client.post(url, {"kind": "stage_1"})
    assert again.status_code == 422 and "already has its stage 1 audit" in again.content.decode()
    backwards = admin_client.post(
        url, {"kind": "stage_2", "planned_start": "2026-05-02", "planned_end": "2026-05-01"}
    )
    assert backwards.status_code == 422 and "cannot end before it starts" in backwards.content.decode()
    assert CertificationAudit.objects.count() == 1

    record = f"/certification/audits/{a.ref_id}/record/"
    assert admin_client.get(record).status_code == 200
    no_end = admin_client.post(record, {"status": "done", "outcome": "ready"})
    assert no_end.status_code == 422
    assert CertificationAudit.objects.get(pk=a.pk).status == "planned"
    done = admin_client.post(
        record,
        {"status": "done", "actual_start": "2026-02-02", "actual_end": "2026-02-03", "outcome": "ready"},
    )
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.status == "done" and a.outcome == "ready"


def test_unknown_cycle_or_audit_is_not_found(admin_client: Any, org: Any) -> None:
    assert admin_client.get("/certification/cycles/CERT-999/audits/new/").status_code == 404
    assert admin_client.get("/certification/audits/CBA-999/findings/").status_code == 404


def test_record_a_finding_raises_a_nonconformity(admin_client: Any, cycle: Any) -> None:
    a = services.add_audit(SYSTEM, cycle, kind="stage_2")
    url = f"/certification/audits/{a.ref_id}/findings/"
    page = admin_client.get(url)
    assert page.status_code == 200 and "Record a finding" in page.content.decode()
    bad = admin_client.post(url, {"grade": "minor"})
    assert bad.status_code == 422 and CbFinding.objects.count() == 0
    unknown = admin_client.post(url, {"grade": "minor", "title": "T", "requirements": "nope:1"})
    assert unknown.status_code == 422 and CbFinding.objects.count() == 0
    assert Nonconformity.objects.count() == 0
    r = admin_client.post(url, {"grade": "major", "title": "No risk treatment plan"})
    assert r.status_code == 302
    f = CbFinding.objects.get()
    assert f.nonconformity_ref and Nonconformity.objects.count() == 1
    ofi = admin_client.post(url, {"grade": "ofi", "title": "Automate the access review"})
    assert ofi.status_code == 302 and Nonconformity.objects.count() == 1


def test_new_auditor_request_and_answering_it(
    admin_client: Any, cycle: Any, isms: Any, make_user: Any
) -> None:
    a = services.add_audit(SYSTEM, cycle, kind="stage_1")
    url = f"/certification/cycles/{cycle.ref_id}/requests/"
    page = admin_client.get(url)
    assert page.status_code == 200 and a.ref_id in page.content.decode()
    assert admin_client.post(url, {"text": ""}).status_code == 422
    assert AuditorRequest.objects.count() == 0
    r = admin_client.post(url, {"text": "Show the access reviews", "audit": a.ref_id, "requested_by": "J. B"})
    assert r.status_code == 302
    req = AuditorRequest.objects.get()
    assert req.audit_id == a.pk and req.status == "open"

    status = f"/certification/requests/{req.ref_id}/status/"
    assert admin_client.get(status).status_code == 200
    refused = admin_client.post(status, {"status": "accepted"})
    assert refused.status_code == 422 and "has no answer yet" in refused.content.decode()
    assert AuditorRequest.objects.get().status == "open"

    link = f"/certification/requests/{req.ref_id}/links/"
    doc = docs.policy(make_user(Role.COMPLIANCE_MANAGER, email="mara@example.com"), [isms])
    page = admin_client.get(link)
    assert page.status_code == 200 and f"document:{doc.ref_id}" in page.content.decode()
    assert admin_client.post(link, {"record": ""}).status_code == 422
    r = admin_client.post(link, {"record": f"document:{doc.ref_id}"})
    assert r.status_code == 302
    assert AuditorRequest.objects.get().status == "answered"
    twice = admin_client.post(link, {"record": f"document:{doc.ref_id}"})
    assert twice.status_code == 422 and "already answers" in twice.content.decode()
    r = admin_client.post(status, {"status": "accepted", "answer": "Reviewed on site."})
    req.refresh_from_db()
    assert r.status_code == 302 and req.status == "accepted" and req.answer == "Reviewed on site."


def test_only_editors_open_the_form_pages(cycle: Any, login_client: Any, make_user: Any) -> None:
    viewer = login_client(make_user(Role.VIEWER))
    assert viewer.get("/certification/").status_code == 200
    assert "New certification cycle" not in viewer.get("/certification/").content.decode()
    assert viewer.get("/certification/cycles/new/").status_code == 403
    assert viewer.get(f"/certification/cycles/{cycle.ref_id}/audits/new/").status_code == 403
    manager = login_client(make_user(Role.COMPLIANCE_MANAGER))
    assert manager.get("/certification/cycles/new/").status_code == 200


def test_an_empty_post_is_invalid_input(admin_client: Any, org: Any) -> None:
    r = admin_client.post("/certification/cycles/new/", {})
    assert r.status_code == 422 and CertificationCycle.objects.count() == 0
