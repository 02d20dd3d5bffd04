"""Service rules of the AI system inventory: systems and the deployment gate, evaluations,
datasets and lineage, metrics, readings and flags."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from keel.aisystems import gates, lineage, services
from keel.aisystems.models import AISystem, DatasetDerivation, MetricFlag, MetricReading, ModelVersion
from keel.impact.tests import factories as impact_factories
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User

from . import factories as f

T0 = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def changes(entry: TrailEntry | None) -> dict[str, Any]:
    assert entry is not None
    result: dict[str, Any] = json.loads(entry.payload)["changes"]
    return result


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


# ---------------------------------------------------------------- AI systems


def test_creating_a_system_records_every_field_in_the_trail(aims: ManagementSystem) -> None:
    # When
    system = f.ai_system(
        aims,
        origin="embedded",
        ai_roles="customer",
        deployment_regions="EU, UK",
        affected_people="Job applicants screened by the tool.",
    )

    # Then
    system.refresh_from_db()
    assert system.ai_roles == ["customer"]
    assert system.deployment_regions == ["EU", "UK"]
    entry = TrailEntry.objects.get(object_id=str(system.pk))
    assert entry.action == "create"
    assert changes(entry)["origin"] == [None, "embedded"]
    assert str(entry.management_system_id) == str(aims.pk)


def test_an_unknown_ai_role_is_refused_and_nothing_is_created(aims: ManagementSystem) -> None:
    with pytest.raises(ValidationFailed, match="Unknown AI role"):
        f.ai_system(aims, ai_roles=["overlord"])
    assert not AISystem.objects.exists()


def test_a_new_system_cannot_start_in_operation_without_being_recorded_as_existing(
    aims: ManagementSystem,
) -> None:
    with pytest.raises(ValidationFailed, match="cannot start in operation"):
        f.ai_system(aims, lifecycle_stage="operation")
    assert not AISystem.objects.exists()


def test_an_existing_system_is_recorded_in_operation_with_its_reason_in_the_trail(
    aims: ManagementSystem,
) -> None:
    system = f.ai_system(aims, lifecycle_stage="operation", existing_reason="In service since 2023.")
    assert system.lifecycle_stage == "operation"
    entry = TrailEntry.objects.get(object_id=str(system.pk))
    assert changes(entry)["recorded_as_existing"] == [None, "In service since 2023."]


def test_the_stage_is_not_changed_by_an_update(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    with pytest.raises(ValidationFailed, match="stage action"):
        services.update_system(f.SYSTEM, system.pk, lifecycle_stage="operation")


def test_a_contributor_cannot_edit_the_inventory(
    aims: ManagementSystem, make_user: Callable[..., User]
) -> None:
    system = f.ai_system(aims)
    contributor = make_user(Role.CONTRIBUTOR, aims)
    with pytest.raises(PermissionDenied):
        services.update_system(Actor.for_user(contributor, "web"), system.pk, name="Renamed")
    system.refresh_from_db()
    assert system.name != "Renamed"


def test_a_role_over_another_system_cannot_create_a_system_here(
    aims: ManagementSystem, isms: ManagementSystem, make_user: Callable[..., User]
) -> None:
    manager = make_user(Role.COMPLIANCE_MANAGER, isms)
    with pytest.raises(PermissionDenied):
        services.create_system(
            Actor.for_user(manager, "web"),
            management_system=aims,
            short_name="x",
            name="X",
            origin="in_house",
        )


# ---------------------------------------------------------------- the deployment gate


def test_moving_to_deployment_without_an_evaluation_names_both_missing_conditions(
    aims: ManagementSystem,
) -> None:
    # Given a system in verification with one model version never evaluated
    system = f.ai_system(aims, lifecycle_stage="verification")
    f.model_version(system, "1.0")

    # When it is moved to deployment
    with pytest.raises(Conflict) as exc:
        services.change_stage(f.SYSTEM, system.pk, "deployment")

    # Then both conditions are named, and nothing changed
    assert "model version gbm 1.0 has never been evaluated" in exc.value.message
    assert "no approved impact assessment" in exc.value.message
    assert len(exc.value.fields["stage"]) == 2
    system.refresh_from_db()
    assert system.lifecycle_stage == "verification"


def test_with_a_passing_evaluation_only_the_impact_assessment_blocks_deployment(
    aims: ManagementSystem,
) -> None:
    system = f.ai_system(aims, lifecycle_stage="verification")
    f.passing_evaluation(system)
    with pytest.raises(Conflict) as exc:
        services.change_stage(f.SYSTEM, system.pk, "operation")
    assert "evaluat" not in exc.value.message
    assert "no approved impact assessment" in exc.value.message


def test_without_an_assessment_the_impact_condition_fails(aims: ManagementSystem) -> None:
    assert gates.impact_assessment_approved(f.ai_system(aims)) is False


def test_a_failed_latest_evaluation_closes_the_gate_again(aims: ManagementSystem, monkeypatch: Any) -> None:
    # Given an approved impact assessment and a pass, then a failed re-run
    system = f.ai_system(aims, lifecycle_stage="verification")
    f.model_version(system, "1")
    impact_factories.approved(system)
    f.passing_evaluation(system, performed_at=at(0))
    f.passing_evaluation(system, result_value="0.70", performed_at=at(10))

    # When / Then
    with pytest.raises(Conflict, match="latest evaluation of model version gbm 1 on AUC failed") as exc:
        services.change_stage(f.SYSTEM, system.pk, "deployment")
    assert "impact assessment" not in exc.value.message


def test_with_both_conditions_met_the_system_moves_to_deployment(
    aims: ManagementSystem, monkeypatch: Any
) -> None:
    system = f.ai_system(aims, lifecycle_stage="verification")
    f.model_version(system, "1")
    impact_factories.approved(system)
    assert gates.impact_assessment_approved(system) is True
    f.passing_evaluation(system)
    services.change_stage(f.SYSTEM, system.pk, "deployment", note="Go-live approved.")
    system.refresh_from_db()
    assert system.lifecycle_stage == "deployment"
    entry = TrailEntry.objects.filter(object_id=str(system.pk)).order_by("-seq").first()
    assert changes(entry)["lifecycle_stage"] == ["verification", "deployment"]
    # and its only model version is the one deployed, through the gate
    version = ModelVersion.objects.get(model__ai_system=system)
    assert version.status == "deployed" and version.deployed_at is not None
    entry = TrailEntry.objects.filter(object_id=str(version.pk)).order_by("-seq").first()
    assert changes(entry)["gate"] == [None, "passed"]


def test_the_gate_checks_the_version_it_is_asked_for_not_another(aims: ManagementSystem) -> None:
    # Given version 1 passed its evaluation and version 2 was never evaluated
    system = f.ai_system(aims, lifecycle_stage="verification")
    impact_factories.approved(system, trigger_new_model=False)
    v1 = f.model_version(system, "1")
    f.passing_evaluation(system, v1)
    v2 = f.model_version(system, "2")

    # Then the gate lets 1 through and refuses 2, with the reason
    assert gates.check(system, v1).passed is True
    result = gates.check(system, v2)
    assert result.passed is False
    assert result.blockers == [
        "model version gbm 2 has never been evaluated — record an evaluation of this version that "
        "meets its acceptance criterion"
    ]

    # and deploying 2 is refused, changing nothing
    with pytest.raises(Conflict, match="cannot deploy model version gbm 2: model version gbm 2 has never"):
        services.deploy_model_version(f.SYSTEM, system.pk, "gbm@2")
    with pytest.raises(Conflict, match="never been evaluated"):
        services.change_stage(f.SYSTEM, system.pk, "deployment", model_version="gbm@2")
    system.refresh_from_db()
    v2.refresh_from_db()
    assert system.lifecycle_stage == "verification" and v2.status == "development"

    # With two versions the move must name one
    with pytest.raises(ValidationFailed, match="Name the model version to deploy"):
        services.change_stage(f.SYSTEM, system.pk, "deployment")


def test_deploying_a_passing_version_retires_the_one_it_replaces(aims: ManagementSystem) -> None:
    system = f.ai_system(aims, lifecycle_stage="verification")
    impact_factories.approved(system, trigger_new_model=False)
    v1 = f.model_version(system, "1")
    f.passing_evaluation(system, v1)
    services.deploy_model_version(f.SYSTEM, system.pk, "gbm@1", note="First release.")
    system.refresh_from_db()
    assert system.lifecycle_stage == "deployment"

    v2 = f.model_version(system, "2", trained_on=[], notes="Retrained.")
    f.passing_evaluation(system, v2)
    result = services.deploy_model_version(f.SYSTEM, system.pk, v2.pk)
    assert result.passed
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("retired", "deployed")
    assert gates.evaluation_problem(system) == ""


def test_a_failed_re_evaluation_of_the_deployed_version_is_a_problem(aims: ManagementSystem) -> None:
    system = f.ai_system(aims, lifecycle_stage="operation", existing_reason="In service before Keel.")
    version = f.model_version(system, "7", status="deployed", existing_reason="In service before Keel.")
    assert "never been evaluated" in gates.evaluation_problem(system)
    f.passing_evaluation(system, version, performed_at=at(0))
    assert gates.evaluation_problem(system) == ""
    f.passing_evaluation(system, version, result_value="0.5", performed_at=at(5))
    assert "failed" in gates.evaluation_problem(system)


def test_a_version_trains_only_on_datasets_marked_for_training(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    f.dataset(aims, "train-set", may_train=True)
    f.dataset(aims, "holdout", may_evaluate=True)
    with pytest.raises(ValidationFailed, match="holdout is not marked for AI training"):
        f.model_version(system, "1", trained_on=["holdout"])
    assert not ModelVersion.objects.exists()
    v = f.model_version(system, "1", trained_on=["train-set"], evaluated_on=["holdout"])
    assert [d.short_name for d in v.trained_on.all()] == ["train-set"]
    assert [d.short_name for d in v.evaluated_on.all()] == ["holdout"]
    holdout = services.get_dataset("holdout")
    assert list(holdout.evaluated_model_versions.all()) == [v]
    assert not holdout.trained_model_versions.exists()


def test_a_new_version_starts_in_development_unless_recorded_as_existing(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    with pytest.raises(ValidationFailed, match="starts in development"):
        f.model_version(system, "1", status="deployed")
    with pytest.raises(ValidationFailed, match="status changes through the deployment gate"):
        services.update_model_version(f.SYSTEM, f.model_version(system, "1").pk, status="deployed")


def test_retirement_is_final(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    services.retire_system(f.SYSTEM, system.pk)
    system.refresh_from_db()
    assert system.retired_at is not None
    with pytest.raises(Conflict, match="retirement is final"):
        services.change_stage(f.SYSTEM, system.pk, "development")


# ---------------------------------------------------------------- evaluations


def test_pass_or_fail_is_computed_from_a_numeric_criterion(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    ok = f.passing_evaluation(system)
    bad = services.record_evaluation(
        f.SYSTEM,
        system.pk,
        model_version="gbm@1",
        metric="Approval-rate gap",
        comparison="le",
        criterion_value="0.05",
        result_value="0.08",
    )
    assert ok.passed is True and bad.passed is False
    assert bad.criterion == "Approval-rate gap at most (≤) 0.05"


def test_a_pass_contradicting_the_numeric_criterion_is_refused(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    with pytest.raises(ValidationFailed, match="does not meet"):
        f.passing_evaluation(system, result_value="0.5", passed=True)


def test_a_judged_criterion_needs_a_recorded_pass_or_fail(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    f.model_version(system, "1")
    with pytest.raises(ValidationFailed, match="Say whether"):
        services.record_evaluation(
            f.SYSTEM, system.pk, model_version="1", metric="Red team", criterion="No jailbreak found"
        )
    e = services.record_evaluation(
        f.SYSTEM,
        system.pk,
        model_version="1",
        metric="Red team",
        criterion="No jailbreak found",
        passed=True,
        result="None found",
    )
    assert e.passed is True


def test_an_evaluation_of_another_systems_model_is_refused(aims: ManagementSystem) -> None:
    a = f.ai_system(aims, "a-sys")
    b = f.ai_system(aims, "b-sys")
    f.model_version(a, "1")
    other = f.model_version(b, "9", name="m")
    with pytest.raises(ValidationFailed, match="a-sys has no model version"):
        f.passing_evaluation(a, other.pk)
    with pytest.raises(ValidationFailed, match="Its versions: gbm@1"):
        f.passing_evaluation(a, "m@9")


def test_an_evaluation_names_its_model_version(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    with pytest.raises(ValidationFailed, match="evaluations belong to a model version"):
        services.record_evaluation(
            f.SYSTEM, system.pk, model_version="", metric="AUC", passed=True, criterion="x"
        )


def test_a_contributor_over_the_system_records_an_evaluation_as_themselves(
    aims: ManagementSystem, make_user: Callable[..., User]
) -> None:
    system = f.ai_system(aims)
    f.model_version(system, "1")
    engineer = make_user(Role.CONTRIBUTOR, aims)
    e = services.record_evaluation(
        Actor.for_user(engineer, "api"),
        system.pk,
        model_version="gbm@1",
        metric="AUC",
        comparison="ge",
        criterion_value=0.7,
        result_value=0.8,
    )
    assert e.performed_by == engineer


# ---------------------------------------------------------------- datasets and lineage


def test_lineage_is_followed_both_ways_with_depth(aims: ManagementSystem) -> None:
    # Given raw -> clean -> features -> train, and raw -> audit
    f.dataset(aims, "raw")
    f.dataset(aims, "clean", ["raw"])
    f.dataset(aims, "features", ["clean"])
    train = f.dataset(aims, "train", ["features"])
    f.dataset(aims, "audit", ["raw"])
    clean = services.get_dataset("clean")

    # When
    up = lineage.ancestors(train.pk)
    down = lineage.descendants(services.get_dataset("raw").pk)
    both = lineage.lineage(clean)

    # Then
    names = {d.pk: d.short_name for d in services.get_dataset("raw").__class__.objects.all()}
    assert {names[k]: v for k, v in up.items()} == {"features": 1, "clean": 2, "raw": 3}
    assert {names[k]: v for k, v in down.items()} == {"clean": 1, "audit": 1, "features": 2, "train": 3}
    assert [[n.dataset.short_name for n in level] for level in both.upstream] == [["raw"]]
    assert [[n.dataset.short_name for n in level] for level in both.downstream] == [["features"], ["train"]]
    assert both.downstream[1][0].via == ["features"]


def test_a_cycle_is_refused_with_a_message_naming_it_and_nothing_changes(aims: ManagementSystem) -> None:
    f.dataset(aims, "raw")
    f.dataset(aims, "clean", ["raw"])
    f.dataset(aims, "train", ["clean"])
    before = DatasetDerivation.objects.count()

    with pytest.raises(ValidationFailed, match="lineage cannot go in a circle") as exc:
        services.update_dataset(f.SYSTEM, "raw", sources=["train"])

    assert "train is itself built from raw" in exc.value.message
    assert DatasetDerivation.objects.count() == before


def test_a_dataset_is_not_its_own_source(aims: ManagementSystem) -> None:
    f.dataset(aims, "raw")
    with pytest.raises(ValidationFailed, match="derived from itself"):
        services.update_dataset(f.SYSTEM, "raw", sources=["raw"])


def test_unknown_sources_are_refused(aims: ManagementSystem) -> None:
    with pytest.raises(ValidationFailed, match="Unknown dataset"):
        f.dataset(aims, "clean", ["nowhere"])


def test_a_quality_check_is_a_record_like_an_evaluation(aims: ManagementSystem) -> None:
    f.dataset(aims, "raw")
    qc = services.record_quality_check(
        f.SYSTEM, "raw", metric="Missing values", comparison="lt", criterion_value="0.02", result_value="0.01"
    )
    assert qc.passed is True
    assert TrailEntry.objects.filter(object_id=str(qc.pk), action="create").exists()


# ---------------------------------------------------------------- metrics, readings, flags


def test_metric_short_names_are_unique_per_system(aims: ManagementSystem) -> None:
    a = f.ai_system(aims, "a-sys")
    b = f.ai_system(aims, "b-sys")
    f.metric(a)
    f.metric(b)  # the same short name on another system is fine
    with pytest.raises(Conflict, match="already has a metric"):
        f.metric(a)


def test_the_same_reading_pushed_twice_is_stored_once(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    first = services.push_reading(f.SYSTEM, "credit-scoring", "accuracy", "0.93", at(0))
    again = services.push_reading(f.SYSTEM, "credit-scoring", "accuracy", 0.93, at(0).isoformat())
    assert first.created is True and again.created is False
    assert MetricReading.objects.count() == 1


def test_another_value_at_the_same_time_is_refused(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    services.push_reading(f.SYSTEM, "credit-scoring", "accuracy", "0.93", at(0))
    with pytest.raises(Conflict, match="never overwritten"):
        services.push_reading(f.SYSTEM, "credit-scoring", "accuracy", "0.95", at(0))


def test_a_run_of_breaches_keeps_one_open_flag_and_recovery_does_not_close_it(aims: ManagementSystem) -> None:
    # Given accuracy (higher is better, threshold 0.9)
    system = f.ai_system(aims)
    f.metric(system)

    # When three breaches, a recovery, then another breach arrive
    r1 = services.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.88", at(0))
    services.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.85", at(1))
    services.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.87", at(2))
    ok = services.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.95", at(3))
    services.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.89", at(4))

    # Then one flag holds the run, with what an incident needs
    assert r1.flag_opened is True and ok.flag is None and not ok.reading.breach
    flag = MetricFlag.objects.get()
    assert flag.status == "open"
    assert flag.breach_count == 4
    assert str(flag.worst_value.normalize()) == "0.85"
    assert flag.first_breach_at == at(0) and flag.last_breach_at == at(4)
    assert flag.recovered_at is None  # a breach after the recovery


def test_a_recovery_is_recorded_on_the_flag_and_a_person_closes_it(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    f.metric(system, "latency", direction="lower", threshold="300", unit="ms")
    services.push_reading(f.SYSTEM, system.short_name, "latency", "450", at(0))
    services.push_reading(f.SYSTEM, system.short_name, "latency", "200", at(1))
    flag = MetricFlag.objects.get()
    assert flag.recovered_at == at(1) and flag.status == "open"

    with pytest.raises(ValidationFailed, match="Say why"):
        services.close_flag(f.SYSTEM, flag.pk, "")
    services.close_flag(f.SYSTEM, flag.pk, "Cache node replaced.")
    flag.refresh_from_db()
    assert flag.status == "closed"

    # A new breach after the close opens a new flag
    again = services.push_reading(f.SYSTEM, system.short_name, "latency", "500", at(2))
    assert again.flag_opened is True
    assert MetricFlag.objects.filter(status="open").count() == 1


def test_equal_to_the_threshold_is_not_a_breach(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    assert (
        services.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.9", at(0)).reading.breach is False
    )


def test_unknown_metric_names_the_known_ones(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    with pytest.raises(NotFound, match="Its metrics: accuracy"):
        services.push_reading(f.SYSTEM, system.short_name, "drift", "1", at(0))


@pytest.mark.parametrize("bad", ["abc", "nan", "1e20"])
def test_a_bad_value_is_refused(aims: ManagementSystem, bad: str) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    with pytest.raises(ValidationFailed):
        services.push_reading(f.SYSTEM, system.short_name, "accuracy", bad, at(0))
    assert not MetricReading.objects.exists()


def test_a_viewer_cannot_push_a_reading(aims: ManagementSystem, make_user: Callable[..., User]) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    viewer = make_user(Role.VIEWER, aims)
    with pytest.raises(PermissionDenied):
        services.push_reading(Actor.for_user(viewer, "api"), system.short_name, "accuracy", "0.5", at(0))
    assert not MetricReading.objects.exists()


@pytest.mark.parametrize("name", ["new", "flags"])
def test_short_names_that_are_page_paths_are_refused(aims: ManagementSystem, name: str) -> None:
    with pytest.raises(ValidationFailed, match="reserved"):
        f.ai_system(aims, name)
    with pytest.raises(ValidationFailed, match="reserved"):
        f.dataset(aims, name)


# ---------------------------------------------------------------- lifecycle records


def test_a_record_is_written_as_a_draft_and_editing_an_approved_one_voids_the_approval(
    aims: ManagementSystem,
) -> None:
    system = f.ai_system(aims)
    record = f.record(system, kind="user_information", title="Guide for credit officers", body="")
    assert (record.status, record.revision) == ("draft", 1)
    with pytest.raises(ValidationFailed, match="has no text yet"):
        services.approve_record(f.SYSTEM, record.pk)
    services.update_record(f.SYSTEM, record.pk, body="What the score means and what it does not.")
    record = services.approve_record(f.SYSTEM, record.pk, "Reviewed with the credit team.")
    assert (record.status, record.revision) == ("approved", 2)
    # an owner change is not a change of text: the approval stands
    services.update_record(f.SYSTEM, record.pk, title="Guide for credit officers")
    assert services.get_record(record.pk).status == "approved"
    record = services.update_record(f.SYSTEM, record.pk, body="Rewritten.")
    assert (record.status, record.revision, record.approved_by) == ("draft", 3, None)
    with pytest.raises(ValidationFailed, match="approve or withdraw the record with its action"):
        services.update_record(f.SYSTEM, record.pk, status="approved")
    services.withdraw_record(f.SYSTEM, record.pk, "Replaced by the portal help.")
    with pytest.raises(Conflict, match="withdrawn"):
        services.update_record(f.SYSTEM, record.pk, body="Again.")
    entries = TrailEntry.objects.filter(object_id=str(record.pk)).order_by("seq")
    assert [changes(e).get("status") for e in entries if "status" in changes(e)][-1] == ["draft", "withdrawn"]


def test_a_record_links_only_current_42001_requirements(aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    with pytest.raises(ValidationFailed, match=r"No requirement 'A\.99'"):
        f.record(system, requirements=["A.99"])
    assert not system.lifecycle_records.exists()


def test_open_breach_flags_are_listed_for_the_consistency_check(
    aims: ManagementSystem, isms: ManagementSystem, make_user: Callable[..., User]
) -> None:
    from keel.aisystems import metric_queries

    system = f.ai_system(aims)
    f.metric(system)
    services.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.5", "2026-05-01T00:00:00Z")
    flags = list(metric_queries.open_breach_flags())
    assert [(fl.ai_system.short_name, fl.metric.short_name) for fl in flags] == [
        ("credit-scoring", "accuracy")
    ]
    assert list(metric_queries.open_breach_flags(management_system=isms)) == []
    assert list(metric_queries.open_breach_flags(make_user(Role.VIEWER, isms))) == []
    services.close_flag(f.SYSTEM, flags[0].pk, "Rolled back to 3.1.")
    assert not metric_queries.open_breach_flags().exists()


def test_deployed_versions_without_a_passing_evaluation_are_listed(aims: ManagementSystem) -> None:
    from keel.aisystems import metric_queries

    system = f.ai_system(aims, lifecycle_stage="operation", existing_reason="Before Keel.")
    v = f.model_version(system, "7", status="deployed", existing_reason="Before Keel.")
    f.model_version(system, "8")  # in development: not a finding
    found = metric_queries.deployed_versions_without_passing_evaluation()
    assert [(x.label, "never been evaluated" in why) for x, why in found] == [("7", True)]
    f.passing_evaluation(system, v)
    assert metric_queries.deployed_versions_without_passing_evaluation() == []
