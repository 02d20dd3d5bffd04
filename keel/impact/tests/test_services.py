"""Rules of the AI system impact assessment: versions, immutability after approval, triggers
that make a re-assessment due, the deployment gate, raising an impact into the AI risk
register with the link both ways, and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keel.aisystems import gates
from keel.aisystems import services as ai
from keel.aisystems.tests import factories as af
from keel.impact import services
from keel.impact.models import ImpactAssessment
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry
from keel.risks.models import Risk

from . import factories as f


def test_a_first_version_is_prefilled_from_the_ai_system(aims: ManagementSystem) -> None:
    # Given a system with purpose, use, misuse and affected people
    system = af.ai_system(
        aims,
        purpose="Scores loan applicants.",
        intended_use="One input to a human decision.",
        foreseeable_misuse="Sole basis of refusals.",
        affected_people="Loan applicants.",
    )
    # When an assessment is started
    a = f.draft(system)
    # Then it is version 1, a draft, with the system sections prefilled and a trail entry
    assert (a.version, a.status) == (1, "draft")
    assert a.purpose == "Scores loan applicants."
    assert a.intended_uses == "One input to a human decision."
    assert a.unintended_uses == "Sole basis of refusals."
    assert a.affected_people == "Loan applicants."
    assert TrailEntry.objects.filter(object_id=str(a.pk), action="create").exists()


def test_only_one_draft_at_a_time(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    f.draft(system)
    with pytest.raises(Conflict, match="already has a draft"):
        services.start_assessment(f.SYSTEM, system)


def test_impacts_are_rated_on_the_methodology_scales(aims: ManagementSystem) -> None:
    a = f.draft(af.ai_system(aims))
    i = f.impact(a)
    assert i.level == a.methodology.level_of(3, 4)
    assert i.residual_level == a.methodology.level_of(2, 2)
    assert i.objective is not None and i.objective.ref_id == "C.2.5"  # fairness → Annex C objective
    with pytest.raises(ValidationFailed, match="Between 1 and 5") as exc:
        f.impact(a, severity=9)
    assert "severity" in exc.value.fields
    assert a.impacts.count() == 1  # the refused impact changed nothing


def test_an_approved_version_never_changes(aims: ManagementSystem) -> None:
    # Given an approved version
    a = f.approved(af.ai_system(aims))
    impact = a.impacts.get()
    # When anyone tries to change it, its impacts or add one, it is refused
    with pytest.raises(Conflict, match="never changes"):
        services.update_assessment(f.SYSTEM, a.pk, scope="Changed")
    with pytest.raises(Conflict, match="never changes"):
        services.update_impact(f.SYSTEM, impact.pk, severity=1)
    with pytest.raises(Conflict, match="never changes"):
        f.impact(a, title="Another")
    with pytest.raises(Conflict, match="never changes"):
        services.approve_assessment(f.SYSTEM, a.pk)
    # and the model itself refuses a content change that bypasses the services
    a.scope = "Sneaky"
    with pytest.raises(Conflict):
        a.save()
    a.refresh_from_db()
    assert a.scope != "Sneaky"


def test_a_reassessment_is_a_new_version_that_copies_the_last_and_supersedes_it_on_approval(
    aims: ManagementSystem,
) -> None:
    system = af.ai_system(aims)
    v1 = f.approved(system, scope="First scope")
    v2 = services.start_assessment(f.SYSTEM, system)
    assert (v2.version, v2.scope, v2.impacts.count()) == (2, "First scope", 1)
    assert v2.impacts.get().copied_from_id == v1.impacts.get().pk
    services.update_assessment(f.SYSTEM, v2.pk, scope="Second scope")
    services.approve_assessment(f.SYSTEM, v2.pk)
    v1.refresh_from_db()
    assert v1.status == "superseded" and v1.scope == "First scope"
    assert services.current_assessment(system) == v2


def test_approval_needs_a_scope_and_an_impact(aims: ManagementSystem) -> None:
    a = f.draft(af.ai_system(aims), scope="")
    with pytest.raises(ValidationFailed, match="cannot be approved") as exc:
        services.approve_assessment(f.SYSTEM, a.pk)
    assert set(exc.value.fields) == {"scope", "impacts"}
    a.refresh_from_db()
    assert a.status == "draft"


def test_approval_needs_its_own_permission(aims: ManagementSystem, make_user) -> None:  # type: ignore[no-untyped-def]
    # Given a contributor (no approve_impact_assessments) and a compliance manager
    system = af.ai_system(aims)
    a = f.draft(system)
    f.impact(a)
    contributor = Actor.for_user(make_user(Role.CONTRIBUTOR, aims), Channel.WEB)
    manager = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, aims), Channel.WEB)
    with pytest.raises(PermissionDenied):
        services.approve_assessment(contributor, a.pk)
    with pytest.raises(PermissionDenied):
        services.add_impact(contributor, a.pk, **f.BENEFIT)
    # The author may not approve their own draft (issue 12 item 5); another approver may
    started = services.start_assessment(manager, af.ai_system(aims, "other-ai"))
    services.add_impact(manager, started.pk, **f.BENEFIT)
    with pytest.raises(PermissionDenied, match=r"You drafted version 1 .* someone else"):
        services.approve_assessment(manager, started.pk, note="My own.")
    started.refresh_from_db()
    assert started.status == "draft" and started.approved_by is None
    other = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, aims), Channel.WEB)
    done = services.approve_assessment(other, started.pk, note="Reviewed with the owner.")
    assert (done.author, done.approved_by) == (manager.user, other.user)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda s: ai.create_model(f.SYSTEM, s.pk, name="gbm-next", version="9", model_type="regressor"),
            "New model",
        ),
        (lambda s: ai.update_system(f.SYSTEM, s.pk, intended_use="Now fully automated."), "intended use"),
        (lambda s: ai.change_stage(f.SYSTEM, s.pk, "development"), "lifecycle stage"),
    ],
)
def test_a_trigger_makes_the_reassessment_due_and_closes_the_gate(aims, change, reason) -> None:  # type: ignore[no-untyped-def]
    # Given a system in verification with a passing evaluation and an approved assessment
    system = af.ai_system(aims, lifecycle_stage="verification")
    af.passing_evaluation(system)
    a = f.approved(system)
    assert gates.impact_assessment_approved(system) is True
    # When the triggering change happens
    change(system)
    # Then the assessment is due, with reason and since, and the gate is closed with a message
    a.refresh_from_db()
    assert a.due and reason.lower() in a.due_reason.lower() and a.due_since is not None
    assert gates.impact_assessment_approved(system) is False
    assert any("due for re-assessment" in b for b in gates.deployment_blockers(system))
    # And a re-assessment, once approved, opens it again
    b = services.start_assessment(f.SYSTEM, system)
    services.approve_assessment(f.SYSTEM, b.pk)
    assert gates.impact_assessment_approved(system) is True


def test_a_trigger_that_is_off_does_nothing(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    a = f.approved(system, trigger_new_model=False)
    ai.create_model(f.SYSTEM, system.pk, name="gbm", version="9", model_type="regressor")
    a.refresh_from_db()
    assert not a.due


def test_moving_forward_through_the_gate_is_not_a_trigger(aims: ManagementSystem) -> None:
    system = af.ai_system(aims, lifecycle_stage="verification")
    af.passing_evaluation(system)
    a = f.approved(system)
    ai.change_stage(f.SYSTEM, system.pk, "deployment")
    ai.change_stage(f.SYSTEM, system.pk, "operation")
    a.refresh_from_db()
    assert not a.due
    ai.change_stage(f.SYSTEM, system.pk, "retired")
    a.refresh_from_db()
    assert a.due


def test_the_planned_interval_makes_it_due_by_the_calendar(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    a = f.approved(system, review_interval_months=12)
    assert not services.due_state(a).due
    later = timezone.now() + dt.timedelta(days=370)
    state = services.due_state(a, later)
    assert state.due and "12 months" in state.reason
    ImpactAssessment.objects.filter(pk=a.pk).update(next_review_at=timezone.now() - dt.timedelta(days=1))
    assert gates.impact_assessment_approved(system) is False


def test_a_draft_or_no_assessment_does_not_pass_the_gate(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    assert "no approved impact assessment" in gates.impact_assessment_problem(system)
    f.impact(f.draft(system))
    assert "is a draft" in gates.impact_assessment_problem(system)


def test_a_harm_is_raised_into_the_ai_risk_register_keeping_the_link(
    aims: ManagementSystem, make_user
) -> None:  # type: ignore[no-untyped-def]
    # Given an approved assessment with a fairness harm, and the system's owner
    owner = make_user(Role.CONTRIBUTOR, aims)
    system = af.ai_system(aims, owner=owner)
    a = f.approved(system)
    harm = a.impacts.get()
    # When it is raised
    risk = services.raise_risk(f.SYSTEM, harm.pk)
    # Then an AI risk of the system exists, scored from the impact, linked both ways
    risk = Risk.objects.get(pk=risk.pk)
    assert risk.register == "ai" and risk.ai_system == system and risk.owner == owner
    assert (risk.inherent_likelihood, risk.inherent_impact) == (harm.likelihood, harm.severity)
    assert risk.objective is not None and risk.objective.ref_id == "C.2.5"
    assert risk.risk_source is not None and risk.risk_source.ref_id == "C.3.4"
    assert risk.affected_people == "Applicants over 60"
    assert risk.impact == harm and list(harm.risks.all()) == [risk]
    assert TrailEntry.objects.filter(object_id=str(harm.pk), action="update").exists()
    # And raising it again is refused, naming the risk
    with pytest.raises(Conflict, match=risk.ref_id):
        services.raise_risk(f.SYSTEM, harm.pk)


def test_a_benefit_is_not_raised_as_a_risk(aims: ManagementSystem) -> None:
    a = f.draft(af.ai_system(aims))
    benefit = services.add_impact(f.SYSTEM, a.pk, **f.BENEFIT)
    with pytest.raises(ValidationFailed, match="benefit"):
        services.raise_risk(f.SYSTEM, benefit.pk)
    assert not Risk.objects.exists()


def test_raising_a_risk_needs_edit_risks(aims: ManagementSystem, make_user) -> None:  # type: ignore[no-untyped-def]
    a = f.approved(af.ai_system(aims))
    contributor = Actor.for_user(make_user(Role.CONTRIBUTOR, aims), Channel.WEB)
    with pytest.raises(PermissionDenied):
        services.raise_risk(contributor, a.impacts.get().pk)
    assert not Risk.objects.exists()
