"""The obligation catalogue as data: dates with their history and source, the mapping to
ISO/IEC 42001 requirements that exist, which obligations fall on which classification, and the
per-system status with evidence and readiness."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from keel.aiact import queries, services
from keel.aiact.catalogue import catalogue, parse
from keel.aiact.classify import classify
from keel.aisystems.tests import factories as af
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.concurrency import EditConflict
from keel.platform.errors import PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.standards import loader

SYSTEM = Actor.system("test")
CAT = catalogue()
EU = {"eu_use": True}


@pytest.mark.parametrize("ob", CAT.obligations, ids=lambda o: o.key)
def test_each_obligation_shows_its_original_and_current_date_with_the_source_of_any_change(
    ob: object,
) -> None:
    for t in ob.timelines():  # type: ignore[attr-defined]
        assert isinstance(t.original.date, dt.date) and isinstance(t.current.date, dt.date)
        assert t.original.act_label.startswith("Regulation (EU) 2024/1689")
        if t.changed:
            assert t.current.act_label.startswith("Regulation (EU) 2026/1744")


def test_the_digital_omnibus_postponement_is_recorded_as_data() -> None:
    t = CAT.timelines
    assert (t["high_risk_annex_iii"].original.date, t["high_risk_annex_iii"].current.date) == (
        dt.date(2026, 8, 2),
        dt.date(2027, 12, 2),
    )
    assert (t["high_risk_annex_i"].original.date, t["high_risk_annex_i"].current.date) == (
        dt.date(2027, 8, 2),
        dt.date(2028, 8, 2),
    )
    assert t["transparency"].current.date == dt.date(2026, 8, 2) and not t["transparency"].changed
    assert t["transparency_marking"].current.date == dt.date(2026, 12, 2)
    # a high-risk obligation follows the timeline of the system's route
    art9 = CAT.get("art9-risk-management")
    assert art9 is not None
    annex_i = classify({**EU, "annex_i_product": True, "annex_i_third_party": True}, "provider")
    assert art9.timeline_for(annex_i).current.date == dt.date(2028, 8, 2)


def test_every_supporting_requirement_key_exists_in_the_standards_library() -> None:
    keys = {e.key for s in loader.read_all()[0] for e in s.entries}
    missing = {k for o in CAT.obligations for k in o.supports if k not in keys}
    assert not missing


def test_which_obligations_fall_on_which_classification() -> None:
    def keys(answers: dict[str, bool], role: str) -> set[str]:
        return {o.key for o in CAT.applicable(classify({**EU, **answers}, role))}

    credit_deployer = keys({"annex3_5b": True, "profiling": True}, "deployer")
    assert {"art4-literacy", "art26-deployer", "art27-fria"} <= credit_deployer
    assert "art43-conformity-assessment" not in credit_deployer
    credit_provider = keys({"annex3_5b": True}, "provider")
    assert {
        "art9-risk-management",
        "art43-conformity-assessment",
        "art48-ce-marking",
        "art49-registration",
        "art72-post-market-monitoring",
        "art73-serious-incidents",
    } <= credit_provider
    # critical infrastructure: no EU-database registration, no FRIA
    infra = keys({"annex3_2": True}, "deployer") | keys({"annex3_2": True}, "provider")
    assert not {"art49-registration", "art27-fria"} & infra
    assert keys({"art50_1": True}, "provider") == {"art4-literacy", "art50-1-interaction"}
    assert keys({}, "deployer") == {"art4-literacy"}
    assert "art49-2-not-high-risk" in keys({"annex3_4a": True, "derog_narrow": True}, "provider")
    assert "art55-systemic" in keys({"gpai_model": True, "gpai_systemic": True}, "provider")
    assert keys({"annex3_5b": True}, "distributor") == {"art24-distributor"}


def test_a_catalogue_with_an_unknown_act_or_condition_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown act"):
        parse({"acts": {}, "timelines": {"t": [{"date": dt.date(2026, 1, 1), "act": "x"}]}})
    with pytest.raises(ValueError, match="unknown condition"):
        parse(
            {
                "acts": {"a": "A"},
                "timelines": {"t": [{"date": dt.date(2026, 1, 1), "act": "a"}]},
                "obligations": [
                    {
                        "key": "k",
                        "ref": "r",
                        "title": "t",
                        "summary": "s",
                        "roles": ["provider"],
                        "timeline": "t",
                        "when": "nope",
                    }
                ],
            }
        )


@pytest.mark.django_db
def test_obligation_status_evidence_and_readiness(
    aims: ManagementSystem, make_user: Callable[..., User], admin: User
) -> None:
    # Given a credit-scoring system classified high-risk for its deployer
    system = af.ai_system(aims)
    services.classify_system(SYSTEM, system, role="deployer", answers={**EU, "annex3_5b": True})
    view = queries.system_obligations(admin, system.short_name)
    assert view.readiness == 0 and {r.status for r in view.rows} == {"not_started"}
    # When two are met and one is not applicable
    services.set_obligation_status(SYSTEM, system, "art4-literacy", status="met", note="Training done.")
    row = services.set_obligation_status(SYSTEM, system, "art26-deployer", status="met")
    services.set_obligation_status(SYSTEM, system.short_name, "art27-fria", status="not_applicable")
    # Then readiness counts met over those that apply
    view = queries.system_obligations(admin, system.short_name)
    assert (len(view.rows), view.readiness) == (3, 100)
    # A stale edit, an obligation that does not apply and a viewer all change nothing
    with pytest.raises(EditConflict):
        services.set_obligation_status(
            SYSTEM, system, "art26-deployer", status="in_progress", expected_version="x"
        )
    with pytest.raises(ValidationFailed, match="does not fall on"):
        services.set_obligation_status(SYSTEM, system, "art48-ce-marking", status="met")
    with pytest.raises(ValidationFailed, match="Unknown evidence"):
        services.set_obligation_status(SYSTEM, system, "art26-deployer", evidence=["EV-999"])
    viewer = make_user(Role.VIEWER, aims)
    with pytest.raises(PermissionDenied):
        services.set_obligation_status(
            Actor.for_user(viewer, Channel.API), system, "art26-deployer", status="in_progress"
        )
    row.refresh_from_db()
    assert row.status == "met"
