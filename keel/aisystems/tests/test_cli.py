"""``keel ai metric push``: stores a reading, says when it was already stored, reports a breach
and its flag, and refuses what it cannot do with one line on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from keel.aisystems.models import MetricReading
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.site.cli import main

from . import factories as f


@pytest.fixture
def metric(aims: ManagementSystem) -> None:
    f.metric(f.ai_system(aims))


def test_push_then_push_again_is_idempotent_and_says_so(
    metric: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["ai", "metric", "push", "credit-scoring", "accuracy", "0.95", "--at", "2026-05-01T06:00:00Z"])
        == 0
    )
    assert capsys.readouterr().out.startswith("stored: credit-scoring/accuracy = 0.95")
    assert (
        main(["ai", "metric", "push", "credit-scoring", "accuracy", "0.95", "--at", "2026-05-01T06:00:00Z"])
        == 0
    )
    assert "already stored" in capsys.readouterr().out
    assert MetricReading.objects.count() == 1


def test_a_breach_is_reported_with_its_flag_in_json(metric: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "ai",
            "metric",
            "push",
            "credit-scoring",
            "accuracy",
            "0.5",
            "--at",
            "2026-05-01T06:00",
            "--format",
            "json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["breach"] is True and data["flag_opened"] is True and data["created"] is True
    assert data["at"].startswith("2026-05-01T06:00:00")


def test_an_unknown_metric_is_one_line_on_stderr(metric: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ai", "metric", "push", "credit-scoring", "drift", "1"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("keel: error: credit-scoring has no metric 'drift'") and not captured.out


def test_a_bad_time_is_refused(metric: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ai", "metric", "push", "credit-scoring", "accuracy", "1", "--at", "yesterday"]) == 1
    assert "ISO 8601" in capsys.readouterr().err


def test_a_viewer_may_not_push(
    metric: None, aims: ManagementSystem, make_user: Callable[..., User], capsys: pytest.CaptureFixture[str]
) -> None:
    viewer = make_user(Role.VIEWER, None)
    assert main(["ai", "metric", "push", "credit-scoring", "accuracy", "1", "--as", viewer.email]) == 1
    assert "is not allowed to" in capsys.readouterr().err
    assert not MetricReading.objects.exists()


def test_the_gate_command_refuses_a_version_never_evaluated_and_deploy_changes_nothing(
    aims: ManagementSystem, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given version 1 passing and version 2 never evaluated, with an approved assessment
    from keel.aisystems.models import ModelVersion
    from keel.impact.tests import factories as impact_factories

    system = f.ai_system(aims, lifecycle_stage="verification")
    v1 = f.model_version(system, "1")
    f.model_version(system, "2")
    impact_factories.approved(system)
    f.passing_evaluation(system, v1)

    # When the gate is asked about 2: exit 1 with the reason, as text and as JSON
    assert main(["ai", "gate", "credit-scoring", "--model-version", "gbm@2"]) == 1
    text = capsys.readouterr().out
    assert text.startswith("gate refuses: credit-scoring: model version gbm 2 (development)")
    assert "has never been evaluated" in text
    assert main(["ai", "gate", "credit-scoring", "--model-version", "2", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "ai_system",
        "model",
        "model_version",
        "model_version_id",
        "status",
        "passed",
        "blockers",
    }
    assert data["passed"] is False and data["model_version"] == "2" and len(data["blockers"]) == 1
    assert main(["ai", "gate", "credit-scoring", "--model-version", "gbm@1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["passed"] is True

    # Then deploying 2 is refused with one line on stderr, nothing changed
    assert main(["ai", "deploy", "credit-scoring", "--model-version", "gbm@2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("keel: error: Credit Scoring cannot deploy model version gbm 2") and "never" in err
    assert ModelVersion.objects.get(label="2").status == "development"
    # and deploying 1 passes
    assert main(["ai", "deploy", "credit-scoring", "--model-version", "gbm@1", "--note", "Go."]) == 0
    assert "deployed: credit-scoring model version gbm 1" in capsys.readouterr().out
    assert ModelVersion.objects.get(label="1").status == "deployed"


def test_the_gate_command_names_the_versions_when_one_is_unknown(
    aims: ManagementSystem, capsys: pytest.CaptureFixture[str]
) -> None:
    f.model_version(f.ai_system(aims), "1")
    assert main(["ai", "gate", "credit-scoring", "--model-version", "9"]) == 1
    assert "credit-scoring has no model version '9'. Its versions: gbm@1" in capsys.readouterr().err
