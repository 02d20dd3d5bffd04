"""Datasets carry their classification level (keel.assets): the level is the organisation's rule
for AI use, the dataset's flags its own decision within it. Service rule, API, pages, fixed query
counts and the migration."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import PROTECT
from django.test import Client
from django.urls import reverse

from keel.aisystems import services
from keel.aisystems.models import Dataset
from keel.assets import services as assets
from keel.assets.models import ClassificationLevel
from keel.organisation.models import ManagementSystem
from keel.platform.errors import ValidationFailed
from keel.platform.models import TrailEntry
from keel.platform.tests.query_counts import queries_of

from . import factories as f

API = "/api/v1"


def level(key: str, rank: int, **kw: Any) -> ClassificationLevel:
    data: dict[str, Any] = {
        "name": key.title(),
        "ai_training_allowed": True,
        "ai_evaluation_allowed": True,
        **kw,
    }
    return assets.create_level(f.SYSTEM, key=key, rank=rank, **data)


def send(client: Client, path: str, body: Any, method: str = "POST") -> Any:
    return client.generic(method, API + path, json.dumps(body), content_type="application/json")


# ---------------------------------------------------------------- service rule


def test_a_dataset_cannot_be_marked_for_training_under_a_level_that_forbids_it(
    aims: ManagementSystem,
) -> None:
    # Given a level that forbids AI training but allows evaluation
    level("restricted", 4, name="Restricted", ai_training_allowed=False)
    # When a dataset under it is marked may_train
    with pytest.raises(ValidationFailed) as exc:
        f.dataset(aims, "hr-files", classification="restricted", may_train=True, may_evaluate=True)
    # Then it is refused, naming the level and the fix, and nothing is stored
    assert "classified Restricted, which does not allow AI training" in exc.value.message
    assert "untick may_train" in exc.value.message
    assert set(exc.value.fields) == {"may_train"}
    assert not Dataset.objects.filter(short_name="hr-files").exists()
    # and the dataset may still be evaluated on (its own decision within the level)
    d = f.dataset(aims, "hr-files", classification="restricted", may_evaluate=True)
    assert d.classification is not None and d.classification.key == "restricted"


def test_evaluation_is_refused_on_update_when_the_level_forbids_it(aims: ManagementSystem) -> None:
    lv = level("secret", 5, ai_evaluation_allowed=False, ai_training_allowed=False)
    f.dataset(aims, "keys", classification=lv.pk)  # by id
    with pytest.raises(ValidationFailed) as exc:
        services.update_dataset(f.SYSTEM, "keys", may_evaluate=True)
    assert "does not allow AI evaluation" in exc.value.message
    assert Dataset.objects.get(short_name="keys").may_evaluate is False


def test_changing_the_level_to_one_that_forbids_training_is_refused(aims: ManagementSystem) -> None:
    level("internal", 2)
    level("restricted", 4, ai_training_allowed=False)
    f.dataset(aims, "logs", classification="internal", may_train=True)
    with pytest.raises(ValidationFailed, match="untick may_train"):
        services.update_dataset(f.SYSTEM, "logs", classification="restricted")
    # unticking in the same change is accepted, and the trail names the level by key
    services.update_dataset(f.SYSTEM, "logs", classification="restricted", may_train=False)
    entry = TrailEntry.objects.filter(object_repr__contains="Logs").order_by("-at").first()
    assert entry is not None
    assert json.loads(entry.payload)["changes"]["classification"] == ["internal", "restricted"]


def test_a_retired_level_is_refused_but_kept_when_unchanged(aims: ManagementSystem) -> None:
    level("internal", 2)
    level("old", 9)
    f.dataset(aims, "kept", classification="old")
    assets.retire_level(f.SYSTEM, "old")
    with pytest.raises(ValidationFailed) as exc:
        f.dataset(aims, "new-one", classification="old")
    assert exc.value.message == "The classification level Old is retired: choose a current level."
    # a dataset already at the retired level can still be edited otherwise
    services.update_dataset(f.SYSTEM, "kept", description="Still here.")
    with pytest.raises(ValidationFailed, match="No classification level 'nope'"):
        f.dataset(aims, "other", classification="nope")


def test_empty_licence_scope_and_deletion_come_from_the_level(aims: ManagementSystem) -> None:
    level(
        "confidential", 3, licence_scope="Lender agreements only.", training_data_deletion="Within 30 days."
    )
    d = f.dataset(aims, "apps", classification="confidential", deletion_method="Our own method.")
    d = services.get_dataset("apps")
    assert d.inherited("licence_scope") == ("Lender agreements only.", "from classification Confidential")
    assert d.inherited("deletion_method") == ("Our own method.", "")


# ---------------------------------------------------------------- API


def test_api_takes_gives_and_filters_by_the_level_key(admin_client: Client, aims: ManagementSystem) -> None:
    level("internal", 2)
    level("restricted", 4, ai_training_allowed=False)
    body = {"short_name": "docs", "name": "Docs", "management_system": "aims", "acquisition": "collected"}
    r = send(admin_client, "/datasets", {**body, "classification": "internal", "may_train": True})
    assert r.status_code == 201, r.content
    assert r.json()["classification"] == "internal"
    f.dataset(aims, "plain")
    # the rule speaks through the API's error format
    r = send(admin_client, "/datasets/docs", {"classification": "restricted"}, "PATCH")
    assert r.status_code == 422
    assert "does not allow AI training" in r.json()["error"]["message"]
    assert r.json()["error"]["fields"]["may_train"]
    # the filter
    r = admin_client.get(f"{API}/datasets?classification=internal")
    assert [d["short_name"] for d in r.json()["items"]] == ["docs"]
    plain = admin_client.get(f"{API}/datasets/plain").json()
    assert plain["classification"] is None
    # null removes it
    r = send(admin_client, "/datasets/docs", {"classification": None}, "PATCH")
    assert r.status_code == 200 and r.json()["classification"] is None


def test_the_dataset_list_keeps_a_fixed_number_of_queries_with_levels(
    admin_client: Client, aims: ManagementSystem
) -> None:
    levels = [level("internal", 2), level("confidential", 3)]
    f.dataset(aims, "d0", classification="internal")
    api_small = queries_of(admin_client, f"{API}/datasets?limit=500")
    page_small = queries_of(admin_client, reverse("dataset-list"))
    for i in range(1, 7):
        f.dataset(aims, f"d{i}", classification=levels[i % 2].key)
    assert queries_of(admin_client, f"{API}/datasets?limit=500") == api_small
    assert queries_of(admin_client, reverse("dataset-list")) == page_small


# ---------------------------------------------------------------- pages


def test_the_pages_show_the_level_its_rules_and_inherited_values(
    admin_client: Client, aims: ManagementSystem
) -> None:
    level(
        "confidential",
        3,
        name="Confidential",
        handling="Need to know; encrypted.",
        ai_training_allowed=False,
        training_data_deletion="Within 30 days of a request.",
    )
    f.dataset(aims, "apps", name="Applications", classification="confidential", may_evaluate=True)
    f.dataset(aims, "other", name="Other data")
    text = admin_client.get(reverse("dataset-detail", args=["apps"])).content.decode()
    assert "Need to know; encrypted." in text
    assert "Forbidden at this level" in text and "Allowed at this level" in text
    assert "Within 30 days of a request." in text and "from classification Confidential" in text
    listing = admin_client.get(reverse("dataset-list") + "?classification=confidential").content.decode()
    assert "Applications" in listing and "Other data" not in listing


def test_the_form_offers_current_levels_and_refuses_a_forbidden_flag(
    admin_client: Client, aims: ManagementSystem
) -> None:
    level("internal", 2, name="Internal")
    level("restricted", 4, name="Restricted", ai_training_allowed=False)
    level("legacy", 8, name="Legacy")
    assets.retire_level(f.SYSTEM, "legacy")
    form = admin_client.get(reverse("dataset-create")).content.decode()
    assert 'value="internal"' in form and 'value="restricted"' in form and 'value="legacy"' not in form
    r = admin_client.post(
        reverse("dataset-create"),
        {
            "short_name": "hr",
            "name": "HR",
            "management_system": "aims",
            "acquisition": "collected",
            "classification": "restricted",
            "may_train": "on",
        },
    )
    assert r.status_code == 422
    assert "does not allow AI training" in r.content.decode()
    assert not Dataset.objects.filter(short_name="hr").exists()


# ---------------------------------------------------------------- migration


def test_the_migrations_carry_the_reference_and_every_step_can_be_undone(db: Any) -> None:
    # Given the migration graph (read, not applied: the shared test database keeps its data)
    loader = MigrationLoader(connection)
    leaf = max(k for k in loader.disk_migrations if k[0] == "aisystems")
    state = loader.project_state(leaf)
    # Then the dataset's classification is a nullable, protected reference
    field = state.models["aisystems", "dataset"].fields["classification"]
    assert field.null and field.remote_field.on_delete is PROTECT
    # And every migration of the app can be undone
    for key, migration in loader.disk_migrations.items():
        if key[0] == "aisystems":
            assert all(op.reversible for op in migration.operations), key
