"""The crosswalk API: crosswalks and crosswalk-relations — happy paths, filters, errors in the
one error format, withdraw on delete, and fixed query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keel.mapping import services
from keel.mapping.models import CrosswalkRelation
from keel.platform.actor import Actor
from keel.platform.choices import Role

API = "/api/v1"
KEY = "iso27001-2022--iso42001-2023"
OP = Actor.system("test")


def send(client: Client, path: str, body: Any, method: str = "POST") -> Any:
    return client.generic(method, API + path, json.dumps(body), content_type="application/json")


def test_list_and_detail_give_counts_and_completeness(admin_client: Client) -> None:
    body = admin_client.get(f"{API}/crosswalks").json()
    (item,) = [i for i in body["items"] if i["key"] == KEY]
    assert item["source"] == "iso27001:2022" and item["target"] == "iso42001:2023"
    assert item["targets_covered"] == item["targets_total"] == 118 and item["completeness"] == 1.0
    assert sum(item["counts"].values()) == item["relations"] == 142
    assert admin_client.get(f"{API}/crosswalks/{KEY}").json()["counts"] == item["counts"]
    missing = admin_client.get(f"{API}/crosswalks/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_export_is_csv(admin_client: Client) -> None:
    response = admin_client.get(f"{API}/crosswalks/{KEY}/export")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "source,target,relation,rationale,extension"
    assert len(lines) == 143


def test_create_a_crosswalk_and_add_a_relation(admin_client: Client) -> None:
    created = send(
        admin_client,
        "/crosswalks",
        {"key": "back", "name": "Back", "source": "iso42001:2023", "target": "iso27001:2022"},
    )
    assert created.status_code == 201 and created.json()["origin"] == "user"
    rel = send(
        admin_client,
        "/crosswalk-relations",
        {
            "crosswalk": "back",
            "source": "A.10.3",
            "target": "A.5.19",
            "relation": "intersects",
            "rationale": "Suppliers.",
            "extension": "Security.",
        },
    )
    assert rel.status_code == 201, rel.content
    assert rel.json()["source"] == "iso42001:2023:A.10.3" and rel.json()["origin"] == "user"
    again = send(
        admin_client,
        "/crosswalk-relations",
        {
            "crosswalk": "back",
            "source": "A.10.3",
            "target": "A.5.19",
            "relation": "intersects",
            "rationale": "x",
            "extension": "y",
        },
    )
    assert again.status_code == 409


def test_validation_errors_name_the_field(admin_client: Client) -> None:
    response = send(
        admin_client,
        "/crosswalk-relations",
        {"crosswalk": KEY, "source": "A.8.33", "target": "A.7.4", "relation": "subset", "rationale": "x"},
    )
    assert response.status_code == 422
    assert "extension" in response.json()["error"]["fields"]


def test_filters_update_and_delete_withdraws(admin_client: Client) -> None:
    items = admin_client.get(f"{API}/crosswalk-relations?crosswalk={KEY}&target=A.10.3").json()["items"]
    assert {i["source_ref"] for i in items} >= {"A.5.19", "A.5.20", "A.5.21"}
    nots = admin_client.get(f"{API}/crosswalk-relations?relation=not_related&limit=500").json()
    # 37 targets with no counterpart at all, 19 pairs reviewed and found to share only a theme
    assert nots["count"] == 56 and sum(i["source"] is None for i in nots["items"]) == 37
    rel_id = next(i["id"] for i in items if i["source_ref"] == "A.5.19")
    patched = send(admin_client, f"/crosswalk-relations/{rel_id}", {"rationale": "Our words."}, "PATCH")
    assert patched.status_code == 200 and patched.json()["edited"] is True
    assert admin_client.delete(f"{API}/crosswalk-relations/{rel_id}").status_code == 204
    assert CrosswalkRelation.objects.get(pk=rel_id).withdrawn_at is not None
    assert admin_client.get(f"{API}/crosswalk-relations/{rel_id}").json()["withdrawn_at"] is not None
    listed = admin_client.get(f"{API}/crosswalk-relations?crosswalk={KEY}&target=A.10.3").json()["items"]
    assert rel_id not in {i["id"] for i in listed}
    assert admin_client.get(f"{API}/crosswalk-relations?relation=bogus").status_code == 422


def test_a_viewer_reads_but_cannot_change(make_user: Any, login_client: Any, org: Any) -> None:
    client = login_client(make_user(Role.VIEWER))
    assert client.get(f"{API}/crosswalk-relations?crosswalk={KEY}").status_code == 200
    rel = CrosswalkRelation.objects.filter(crosswalk__key=KEY).first()
    assert rel is not None
    denied = client.delete(f"{API}/crosswalk-relations/{rel.pk}")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("path", ["/crosswalk-relations?limit=10", "/crosswalks"])
def test_lists_run_a_fixed_number_of_queries(
    path: str, admin_client: Client, django_assert_num_queries: Any
) -> None:
    # Given few and then many more crosswalks and relations
    admin_client.get(API + path)
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(API + path.replace("10", "500")).status_code == 200
    for n in range(5):
        cw = services.create_crosswalk(OP, f"extra-{n}", f"Extra {n}", "iso42001:2023", "iso27001:2022")
        for ref in ("A.5.19", "A.5.20", "A.5.21"):
            services.save_relation(OP, cw, "A.10.3", ref, "intersects", "x", "y")
    # When / Then
    with django_assert_num_queries(len(small.captured_queries)):
        assert admin_client.get(API + path.replace("10", "500")).status_code == 200
