"""The control-catalogue API: controls, control links and templates — happy paths, filters,
validation errors in the one error format, perimeter filtering and query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from keel.controls import services
from keel.controls.models import Control, ControlLink, ControlTemplate
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role, TrailAction
from keel.platform.models import TrailEntry, User

API = "/api/v1"
OP = Actor.system("test")


def make_control(ms: ManagementSystem | None, title: str = "Access reviews", **kw: Any) -> Control:
    links = kw.pop("links", [])
    control = services.create_control(
        OP,
        title=title,
        type=kw.pop("type", "process"),
        frequency=kw.pop("frequency", "quarterly"),
        management_systems=[ms.pk] if ms is not None else [],
        **kw,
    )
    for key, coverage in links:
        services.link_requirement(OP, control.pk, key, coverage, f"Covers {key}.")
    return control


def post(client: Client, path: str, body: Any, method: str = "POST") -> Any:
    return client.generic(method, API + path, json.dumps(body), content_type="application/json")


@pytest.fixture
def catalogue(isms: ManagementSystem, aims: ManagementSystem, admin: User) -> dict[str, Control]:
    return {
        "a": make_control(
            isms,
            "Supplier due diligence",
            status="implemented",
            owner=admin,
            tags=["suppliers"],
            links=[("iso27001:2022:A.5.19", "full"), ("iso42001:2023:A.10.3", "partial")],
        ),
        "b": make_control(
            aims, "Model change gate", type="technical", links=[("iso42001:2023:A.6.2.5", "full")]
        ),
        "c": make_control(None, "Management review", frequency="annually"),
    }


# ---------------------------------------------------------------- controls


def test_given_controls_when_listed_then_each_shows_its_systems_tags_and_links(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    body = admin_client.get(f"{API}/controls").json()
    assert body["count"] == 3
    first = next(i for i in body["items"] if i["title"] == "Supplier due diligence")
    assert first["management_systems"] == ["isms"]
    assert first["tags"] == ["suppliers"]
    assert first["owner"] == "admin@example.com"
    assert first["requirements"] == ["iso27001:2022:A.5.19", "iso42001:2023:A.10.3"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=implemented", {"Supplier due diligence"}),
        ("type=technical", {"Model change gate"}),
        ("frequency=annually", {"Management review"}),
        ("owner=ADMIN@example.com", {"Supplier due diligence"}),
        ("management_system=aims", {"Model change gate"}),
        ("standard=iso42001:2023", {"Supplier due diligence", "Model change gate"}),
        ("requirement=iso27001:2022:A.5.19", {"Supplier due diligence"}),
        ("tag=suppliers", {"Supplier due diligence"}),
        ("q=gate", {"Model change gate"}),
        ("effectiveness=effective", set()),
    ],
)
def test_given_controls_when_filtered_then_only_the_matching_ones_are_listed(
    admin_client: Client, catalogue: dict[str, Control], query: str, expected: set[str]
) -> None:
    body = admin_client.get(f"{API}/controls?{query}").json()
    assert {i["title"] for i in body["items"]} == expected, body


def test_given_adopted_controls_when_filtered_by_template_then_only_those(
    admin_client: Client, isms: ManagementSystem, catalogue: dict[str, Control]
) -> None:
    key = ControlTemplate.objects.order_by("sort_order").values_list("key", flat=True)[0]
    services.adopt_templates(OP, [key], isms.pk)
    body = admin_client.get(f"{API}/controls?template={key}").json()
    assert [i["template"] for i in body["items"]] == [key]


def test_given_an_ordering_when_listed_then_the_order_follows_it(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    titles = [i["title"] for i in admin_client.get(f"{API}/controls?order=-title").json()["items"]]
    assert titles == sorted(titles, reverse=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("standard=iso9001:2015", "standard"),
        ("management_system=nope", "management_system"),
        ("requirement=iso27001:2022:A.99", "requirement"),
        ("status=done", "status"),
        ("order=owner", "order"),
        ("limit=0", "limit"),
    ],
)
def test_given_a_bad_filter_then_422_in_the_error_format_names_the_field(
    admin_client: Client, catalogue: dict[str, Control], query: str, field: str
) -> None:
    response = admin_client.get(f"{API}/controls?{query}")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error


def test_given_a_reader_over_one_system_then_the_list_holds_its_controls_and_organisation_ones(
    make_user: Callable[..., User], login_client: Callable[[User], Client], catalogue: dict[str, Control]
) -> None:
    viewer = make_user(Role.VIEWER, catalogue["b"].management_systems.get())
    client = login_client(viewer)
    titles = {i["title"] for i in client.get(f"{API}/controls").json()["items"]}
    assert titles == {"Model change gate", "Management review"}
    # and a control of the other system is refused, by id and by reference
    assert client.get(f"{API}/controls/{catalogue['a'].ref_id}").status_code == 403
    assert client.get(f"{API}/controls/{catalogue['a'].pk}").status_code == 403
    links = client.get(f"{API}/control-links").json()["items"]
    assert {lk["control_ref"] for lk in links} == {catalogue["b"].ref_id}


def test_given_many_controls_when_listed_then_the_query_count_is_fixed(
    admin_client: Client, isms: ManagementSystem
) -> None:
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(f"{API}/controls?limit=500").status_code == 200
        return len(ctx.captured_queries)

    make_control(isms, "One", links=[("iso27001:2022:A.5.1", "full")], tags=["x"])
    few = count()
    for i in range(8):
        make_control(isms, f"Control {i}", links=[("iso27001:2022:A.5.2", "partial")], tags=[f"t{i}"])
    assert count() == few


def test_given_a_control_when_fetched_by_reference_then_its_links_come_with_it(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    body = admin_client.get(f"{API}/controls/{catalogue['a'].ref_id}").json()
    assert [(lk["requirement"], lk["coverage"]) for lk in body["links"]] == [
        ("iso27001:2022:A.5.19", "full"),
        ("iso42001:2023:A.10.3", "partial"),
    ]
    assert admin_client.get(f"{API}/controls/KC-999").json()["error"]["code"] == "not_found"


def test_when_a_control_is_created_then_it_gets_the_next_reference_and_a_trail_entry(
    admin_client: Client, isms: ManagementSystem, admin: User
) -> None:
    response = post(
        admin_client,
        "/controls",
        {
            "title": "Key rotation",
            "type": "technical",
            "frequency": "quarterly",
            "owner": "admin@example.com",
            "management_systems": ["isms"],
            "tags": ["Crypto"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ref_id"].startswith("KC-") and body["tags"] == ["crypto"] and body["owner"] == admin.email
    entry = TrailEntry.objects.filter(object_id=body["id"]).get()
    assert (entry.action, entry.channel) == (TrailAction.CREATE, "web")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "technical", "frequency": "quarterly", "management_systems": ["isms"]}, "title"),
        ({"title": "X", "type": "gadget", "frequency": "quarterly", "management_systems": ["isms"]}, "type"),
        (
            {"title": "X", "type": "technical", "frequency": "daily", "management_systems": ["zz"]},
            "management_systems",
        ),
        (
            {
                "title": "X",
                "type": "technical",
                "frequency": "daily",
                "management_systems": [],
                "owner": "who@x.org",
            },
            "owner",
        ),
        (
            {
                "title": "X",
                "type": "technical",
                "frequency": "daily",
                "management_systems": [],
                "colour": "red",
            },
            "colour",
        ),
    ],
)
def test_given_a_bad_body_when_creating_then_422_names_the_field_and_nothing_is_created(
    admin_client: Client, isms: ManagementSystem, body: dict[str, Any], field: str
) -> None:
    before = Control.objects.count()
    response = post(admin_client, "/controls", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert Control.objects.count() == before


def test_given_a_duplicate_reference_then_422_and_nothing_changes(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    body = {
        "ref_id": catalogue["a"].ref_id,
        "title": "X",
        "type": "process",
        "frequency": "daily",
        "management_systems": ["isms"],
    }
    response = post(admin_client, "/controls", body)
    assert response.status_code == 422
    assert "ref_id" in response.json()["error"]["fields"]


def test_when_a_control_is_patched_then_only_the_sent_fields_change(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    ref = catalogue["a"].ref_id
    response = post(admin_client, f"/controls/{ref}", {"effectiveness": "effective", "owner": None}, "PATCH")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["effectiveness"], body["owner"], body["status"]) == ("effective", None, "implemented")
    bad = post(admin_client, f"/controls/{ref}", {"title": None}, "PATCH")
    assert bad.status_code == 422 and "title" in bad.json()["error"]["fields"]


def test_when_a_control_is_deleted_then_its_links_go_and_the_trail_keeps_them(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    control = catalogue["a"]
    assert admin_client.delete(f"{API}/controls/{control.ref_id}").status_code == 204
    assert not ControlLink.objects.filter(control_id=control.pk).exists()
    entry = TrailEntry.objects.filter(object_id=str(control.pk), action=TrailAction.DELETE).get()
    assert "iso27001:2022:A.5.19 (full)" in entry.payload


def test_given_an_editor_over_one_system_then_controls_of_the_other_are_refused(
    make_user: Callable[..., User], login_client: Callable[[User], Client], catalogue: dict[str, Control]
) -> None:
    editor = make_user(Role.COMPLIANCE_MANAGER, catalogue["b"].management_systems.get())
    client = login_client(editor)
    response = post(client, f"/controls/{catalogue['a'].ref_id}", {"status": "planned"}, "PATCH")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert (
        post(client, f"/controls/{catalogue['b'].ref_id}", {"status": "implemented"}, "PATCH").status_code
        == 200
    )


# ---------------------------------------------------------------- control links


def test_given_links_when_filtered_then_by_control_requirement_standard_and_coverage(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    def refs(query: str) -> list[tuple[str, str]]:
        items = admin_client.get(f"{API}/control-links?{query}").json()["items"]
        return [(i["control_ref"], i["requirement_ref"]) for i in items]

    a, b = catalogue["a"].ref_id, catalogue["b"].ref_id
    assert refs(f"control={a}") == [(a, "A.5.19"), (a, "A.10.3")]
    assert refs("requirement=iso42001:2023:A.6.2.5") == [(b, "A.6.2.5")]
    assert refs("standard=iso27001:2022") == [(a, "A.5.19")]
    assert refs("coverage=partial") == [(a, "A.10.3")]


def test_when_a_link_is_created_patched_and_deleted_then_each_step_is_in_the_trail(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    ref = catalogue["b"].ref_id
    created = post(
        admin_client,
        "/control-links",
        {"control": ref, "requirement": "iso27001:2022:A.8.32", "note": "Also IT changes."},
    )
    assert created.status_code == 201, created.content
    link_id = created.json()["id"]
    again = post(admin_client, "/control-links", {"control": ref, "requirement": "iso27001:2022:A.8.32"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    patched = post(admin_client, f"/control-links/{link_id}", {"coverage": "partial"}, "PATCH")
    assert patched.json()["coverage"] == "partial" and patched.json()["note"] == "Also IT changes."
    assert admin_client.delete(f"{API}/control-links/{link_id}").status_code == 204
    actions = list(
        TrailEntry.objects.filter(object_id=link_id).order_by("seq").values_list("action", flat=True)
    )
    assert actions == [TrailAction.CREATE, TrailAction.UPDATE, TrailAction.DELETE]


def test_given_an_unknown_requirement_or_bad_coverage_then_422(
    admin_client: Client, catalogue: dict[str, Control]
) -> None:
    ref = catalogue["b"].ref_id
    unknown = post(admin_client, "/control-links", {"control": ref, "requirement": "iso27001:2022:Z.1"})
    assert unknown.status_code == 422 and "requirement" in unknown.json()["error"]["fields"]
    bad = post(
        admin_client,
        "/control-links",
        {"control": ref, "requirement": "iso27001:2022:A.8.32", "coverage": "most"},
    )
    assert bad.status_code == 422 and "coverage" in bad.json()["error"]["fields"]


# ---------------------------------------------------------------- templates


def test_given_the_library_when_filtered_then_templates_serve_the_asked_requirement(
    admin_client: Client,
) -> None:
    body = admin_client.get(f"{API}/control-templates?requirement=iso42001:2023:A.10.3&limit=500").json()
    assert body["count"] >= 1
    assert all("iso42001:2023:A.10.3" in t["requirements"] for t in body["items"])
    everything = admin_client.get(f"{API}/control-templates?limit=500").json()["count"]
    only_42001 = admin_client.get(f"{API}/control-templates?standard=iso42001:2023&limit=500").json()["count"]
    assert 0 < only_42001 < everything
    key = body["items"][0]["key"]
    detail = admin_client.get(f"{API}/control-templates/{key}").json()
    assert {lk["requirement"] for lk in detail["links"]} == set(body["items"][0]["requirements"])


def test_when_templates_are_adopted_then_controls_are_linked_like_their_templates(
    admin_client: Client, isms: ManagementSystem, admin: User
) -> None:
    keys = list(ControlTemplate.objects.order_by("sort_order").values_list("key", flat=True)[:2])
    response = post(
        admin_client,
        "/control-templates/adopt",
        {"templates": keys, "management_system": "isms", "owner": "admin@example.com"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert [c["template"] for c in created] == keys
    assert all(c["owner"] == admin.email and c["management_systems"] == ["isms"] for c in created)
    template = ControlTemplate.objects.get(key=keys[0])
    assert set(created[0]["requirements"]) == {lk.requirement.key for lk in template.links.all()}
    again = post(
        admin_client, "/control-templates/adopt", {"templates": keys[:1], "management_system": "isms"}
    )
    assert again.status_code == 409


def test_given_an_unknown_template_then_422_and_nothing_is_adopted(
    admin_client: Client, isms: ManagementSystem
) -> None:
    response = post(
        admin_client, "/control-templates/adopt", {"templates": ["no-such"], "management_system": "isms"}
    )
    assert response.status_code == 422 and "templates" in response.json()["error"]["fields"]
    assert not Control.objects.exists()
    empty = post(admin_client, "/control-templates/adopt", {"templates": [], "management_system": "isms"})
    assert empty.status_code == 422


def test_listing_templates_runs_a_fixed_number_of_queries(
    admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        body = admin_client.get(f"{API}/control-templates?limit=500").json()
    assert body["count"] >= 50


def test_listing_links_runs_a_fixed_number_of_queries(admin_client: Client, isms: ManagementSystem) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(f"{API}/control-links?limit=500").status_code == 200
        return len(ctx.captured_queries)

    make_control(isms, "One", links=[("iso27001:2022:A.5.1", "full")])
    few = count()
    for i in range(6):
        make_control(
            isms, f"Control {i}", links=[("iso27001:2022:A.5.2", "full"), ("iso42001:2023:A.2.2", "partial")]
        )
    assert count() == few
