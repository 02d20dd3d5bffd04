"""The implementation-status rule, case by case, worked out by hand (docs/soa.md)."""

from __future__ import annotations

import pytest

from keel.soa.rules import LinkedControl, derive_status, effective_status

IMPL, PROG, PLAN, NA = "implemented", "in_progress", "planned", "not_applicable"
FULL, PART = "full", "partial"


@pytest.mark.parametrize(
    ("applicable", "links", "combined", "expected", "why"),
    [
        (False, [LinkedControl(IMPL, FULL)], False, "not_applicable", "an exclusion wins over its controls"),
        (True, [], False, "not_started", "no linked control at all"),
        (
            True,
            [LinkedControl(NA, FULL)],
            False,
            "not_started",
            "controls marked not applicable do not count",
        ),
        (True, [LinkedControl(IMPL, FULL)], False, "implemented", "one full link, implemented"),
        (
            True,
            [LinkedControl(IMPL, FULL), LinkedControl(IMPL, PART)],
            False,
            "implemented",
            "every control implemented and one of them full",
        ),
        (
            True,
            [LinkedControl(IMPL, PART), LinkedControl(IMPL, PART)],
            False,
            "partly_implemented",
            "all implemented, but partial links without a documented combination",
        ),
        (
            True,
            [LinkedControl(IMPL, PART), LinkedControl(IMPL, PART)],
            True,
            "implemented",
            "all implemented, partial links documented as covering the whole together",
        ),
        (
            True,
            [LinkedControl(IMPL, FULL), LinkedControl(PROG, PART)],
            False,
            "partly_implemented",
            "one implemented, one still in progress",
        ),
        (
            True,
            [LinkedControl(PLAN, FULL), LinkedControl(PROG, FULL)],
            False,
            "planned",
            "none implemented yet",
        ),
        (
            True,
            [LinkedControl(IMPL, FULL), LinkedControl(NA, PART)],
            False,
            "implemented",
            "the not-applicable control is left out; the remaining one is full and implemented",
        ),
    ],
)
def test_derive_status(
    applicable: bool, links: list[LinkedControl], combined: bool, expected: str, why: str
) -> None:
    assert derive_status(applicable, links, combined_coverage=combined) == expected, why


def test_an_override_replaces_the_derived_status_only_when_set() -> None:
    assert effective_status("planned", "") == "planned"
    assert effective_status("planned", "implemented") == "implemented"
