"""Services of incidents: the catalogue, reporting, the clocks and their variants, the runbook,
the checklist, the review, and the drift incident a metric breach opens once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from keel.aisystems import readings
from keel.aisystems.models import MetricFlag
from keel.aisystems.tests import factories as ai
from keel.improvement.models import Nonconformity
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry
from keel.suppliers.tests import factories as sup

from .. import catalogue, clocks, followups, hooks, queries, services
from ..models import Incident, IncidentType, RegulatoryClock
from . import factories as f

pytestmark = pytest.mark.django_db


def _due(incident: Incident, slug: str) -> dt.datetime:
    return incident.clocks.get(clock__slug=slug).due_at


def test_the_catalogue_is_seeded_once_and_what_an_organisation_changed_is_kept(org: Any) -> None:
    assert catalogue.ensure_incident_catalogue() > 0
    slugs = set(IncidentType.objects.values_list("slug", flat=True))
    assert {
        "security-incident",
        "ai-unexpected-behaviour",
        "ai-drift",
        "ai-harm",
        "ai-unfair-outcome",
        "ai-misuse",
        "regulator-reportable",
    } <= slugs
    harm = IncidentType.objects.get(slug="ai-harm")
    assert harm.family == "ai" and harm.steps.count() >= 5
    catalogue.update_type(f.SYSTEM, "ai-harm", name="Harm to people (ours)")
    assert catalogue.ensure_incident_catalogue() == 0
    assert IncidentType.objects.get(slug="ai-harm").name == "Harm to people (ours)"
    ai_act = RegulatoryClock.objects.get(slug="ai-act-serious-incident")
    assert (ai_act.duration, ai_act.unit) == (15, "days")
    assert {(v.condition, v.duration) for v in ai_act.variants.all()} == {
        ("widespread_or_critical", 2),
        ("death", 10),
    }


@pytest.mark.parametrize(
    ("flags", "days"),
    [
        ({}, 15),
        ({"widespread_or_critical": True}, 2),
        ({"death": True}, 10),
        ({"death": True, "widespread_or_critical": True}, 2),
    ],
)
def test_a_serious_harm_to_people_incident_is_due_15_days_after_awareness_or_2_or_10(
    aims: Any, flags: dict[str, bool], days: int
) -> None:
    aware = timezone.now() - dt.timedelta(hours=5)
    incident = f.incident(aims, "ai-harm", aware_at=aware, serious_ai_incident=True, **flags)
    assert _due(incident, "ai-act-serious-incident") == aware + dt.timedelta(days=days)


def test_clocks_follow_the_flags_and_a_met_clock_stays(isms: Any) -> None:
    aware = timezone.now() - dt.timedelta(hours=30)
    incident = f.incident(isms, aware_at=aware)
    assert incident.clocks.count() == 0  # no flag: no regulatory clock
    services.update_incident(f.SYSTEM, incident.ref_id, personal_data_breach=True, nis2_significant=True)
    assert _due(incident, "gdpr-breach-notification") == aware + dt.timedelta(hours=72)
    assert _due(incident, "nis2-early-warning") == aware + dt.timedelta(hours=24)
    assert _due(incident, "nis2-final-report") == clocks.add_period(aware, 1, "months")
    early = incident.clocks.get(clock__slug="nis2-early-warning")
    services.meet_clock(f.SYSTEM, incident.ref_id, early.pk, note="CSIRT case 2026-113")
    with pytest.raises(Conflict, match="already met"):
        services.meet_clock(f.SYSTEM, incident.ref_id, early.pk)
    services.update_incident(f.SYSTEM, incident.ref_id, nis2_significant=False)
    assert sorted(incident.clocks.values_list("clock__slug", flat=True)) == [
        "gdpr-breach-notification",
        "nis2-early-warning",
    ]
    view = {c.slug: c for c in queries.clock_views(queries.incident_for(None, incident.ref_id, trusted=True))}
    assert view["nis2-early-warning"].countdown.startswith("met") and not view["nis2-early-warning"].overdue
    assert view["gdpr-breach-notification"].hours_left in (41, 42)
    assert incident.timeline.filter(kind="notification").count() == 1


def test_an_overdue_clock_is_a_finding_and_a_reminder(isms: Any) -> None:
    incident = f.incident(isms, aware_at=timezone.now() - dt.timedelta(days=4), personal_data_breach=True)
    view = queries.clock_views(queries.incident_for(None, incident.ref_id, trusted=True))[0]
    assert view.overdue and view.hours_left < 0 and view.countdown.startswith("overdue by")
    findings = hooks.clocks_overdue(None)
    assert [x.rule for x in findings] == ["incident_clock_overdue"] and incident.ref_id in findings[0].title
    assert hooks.clocks_overdue({isms.pk}) and not hooks.clocks_overdue(set())
    due = list(hooks.clocks_due(isms.organisation, timezone.localdate(), dt.timedelta(days=14)))
    assert [d.key for d in due] == [f"incident_clock:{incident.ref_id}:gdpr-breach-notification"]
    steps = list(hooks.steps_due(isms.organisation, timezone.localdate(), dt.timedelta(days=14)))
    assert steps == []  # reported: no stage reached yet has steps
    services.advance(f.SYSTEM, incident.ref_id, to="triage")
    assert len(list(hooks.steps_due(isms.organisation, timezone.localdate(), dt.timedelta(days=14)))) == 2


def test_reporting_refusals_change_nothing(isms: Any, aims: Any, make_user: Any) -> None:
    catalogue.ensure_incident_catalogue()
    with pytest.raises(ValidationFailed, match="incident type"):
        services.report_incident(f.SYSTEM, management_system=isms, incident_type="nope", title="x")
    with pytest.raises(ValidationFailed, match="future"):
        f.incident(isms, aware_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed, match="title"):
        f.incident(isms, title=" ")
    with pytest.raises(ValidationFailed, match="Unknown field"):
        f.incident(isms, dead=True)
    viewer = Actor.for_user(make_user(Role.VIEWER, isms), "web")
    with pytest.raises(PermissionDenied):
        services.report_incident(viewer, management_system=isms, incident_type="security-incident", title="x")
    reporter = Actor.for_user(make_user(Role.CONTRIBUTOR, isms), "web")
    with pytest.raises(ValidationFailed):  # a system they cannot see
        services.report_incident(
            reporter, management_system=aims, incident_type="security-incident", title="x"
        )
    assert Incident.objects.count() == 0
    incident = services.report_incident(
        reporter, management_system=isms, incident_type="security-incident", title="Phishing"
    )
    assert (
        incident.ref_id == "INC-001" and incident.reported_by == reporter.user and incident.steps.count() == 6
    )
    with pytest.raises(PermissionDenied):  # reporting is not handling
        services.advance(reporter, incident.ref_id, to="triage")


def test_the_runbook_moves_forward_and_closing_needs_the_review(isms: Any) -> None:
    incident = f.incident(isms)
    services.advance(f.SYSTEM, incident.ref_id, to="triage")
    services.advance(f.SYSTEM, incident.ref_id, to="investigate", note="Contained at once by remote wipe.")
    with pytest.raises(Conflict, match="later stage"):
        services.advance(f.SYSTEM, incident.ref_id, to="contain")
    with pytest.raises(ValidationFailed, match="post-incident review"):
        services.advance(f.SYSTEM, incident.ref_id, to="closed")
    with pytest.raises(ValidationFailed, match="root cause"):
        services.record_review(
            f.SYSTEM, incident.ref_id, review_what_happened="Stolen", review_lessons="Encrypt"
        )
    step = incident.steps.first()
    services.tick_step(f.SYSTEM, incident.ref_id, step.pk)
    step.refresh_from_db()
    assert step.done_at is not None
    services.record_review(
        f.SYSTEM,
        incident.ref_id,
        review_what_happened="Stolen from a car.",
        review_root_cause="Laptop left in view.",
        review_lessons="Disk encryption held.",
    )
    closed = services.advance(f.SYSTEM, incident.ref_id, to="closed")
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(Conflict, match="closed"):
        services.update_incident(f.SYSTEM, incident.ref_id, title="Changed")
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds[0] == "detection" and kinds.count("status") == 3
    assert TrailEntry.objects.filter(object_id=str(incident.pk)).count() >= 6


def test_links_are_resolved_within_the_incident_system(aims: Any, isms: Any) -> None:
    system = ai.ai_system(aims, "support-bot")
    other = ai.ai_system(isms, "hr-screening")
    incident = f.incident(aims, "ai-misuse", ai_systems=["support-bot"])
    assert list(incident.ai_systems.all()) == [system]
    with pytest.raises(ValidationFailed, match="another management system"):
        services.update_incident(f.SYSTEM, incident.ref_id, ai_systems=[other.short_name])
    with pytest.raises(ValidationFailed, match="Unknown AI system"):
        services.update_incident(f.SYSTEM, incident.ref_id, ai_systems=["nothing"])
    # the system decides the management system when none is named
    assert (
        services.report_incident(
            f.SYSTEM, incident_type="ai-misuse", title="x", ai_systems=["hr-screening"]
        ).management_system
        == isms
    )


def test_several_breaching_readings_open_one_drift_incident(aims: Any) -> None:
    system = ai.ai_system(aims, "credit-scoring")
    ai.metric(system, "auc", threshold="0.8")
    start = timezone.now() - dt.timedelta(hours=6)
    for i, value in enumerate(["0.75", "0.74", "0.70", "0.72"]):
        readings.push_reading(f.SYSTEM, "credit-scoring", "auc", value, start + dt.timedelta(hours=i))
    incidents = list(Incident.objects.all())
    assert len(incidents) == 1
    incident = incidents[0]
    flag = MetricFlag.objects.get()
    assert flag.incident_ref == incident.ref_id and incident.metric_flag == flag and flag.breach_count == 4
    assert incident.incident_type.slug == "ai-drift" and list(incident.ai_systems.all()) == [system]
    assert flag.worst_value == Decimal("0.70")
    # a second metric breaching while the drift incident is open joins it
    ai.metric(system, "calibration", threshold="0.9")
    readings.push_reading(f.SYSTEM, "credit-scoring", "calibration", "0.5", start)
    assert Incident.objects.count() == 1
    assert MetricFlag.objects.get(metric__short_name="calibration").incident_ref == incident.ref_id


def test_the_catalogue_can_be_extended_by_a_handler_only(org: Any, make_user: Any, isms: Any) -> None:
    catalogue.ensure_incident_catalogue()
    clock = catalogue.create_clock(
        f.SYSTEM, name="Lender notification", regime="contract", duration=48, unit="hours", applies_when=""
    )
    catalogue.add_variant(f.SYSTEM, clock.slug, condition="death", duration=12, unit="hours")
    with pytest.raises(ValidationFailed, match="already has"):
        catalogue.add_variant(f.SYSTEM, clock.slug, condition="death", duration=6, unit="hours")
    itype = catalogue.create_type(
        f.SYSTEM, name="Lender data incident", family="security", clocks=[clock.slug]
    )
    catalogue.add_step(
        f.SYSTEM, itype.slug, text="Tell the lender's security contact.", role="Account manager"
    )
    catalogue.add_step(f.SYSTEM, itype.slug, text="First of all: open a bridge.", order=1)
    assert [s.order for s in itype.steps.all()] == [1, 2] and itype.steps.first().text.startswith("First")
    with pytest.raises(ValidationFailed, match="already"):
        catalogue.create_type(f.SYSTEM, name="Lender data incident", family="security")
    with pytest.raises(NotFound):
        catalogue.add_step(f.SYSTEM, "nope", text="x")
    incident = f.incident(isms, itype.slug, aware_at=timezone.now() - dt.timedelta(hours=1))
    assert _due(incident, clock.slug) - incident.aware_at == dt.timedelta(hours=48)
    services.update_incident(f.SYSTEM, incident.ref_id, death=True)
    assert _due(incident, clock.slug) - incident.aware_at == dt.timedelta(hours=12)
    manager_of_one = Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), "web")
    with pytest.raises(PermissionDenied):
        catalogue.create_type(manager_of_one, name="Other", family="ai")


def test_months_are_calendar_months() -> None:
    jan31 = dt.datetime(2026, 1, 31, 9, tzinfo=dt.UTC)
    assert clocks.add_period(jan31, 1, "months") == dt.datetime(2026, 2, 28, 9, tzinfo=dt.UTC)
    assert clocks.add_period(jan31, 12, "months") == dt.datetime(2027, 1, 31, 9, tzinfo=dt.UTC)


def test_the_review_raises_one_nonconformity_and_a_supplier_can_be_linked(isms: Any) -> None:
    supplier = sup.supplier(isms)
    incident = f.incident(isms, suppliers=[supplier.ref_id])
    assert list(incident.suppliers.all()) == [supplier]
    with pytest.raises(ValidationFailed, match="supplier"):
        services.update_incident(f.SYSTEM, incident.ref_id, suppliers=["SUP-999"])
    with pytest.raises(ValidationFailed, match="review"):
        followups.raise_nonconformity_from_review(f.SYSTEM, incident.ref_id)
    services.record_review(
        f.SYSTEM,
        incident.ref_id,
        review_what_happened="x",
        review_root_cause="No encryption policy.",
        review_lessons="y",
    )
    incident = followups.raise_nonconformity_from_review(f.SYSTEM, incident.ref_id)
    nc = Nonconformity.objects.get(ref_id=incident.nonconformity_ref)
    assert (
        nc.source == "incident"
        and nc.source_ref == incident.ref_id
        and "No encryption policy." in nc.description
    )
    with pytest.raises(Conflict, match="already raised"):
        followups.raise_nonconformity_from_review(f.SYSTEM, incident.ref_id)
    services.advance(f.SYSTEM, incident.ref_id, to="closed")
    with pytest.raises(Conflict, match="closed"):
        services.update_incident(f.SYSTEM, incident.ref_id, suppliers=[])


def test_a_split_moves_the_ai_incidents_and_a_merge_moves_all(isms: Any, aims: Any) -> None:
    security = f.incident(isms)
    harm = f.incident(isms, "ai-harm", title="Harm")
    pending = hooks.restructured(actor=f.SYSTEM, kind="split", source=isms, target=aims)
    assert [p.obj for p in pending] == [harm]
    assert Incident.objects.get(pk=harm.pk).management_system == aims
    assert Incident.objects.get(pk=security.pk).management_system == isms
    hooks.restructured(actor=f.SYSTEM, kind="merge", source=isms, target=aims)
    assert set(Incident.objects.values_list("management_system", flat=True)) == {aims.pk}
