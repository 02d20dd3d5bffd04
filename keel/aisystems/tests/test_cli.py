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
