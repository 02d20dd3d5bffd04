"""Services and gates of keel.changes: the workflow, every gate refusal (the message names each
missing gate), who may approve (the role, not the requester), edits and their limits."""

from __future__ import annotations

from typing import Any

import pytest

from keel.aisystems.tests import factories as ai
from keel.changes import gates, services
from keel.changes.models import Change
from keel.evidence.tests import factories as ev
from keel.impact.tests import factories as impact
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry
from keel.risks import services as risk_services
from keel.risks.tests import factories as rf

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(make_user: Any, isms: Any) -> Any:
    return make_user(Role.CONTRIBUTOR, isms)


@pytest.fixture
def approver(make_user: Any, isms: Any) -> Actor:
    return Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), "web")


def _meet_gates(change: Change, system: Any, version: Any, owner: Any) -> None:
    """Approve an impact assessment after submission, re-assess the AI risks, pass an evaluation."""
    impact.approved(system)
    for risk in system.risks.filter(status="open"):
        risk_services.update_risk(f.SYSTEM, risk.pk, reassess=True)
    ai.passing_evaluation(system, version)


def test_a_retraining_change_is_refused_naming_every_missing_gate_then_approved(
    isms: Any, requester: Any, approver: Actor, admin: Any
) -> None:
    system, version = f.system_with_version(isms)
    risk = rf.ai_risk(isms, admin, ai_system=system)
    change = f.retraining(system, version, requester)
    assert change.ref_id == "CHG-001" and change.management_system == isms and change.owner == requester
    services.submit(f.SYSTEM, change.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.approve(approver, change.pk)
    message = refused.value.message
    assert "3 gates not met" in message
    for name in ("impact assessment:", "AI risks:", "verification and validation:"):
        assert name in message
    assert risk.ref_id in message and "never been evaluated" in message
    change.refresh_from_db()
    assert change.status == "submitted" and change.approver is None
    _meet_gates(change, system, version, admin)
    approved = services.approve(approver, change.pk, "Fairness gap within bounds.")
    assert approved.status == "approved" and approved.approver == approver.user and approved.approved_at
    assert TrailEntry.objects.filter(object_id=str(change.pk)).count() == 3


def test_each_model_gate_is_refused_on_its_own(
    isms: Any, requester: Any, approver: Actor, admin: Any
) -> None:
    system, version = f.system_with_version(isms)
    rf.ai_risk(isms, admin, ai_system=system)
    change = f.retraining(system, version, requester)
    services.submit(f.SYSTEM, change.pk)
    _meet_gates(change, system, version, admin)
    change.refresh_from_db()
    assert [g.ok for g in gates.gates_of(change)] == [True, True, True]
    # a risk re-scored before the submission does not count: a new risk stays unreviewed
    late = Change.objects.get(pk=change.pk)
    late.submitted_at = late.submitted_at.replace(year=late.submitted_at.year + 1)
    names = {g.name: g.ok for g in gates.gates_of(late)}
    assert names == {"impact assessment": False, "AI risks": False, "verification and validation": True}
    # a failed re-evaluation closes the verification gate again
    ai.passing_evaluation(system, version, result_value="0.60")
    with pytest.raises(ValidationFailed, match=r"1 gate not met — verification and validation: the latest"):
        services.approve(approver, change.pk)


def test_an_explicitly_linked_assessment_and_linked_evidence_meet_their_gates(
    isms: Any, aims: Any, requester: Any
) -> None:
    system, version = f.system_with_version(isms)
    assessment = impact.approved(system)  # approved before the change was submitted
    change = f.retraining(system, version, requester)
    services.submit(f.SYSTEM, change.pk)
    change.refresh_from_db()
    assert not gates.impact_assessment(change).ok and not gates.verification_validation(change).ok
    services.update(f.SYSTEM, change.pk, impact_assessment=str(assessment.version))
    report = ev.link_evidence([isms], title="Validation report 3.2", url="https://ml.example.com/3.2")
    services.update(f.SYSTEM, change.pk, evidence=[report.ref_id])
    change.refresh_from_db()
    assert gates.impact_assessment(change).ok
    assert gates.verification_validation(change).detail.endswith(report.ref_id)
    elsewhere = ev.link_evidence([aims], title="Other system's report")
    with pytest.raises(ValidationFailed, match="another management system"):
        services.update(f.SYSTEM, change.pk, evidence=[elsewhere.ref_id])
    with pytest.raises(ValidationFailed, match="No evidence EV-999"):
        services.update(f.SYSTEM, change.pk, evidence=["EV-999"])


def test_a_system_without_ai_risks_or_assessment_says_so(isms: Any, requester: Any, approver: Actor) -> None:
    system, version = f.system_with_version(isms)
    change = f.retraining(system, version, requester, kind="retirement")
    services.submit(f.SYSTEM, change.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.approve(approver, change.pk)
    assert "2 gates not met" in refused.value.message
    assert "has no approved impact assessment" in refused.value.message
    assert "no AI risk of credit-scoring is recorded" in refused.value.message


def test_the_requester_may_not_approve_and_the_approver_needs_the_role(
    isms: Any, make_user: Any, approver: Actor
) -> None:
    manager = make_user(Role.COMPLIANCE_MANAGER, isms)
    change = f.it_change(isms, manager, kind="standard")
    services.submit(f.SYSTEM, change.pk)
    with pytest.raises(PermissionDenied, match="requested CHG-001: someone else approves it"):
        services.approve(Actor.for_user(manager, "web"), change.pk)
    contributor = Actor.for_user(make_user(Role.CONTRIBUTOR, isms), "web")
    with pytest.raises(PermissionDenied):
        services.approve(contributor, change.pk)
    with pytest.raises(PermissionDenied, match="named approver"):
        services.approve(f.SYSTEM, change.pk)
    assert Change.objects.get(pk=change.pk).status == "submitted"
    assert services.approve(approver, change.pk).status == "approved"


def test_information_system_and_management_system_gates(isms: Any, requester: Any, approver: Actor) -> None:
    normal = f.it_change(isms, requester, test_plan="Staging run.")
    services.submit(f.SYSTEM, normal.pk)
    with pytest.raises(ValidationFailed, match=r"2 gates not met — rollback plan: .*; risk and impact notes"):
        services.approve(approver, normal.pk)
    services.update(
        f.SYSTEM, normal.pk, rollback_plan="Fail back to the old primary.", risk_notes="30 s outage."
    )
    assert services.approve(approver, normal.pk).status == "approved"
    emergency = f.it_change(isms, requester, kind="emergency")
    services.submit(f.SYSTEM, emergency.pk)
    with pytest.raises(ValidationFailed, match="1 gate not met — rollback plan"):
        services.approve(approver, emergency.pk)
    ms = f.ms_change(isms, requester, purpose="Certify the AIMS on its own.")
    assert [m.short_name for m in ms.management_systems.all()] == [isms.short_name]
    services.submit(f.SYSTEM, ms.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.approve(approver, ms.pk)
    assert "3 gates not met" in refused.value.message
    for name in ("consequences:", "resources:", "responsibilities:"):
        assert name in refused.value.message


def test_workflow_order_reject_reason_and_review_needed(isms: Any, requester: Any, approver: Actor) -> None:
    change = f.it_change(isms, requester, kind="standard")
    with pytest.raises(Conflict, match="only a change that is submitted for approval can be approved"):
        services.approve(approver, change.pk)
    with pytest.raises(Conflict):
        services.implement(f.SYSTEM, change.pk)
    services.submit(f.SYSTEM, change.pk)
    with pytest.raises(ValidationFailed, match="reason"):
        services.reject(approver, change.pk, "  ")
    services.approve(approver, change.pk)
    with pytest.raises(Conflict, match="only draft and submitted changes are edited"):
        services.update(f.SYSTEM, change.pk, title="Other")
    services.implement(f.SYSTEM, change.pk, "Done in the maintenance window.")
    with pytest.raises(ValidationFailed, match="post-implementation review"):
        services.close(f.SYSTEM, change.pk, "")
    closed = services.close(f.SYSTEM, change.pk, "No incident; latency unchanged.")
    assert closed.status == "closed" and closed.closed_at
    other = f.it_change(isms, requester, kind="standard")
    services.submit(f.SYSTEM, other.pk)
    assert services.reject(approver, other.pk, "Not this quarter.").status == "rejected"


def test_refusals_of_bad_input_change_nothing(isms: Any, aims: Any, requester: Any, make_user: Any) -> None:
    system, version = f.system_with_version(isms)
    with pytest.raises(ValidationFailed, match="names its AI system"):
        services.create(
            f.SYSTEM,
            family="model_lifecycle",
            management_system=isms,
            kind="retraining",
            title="x",
            requester=requester.email,
        )
    with pytest.raises(ValidationFailed, match="is of kind"):
        f.it_change(isms, requester, kind="retraining")
    with pytest.raises(ValidationFailed, match="has no model version"):
        f.retraining(system, None, requester, model_version="helix-gbm@9.9")
    with pytest.raises(ValidationFailed, match="another management system"):
        f.retraining(system, version, requester, management_system=aims.short_name)
    with pytest.raises(ValidationFailed, match="Only a model lifecycle change"):
        f.it_change(isms, requester, ai_system=system.short_name)
    with pytest.raises(ValidationFailed, match="No user"):
        f.it_change(isms, requester, owner="nobody@example.com")
    other_ms = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, aims), "web")
    with pytest.raises(PermissionDenied):
        services.create(
            other_ms, family="information_system", management_system=isms, kind="standard", title="x"
        )
    assert Change.objects.count() == 0
    no_version = f.retraining(system, None, requester)
    with pytest.raises(ValidationFailed, match="model version the change releases"):
        services.submit(f.SYSTEM, no_version.pk)
