"""The demo inventory: what it shows, and that running it again adds nothing."""

from __future__ import annotations

from keel.aisystems.demo import ensure_demo_ai_systems
from keel.aisystems.lineage import ancestors
from keel.aisystems.models import AISystem, Dataset, Evaluation, MetricFlag, MetricReading
from keel.core.models import ManagementSystem


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
