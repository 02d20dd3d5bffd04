"""The demo inventory: what it shows, and that running it again adds nothing."""

from __future__ import annotations

from keel.aisystems import gates
from keel.aisystems.demo import ensure_demo_ai_systems
from keel.aisystems.lineage import ancestors
from keel.aisystems.models import (
    AISystem,
    Dataset,
    Evaluation,
    LifecycleRecord,
    MetricFlag,
    MetricReading,
    ModelVersion,
)
from keel.organisation.models import ManagementSystem


def test_the_demo_inventory_is_complete_and_idempotent(isms: ManagementSystem) -> None:
    # When it runs twice
    first = ensure_demo_ai_systems(management_system=isms)
    again = ensure_demo_ai_systems(management_system=isms)

    # Then the second run created nothing
    assert first["ai_systems"] == 4 and first["readings"] > 0
    assert set(again.values()) == {0}
    # and it shows what the page needs
    systems = dict(AISystem.objects.values_list("short_name", "origin"))
    assert {"credit-scoring", "support-assistant", "fraud-detection"} <= set(systems)
    assert "embedded" in systems.values()
    assert (
        Evaluation.objects.filter(passed=False).count() == 1
        and Evaluation.objects.filter(passed=True).exists()
    )
    train = Dataset.objects.get(short_name="credit-train-2026q1")
    assert max(ancestors(train.pk).values()) >= 3
    flag = MetricFlag.objects.get(status="open")
    assert flag.breach_count >= 2 and MetricReading.objects.filter(breach=True).count() == flag.breach_count
    # model versions: 3.2 deployed with passing evaluations, 3.3 never evaluated and refused
    credit = AISystem.objects.get(short_name="credit-scoring")
    deployed = ModelVersion.objects.get(model__ai_system=credit, status="deployed")
    newest = ModelVersion.objects.get(model__ai_system=credit, label="3.3")
    assert deployed.label == "3.2" and gates.version_evaluation_problem(deployed) == ""
    assert [d.short_name for d in deployed.trained_on.all()] == ["credit-train-2026q1"]
    assert gates.check(credit, newest).passed is False
    assert "never been evaluated" in gates.check(credit, newest).blockers[0]
    # lifecycle records, some approved, one still a draft
    records = LifecycleRecord.objects.filter(ai_system=credit)
    assert records.filter(status="approved").count() >= 4 and records.filter(status="draft").exists()


def test_the_demo_classifies_its_datasets_and_fills_in_missing_levels(isms: ManagementSystem) -> None:
    # Given a dataset recorded before the classification levels existed
    from keel.aisystems import services
    from keel.aisystems.tests.factories import SYSTEM
    from keel.assets.models import ClassificationLevel

    services.create_dataset(
        SYSTEM, management_system=isms, short_name="bureau-raw", name="Bureau", acquisition="collected"
    )
    # When the demo inventory runs (twice)
    ensure_demo_ai_systems(management_system=isms)
    ensure_demo_ai_systems(management_system=isms)
    # Then the levels exist once and every demo dataset carries one, through the services
    assert ClassificationLevel.objects.filter(key="confidential").count() == 1
    assert Dataset.objects.filter(classification__isnull=True).count() == 0
    assert Dataset.objects.get(short_name="bureau-raw").classification.key == "confidential"  # type: ignore[union-attr]
    assert Dataset.objects.get(short_name="support-docs").classification.key == "internal"  # type: ignore[union-attr]
