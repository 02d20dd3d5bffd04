"""The certification cycle (issue 15 item 5): audits and their deadlines, findings entering the
nonconformity queue, auditor requests answered by records, the integration self-assessment; the
API and the pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from keel.certification import hooks, integration, services
from keel.certification.deadlines import deadlines
from keel.certification.models import AuditorRequest, CbFinding, CertificationAudit
from keel.documents.tests import factories as docs
from keel.evidence.tests import factories as ev
from keel.improvement.models import Nonconformity
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry
from keel.work import queries as work_queries

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
D = dt.date(2026, 1, 1)


@pytest.fixture
def cycle(isms: Any, org: Any) -> Any:
    return services.create_cycle(
        SYSTEM,
        title="ISO/IEC 27001 certificate",
        standards=["iso27001:2022"],
        management_systems=[isms.short_name],
        certification_body="Northbridge",
    )


def test_a_cycle_refuses_bad_input_naming_the_field(org: Any) -> None:
    with pytest.raises(ValidationFailed, match="standards: name at least one"):
        services.create_cycle(SYSTEM, title="X", standards=[], certification_body="CB")
    with pytest.raises(ValidationFailed, match="unknown standard iso9001"):
        services.create_cycle(SYSTEM, title="X", standards=["iso9001:2015"], certification_body="CB")
    with pytest.raises(ValidationFailed, match="decision_on"):
        services.create_cycle(
            SYSTEM, title="X", standards=["iso27001:2022"], certification_body="CB", decision_on="soon"
        )


def test_only_an_editor_of_certification_records_it(cycle: Any, make_user: Any, isms: Any) -> None:
    contributor = Actor.for_user(make_user(Role.CONTRIBUTOR, isms), "web")
    with pytest.raises(PermissionDenied):
        services.add_audit(contributor, cycle, kind="stage_1")
    manager = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER), "web")
    assert services.add_audit(manager, cycle, kind="stage_1").ref_id.startswith("CBA-")


def test_deadlines_follow_stage_1_the_decision_and_the_expiry(cycle: Any) -> None:
    s1 = services.add_audit(SYSTEM, cycle, kind="stage_1", planned_start=D)
    with pytest.raises(Conflict, match="already has its stage 1 audit"):
        services.add_audit(SYSTEM, cycle, kind="stage_1")
    with pytest.raises(ValidationFailed, match="actual_end: record the day"):
        services.record_audit(SYSTEM, s1.ref_id, status="done")
    services.record_audit(
        SYSTEM, s1.ref_id, status="done", actual_start=D, actual_end=D + dt.timedelta(days=1)
    )
    s2 = services.add_audit(SYSTEM, cycle, kind="stage_2", planned_start=dt.date(2026, 3, 1))
    services.record_audit(
        SYSTEM, s2, status="done", actual_start=dt.date(2026, 3, 1), actual_end=dt.date(2026, 3, 4)
    )
    services.update_cycle(SYSTEM, cycle.ref_id, decision_on="2026-04-01", certificate_number="NB-1")
    cycle.refresh_from_db()
    assert cycle.expires_on == dt.date(2029, 3, 31)
    by_kind = {d.kind: d for d in deadlines(cycle, dt.date(2027, 5, 1))}
    assert by_kind["stage_2"].due == dt.date(2026, 7, 2) and by_kind["stage_2"].state == "met"
    assert (
        by_kind["surveillance_1"].due == dt.date(2027, 4, 1) and by_kind["surveillance_1"].state == "overdue"
    )
    assert by_kind["surveillance_2"].due == dt.date(2028, 4, 1) and by_kind["surveillance_2"].state == "open"
    assert by_kind["recertification"].due == dt.date(2029, 1, 30)
    findings = hooks.deadlines_missed(None)
    if timezone.localdate() > dt.date(2027, 4, 1):  # pragma: no cover - depends on today
        assert findings
    assert all(f.rule == "certification_deadline_missed" for f in findings)


def test_the_missed_deadline_rule_names_the_audit(cycle: Any) -> None:
    today = timezone.localdate()
    s1 = services.add_audit(SYSTEM, cycle, kind="stage_1")
    end = today - dt.timedelta(days=400)
    services.record_audit(SYSTEM, s1, status="done", actual_start=end, actual_end=end)
    [finding] = hooks.deadlines_missed(None)
    assert "stage 2 audit was due by" in finding.title and cycle.ref_id in finding.title


def test_a_minor_finding_enters_the_nonconformity_queue_and_an_ofi_does_not(
    cycle: Any, make_user: Any
) -> None:
    owner = make_user(email="tom@example.com")
    a = services.add_audit(SYSTEM, cycle, kind="stage_2")
    f1 = services.add_finding(
        SYSTEM,
        a.ref_id,
        grade="minor",
        title="Q2 access review not recorded",
        requirements=["iso27001:2022:A.5.18"],
        owner=owner.email,
    )
    nc = Nonconformity.objects.get(ref_id=f1.nonconformity_ref)
    assert nc.source == "certification_audit" and nc.kind == "minor" and nc.source_ref == f"{a.ref_id} F-1"
    assert nc.owner == owner and [r.key for r in nc.requirements.all()] == ["iso27001:2022:A.5.18"]
    f2 = services.add_finding(SYSTEM, a.ref_id, grade="ofi", title="Automate the leaver evidence")
    assert f2.number == 2 and f2.nonconformity_ref == ""
    with pytest.raises(ValidationFailed, match="grade"):
        services.add_finding(SYSTEM, a.ref_id, grade="serious", title="x")
    with pytest.raises(ValidationFailed, match="title"):
        services.add_finding(SYSTEM, a.ref_id, grade="minor", title=" ")
    with pytest.raises(NotFound):
        services.add_finding(SYSTEM, "CBA-999", grade="minor", title="x")
    assert CbFinding.objects.count() == 2 and Nonconformity.objects.count() == 1


def test_a_request_is_answered_by_records_and_shows_on_the_owners_work(
    cycle: Any, make_user: Any, isms: Any
) -> None:
    mara = make_user(Role.COMPLIANCE_MANAGER, email="mara@example.com")
    today = timezone.localdate()
    r = services.add_request(
        SYSTEM,
        cycle,
        text="Show the Q3 access reviews",
        requested_by="J. Becker",
        due_on=today + dt.timedelta(days=3),
        owner=mara.email,
    )
    assert [d.title for d in work_queries.my_work(mara).soon] == [f"{r.ref_id}: Show the Q3 access reviews"]
    with pytest.raises(ValidationFailed, match="has no answer yet"):
        services.set_request_status(SYSTEM, r, status="accepted")
    evidence = ev.link_evidence([isms], title="Q3 access review export")
    policy = docs.policy(mara, [isms])
    services.link_request(SYSTEM, r, kind="evidence", ref=evidence.ref_id)
    services.link_request(SYSTEM, r, kind="document", ref=policy.ref_id)
    with pytest.raises(Conflict, match="already answers"):
        services.link_request(SYSTEM, r, kind="evidence", ref=evidence.ref_id)
    with pytest.raises(ValidationFailed, match="url"):
        services.link_request(SYSTEM, r, kind="record", title="Board minutes", url="javascript:alert(1)")
    services.link_request(SYSTEM, r, kind="record", title="Board minutes", url="/documents/")
    r.refresh_from_db()
    assert r.status == "answered" and r.links.count() == 3
    services.set_request_status(SYSTEM, r, status="accepted")
    assert AuditorRequest.objects.get(pk=r.pk).status == "accepted"
    assert work_queries.my_work(mara).count == 0
    assert TrailEntry.objects.filter(object_id=str(r.pk)).count() == 5


def test_the_integration_level_and_reduction_come_from_records_and_answers(org: Any, isms: Any) -> None:
    empty = integration.assess()
    assert empty.level == 0 and empty.reduction_percent == 0 and len(empty.unanswered) == 5
    for q in (
        "one_policy_framework",
        "one_management_review",
        "one_risk_approach",
        "one_improvement_process",
    ):
        services.answer_question(SYSTEM, question=q, answer="yes")
    services.answer_question(SYSTEM, question="one_responsible_manager", answer="partly", note="A committee")
    with pytest.raises(ValidationFailed, match="question"):
        services.answer_question(SYSTEM, question="favourite_colour", answer="yes")
    with pytest.raises(ValidationFailed, match="answer"):
        services.answer_question(SYSTEM, question="one_risk_approach", answer="maybe")
    result = integration.assess()
    # documentation 1, review 1, processes 1, responsibilities 0.5 (audits: nothing to measure)
    assert result.level == Decimal("0.875") and result.level_label == "high"
    assert result.reduction_percent == Decimal("17.5")
    data = result.as_dict()
    assert data["reduction_percent"] == 17.5 and data["max_reduction_percent"] == 20.0
    assert any(m["basis"] == "answered partly: A committee" for a in data["aspects"] for m in a["measures"])
    services.answer_question(SYSTEM, question="one_responsible_manager", answer="no")
    for q in (
        "one_policy_framework",
        "one_management_review",
        "one_risk_approach",
        "one_improvement_process",
    ):
        services.answer_question(SYSTEM, question=q, answer="no")
    assert integration.assess().reduction_percent == 0


def test_api_audits_findings_and_requests(
    cycle: Any, admin_client: Any, login_client: Any, make_user: Any
) -> None:
    created = admin_client.post(
        "/api/v1/certification-audits",
        json.dumps(
            {
                "cycle": cycle.ref_id,
                "kind": "stage_1",
                "planned_start": "2026-02-02",
                "auditors": ["J. Becker"],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    ref = created.json()["ref_id"]
    bad = admin_client.post(
        "/api/v1/certification-audits",
        json.dumps({"cycle": cycle.ref_id, "kind": "stage_1"}),
        content_type="application/json",
    )
    assert bad.status_code == 409 and "already has" in bad.json()["error"]["message"]
    patched = admin_client.patch(
        f"/api/v1/certification-audits/{ref}",
        json.dumps(
            {"status": "done", "actual_start": "2026-02-02", "actual_end": "2026-02-03", "outcome": "ready"}
        ),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["status"] == "done"
    finding = admin_client.post(
        f"/api/v1/certification-audits/{ref}/findings",
        json.dumps({"grade": "major", "title": "No risk treatment plan"}),
        content_type="application/json",
    )
    assert finding.status_code == 201 and finding.json()["nonconformity"].startswith("NC-")
    listed = admin_client.get(f"/api/v1/certification-audits?cycle={cycle.ref_id}&status=done").json()
    assert listed["count"] == 1 and listed["items"][0]["findings"][0]["grade"] == "major"
    req = admin_client.post(
        "/api/v1/auditor-requests",
        json.dumps({"cycle": cycle.ref_id, "text": "Show the supplier register", "audit": ref}),
        content_type="application/json",
    )
    assert req.status_code == 201 and req.json()["audit"] == ref
    linked = admin_client.post(
        f"/api/v1/auditor-requests/{req.json()['ref_id']}/links",
        json.dumps({"kind": "record", "title": "Supplier register", "url": "/suppliers/"}),
        content_type="application/json",
    )
    assert linked.status_code == 201 and linked.json()["status"] == "answered"
    assert admin_client.get("/api/v1/auditor-requests?status=answered").json()["count"] == 1
    assert admin_client.get("/api/v1/certification-cycles").json()["items"][0]["standards"] == [
        "iso27001:2022"
    ]
    viewer = login_client(make_user(Role.VIEWER))
    assert viewer.get("/api/v1/auditor-requests").status_code == 200
    refused = viewer.post(
        "/api/v1/auditor-requests",
        json.dumps({"cycle": cycle.ref_id, "text": "x"}),
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_pages_render_and_forms_post(
    cycle: Any, admin_client: Any, login_client: Any, make_user: Any
) -> None:
    a = services.add_audit(SYSTEM, cycle, kind="stage_1", planned_start=D, auditors=["J. Becker"])
    services.add_request(SYSTEM, cycle, text="Show the policy")
    page = admin_client.get("/certification/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Stage 1" in text and "Integration self-assessment" in text and "Show the policy" in text
    assert admin_client.get(f"/certification/audits/{a.ref_id}/").status_code == 200
    r = admin_client.post(
        f"/certification/audits/{a.ref_id}/findings/", {"grade": "minor", "title": "No asset owner"}
    )
    assert r.status_code == 302 and CbFinding.objects.get().nonconformity_ref
    r = admin_client.post(
        f"/certification/audits/{a.ref_id}/record/",
        {"status": "done", "actual_start": "2026-01-01", "actual_end": "2026-01-02", "outcome": "ready"},
    )
    assert r.status_code == 302 and CertificationAudit.objects.get(pk=a.pk).status == "done"
    r = admin_client.post(f"/certification/cycles/{cycle.ref_id}/requests/", {"text": "Show the SoA"})
    assert r.status_code == 302 and AuditorRequest.objects.count() == 2
    r = admin_client.post(
        "/certification/integration/", {"question": "one_risk_approach", "answer": "partly"}
    )
    assert r.status_code == 302
    viewer = login_client(make_user(Role.VIEWER))
    assert viewer.get("/certification/").status_code == 200
    assert viewer.post(f"/certification/cycles/{cycle.ref_id}/requests/", {"text": "x"}).status_code == 403
