"""Migrations 0002-0004 (model versions) move existing rows forward and back: model rows of one
system that share a name become one model with a version per row, each evaluation follows its
row's version, an evaluation of the system as a whole goes to its newest version (or to a model
made for it), and going back restores one row per version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("aisystems", "0001_initial"), ("impact", "0002_initial")]
AFTER = [("aisystems", "0004_model_versions_required")]
T0 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_model_rows_become_versions_and_back() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = _migrate(BEFORE)
        org = apps.get_model("organisation", "Organisation").objects.create(name="Mig Ltd")
        ms = apps.get_model("organisation", "ManagementSystem").objects.create(
            organisation=org, short_name="mig", name="Mig", operating_model="unified"
        )
        AISystem = apps.get_model("aisystems", "AISystem")
        AIModel = apps.get_model("aisystems", "AIModel")
        Evaluation = apps.get_model("aisystems", "Evaluation")
        scoring = AISystem.objects.create(
            short_name="scoring", name="S", management_system=ms, origin="in_house"
        )
        bare = AISystem.objects.create(short_name="bare", name="B", management_system=ms, origin="embedded")
        old = AIModel.objects.create(ai_system=scoring, name="gbm", version="3.1", model_type="regressor")
        new = AIModel.objects.create(ai_system=scoring, name="gbm", version="3.2", model_type="regressor")
        common = {"criterion": "c", "performed_at": T0}
        Evaluation.objects.create(ai_system=scoring, model=old, metric="AUC", passed=True, **common)
        Evaluation.objects.create(ai_system=scoring, model=new, metric="AUC", passed=False, **common)
        Evaluation.objects.create(ai_system=scoring, model=None, metric="Red team", passed=True, **common)
        Evaluation.objects.create(ai_system=bare, model=None, metric="Ratio", passed=False, **common)

        apps = _migrate(AFTER)
        AIModel = apps.get_model("aisystems", "AIModel")
        ModelVersion = apps.get_model("aisystems", "ModelVersion")
        Evaluation = apps.get_model("aisystems", "Evaluation")
        assert list(
            AIModel.objects.filter(ai_system__short_name="scoring").values_list("name", flat=True)
        ) == ["gbm"]
        labels = dict(Evaluation.objects.values_list("metric", "model_version__label"))
        assert [
            (e.model_version.label, e.passed)
            for e in Evaluation.objects.filter(metric="AUC")
            .select_related("model_version")
            .order_by("model_version__label")
        ] == [("3.1", True), ("3.2", False)]
        assert labels["Red team"] == "3.2"  # the system's newest version
        assert labels["Ratio"] == "unrecorded"
        assert ModelVersion.objects.get(label="unrecorded").model.name == "bare-model"

        apps = _migrate(BEFORE)
        AIModel = apps.get_model("aisystems", "AIModel")
        Evaluation = apps.get_model("aisystems", "Evaluation")
        rows = sorted(AIModel.objects.filter(ai_system__short_name="scoring").values_list("name", "version"))
        assert rows == [("gbm", "3.1"), ("gbm", "3.2")]
        assert Evaluation.objects.get(metric="AUC", passed=False).model.version == "3.2"
    finally:
        _migrate(latest)
