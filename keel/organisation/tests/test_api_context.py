"""API tests of the organisation's context: management systems, scope statements, interested
parties and context issues.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from keel.organisation.choices import ScopeStatus
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    ScopeStatement,
)
from keel.organisation.tests.factories import ContextIssueFactory, InterestedPartyFactory
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, User
from keel.standards.models import Standard

from .support import API, assert_error, get, last_entry, make_scope, patch, post

pytestmark = pytest.mark.django_db


# ================================================================ management systems


def test_given_systems_when_listing_then_paged_with_standards(
    admin_client: Client, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    body = get(admin_client, "/management-systems").json()
    assert body["count"] == 2
    assert [(m["short_name"], m["standards"]) for m in body["items"]] == [
        ("aims", ["iso42001:2023"]),
        ("isms", ["iso27001:2022"]),
    ]
    filtered = get(admin_client, "/management-systems", {"standard": "iso42001:2023"}).json()
    assert [m["short_name"] for m in filtered["items"]] == ["aims"]
    ordered = get(admin_client, "/management-systems", {"order": "-name"}).json()
    assert [m["short_name"] for m in ordered["items"]] == ["isms", "aims"]


def test_given_a_short_name_or_id_when_getting_a_system_then_it_is_found(
    admin_client: Client, isms: ManagementSystem
) -> None:
    assert get(admin_client, "/management-systems/isms").json()["id"] == str(isms.pk)
    assert get(admin_client, f"/management-systems/{isms.pk}").json()["short_name"] == "isms"
    assert_error(get(admin_client, "/management-systems/nope"), 404, "not_found")


def test_given_a_compliance_manager_when_creating_and_updating_a_system_then_it_is_saved_and_trailed(
    as_role: Callable[..., Client],
) -> None:
    # given
    client = as_role(Role.COMPLIANCE_MANAGER)
    # when
    created = post(
        client,
        "/management-systems",
        {
            "name": "Integrated MS",
            "short_name": "ims",
            "operating_model": "unified",
            "standards": ["iso27001:2022", "iso42001:2023"],
        },
    )
    updated = patch(
        client, "/management-systems/ims", {"description": "One for both", "standards": ["iso42001:2023"]}
    )
    # then
    assert created.status_code == 201
    assert sorted(created.json()["standards"]) == ["iso27001:2022", "iso42001:2023"]
    assert updated.status_code == 200
    assert updated.json()["description"] == "One for both"
    assert updated.json()["standards"] == ["iso42001:2023"]
    assert last_entry().action == "update" and last_entry().object_id == created.json()["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"name": "X", "short_name": "x", "operating_model": "hybrid", "standards": ["iso27001:2022"]},
            "operating_model",
        ),
        (
            {"name": "X", "short_name": "x", "operating_model": "unified", "standards": ["iso9001:2015"]},
            "standards",
        ),
        ({"name": "X", "short_name": "x", "operating_model": "unified", "standards": []}, "standards"),
        ({"name": "X", "operating_model": "unified", "standards": ["iso27001:2022"]}, "short_name"),
        (
            {
                "name": "X",
                "short_name": "x",
                "operating_model": "unified",
                "standards": ["iso27001:2022"],
                "colour": "red",
            },
            "colour",
        ),
    ],
)
def test_given_bad_input_when_creating_a_system_then_422_with_fields_and_nothing_saved(
    admin_client: Client, body: dict[str, Any], field: str
) -> None:
    before = (ManagementSystem.objects.count(), TrailEntry.objects.count())
    error = assert_error(post(admin_client, "/management-systems", body), 422, "validation_error")
    assert field in error["fields"]
    assert (ManagementSystem.objects.count(), TrailEntry.objects.count()) == before


def test_given_a_contributor_when_creating_a_system_then_403(as_role: Callable[..., Client]) -> None:
    response = post(
        as_role(Role.CONTRIBUTOR),
        "/management-systems",
        {"name": "X", "short_name": "x", "operating_model": "unified", "standards": ["iso27001:2022"]},
    )
    assert_error(response, 403, "permission_denied")
    assert not ManagementSystem.objects.filter(short_name="x").exists()


def test_given_a_role_over_one_system_when_listing_systems_then_only_that_one_shows(
    as_role: Callable[..., Client], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    client = as_role(Role.VIEWER, isms)
    assert [m["short_name"] for m in get(client, "/management-systems").json()["items"]] == ["isms"]
    assert_error(get(client, "/management-systems/aims"), 403, "permission_denied")


# ================================================================ scope statements


def test_given_scopes_when_listing_with_filters_then_only_matching_versions(
    admin_client: Client, admin: User, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # given
    make_scope(isms, "iso27001:2022", ScopeStatus.SUPERSEDED, 1, admin)
    make_scope(isms, "iso27001:2022", ScopeStatus.APPROVED, 2, admin)
    make_scope(aims, "iso42001:2023", ScopeStatus.DRAFT, 1, admin)
    # when
    every = get(admin_client, "/scope-statements").json()
    by_ms = get(admin_client, "/scope-statements", {"management_system": "isms"}).json()
    approved = get(admin_client, "/scope-statements", {"status": "approved"}).json()
    by_std = get(admin_client, "/scope-statements", {"standard": "iso42001:2023"}).json()
    # then
    assert every["count"] == 3
    assert [(s["management_system_short_name"], s["version"]) for s in by_ms["items"]] == [
        ("isms", 2),
        ("isms", 1),
    ]
    assert [s["approved_by"] for s in approved["items"]] == [admin.email]
    assert [s["management_system_short_name"] for s in by_std["items"]] == ["aims"]
    assert_error(get(admin_client, "/scope-statements", {"status": "final"}), 422, "validation_error")
    assert_error(
        get(admin_client, "/scope-statements", {"management_system": "nope"}), 422, "validation_error"
    )


def test_given_a_role_over_one_system_then_only_its_scope_statements_are_visible(
    as_role: Callable[..., Client], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # given
    mine = make_scope(isms, "iso27001:2022")
    theirs = make_scope(aims, "iso42001:2023")
    client = as_role(Role.AUDITOR, isms)
    # when
    listed = get(client, "/scope-statements").json()
    # then
    assert [s["id"] for s in listed["items"]] == [str(mine.pk)]
    assert get(client, f"/scope-statements/{mine.pk}").status_code == 200
    assert_error(get(client, f"/scope-statements/{theirs.pk}"), 403, "permission_denied")


def test_given_a_compliance_manager_when_drafting_and_approving_then_versions_move_on(
    as_role: Callable[..., Client], aims: ManagementSystem
) -> None:
    # given
    client = as_role(Role.COMPLIANCE_MANAGER)
    body = {
        "management_system": "aims",
        "standard": "iso42001:2023",
        "summary": "Our LLM platform",
        "lifecycle_stages": ["development", "operation"],
        "ai_roles": ["provider"],
    }
    # when
    first = post(client, "/scope-statements", body)
    again = post(
        client,
        "/scope-statements",
        {"management_system": str(aims.pk), "standard": "iso42001:2023", "sites": "Remote-first"},
    )
    approved = post(client, f"/scope-statements/{first.json()['id']}/approve")
    second = post(
        client,
        "/scope-statements",
        {"management_system": "aims", "standard": "iso42001:2023", "change_note": "Adds the EU site"},
    )
    # then
    assert first.status_code == 200 and first.json()["version"] == 1 and first.json()["status"] == "draft"
    assert again.json()["id"] == first.json()["id"] and again.json()["sites"] == "Remote-first"
    assert again.json()["lifecycle_stages"] == ["development", "operation"]
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert second.json()["version"] == 2 and second.json()["summary"] == "Our LLM platform"
    assert_error(post(client, f"/scope-statements/{first.json()['id']}/approve"), 409, "conflict")
    assert last_entry().object_id == second.json()["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"management_system": "aims", "standard": "iso42001:2023", "ai_roles": ["overlord"]}, "ai_roles"),
        ({"management_system": "aims", "standard": "iso9001:2015", "summary": "x"}, "standard"),
        ({"management_system": "aims", "standard": "iso27001:2022", "summary": "x"}, "standard"),
        ({"management_system": "nope", "standard": "iso42001:2023", "summary": "x"}, "management_system"),
        ({"standard": "iso42001:2023", "summary": "x"}, "management_system"),
    ],
)
def test_given_bad_input_when_drafting_a_scope_then_422_with_fields(
    admin_client: Client, aims: ManagementSystem, body: dict[str, Any], field: str
) -> None:
    error = assert_error(post(admin_client, "/scope-statements", body), 422, "validation_error")
    assert field in {name.split(".")[0] for name in error["fields"]}
    assert not ScopeStatement.objects.exists()


def test_given_a_role_over_one_system_when_drafting_or_approving_elsewhere_then_403(
    as_role: Callable[..., Client], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # given
    client = as_role(Role.COMPLIANCE_MANAGER, isms)
    theirs = make_scope(aims, "iso42001:2023")
    # when / then
    assert (
        post(
            client,
            "/scope-statements",
            {"management_system": "isms", "standard": "iso27001:2022", "summary": "Cloud platform"},
        ).status_code
        == 200
    )
    assert_error(
        post(
            client,
            "/scope-statements",
            {"management_system": "aims", "standard": "iso42001:2023", "summary": "x"},
        ),
        403,
        "permission_denied",
    )
    assert_error(post(client, f"/scope-statements/{theirs.pk}/approve"), 403, "permission_denied")
    assert ScopeStatement.objects.get(pk=theirs.pk).status == ScopeStatus.DRAFT


def test_given_a_contributor_when_drafting_or_approving_then_403(
    as_role: Callable[..., Client], isms: ManagementSystem
) -> None:
    client = as_role(Role.CONTRIBUTOR)
    scope = make_scope(isms, "iso27001:2022")
    assert_error(
        post(client, "/scope-statements", {"management_system": "isms", "standard": "iso27001:2022"}),
        403,
        "permission_denied",
    )
    assert_error(post(client, f"/scope-statements/{scope.pk}/approve"), 403, "permission_denied")


# ================================================================ interested parties and context issues


def test_given_parties_when_listing_with_filters_pages_and_order_then_the_right_slice(
    admin_client: Client, org: Organisation
) -> None:
    # given
    for i in range(5):
        party = InterestedPartyFactory(organisation=org, name=f"Party {i}", climate_related=i == 3)
        party.standards.set(Standard.objects.filter(key="iso42001:2023" if i % 2 else "iso27001:2022"))
    InterestedPartyFactory(
        organisation=org,
        name="Regulator A",
        category="regulator",
        needs_expectations="Incident reports within 72 hours",
    )
    # when / then
    page = get(admin_client, "/interested-parties", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 6 and [p["name"] for p in page["items"]] == ["Party 2", "Party 3"]
    assert [
        p["name"]
        for p in get(admin_client, "/interested-parties", {"order": "-name", "limit": 1}).json()["items"]
    ] == ["Regulator A"]
    assert [
        p["name"]
        for p in get(admin_client, "/interested-parties", {"standard": "iso42001:2023"}).json()["items"]
    ] == ["Party 1", "Party 3"]
    assert [
        p["name"] for p in get(admin_client, "/interested-parties", {"category": "regulator"}).json()["items"]
    ] == ["Regulator A"]
    assert [
        p["name"]
        for p in get(admin_client, "/interested-parties", {"climate_related": "true"}).json()["items"]
    ] == ["Party 3"]
    assert [
        p["name"] for p in get(admin_client, "/interested-parties", {"q": "72 hours"}).json()["items"]
    ] == ["Regulator A"]
    assert_error(get(admin_client, "/interested-parties", {"category": "alien"}), 422, "validation_error")
    assert_error(get(admin_client, "/interested-parties", {"standard": "nist-csf"}), 422, "validation_error")


def test_given_an_editor_when_creating_patching_and_deleting_a_party_then_each_step_is_trailed(
    as_role: Callable[..., Client],
) -> None:
    # given
    client = as_role(Role.COMPLIANCE_MANAGER)
    # when
    created = post(
        client,
        "/interested-parties",
        {
            "name": "End users",
            "category": "end_user",
            "needs_expectations": "Explanations of AI decisions",
            "affected_not_user": False,
            "standards": ["iso42001:2023"],
            "review_date": "2026-06-30",
        },
    )
    pid = created.json()["id"]
    patched = patch(client, f"/interested-parties/{pid}", {"climate_related": True})
    shown = get(client, f"/interested-parties/{pid}")
    deleted = client.delete(f"{API}/interested-parties/{pid}")
    # then
    assert created.status_code == 201 and created.json()["standards"] == ["iso42001:2023"]
    assert patched.status_code == 200 and patched.json()["climate_related"] is True
    assert patched.json()["needs_expectations"] == "Explanations of AI decisions"
    assert shown.json()["review_date"] == "2026-06-30"
    assert deleted.status_code == 204 and not InterestedParty.objects.filter(pk=pid).exists()
    actions = list(TrailEntry.objects.filter(object_id=pid).order_by("seq").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]
    assert_error(get(client, f"/interested-parties/{pid}"), 404, "not_found")
    assert_error(get(client, "/interested-parties/not-a-uuid"), 422, "validation_error")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "customer", "needs_expectations": "x"}, "name"),
        ({"name": "P", "category": "martian", "needs_expectations": "x"}, "category"),
        (
            {"name": "P", "category": "customer", "needs_expectations": "x", "standards": ["iso9001:2015"]},
            "standards",
        ),
        (
            {"name": "P", "category": "customer", "needs_expectations": "x", "review_date": "soon"},
            "review_date",
        ),
    ],
)
def test_given_bad_input_when_creating_a_party_then_422_and_nothing_saved(
    admin_client: Client, body: dict[str, Any], field: str
) -> None:
    error = assert_error(post(admin_client, "/interested-parties", body), 422, "validation_error")
    assert field in error["fields"]
    assert not InterestedParty.objects.exists()


def test_given_a_duplicate_name_when_creating_a_party_then_422(
    admin_client: Client, org: Organisation
) -> None:
    InterestedPartyFactory(organisation=org, name="Investors")
    error = assert_error(
        post(
            admin_client,
            "/interested-parties",
            {"name": "Investors", "category": "investor", "needs_expectations": "Growth"},
        ),
        422,
        "validation_error",
    )
    assert error["fields"]


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER])
def test_given_a_read_only_role_when_writing_context_then_403(
    as_role: Callable[..., Client], org: Organisation, role: str
) -> None:
    client = as_role(role)
    party = InterestedPartyFactory(organisation=org)
    issue = ContextIssueFactory(organisation=org)
    assert get(client, "/interested-parties").status_code == 200
    assert_error(
        post(client, "/interested-parties", {"name": "P", "category": "customer", "needs_expectations": "x"}),
        403,
        "permission_denied",
    )
    assert_error(
        patch(client, f"/interested-parties/{party.pk}", {"name": "Renamed"}), 403, "permission_denied"
    )
    assert_error(client.delete(f"{API}/context-issues/{issue.pk}"), 403, "permission_denied")
    assert InterestedParty.objects.get(pk=party.pk).name == party.name
    assert ContextIssue.objects.filter(pk=issue.pk).exists()


def test_given_a_compliance_manager_over_one_system_when_writing_context_then_403(
    as_role: Callable[..., Client], isms: ManagementSystem
) -> None:
    client = as_role(Role.COMPLIANCE_MANAGER, isms)
    assert get(client, "/context-issues").status_code == 200
    assert_error(
        post(
            client,
            "/context-issues",
            {"title": "T", "description": "D", "kind": "internal", "category": "social"},
        ),
        403,
        "permission_denied",
    )


def test_given_issues_when_listing_with_filters_then_only_matching(
    admin_client: Client, org: Organisation
) -> None:
    # given
    ContextIssueFactory(
        organisation=org, title="Heat waves", kind="external", category="environmental", climate_related=True
    )
    ContextIssueFactory(
        organisation=org,
        title="Small team",
        kind="internal",
        category="organisational",
        description="Few engineers on call",
    )
    # when / then
    assert [i["title"] for i in get(admin_client, "/context-issues").json()["items"]] == [
        "Heat waves",
        "Small team",
    ]
    assert [
        i["title"] for i in get(admin_client, "/context-issues", {"kind": "internal"}).json()["items"]
    ] == ["Small team"]
    assert [
        i["title"] for i in get(admin_client, "/context-issues", {"climate_related": "true"}).json()["items"]
    ] == ["Heat waves"]
    assert [
        i["title"]
        for i in get(admin_client, "/context-issues", {"category": "environmental"}).json()["items"]
    ] == ["Heat waves"]
    assert [i["title"] for i in get(admin_client, "/context-issues", {"q": "on call"}).json()["items"]] == [
        "Small team"
    ]
    assert_error(get(admin_client, "/context-issues", {"kind": "sideways"}), 422, "validation_error")


def test_given_an_issue_when_patching_and_deleting_then_it_changes(
    admin_client: Client, org: Organisation
) -> None:
    issue = ContextIssueFactory(organisation=org)
    response = patch(
        admin_client, f"/context-issues/{issue.pk}", {"effect": "opportunity", "standards": ["iso27001:2022"]}
    )
    assert response.status_code == 200
    assert (response.json()["effect"], response.json()["standards"]) == ("opportunity", ["iso27001:2022"])
    assert get(admin_client, f"/context-issues/{issue.pk}").json()["effect"] == "opportunity"
    assert_error(
        patch(admin_client, f"/context-issues/{issue.pk}", {"effect": "disaster"}), 422, "validation_error"
    )
    assert admin_client.delete(f"{API}/context-issues/{issue.pk}").status_code == 204
    assert_error(admin_client.delete(f"{API}/context-issues/{issue.pk}"), 404, "not_found")
