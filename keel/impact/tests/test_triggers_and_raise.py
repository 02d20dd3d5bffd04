"""Issue 12 item 5 and issue 13 item 4: a drift flag, a failed data-quality check and a new model
version make the re-assessment due (through the ``aisystem.changed`` hook); approving an
assessment makes the system's AI risks due; a raised risk carries the measures and residual."""

from __future__ import annotations

from typing import Any

import pytest

from keel.aisystems import readings
from keel.aisystems import services as ai
from keel.aisystems.tests import factories as af
from keel.impact import services
from keel.impact.models import ImpactAssessment
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.risks import queries as risk_queries
from keel.risks.defaults import default_methodology
from keel.risks.services import create_methodology
from keel.risks.tests import factories as rf

from . import factories as f

pytestmark = pytest.mark.django_db


def _breach(system: Any) -> None:
    af.metric(system, "accuracy", threshold="0.9", direction="higher")
    readings.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.71")


def _failed_check(system: Any) -> None:
    ds = af.dataset(system.management_system, "loans-2025", ai_systems=[system.pk])
    ai.record_quality_check(
        f.SYSTEM, ds.pk, metric="completeness", comparison="ge", criterion_value="0.99", result_value="0.9"
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_breach, "Operating metric breached its threshold (drift): the metric Accuracy breached"),
        (
            _failed_check,
            "Failed data-quality check: the data-quality check completeness on the dataset loans-2025",
        ),
    ],
)
def test_drift_and_failed_data_quality_make_the_reassessment_due(
    aims: ManagementSystem, change: Any, reason: str
) -> None:
    system = af.ai_system(aims)
    a = f.approved(system)
    change(system)
    a.refresh_from_db()
    assert a.due and a.due_reason.startswith(reason)


def test_a_passing_check_or_a_reading_within_the_threshold_changes_nothing(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    a = f.approved(system)
    af.metric(system, "accuracy", threshold="0.9", direction="higher")
    readings.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.95")
    ds = af.dataset(aims, "good-data", ai_systems=[system.pk])
    ai.record_quality_check(
        f.SYSTEM, ds.pk, metric="completeness", comparison="ge", criterion_value="0.99", result_value="0.995"
    )
    a.refresh_from_db()
    assert not a.due


def test_the_drift_and_data_quality_triggers_can_be_switched_off(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    a = f.approved(system, trigger_drift=False, trigger_data_quality=False)
    _breach(system)
    _failed_check(system)
    a.refresh_from_db()
    assert not a.due


def test_a_new_model_version_makes_the_reassessment_due(aims: ManagementSystem) -> None:
    system = af.ai_system(aims)
    model = ai.create_model(f.SYSTEM, system.pk, name="gbm", version="1.0", model_type="regressor")
    a = f.approved(system)
    ai.update_model(f.SYSTEM, model.pk, description="Same model, new notes.")
    a.refresh_from_db()
    assert not a.due
    ai.create_model_version(f.SYSTEM, model.pk, label="1.1")
    a.refresh_from_db()
    assert a.due and "model version" in a.due_reason and "1.1" in a.due_reason


def test_approving_an_assessment_makes_the_systems_ai_risks_due(aims: ManagementSystem, admin: User) -> None:
    system = af.ai_system(aims)
    risk = rf.ai_risk(aims, admin, ai_system=system)
    f.approved(system)
    due = {d.ref: d for d in risk_queries.assessments_due(None)}
    assert due[risk.ref_id].trigger == "event" and "Impact assessment version 1" in due[risk.ref_id].reason


def test_approving_leaves_the_risks_alone_when_the_methodology_says_so(
    aims: ManagementSystem, admin: User
) -> None:
    system = af.ai_system(aims)
    risk = rf.ai_risk(aims, admin, ai_system=system)
    create_methodology(f.SYSTEM, **default_methodology(), assess_on_impact_assessment=False)
    f.approved(system)
    assert risk.ref_id not in {d.ref for d in risk_queries.assessments_due(None)}


def test_a_raised_risk_carries_the_measures_and_the_residual(aims: ManagementSystem, admin: User) -> None:
    system = af.ai_system(aims)
    a = f.draft(system)
    harm = f.impact(a)  # measures, residual severity 2 and likelihood 2
    risk = services.raise_risk(f.SYSTEM, harm.pk, owner=admin)
    assert risk.treatment_option == "modify" and f.HARM["measures"] in risk.treatment_plan
    assert "impact assessment version 1" in risk.treatment_plan
    assert (risk.residual_likelihood, risk.residual_impact) == (2, 2) and risk.residual_level
    # a harm without measures or residual leaves them for the owner to decide
    bare = f.impact(a, title="Bare", measures="", residual_severity=None, residual_likelihood=None)
    plain = services.raise_risk(f.SYSTEM, bare.pk, owner=admin)
    assert (plain.treatment_option, plain.treatment_plan, plain.residual_level) == ("", "", "")
    assert ImpactAssessment.objects.count() == 1
