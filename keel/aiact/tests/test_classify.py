"""The classification rule as a pure function (no database): the cases of issue 17's "done
when", every Art. 5 practice, every Annex III area and point, the Art. 6(3) derogations with the
profiling rule, Art. 50 and general-purpose AI models."""

from __future__ import annotations

import pytest

from keel.aiact.choices import GPAI, HighRiskRoute, Tier
from keel.aiact.classify import check_answers, classify
from keel.aiact.questionnaire import current, parse

Q = current()
EU = {"eu_use": True}


def test_credit_scoring_deployed_in_the_eu_is_high_risk_under_annex_iii_5b_with_the_reasons() -> None:
    # Given a deployer's credit-scoring system used in the EU that profiles applicants
    answers = {**EU, "annex3_5b": True, "profiling": True}
    # When it is classified
    r = classify(answers, "deployer")
    # Then it is high-risk through Annex III point 5(b), and the reasons name the answers
    assert (r.tier, r.high_risk_route, r.annex_iii_points) == (
        Tier.HIGH_RISK,
        HighRiskRoute.ANNEX_III,
        ("5(b)",),
    )
    assert r.summary == "High-risk (Annex III 5(b))"
    cited = {x.question for x in r.reasons}
    assert {"eu_use", "annex3_5b", "profiling"} <= cited
    assert any(x.ref == "Art. 6(2)" and "5(b)" in x.text for x in r.reasons)


def test_a_support_chatbot_gets_the_art_50_transparency_obligations() -> None:
    r = classify({**EU, "art50_1": True, "art50_2": True}, "deployer")
    assert (r.tier, r.transparency_cases) == (Tier.TRANSPARENCY, ("50(1)", "50(2)"))
    assert [x.question for x in r.reasons if x.question.startswith("art50")] == ["art50_1", "art50_2"]


def test_internal_document_sorting_is_minimal_risk() -> None:
    r = classify({**EU, "annex3_4a": False, "art50_1": False}, "provider")
    assert r.tier == Tier.MINIMAL
    assert r.reasons[-1].ref == "Art. 4, Art. 95"


def test_a_system_outside_the_eu_is_outside_the_act_whatever_else_it_does() -> None:
    r = classify({"eu_use": False, "art5_a": True, "annex3_5b": True}, "provider")
    assert r.tier == Tier.OUT_OF_SCOPE
    assert [x.question for x in r.reasons] == ["eu_use"]


@pytest.mark.parametrize("question", Q.of_kind("prohibited"), ids=lambda q: q.key)
def test_each_art_5_practice_makes_the_system_prohibited(question: object) -> None:
    key, ref = question.key, question.ref  # type: ignore[attr-defined]
    # even when it is also an Annex III use and a chatbot: the prohibition comes first
    r = classify({**EU, key: True, "annex3_5b": True, "art50_1": True}, "provider")
    assert (r.tier, r.prohibited_practices) == (Tier.PROHIBITED, (ref,))
    assert key in [x.question for x in r.reasons]


def test_the_questionnaire_asks_for_all_eight_art_5_practices_and_all_eight_annex_iii_areas() -> None:
    assert [q.ref for q in Q.of_kind("prohibited")] == [f"Art. 5(1)({c})" for c in "abcdefgh"]
    assert sorted({q.area for q in Q.of_kind("annex_iii")}) == [str(n) for n in range(1, 9)]


@pytest.mark.parametrize("question", Q.of_kind("annex_iii"), ids=lambda q: q.key)
def test_each_annex_iii_point_makes_the_system_high_risk(question: object) -> None:
    key, point = question.key, question.point  # type: ignore[attr-defined]
    r = classify({**EU, key: True}, "provider")
    assert (r.tier, r.high_risk_route, r.annex_iii_points) == (
        Tier.HIGH_RISK,
        HighRiskRoute.ANNEX_III,
        (point,),
    )
    assert r.summary == f"High-risk (Annex III {point})"


@pytest.mark.parametrize("derogation", Q.of_kind("derogation"), ids=lambda q: q.key)
def test_each_art_6_3_condition_lifts_an_annex_iii_case_unless_the_system_profiles_people(
    derogation: object,
) -> None:
    key = derogation.key  # type: ignore[attr-defined]
    lifted = classify({**EU, "annex3_4a": True, key: True}, "provider")
    assert (lifted.tier, lifted.derogation_applied) == (Tier.MINIMAL, True)
    assert any(x.ref == "Art. 6(3), 6(4), 49(2)" for x in lifted.reasons)
    kept = classify({**EU, "annex3_4a": True, key: True, "profiling": True}, "provider")
    assert (kept.tier, kept.derogation_applied) == (Tier.HIGH_RISK, False)
    assert any("profiles people" in x.text for x in kept.reasons)


def test_a_lifted_annex_iii_case_that_talks_to_people_keeps_its_transparency_duty() -> None:
    r = classify({**EU, "annex3_4a": True, "derog_preparatory": True, "art50_1": True}, "provider")
    assert (r.tier, r.derogation_applied, r.transparency_cases) == (Tier.TRANSPARENCY, True, ("50(1)",))


def test_annex_i_needs_a_product_and_a_third_party_assessment() -> None:
    both = classify({**EU, "annex_i_product": True, "annex_i_third_party": True}, "product_manufacturer")
    assert (both.tier, both.high_risk_route, both.annex_i) == (Tier.HIGH_RISK, HighRiskRoute.ANNEX_I, True)
    product_only = classify({**EU, "annex_i_product": True}, "product_manufacturer")
    assert product_only.tier == Tier.MINIMAL
    assert any(x.ref == "Art. 6(1)" and "third-party" in x.text for x in product_only.reasons)


def test_a_high_risk_chatbot_keeps_its_art_50_case_beside_the_tier() -> None:
    r = classify({**EU, "annex3_5d": True, "art50_1": True}, "deployer")
    assert (r.tier, r.transparency_cases) == (Tier.HIGH_RISK, ("50(1)",))


def test_a_general_purpose_model_and_its_systemic_risk_are_recorded_beside_the_tier() -> None:
    assert classify({**EU, "gpai_model": True}, "provider").gpai == GPAI.GPAI
    systemic = classify({**EU, "gpai_model": True, "gpai_systemic": True, "art50_2": True}, "provider")
    assert (systemic.tier, systemic.gpai) == (Tier.TRANSPARENCY, GPAI.SYSTEMIC)
    assert "gpai_systemic" in [x.question for x in systemic.reasons]
    # systemic risk without a model of one's own is not a GPAI obligation
    assert classify({**EU, "gpai_systemic": True}, "deployer").gpai == GPAI.NONE


def test_bad_answers_are_named_field_by_field() -> None:
    problems = check_answers({"nonsense": True, "art5_a": "yes"}, "owner")
    assert set(problems) == {"role", "answers"}
    text = " ".join(problems["answers"])
    assert "nonsense" in text and "art5_a" in text and "eu_use" in text
    assert check_answers({**EU}, "deployer") == {}


def test_a_malformed_questionnaire_is_refused_naming_the_entry() -> None:
    with pytest.raises(ValueError, match="art50_x"):
        parse(
            {
                "version": "x",
                "sections": [
                    {
                        "key": "t",
                        "kind": "transparency",
                        "title": "T",
                        "questions": [{"key": "art50_x", "ref": "Art. 50", "text": "?", "explain": "."}],
                    }
                ],
            }
        )
