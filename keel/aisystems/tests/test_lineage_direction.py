"""Dataset lineage reads the right way round everywhere (issue 9, defect 2): ``sources`` are
what a dataset was derived from, ``derivatives`` what was derived from it, in the API and on
the pages; sending back what was read, or saving the edit page unchanged, changes nothing."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.urls import reverse

from keel.aisystems.models import DatasetDerivation
from keel.organisation.models import ManagementSystem
from keel.platform.models import TrailEntry
from tests.formpost import form_values

from . import factories as f

API = "/api/v1"


def _edges() -> set[tuple[str, str]]:
    return set(DatasetDerivation.objects.values_list("source__short_name", "derived__short_name"))


def _chain(aims: ManagementSystem) -> None:
    # raw -> clean -> features: clean was derived from raw, features from clean
    f.dataset(aims, "raw")
    f.dataset(aims, "clean", ["raw"])
    f.dataset(aims, "features", ["clean"])


def _patch(client: Client, ref: str, body: dict[str, Any]) -> Any:
    return client.patch(f"{API}/datasets/{ref}", json.dumps(body), content_type="application/json")


def test_the_api_lists_a_datasets_sources_and_derivatives_the_right_way_round(
    admin_client: Client, aims: ManagementSystem
) -> None:
    _chain(aims)
    body = admin_client.get(f"{API}/datasets/clean").json()
    assert body["sources"] == ["raw"]
    assert body["derivatives"] == ["features"]
    assert body["derived_from"] == ["raw"]  # the deprecated name means the same as sources
    listed = {d["short_name"]: d for d in admin_client.get(f"{API}/datasets").json()["items"]}
    assert listed["raw"]["sources"] == [] and listed["raw"]["derivatives"] == ["clean"]
    assert listed["features"]["sources"] == ["clean"] and listed["features"]["derived_from"] == ["clean"]


def test_sending_back_what_the_api_returned_changes_nothing(
    admin_client: Client, aims: ManagementSystem
) -> None:
    _chain(aims)
    before, entries = _edges(), TrailEntry.objects.count()
    for name in ("raw", "clean", "features"):
        got = admin_client.get(f"{API}/datasets/{name}").json()
        for field in ("sources", "derived_from"):
            r = _patch(admin_client, name, {field: got[field]})
            assert r.status_code == 200, r.content
    assert _edges() == before
    assert TrailEntry.objects.count() == entries


def test_derived_from_and_sources_that_disagree_are_refused(
    admin_client: Client, aims: ManagementSystem
) -> None:
    _chain(aims)
    r = _patch(admin_client, "features", {"sources": ["raw"], "derived_from": ["clean"]})
    assert r.status_code == 422
    assert _edges() == {("raw", "clean"), ("clean", "features")}


def test_saving_the_edit_page_unchanged_keeps_the_lineage(
    admin_client: Client, aims: ManagementSystem
) -> None:
    _chain(aims)
    before, entries = _edges(), TrailEntry.objects.count()
    for name in ("raw", "clean", "features"):
        url = reverse("dataset-edit", args=[name])
        data = form_values(admin_client.get(url).content.decode())
        r = admin_client.post(url, data)
        assert r.status_code == 302, r.content.decode()[:2000]
    assert _edges() == before
    assert TrailEntry.objects.count() == entries
