"""The inference rule, clause by clause, on small graphs worked out by hand (no database).

Standards: 1 (S1), 2 (S2), 3 (S3) and 9 (the target T). Requirement ids: 1x in S1, 2x in S2,
3x in S3, 9x in T.
"""

from __future__ import annotations

from keel.gap.inference import Graph, Link, Node, effective, infer, link_strength, step_strength, weakest

T = 9


def node(i: int) -> Node:
    return Node(i, f"s{i // 10}:{i}", f"R{i}", f"Requirement {i}", 9 if i >= 90 else i // 10)


def graph(links: list[Link], relations: list[tuple[int, int, str]], extension: str = "") -> Graph:
    nodes = [node(i) for i in (10, 11, 12, 20, 21, 30, 31, 90, 91, 92)]
    return Graph.build(nodes, links, [(s, t, r, extension, "because", "cw") for s, t, r in relations])


def link(req: int, coverage: str = "full", status: str = "implemented", ref: str = "KC-1") -> Link:
    return Link(ref, "A control", status, req, coverage)


def test_step_rule_equal_and_superset_are_full_subset_and_intersects_partial_not_related_nothing() -> None:
    assert step_strength("equal") == "full"
    assert step_strength("superset") == "full"
    assert step_strength("subset") == "partial"
    assert step_strength("intersects") == "partial"
    assert step_strength("not_related") is None


def test_link_rule_full_only_when_full_and_implemented() -> None:
    assert link_strength("full", "implemented") == "full"
    assert link_strength("partial", "implemented") == "partial"
    assert link_strength("full", "in_progress") == "partial"
    assert link_strength("full", "planned") is None


def test_weakest_step_rule() -> None:
    assert weakest(["full", "full", "full"]) == "full"
    assert weakest(["full", "partial", "full"]) == "partial"
    assert weakest(["full", None]) is None


def test_direct_link_to_the_target_is_a_chain_of_no_step() -> None:
    # Given KC-1 linked fully to T:90
    g = graph([link(90)], [])
    # When
    out = infer(g, T, [90, 91])
    # Then
    assert out[90].status == "covered"
    assert out[90].chains[0].via(g.nodes) == [
        {"key": "KC-1", "relation": "control"},
        {"key": "s9:90", "relation": "implements"},
    ]
    assert out[91].status == "gap"
    assert out[91].chains == []


def test_three_step_chain_with_a_partial_middle_step_is_partial() -> None:
    # Given KC-1 → S1:10 =equal→ S2:20 =subset→ S3:30 =equal→ T:90 (worked by hand: partial)
    g = graph([link(10)], [(10, 20, "equal"), (20, 30, "subset"), (30, 90, "equal")], extension="Add X.")
    # When
    out = infer(g, T, [90])
    # Then
    assert out[90].status == "partial"
    (chain,) = out[90].chains
    assert chain.via(g.nodes) == [
        {"key": "KC-1", "relation": "control"},
        {"key": "s1:10", "relation": "implements"},
        {"key": "s2:20", "relation": "equal"},
        {"key": "s3:30", "relation": "subset"},
        {"key": "s9:90", "relation": "equal"},
    ]
    assert out[90].extension(g.nodes) == "R20 → R30: Add X."


def test_three_full_steps_cover() -> None:
    g = graph([link(10)], [(10, 20, "equal"), (20, 30, "superset"), (30, 90, "equal")])
    assert infer(g, T, [90])[90].status == "covered"


def test_depth_limit_four_steps_do_not_count() -> None:
    # Given KC-1 → 10 → 11 → 20 → 30 → 90: four crosswalk steps
    g = graph([link(10)], [(10, 11, "equal"), (11, 20, "equal"), (20, 30, "equal"), (30, 90, "equal")])
    # When
    out = infer(g, T, [90])
    # Then
    assert out[90].status == "gap"
    # and with a limit of 4 the same chain counts: it is the depth that stops it
    assert infer(g, T, [90], max_steps=4)[90].status == "covered"


def test_inverse_direction_reads_the_relation_backwards() -> None:
    # Given the crosswalk written T:90 superset S1:10 (T asks for more): walking 10 → 90 reads
    # 10 subset 90, partial
    g = graph([link(10)], [(90, 10, "superset")])
    out = infer(g, T, [90])
    assert out[90].status == "partial"
    assert out[90].chains[0].via(g.nodes)[-1] == {"key": "s9:90", "relation": "subset"}
    # and written T:91 subset S1:10 (what is covered contains T:91): 10 superset 91, full
    g = graph([link(10)], [(91, 10, "subset")])
    assert infer(g, T, [91])[91].status == "covered"


def test_a_partial_link_makes_every_chain_from_it_partial() -> None:
    g = graph([link(10, coverage="partial")], [(10, 90, "equal")])
    out = infer(g, T, [90])
    assert out[90].status == "partial"
    assert "covers R10 only in part" in (out[90].extension(g.nodes) or "")


def test_any_full_chain_covers_even_beside_partial_ones() -> None:
    g = graph([link(10), link(11, ref="KC-2")], [(10, 90, "intersects"), (11, 90, "equal")])
    out = infer(g, T, [90])
    assert out[90].status == "covered"
    assert [c.strength for c in out[90].chains] == ["full", "partial"]  # strongest first
    assert out[90].extension(g.nodes) is None


def test_not_related_carries_nothing() -> None:
    g = graph([link(10)], [(10, 90, "not_related")])
    assert infer(g, T, [90])[90].status == "gap"


def test_planned_controls_are_pending_not_counted_and_not_applicable_controls_ignored() -> None:
    g = graph(
        [link(10, status="planned"), link(11, status="not_applicable", ref="KC-2")],
        [(10, 90, "equal"), (11, 90, "equal")],
    )
    out = infer(g, T, [90])
    assert out[90].status == "gap"
    assert [c.link.control_ref for c in out[90].pending] == ["KC-1"]


def test_in_progress_control_gives_partial() -> None:
    g = graph([link(10, status="in_progress")], [(10, 90, "equal")])
    assert infer(g, T, [90])[90].status == "partial"


def test_an_soa_exclusion_makes_it_not_applicable_whatever_the_chains() -> None:
    g = graph([link(10)], [(10, 90, "equal")])
    out = infer(g, T, [90], excluded=[90])
    assert out[90].status == "not_applicable"


def test_chains_do_not_pass_through_another_target_requirement() -> None:
    # 10 → 90 → 91: 91 is reached only through 90, a target requirement: no chain to 91
    g = graph([link(10)], [(10, 90, "equal"), (90, 91, "equal")])
    out = infer(g, T, [90, 91])
    assert out[90].status == "covered"
    assert out[91].status == "gap"


def test_confirmed_status_wins() -> None:
    assert effective("gap", "covered") == "covered"
    assert effective("gap", None) == "gap"


# ---- rule 3: each step must be a real start (set theory on what the control covers)


def test_compose_keeps_a_part_only_inside_and_loses_it_outside() -> None:
    from keel.gap.inference import compose

    assert compose("full", "equal") == "full" and compose("full", "superset") == "full"
    assert compose("full", "subset") == "partial" and compose("full", "intersects") == "partial"
    assert compose("partial", "equal") == "partial" and compose("partial", "subset") == "partial"
    assert compose("partial", "intersects") is None and compose("partial", "superset") is None
    assert compose("full", "not_related") is None and compose(None, "equal") is None


def test_an_overlap_of_an_overlap_is_no_start_and_the_report_says_why() -> None:
    # Given KC-1 → 10 —intersects→ 20 —intersects→ 90: what KC-1 covers of 20 may lie outside 90
    g = graph([link(10)], [(10, 20, "intersects"), (20, 90, "intersects")], extension="Add X.")
    out = infer(g, T, [90])
    assert out[90].status == "gap" and out[90].chains == []
    (stopped,) = out[90].stopped
    assert stopped.stop == "lost"
    why = out[90].why(g.nodes, lambda c: c.link.control_ref)
    assert why.startswith("Gap: KC-1 does not count:") and "no real start" in why


def test_a_partial_link_then_superset_is_no_start_but_then_subset_is() -> None:
    g = graph([link(10, coverage="partial")], [(10, 90, "superset"), (10, 91, "subset")])
    out = infer(g, T, [90, 91])
    assert out[90].status == "gap" and out[91].status == "partial"


def test_a_theme_only_pair_never_propagates_and_is_named_as_the_reason() -> None:
    # Given the crosswalk marks 10 → 90 not related (theme only), with its source kept
    g = graph([link(10)], [(10, 90, "not_related")])
    out = infer(g, T, [90])
    assert out[90].status == "gap"
    (stopped,) = out[90].stopped
    assert stopped.stop == "theme"
    assert "R10 shares only a theme with R90 (not related: because)" in out[90].why(
        g.nodes, lambda c: c.link.control_ref
    )


# ---- rule 4: a harmonised clause needs a person's scope confirmation


def hs_graph(confirmed: tuple[tuple[str, int], ...] = ()) -> Graph:
    nodes = [
        Node(10, "s1:9.2.2", "9.2.2", "Internal audit programme", 1, "clause", "9.2.2", "shared"),
        Node(90, "s9:9.2.2", "9.2.2", "Internal audit programme", 9, "clause", "9.2.2", "shared"),
        Node(91, "s9:9.2.1", "9.2.1", "General", 9, "clause", "9.2.1", "shared"),
    ]
    return Graph.build(
        nodes,
        [link(10), link(91, ref="KC-2")],
        [(10, 90, "equal", "Audit the AIMS too.", "Same text.", "cw")],
        confirmed,
    )


def test_an_unconfirmed_harmonised_step_is_partial_with_extend_to_the_aims() -> None:
    out = infer(hs_graph(), T, [90, 91])
    assert out[90].status == "partial"
    (chain,) = out[90].chains
    assert chain.scope == "unconfirmed"
    assert out[90].extension(hs_graph().nodes) == (
        "9.2.2 → 9.2.2: extend to the AIMS — Audit the AIMS too. Then confirm that the scope of KC-1 includes the AIMS."
    )
    # a control linked to the target clause directly needs no confirmation: the link says it
    assert out[91].status == "covered"


def test_a_confirmed_harmonised_step_covers_and_says_so() -> None:
    g = hs_graph(confirmed=(("KC-1", 90),))
    out = infer(g, T, [90])
    assert out[90].status == "covered" and out[90].chains[0].scope == "confirmed"
    assert "scope a person confirmed includes the AIMS" in out[90].why(g.nodes, lambda c: "x")
    # a confirmation of another control does not count
    assert infer(hs_graph(confirmed=(("KC-9", 90),)), T, [90])[90].status == "partial"


def test_an_in_progress_control_keeps_its_content_through_an_overlap_but_stays_partial() -> None:
    # the link's coverage is content; in progress is maturity: the overlap is still a real start
    g = graph([link(10, status="in_progress")], [(10, 90, "intersects"), (10, 91, "equal")])
    out = infer(g, T, [90, 91])
    assert out[90].status == "partial" and out[91].status == "partial"
    assert "KC-1 is still being implemented" in out[90].chains[0].held_back(g.nodes)
