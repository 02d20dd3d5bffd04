"""Services of the support records: happy paths and refusals (nothing changes on a refusal)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keel.aisystems.tests import factories as ai
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry
from keel.support import concerns, objectives, queries, services
from keel.support.hooks import concerns_unanswered, expired_competence, objectives_off_target
from keel.support.models import Concern, ObjectiveReading

from . import factories as f

pytestmark = pytest.mark.django_db


def test_a_role_records_holder_and_standards_and_refuses_a_standard_its_system_does_not_cover(
    isms: Any, make_user: Any
) -> None:
    holder = make_user()
    role = f.role(isms, holder=holder.email, held_from=dt.date(2026, 1, 1), standards=["iso27001:2022"])
    assert role.holder == holder and [s.key for s in role.standards.all()] == ["iso27001:2022"]
    assert TrailEntry.objects.filter(object_id=str(role.pk)).count() == 1
    with pytest.raises(ValidationFailed, match="does not cover iso42001"):
        f.role(isms, name="AI lead", standards=["iso42001:2023"])
    with pytest.raises(ValidationFailed):
        f.role(isms, name="Backwards", held_from=dt.date(2026, 2, 1), held_until=dt.date(2026, 1, 1))
    assert queries.roles(None).count() == 1


def test_only_an_editor_of_the_system_writes_and_a_stale_version_is_a_conflict(
    isms: Any, aims: Any, make_user: Any
) -> None:
    role = f.role(isms)
    contributor = Actor.for_user(make_user(Role.CONTRIBUTOR), "web")
    with pytest.raises(PermissionDenied):
        services.update(contributor, services.ROLE, role.pk, authorities="All of them")
    manager = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), "web")
    with pytest.raises(ValidationFailed):  # moving it to a system they may not see
        services.update(manager, services.ROLE, role.pk, management_system=aims.short_name)
    services.update(manager, services.ROLE, role.pk, expected_version=None, authorities="Stop a release")
    with pytest.raises(Conflict):
        services.update(manager, services.ROLE, role.pk, expected_version="stale", authorities="x")
    role.refresh_from_db()
    assert role.authorities == "Stop a release" and role.management_system == isms


def test_readings_are_idempotent_per_day_and_another_value_is_a_conflict(isms: Any) -> None:
    objective = f.objective(isms)
    day = timezone.localdate() - dt.timedelta(days=3)
    assert objectives.add_reading(f.SYSTEM, objective.ref_id, "0.08", day).created
    assert not objectives.add_reading(f.SYSTEM, objective.ref_id, "0.080", day).created
    with pytest.raises(Conflict):
        objectives.add_reading(f.SYSTEM, objective.ref_id, "0.02", day)
    with pytest.raises(ValidationFailed, match="not a number"):
        objectives.add_reading(f.SYSTEM, objective.ref_id, "lots")
    with pytest.raises(ValidationFailed, match="future"):
        objectives.add_reading(f.SYSTEM, objective.ref_id, "1", timezone.localdate() + dt.timedelta(days=1))
    assert ObjectiveReading.objects.filter(objective=objective).count() == 1
    # the latest reading (0.08, lower is better, target 0.05) is off target: the check says so
    assert [x.record_label for x in objectives_off_target(None)] == [f"{objective.ref_id} {objective.title}"]
    objectives.add_reading(f.SYSTEM, objective.ref_id, "0.04", timezone.localdate())
    assert objectives_off_target(None) == []


def test_an_objective_fed_by_a_metric_copies_the_last_reading_of_each_day(aims: Any) -> None:
    system = ai.ai_system(aims)
    ai.metric(system, "auc")
    from keel.aisystems import services as ai_services

    ai_services.push_reading(f.SYSTEM, system.short_name, "auc", "0.91", "2026-03-01T06:00:00Z")
    ai_services.push_reading(f.SYSTEM, system.short_name, "auc", "0.93", "2026-03-01T18:00:00Z")
    ai_services.push_reading(f.SYSTEM, system.short_name, "auc", "0.88", "2026-03-02T06:00:00Z")
    objective = f.objective(
        aims, measure="AUC", target="0.9", direction="higher", metric="credit-scoring/auc"
    )
    values = [
        (r.on.isoformat(), str(r.value.normalize()), r.source) for r in objective.readings.order_by("on")
    ]
    assert values == [("2026-03-01", "0.93", "metric"), ("2026-03-02", "0.88", "metric")]
    ai_services.push_reading(f.SYSTEM, system.short_name, "auc", "0.95", "2026-03-03T06:00:00Z")
    assert objectives.pull_metric_readings(f.SYSTEM, objective.ref_id) == 1
    assert objectives.pull_metric_readings(f.SYSTEM, objective.ref_id) == 0
    with pytest.raises(ValidationFailed, match="metric"):
        f.objective(aims, title="Unknown", metric="credit-scoring/nope")


def test_an_expired_record_is_a_finding_until_a_current_one_renews_it(isms: Any, make_user: Any) -> None:
    person = make_user(full_name="Ada Byron")
    old = f.competence_record(isms, person, expires_on=timezone.localdate() - dt.timedelta(days=1))
    f.competence_record(isms, person, title="Secure coding", expires_on=None)
    findings = expired_competence(None)
    assert [x.url.rstrip("/").rsplit("/", 1)[1] for x in findings] == [str(old.pk)]
    assert "Ada Byron" in findings[0].title
    assert expired_competence(set()) == []
    f.competence_record(
        isms,
        person,
        achieved_on=timezone.localdate(),
        expires_on=timezone.localdate() + dt.timedelta(days=365),
    )
    assert expired_competence(None) == []


def test_an_anonymous_concern_keeps_no_reporter_and_the_trail_names_no_one(aims: Any, make_user: Any) -> None:
    system = ai.ai_system(aims)
    viewer = Actor.for_user(make_user(Role.VIEWER, email="whistle@example.com"), "web")
    named = concerns.report(
        viewer, ai_system=system.short_name, summary="Unfair declines", description="Older applicants."
    )
    hidden = concerns.report(
        viewer, anonymous=True, ai_system=system.short_name, summary="Odd scores", description="x"
    )
    assert named.reporter == viewer.user and named.management_system == aims
    assert hidden.reporter is None and hidden.anonymous
    entries = TrailEntry.objects.filter(object_id__in=[str(named.pk), str(hidden.pk)])
    assert entries.count() == 2
    assert all(e.actor_id is None and "whistle" not in e.actor_label + e.payload for e in entries)
    assert not concerns.may_see_reporter(viewer.user, named)
    with pytest.raises(PermissionDenied):
        concerns.respond(viewer, named.pk, status="answered", response="Fixed")
    with pytest.raises(PermissionDenied):
        concerns.report(
            Actor.for_user(make_user(Role.AUDITOR), "web"),
            ai_system=system.short_name,
            summary="s",
            description="d",
        )
    with pytest.raises(ValidationFailed, match="response"):
        concerns.respond(f.SYSTEM, named.pk, status="closed")
    Concern.objects.filter(pk=named.pk).update(reported_on=timezone.localdate() - dt.timedelta(days=45))
    assert [x.record_label.split()[0] for x in concerns_unanswered(None)] == [named.ref_id]
    done = concerns.respond(f.SYSTEM, named.pk, response="Re-weighted the age feature.")
    assert done.status == "answered" and done.responded_on == timezone.localdate()
    assert concerns_unanswered(None) == []


def test_a_completion_is_recorded_once_and_not_before_the_campaign(isms: Any, make_user: Any) -> None:
    campaign = services.create(
        f.SYSTEM,
        services.CAMPAIGN,
        management_system=isms.short_name,
        title="Phishing",
        message="Report it.",
        audience="Everyone",
        starts_on=dt.date(2026, 1, 5),
    )
    person = make_user()
    services.record_completion(f.SYSTEM, campaign.pk, person.email, dt.date(2026, 1, 6))
    with pytest.raises(Conflict):
        services.record_completion(f.SYSTEM, campaign.pk, person.email, dt.date(2026, 1, 7))
    with pytest.raises(ValidationFailed):
        services.record_completion(f.SYSTEM, campaign.pk, make_user().email, dt.date(2026, 1, 1))
    assert queries.campaigns(None).get().completion_count == 1


def test_the_demo_shows_the_support_records(demo: Any) -> None:
    from keel.platform import checks

    findings = {
        x.rule: x
        for x in checks.run(None, only=["competence_expired", "concern_unanswered", "objective_off_target"])
    }
    assert "Tomasz Nowak" in findings["competence_expired"].title
    assert "Assistant suggests waiving checks" in findings["concern_unanswered"].title
    fed = queries.objectives(None).get(metric__isnull=False)
    assert fed.reading_count >= 10 and fed.readings.filter(source="metric").count() == fed.reading_count
