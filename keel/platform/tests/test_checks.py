"""The consistency-check registry (keel.platform.checks): rules registered by apps, findings
filtered by the viewer's perimeter, unknown rule keys refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from keel.platform import checks

A, B = uuid.uuid4(), uuid.uuid4()


def _findings(systems: checks.Systems) -> list[checks.Finding]:
    # a careless rule that ignores the perimeter: run() must still filter
    return [
        checks.Finding("t_rule", f"about {label}", "detail", label, "/x/", ms)
        for label, ms in (("a", A), ("b", B), ("org", None))
    ]


@pytest.fixture
def registry() -> Iterator[None]:
    saved = dict(checks._rules)
    checks._rules.clear()
    checks.register(checks.Rule("t_rule", "A test rule", "tests", _findings))
    checks.register(checks.Rule("t_quiet", "A rule with nothing to say", "tests", lambda s: [], order=5))
    yield
    checks._rules.clear()
    checks._rules.update(saved)


def test_findings_are_filtered_by_perimeter(registry: None) -> None:
    assert [f.record_label for f in checks.run(None)] == ["a", "b", "org"]
    assert [f.record_label for f in checks.run({A})] == ["a", "org"]
    assert checks.run(set()) == []  # no role anywhere: nothing, not even organisation-level


def test_summary_counts_every_rule_in_order_zero_included(registry: None) -> None:
    found = checks.run({B})
    assert checks.summary(found) == [
        {"rule": "t_quiet", "title": "A rule with nothing to say", "count": 0},
        {"rule": "t_rule", "title": "A test rule", "count": 2},
    ]


def test_unknown_rule_key_is_refused_and_only_narrows(registry: None) -> None:
    with pytest.raises(LookupError, match="Unknown check rule nope"):
        checks.run(None, only=["nope"])
    assert checks.run(None, only=["t_quiet"]) == []


def test_a_key_claimed_by_two_apps_is_an_error_but_re_registering_is_not(registry: None) -> None:
    checks.register(checks.Rule("t_rule", "A test rule", "tests", _findings))  # ready() twice
    with pytest.raises(ValueError, match="already registered by tests"):
        checks.register(checks.Rule("t_rule", "Other", "other_app", _findings))


def test_finding_as_dict_writes_the_system_id_as_text() -> None:
    f = checks.Finding("r", "t", "d", "l", "/u/", A)
    assert f.as_dict()["management_system_id"] == str(A)
    assert checks.Finding("r", "t", "d", "l", "/u/", None).as_dict()["management_system_id"] is None
