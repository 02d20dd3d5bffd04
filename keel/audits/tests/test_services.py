"""Services of the audit programme: planning, the independence check, the checklist, the
status moves, results, samples and findings — happy paths and every refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from keel.audits import results, sampling, services
from keel.audits.choices import AuditStatus
from keel.audits.models import Audit, AuditItem, Finding
from keel.documents.tests import factories as docs
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry

from . import factories as f

pytestmark = pytest.mark.django_db
SYSTEM = f.SYSTEM


def test_a_programme_covers_both_standards_and_refuses_backward_years(isms: Any, aims: Any) -> None:
    prog = f.programme([isms, aims])
    assert prog.ref_id == "AP-001" and prog.period == "2026–2028"
    assert {s.key for s in prog.standards.all()} == {"iso27001:2022", "iso42001:2023"}
    assert TrailEntry.objects.filter(object_id=str(prog.pk)).count() == 1
    with pytest.raises(ValidationFailed, match="last year comes before"):
        f.programme(first_year=2027, last_year=2026)
    with pytest.raises(ValidationFailed, match="Unknown standard"):
        f.programme(standards=["iso9001:2015"])


def test_an_audit_gets_its_reference_and_a_checklist_from_its_scope(isms: Any, make_user: Any) -> None:
    owner = make_user()
    ctl = f.control("KC-101", isms, owner=owner)
    doc = docs.policy(make_user(Role.COMPLIANCE_MANAGER), [isms], requirements=[f.CLAUSE], owner=owner)
    a = f.audit(f.programme([isms]), controls=["KC-101"], management_systems=[isms.short_name])
    assert a.ref_id == "AUD-2026-01" and a.status == AuditStatus.PLANNED
    items = list(a.items.select_related("requirement", "control"))
    assert [i.subject_ref for i in items] == ["iso27001 9.2.2", "iso27001 A.5.15", "KC-101"]
    clause = items[0]
    assert any("9.2.2" in q for q in clause.questions)
    assert {"kind": "Document", "ref": doc.ref_id} in [
        {"kind": r["kind"], "ref": r["ref"]} for r in clause.to_sample
    ]
    assert items[2].control == ctl and any("quarterly" in q for q in items[2].questions)
    second = f.audit(
        Audit.objects.get().programme, title="AI lifecycle", requirements=["iso42001:2023:A.6.2.4"]
    )
    assert second.ref_id == "AUD-2026-02"


def test_refuses_assigning_an_auditor_to_a_control_they_own(isms: Any, make_user: Any) -> None:
    owner = make_user(email="ana@example.com", full_name="Ana Owner")
    f.control("KC-102", isms, owner=owner)
    prog = f.programme([isms])
    with pytest.raises(ValidationFailed, match="Ana Owner owns control KC-102 Control KC-102") as exc:
        f.audit(prog, controls=["KC-102"], lead_auditor=owner.email)
    assert exc.value.fields == {"lead_auditor": ["Owns records in the audit's scope."]}
    assert not Audit.objects.exists()
    a = f.audit(prog, controls=["KC-102"])
    with pytest.raises(ValidationFailed, match="may not audit their own work"):
        services.update_audit(SYSTEM, a.ref_id, team=[owner.email])
    assert not a.team.exists()


def test_the_independence_check_names_documents_and_controls_serving_the_clauses(
    isms: Any, make_user: Any
) -> None:
    author = make_user(full_name="Dev Author")
    docs.policy(make_user(Role.COMPLIANCE_MANAGER), [isms], requirements=[f.CLAUSE], owner=author)
    with pytest.raises(ValidationFailed, match="Dev Author owns document DOC-"):
        f.audit(f.programme([isms]), team=[author.email])
    other = make_user()
    a = f.audit(f.programme([isms], title="Second"), team=[other.email])
    assert list(a.team.all()) == [other]


def test_changing_the_scope_adds_and_drops_untouched_items(isms: Any) -> None:
    f.control("KC-103", isms)
    a = f.audit(f.programme([isms]))
    services.update_audit(SYSTEM, a.ref_id, requirements=[f.CLAUSE], controls=["KC-103"])
    assert [i.subject_ref for i in a.items.all()] == ["iso27001 9.2.2", "KC-103"]


def test_only_an_audit_planner_plans(isms: Any, make_user: Any) -> None:
    auditor = Actor.for_user(make_user(Role.AUDITOR), "web")
    with pytest.raises(PermissionDenied):
        services.create_programme(auditor, title="X", first_year=2026, last_year=2026)
    prog = f.programme([isms])
    with pytest.raises(PermissionDenied):
        services.plan_audit(
            auditor,
            programme_ref=prog.ref_id,
            title="X",
            planned_start=dt.date(2026, 1, 1),
            planned_end=dt.date(2026, 1, 2),
        )


def test_an_audit_outside_its_programme_period_is_refused(isms: Any) -> None:
    with pytest.raises(ValidationFailed, match="outside the programme's period 2026–2028"):
        f.audit(f.programme([isms]), planned_start=dt.date(2030, 1, 5), planned_end=dt.date(2030, 1, 6))


def test_the_audit_moves_through_its_statuses_and_names_what_is_missing(isms: Any, make_user: Any) -> None:
    lead = make_user()
    a = f.audit(f.programme([isms]), lead_auditor=lead.email)
    with pytest.raises(Conflict, match="cannot become reported"):
        services.move_audit(SYSTEM, a.ref_id, AuditStatus.REPORTED)
    with pytest.raises(Conflict, match="has not started"):
        results.record_item(SYSTEM, a.items.first().pk, result="conforming")  # type: ignore[union-attr]
    services.move_audit(SYSTEM, a.ref_id, AuditStatus.IN_PROGRESS, on=dt.date(2026, 3, 2))
    with pytest.raises(Conflict, match="the conclusion is not written; no checklist item has a result"):
        services.move_audit(SYSTEM, a.ref_id, AuditStatus.REPORTED)
    item = a.items.first()
    assert item is not None
    with pytest.raises(ValidationFailed, match="needs notes"):
        results.record_item(SYSTEM, item.pk, result="minor_nc")
    results.record_item(SYSTEM, item.pk, result="minor_nc", notes="Two audits had no plan.")
    finding = results.add_finding(
        SYSTEM,
        a.ref_id,
        grade="minor_nc",
        title="Audit plans missing",
        description="Two audits had no plan.",
        item_id=item.pk,
    )
    assert finding.ref == "F-1" and [r.key for r in finding.requirements.all()] == [f.CLAUSE]
    services.update_audit(SYSTEM, a.ref_id, conclusion="Effective, with one minor nonconformity.")
    services.move_audit(SYSTEM, a.ref_id, AuditStatus.REPORTED, on=dt.date(2026, 3, 10))
    with pytest.raises(Conflict, match="F-1 \\(minor nonconformity\\) is not raised as a nonconformity"):
        services.move_audit(SYSTEM, a.ref_id, AuditStatus.CLOSED)
    Finding.objects.filter(pk=finding.pk).update(nonconformity_ref="NC-001")
    a = services.move_audit(SYSTEM, a.ref_id, AuditStatus.CLOSED, on=dt.date(2026, 3, 20))
    assert a.closed_on == dt.date(2026, 3, 20) and a.reported_on == dt.date(2026, 3, 10)
    with pytest.raises(Conflict, match="closed"):
        services.update_audit(SYSTEM, a.ref_id, title="Changed")


def test_a_nonconformity_finding_names_a_requirement_or_control(isms: Any) -> None:
    a = f.audit(f.programme([isms]))
    services.move_audit(SYSTEM, a.ref_id, AuditStatus.IN_PROGRESS)
    with pytest.raises(ValidationFailed, match="names the requirement or control"):
        results.add_finding(SYSTEM, a.ref_id, grade="major_nc", title="X", description="Y")
    obs = results.add_finding(
        SYSTEM, a.ref_id, grade="observation", title="Naming", description="Inconsistent."
    )
    ofi = results.add_finding(
        SYSTEM, a.ref_id, grade="ofi", title="Automate", description="Could be automated."
    )
    assert (obs.ref, ofi.ref) == ("F-1", "F-2")
    assert not services.close_problems(a)


def test_the_same_seed_draws_the_same_sample_and_daily_gets_more_than_quarterly(isms: Any) -> None:
    f.control("KC-201", isms, frequency="daily")
    f.control("KC-202", isms, frequency="quarterly")
    a = f.audit(f.programme([isms]), controls=["KC-201", "KC-202"])
    services.move_audit(SYSTEM, a.ref_id, AuditStatus.IN_PROGRESS)
    daily = AuditItem.objects.get(audit=a, control__ref_id="KC-201")
    quarterly = AuditItem.objects.get(audit=a, control__ref_id="KC-202")
    q1 = {"period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 3, 31)}
    first = [s.label for s in results.draw_sample(SYSTEM, daily.pk, seed=42, **q1)]
    again = [s.label for s in results.draw_sample(SYSTEM, daily.pk, seed=42, **q1)]
    other = [s.label for s in results.draw_sample(SYSTEM, daily.pk, seed=43, **q1)]
    assert first == again and first != other
    few = results.draw_sample(SYSTEM, quarterly.pk, seed=42, **q1)
    assert len(other) > len(few) >= 1
    assert len(other) == sampling.sample_size("daily", 90)
    s = daily.samples.first()
    assert s is not None
    with pytest.raises(ValidationFailed, match="note"):
        results.record_sample(SYSTEM, s.pk, result="exception")
    results.record_sample(SYSTEM, s.pk, result="effective", note="Log reviewed.")
    with pytest.raises(Conflict, match="already has results"):
        results.draw_sample(SYSTEM, daily.pk, seed=1, **q1)
    clause = AuditItem.objects.filter(audit=a, requirement__isnull=False).first()
    assert clause is not None
    with pytest.raises(ValidationFailed, match="clause"):
        results.draw_sample(SYSTEM, clause.pk, seed=1, **q1)


def test_sample_sizes_follow_the_table() -> None:
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    sizes = {
        freq: sampling.sample_size(freq, len(sampling.occurrences(freq, *year))) for freq in sampling.SIZES
    }
    assert sizes == {
        "annually": 1,
        "semi_annually": 2,
        "quarterly": 2,
        "monthly": 5,
        "weekly": 15,
        "daily": 40,
        "continuous": 60,
        "per_event": 60,
    }
    weeks = sampling.occurrences("weekly", dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert weeks[0].label == "2026-W01" and weeks[0].start == dt.date(2026, 1, 1) and len(weeks) == 5
