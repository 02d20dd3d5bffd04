from typing import Any

from keel.standards.models import Requirement


def test_given_test_database_then_both_standards_are_loaded(db: Any) -> None:
    assert Requirement.objects.filter(standard__key="iso27001:2022", kind="annex_control").count() == 93
    assert Requirement.objects.filter(standard__key="iso42001:2023", kind="annex_control").count() == 38
