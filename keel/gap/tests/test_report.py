"""The gap report on small standards worked out by hand: statuses, chains, decisions, SoA
exclusions, summary figures (each moves when its inputs do) and a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from keel.gap import queries, services
from keel.gap.tests import factories as f
from keel.organisation.models import ManagementSystem, Organisation
from keel.organisation.tests.factories import ManagementSystemFactory
from keel.platform.actor import Actor
from keel.platform.errors import ValidationFailed
from keel.soa import services as soa_services
from keel.standards.models import Standard

SYSTEM = Actor.system("gap-tests")


def statuses(t: Standard, ms: ManagementSystem) -> dict[str, str]:
    return {r.node.ref_id: r.status for r in queries.report(t, ms).results}


def test_requirements_are_leaf_clauses_and_annex_controls(world: dict[str, Any]) -> None:
    refs = [r.node.ref_id for r in queries.report(world["t"], world["ms"]).results]
    assert refs == ["4.1", "4.2", "T.1", "T.2", "T.3", "T.4", "T.5"]  # "4" is a heading


def test_statuses_worked_out_by_hand(world: dict[str, Any]) -> None:
    # KC-1 → A.1 =equal→ B.1 =subset→ C.1 =equal→ T.1: three steps, the middle partial → partial
    # KC-2 → A.2 =superset→ T.2: full → covered; A.2 subset T.3 (read backwards) → partial
    # T.4 is reached only from C.2, which no control covers; 4.1, 4.2, T.5: nothing → gap
    assert statuses(world["t"], world["ms"]) == {
        "4.1": "gap",
        "4.2": "gap",
        "T.1": "partial",
        "T.2": "covered",
        "T.3": "partial",
        "T.4": "gap",
        "T.5": "gap",
    }


def test_json_contract_of_a_three_step_chain(world: dict[str, Any]) -> None:
    doc = queries.report(world["t"], world["ms"]).contract()
    assert list(doc) == ["target", "summary", "requirements"]
    assert doc["target"] == "t:2024"
    t1 = next(r for r in doc["requirements"] if r["ref_id"] == "T.1")
    assert t1 == {
        "key": "t:2024:T.1",
        "ref_id": "T.1",
        "title": "Title of T.1",
        "status": "partial",
        "inferred_status": "partial",
        "confirmed_status": None,
        "via": [
            [
                {"key": "KC-1", "relation": "control"},
                {"key": "s1:2020:A.1", "relation": "implements"},
                {"key": "s2:2020:B.1", "relation": "equal"},
                {"key": "s3:2020:C.1", "relation": "subset"},
                {"key": "t:2024:T.1", "relation": "equal"},
            ]
        ],
        "extension": "B.1 → C.1: Add the AI-specific part.",
        "why": "Partly covered: KC-1 —implements→ s1:2020:A.1 —equals→ s2:2020:B.1 —is a subset of→ "
        "s3:2020:C.1 —equals→ t:2024:T.1 — C.1 asks for more than B.1.",
    }
    assert set(doc["summary"]) == {
        "covered",
        "partial",
        "gap",
        "not_applicable",
        "coverage_ratio",
        "partial_ratio",
        "backbone_reuse",
    }


def test_a_fourth_step_is_beyond_the_depth(world: dict[str, Any]) -> None:
    # Given S3 C.1 =equal= S4 D.1 =equal= T.5: KC-1 → A.1 → B.1 → C.1 → D.1 → T.5 is four steps
    s4 = f.standard("s4:2020", ["D.1"])
    f.crosswalk(world["s3"], s4, [("C.1", "D.1", "equal")])
    f.crosswalk(s4, world["t"], [("D.1", "T.5", "equal")])
    ms = world["ms"]
    # Then the four-step chain does not count
    assert statuses(world["t"], ms)["T.5"] == "gap"
    # and a control on C.1 reaches T.5 in two steps, which counts
    f.control(ms, "KC-4", [(f.req(world["s3"], "C.1"), "full")])
    assert statuses(world["t"], ms)["T.5"] == "covered"


def test_a_persons_decision_survives_a_rerun(world: dict[str, Any], admin: Any) -> None:
    # Given the person says T.5 (a gap by inference) is partly covered
    t, ms = world["t"], world["ms"]
    services.decide(Actor.for_user(admin, "web"), ms, "t:2024:T.5", "partial", "Covered by a manual check.")
    r = queries.report(t, ms).result("t:2024:T.5")
    assert (r.status, r.inference.status, r.decision and r.decision.confirmed_status) == (
        "partial",
        "gap",
        "partial",
    )
    # When the controls change and the inference runs again, finding T.5 covered
    f.control(ms, "KC-5", [(f.req(t, "T.5"), "full")])
    r = queries.report(t, ms).result("t:2024:T.5")
    # Then the person's status still wins, and the new inference is shown beside it
    assert (r.status, r.inference.status, r.decision and r.decision.reason) == (
        "partial",
        "covered",
        "Covered by a manual check.",
    )
    # and clearing the decision lets the inference apply again
    services.clear_decision(Actor.for_user(admin, "web"), ms, "t:2024:T.5")
    assert queries.report(t, ms).result("t:2024:T.5").status == "covered"


def test_a_decision_needs_a_reason_and_a_known_status(world: dict[str, Any], admin: Any) -> None:
    who = Actor.for_user(admin, "web")
    with pytest.raises(ValidationFailed) as exc:
        services.decide(who, world["ms"], "t:2024:T.5", "done", "  ")
    assert set(exc.value.fields) == {"status", "reason"}


def test_not_applicable_from_an_soa_exclusion(world: dict[str, Any]) -> None:
    # Given the SoA of T excludes T.2 (which KC-2 covers)
    t, ms = world["t"], world["ms"]
    soa = soa_services.create_soa(SYSTEM, ms.pk, t.key)
    row = soa.rows.get(requirement__ref_id="T.2")
    soa_services.update_row(SYSTEM, row.pk, applicable=False, justification="We do not do T.2.")
    # Then
    r = queries.report(t, ms).result("t:2024:T.2")
    assert (r.status, r.inference.status, r.exclusion) == (
        "not_applicable",
        "not_applicable",
        "We do not do T.2.",
    )
    assert queries.report(t, ms).summary()["not_applicable"] == 1


def test_coverage_ratio_moves_with_its_inputs(world: dict[str, Any]) -> None:
    t, ms = world["t"], world["ms"]
    before = queries.report(t, ms).summary()
    assert before["covered"] == 1 and before["coverage_ratio"] == round(1 / 7, 4)
    f.control(ms, "KC-6", [(f.req(t, "T.5"), "full")])  # one more covered
    assert queries.report(t, ms).summary()["coverage_ratio"] == round(2 / 7, 4)
    soa = soa_services.create_soa(SYSTEM, ms.pk, t.key)  # one fewer applicable
    soa_services.update_row(
        SYSTEM, soa.rows.get(requirement__ref_id="T.4").pk, applicable=False, justification="x"
    )
    assert queries.report(t, ms).summary()["coverage_ratio"] == round(2 / 6, 4)


def test_partial_ratio_moves_with_its_inputs(world: dict[str, Any]) -> None:
    t, ms = world["t"], world["ms"]
    assert queries.report(t, ms).summary()["partial_ratio"] == round(2 / 7, 4)  # T.1, T.3
    f.control(ms, "KC-7", [(f.req(t, "T.5"), "partial")])
    assert queries.report(t, ms).summary()["partial_ratio"] == round(3 / 7, 4)


def test_backbone_reuse_moves_with_its_inputs(world: dict[str, Any]) -> None:
    # Backbone of T: 4.1 (shared) and 4.2 (parallel). Nothing covers them yet.
    t, ms = world["t"], world["ms"]
    assert queries.report(t, ms).summary()["backbone_reuse"] == 0.0
    # A control on S1 clause 4.1, which the crosswalk says equals T 4.1: reused through the HS
    f.control(ms, "KC-8", [(f.req(world["s1"], "4.1"), "full")])
    rep = queries.report(t, ms)
    # a process of the other standard: partial until a person confirms its scope includes T's system
    assert rep.result("t:2024:4.1").status == "partial"
    assert "extend to the management system of" in (rep.result("t:2024:4.1").extension or "")
    assert rep.summary()["backbone_reuse"] == 0.0
    services.confirm_scope(SYSTEM, ms, "KC-8", "t:2024:4.1", "The audit programme names both systems.")
    rep = queries.report(t, ms)
    assert rep.result("t:2024:4.1").status == "covered"
    assert rep.summary()["backbone_reuse"] == 0.5
    # A control linked to T 4.2 directly covers it, but not through the shared structure
    f.control(ms, "KC-9", [(f.req(t, "4.2"), "full")])
    assert queries.report(t, ms).summary()["backbone_reuse"] == 0.5


def test_backbone_reuse_counts_a_control_serving_both_backbone_clauses_directly(
    world: dict[str, Any],
) -> None:
    t, ms = world["t"], world["ms"]
    f.control(ms, "KC-10", [(f.req(world["s1"], "4.1"), "full"), (f.req(t, "4.1"), "full")])
    assert queries.report(t, ms).summary()["backbone_reuse"] == 0.5


def test_templates_that_close_a_gap_with_their_size(world: dict[str, Any]) -> None:
    t = world["t"]
    f.template("t5-monitor", f.req(t, "T.5"), type_="technical", frequency="continuous")  # 3 + 2: L
    f.template("t5-policy", f.req(t, "T.5"), type_="policy", frequency="annually")  # 1 + 0: S
    r = queries.report(t, world["ms"]).result("t:2024:T.5")
    assert [(x["key"], x["size"], x["points"]) for x in r.templates] == [
        ("t5-policy", "S", 1),
        ("t5-monitor", "L", 5),
    ]
    assert queries.template_size("process", "quarterly") == ("M", 3)
    # a template the system already adopted is named with its control
    c = f.control(world["ms"], "KC-11", [], status="planned")
    c.template = f.ControlTemplate.objects.get(key="t5-policy")
    c.save()
    r = queries.report(t, world["ms"]).result("t:2024:T.5")
    assert r.templates[0]["adopted"] == [{"ref_id": "KC-11", "status": "planned", "status_label": "planned"}]


def test_report_runs_a_fixed_number_of_queries(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    t, ms = world["t"], world["ms"]
    with django_assert_num_queries(8):
        queries.report(t, ms)
    for i in range(30):
        f.control(ms, f"KX-{i}", [(f.req(world["s1"], "A.1"), "full"), (f.req(t, "T.5"), "partial")])
    with django_assert_num_queries(8):
        queries.report(t, ms)


def test_resolve_needs_the_system_when_several_cover_the_target(
    world: dict[str, Any], org: Organisation
) -> None:
    assert queries.resolve("t:2024", None)[1] == world["ms"]
    ManagementSystemFactory.create(organisation=org, standards=["t:2024"])
    with pytest.raises(ValidationFailed, match="Choose the management system"):
        queries.resolve("t:2024", None)
