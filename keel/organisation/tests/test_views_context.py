"""Page tests of the organisation's context with Django's test client: the organisation and its
management systems, scope statements, interested parties and issues (htmx filter, inline
edit, create, delete); forms show what was wrong and change nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from keel.organisation import services as organisation
from keel.organisation.choices import ClimateRelevance, ScopeStatus
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    ScopeStatement,
)
from keel.organisation.tests.factories import ContextIssueFactory, InterestedPartyFactory
from keel.organisation.views import context as context_views
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, User
from keel.platform.tests.query_counts import queries_of

from .support import HTMX, LoginClient, MakeUser

# ---------------------------------------------------------------- organisation and management systems


def test_climate_determination_without_rationale_shows_the_error_and_changes_nothing(
    admin_client: Client, org: Organisation
) -> None:
    response = admin_client.post(
        reverse("organisation-edit"),
        {"name": "Acme", "climate_relevance": ClimateRelevance.RELEVANT, "climate_rationale": ""},
    )
    assert response.status_code == 422
    assert b"Required once the climate-change relevance is determined." in response.content
    org.refresh_from_db()
    assert org.name == "Test Org" and org.climate_relevance == ClimateRelevance.NOT_DETERMINED


def test_saving_the_profile_with_a_determination_records_it(admin_client: Client, org: Organisation) -> None:
    response = admin_client.post(
        reverse("organisation-edit"),
        {
            "name": "Acme",
            "climate_relevance": ClimateRelevance.NOT_RELEVANT,
            "climate_rationale": "Fully remote, hosted by a provider with its own plan.",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.climate_relevance == ClimateRelevance.NOT_RELEVANT
    assert TrailEntry.objects.filter(object_type="organisation.organisation", channel="web").exists()


def test_create_management_system_needs_a_standard(admin_client: Client, org: Organisation) -> None:
    data = {"name": "ISMS", "short_name": "isms", "operating_model": "federated", "status": "active"}
    response = admin_client.post(reverse("system-create"), data)
    assert response.status_code == 422
    assert b"This field is required." in response.content
    assert not ManagementSystem.objects.exists()
    response = admin_client.post(reverse("system-create"), {**data, "standards": ["iso27001:2022"]})
    assert response.status_code == 302
    assert list(ManagementSystem.objects.get().standards.values_list("key", flat=True)) == ["iso27001:2022"]


def test_edit_management_system_duplicate_short_name_is_shown(
    admin_client: Client, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    response = admin_client.post(
        reverse("system-edit", args=["aims"]),
        {
            "name": "AIMS",
            "short_name": "isms",
            "operating_model": "federated",
            "status": "active",
            "standards": ["iso42001:2023"],
        },
    )
    assert response.status_code == 422
    assert b"already exists" in response.content
    aims.refresh_from_db()
    assert aims.short_name == "aims"


# ---------------------------------------------------------------- scope


def test_scope_form_shows_ai_fields_only_for_42001(
    admin_client: Client, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    isms_html = admin_client.get(reverse("scope-detail", args=["isms", "iso27001:2022"])).content.decode()
    aims_html = admin_client.get(reverse("scope-detail", args=["aims", "iso42001:2023"])).content.decode()
    assert 'name="lifecycle_stages"' not in isms_html
    assert 'name="lifecycle_stages"' in aims_html and 'name="ai_roles"' in aims_html
    assert 'type="checkbox"' in aims_html


def test_draft_then_approve_a_scope_and_see_the_history(
    admin_client: Client, admin: User, aims: ManagementSystem
) -> None:
    url = reverse("scope-draft", args=["aims", "iso42001:2023"])
    response = admin_client.post(
        url,
        {"summary": "The AI platform", "lifecycle_stages": ["design", "operation"], "ai_roles": ["provider"]},
    )
    assert response.status_code == 302
    draft = ScopeStatement.objects.get(management_system=aims)
    assert draft.lifecycle_stages == ["design", "operation"] and draft.status == ScopeStatus.DRAFT
    response = admin_client.post(reverse("scope-approve", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ScopeStatus.APPROVED and draft.approved_by == admin
    html = admin_client.get(reverse("scope-detail", args=["aims", "iso42001:2023"])).content.decode()
    assert "Current approved version" in html and "Operation and monitoring" in html
    assert admin.display_name in html


def test_scope_draft_without_summary_shows_the_error(admin_client: Client, aims: ManagementSystem) -> None:
    response = admin_client.post(reverse("scope-draft", args=["aims", "iso42001:2023"]), {"summary": ""})
    assert response.status_code == 422
    assert b"This field is required." in response.content
    assert not ScopeStatement.objects.exists()


def test_approve_needs_the_approve_permission(
    make_user: MakeUser, login_client: LoginClient, admin: User, isms: ManagementSystem
) -> None:
    draft = organisation.draft_scope(Actor.for_user(admin, "web"), isms.pk, "iso27001:2022", summary="x")
    client = login_client(make_user(Role.CONTRIBUTOR))
    assert client.post(reverse("scope-approve", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == ScopeStatus.DRAFT


def test_scope_list_query_count_is_fixed(admin_client: Client, org: Organisation, admin: User) -> None:
    actor = Actor.for_user(admin, "web")
    ms = ManagementSystem.objects.create(
        organisation=org, name="A", short_name="a", operating_model="unified"
    )
    ms.standards.set(ms.standards.model.objects.all())
    organisation.draft_scope(actor, ms.pk, "iso27001:2022", summary="x")
    first = queries_of(admin_client, reverse("scope-list"))
    for n in range(3):
        other = ManagementSystem.objects.create(
            organisation=org, name=f"B{n}", short_name=f"b{n}", operating_model="federated"
        )
        other.standards.set(other.standards.model.objects.all())
        s = organisation.draft_scope(actor, other.pk, "iso42001:2023", summary="y")
        organisation.approve_scope(actor, s.pk)
    assert queries_of(admin_client, reverse("scope-list")) == first


# ---------------------------------------------------------------- context: filter, inline edit, create, delete


def test_context_filter_by_standard_returns_the_tables_partial_for_htmx(
    admin_client: Client, org: Organisation
) -> None:
    InterestedPartyFactory(organisation=org, name="Security buyers").standards.set(
        InterestedParty.standards.rel.model.objects.filter(key="iso27001:2022")
    )
    InterestedPartyFactory(organisation=org, name="AI subjects").standards.set(
        InterestedParty.standards.rel.model.objects.filter(key="iso42001:2023")
    )
    response = admin_client.get(reverse("context"), {"standard": "iso42001:2023"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html and 'id="parties-table"' in html
    assert "AI subjects" in html and "Security buyers" not in html
    full = admin_client.get(reverse("context"), {"standard": "iso42001:2023"}).content.decode()
    assert "<html" in full and "Security buyers" not in full


def test_inline_edit_get_returns_a_form_row_and_cancel_returns_the_row(
    admin_client: Client, party: InterestedParty
) -> None:
    html = admin_client.get(reverse("party-edit", args=[party.pk]), **HTMX).content.decode()
    assert html.lstrip().startswith(f'<tr id="party-{party.pk}" class="row-editing">')
    assert f'for="party-{party.pk}-name"' in html and 'hx-post="' in html
    row = admin_client.get(reverse("party-row", args=[party.pk]), **HTMX).content.decode()
    assert row.lstrip().startswith(f'<tr id="party-{party.pk}"') and "row-editing" not in row


def test_inline_edit_save_returns_the_row_and_writes_the_trail(
    admin_client: Client, party: InterestedParty
) -> None:
    response = admin_client.post(
        reverse("party-edit", args=[party.pk]),
        {
            "name": "Enterprise customers",
            "category": "customer",
            "needs_expectations": "SOC reports",
            "review_date": "2027-01-31",
            "standards": ["iso27001:2022", "iso42001:2023"],
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "row-saved" in html and "Enterprise customers" in html and "<form" not in html
    party.refresh_from_db()
    assert party.name == "Enterprise customers" and party.review_date == dt.date(2027, 1, 31)
    entry = TrailEntry.objects.filter(object_id=str(party.pk), action="update").get()
    assert entry.channel == "web" and "name" in entry.payload


def test_inline_edit_with_errors_returns_the_form_with_messages_and_changes_nothing(
    admin_client: Client, party: InterestedParty
) -> None:
    before = TrailEntry.objects.count()
    response = admin_client.post(
        reverse("party-edit", args=[party.pk]),
        {"name": "", "category": "nonsense", "needs_expectations": "x"},
        **HTMX,
    )
    assert response.status_code == 200  # htmx swaps 2xx only
    html = response.content.decode()
    assert "row-editing" in html and "This field is required." in html
    assert "Select a valid choice" in html and 'aria-invalid="true"' in html
    party.refresh_from_db()
    assert party.name == "Customers" and TrailEntry.objects.count() == before


def test_inline_edit_service_error_is_shown_on_the_field(
    admin_client: Client, org: Organisation, party: InterestedParty
) -> None:
    InterestedPartyFactory(organisation=org, name="Regulators")
    response = admin_client.post(
        reverse("party-edit", args=[party.pk]),
        {"name": "Regulators", "category": "customer", "needs_expectations": "x"},
        **HTMX,
    )
    assert b"already exists" in response.content and b"row-editing" in response.content
    party.refresh_from_db()
    assert party.name == "Customers"


def test_edit_without_htmx_redirects_back_to_the_context_page(
    admin_client: Client, issue: ContextIssue
) -> None:
    response = admin_client.post(
        reverse("issue-edit", args=[issue.pk]),
        {
            "title": "EU AI Act",
            "description": "New obligations",
            "kind": "external",
            "category": "legal",
            "effect": "both",
            "climate_related": "on",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#issue-{issue.pk}")
    issue.refresh_from_db()
    assert issue.title == "EU AI Act" and issue.climate_related and issue.effect == "both"


def test_create_a_party_and_an_issue(admin_client: Client, org: Organisation) -> None:
    response = admin_client.post(
        reverse("party-create"),
        {
            "name": "Investors",
            "category": "investor",
            "needs_expectations": "Certification",
            "standards": ["iso42001:2023"],
        },
    )
    assert response.status_code == 302
    assert list(InterestedParty.objects.get(name="Investors").standards.values_list("key", flat=True)) == [
        "iso42001:2023"
    ]
    response = admin_client.post(reverse("issue-create"), {"title": "", "description": "", "kind": "x"})
    assert response.status_code == 422 and b"This field is required." in response.content
    assert not ContextIssue.objects.exists()


def test_delete_asks_for_confirmation_then_deletes_and_keeps_the_trail(
    admin_client: Client, party: InterestedParty
) -> None:
    confirm = admin_client.get(reverse("party-delete", args=[party.pk]))
    assert confirm.status_code == 200 and b"Delete the interested party" in confirm.content
    assert InterestedParty.objects.filter(pk=party.pk).exists()
    response = admin_client.post(reverse("party-delete", args=[party.pk]))
    assert response.status_code == 302
    assert not InterestedParty.objects.filter(pk=party.pk).exists()
    assert TrailEntry.objects.filter(object_id=str(party.pk), action="delete").exists()


def test_context_page_query_count_is_fixed(admin_client: Client, org: Organisation) -> None:
    InterestedPartyFactory(organisation=org)
    ContextIssueFactory(organisation=org)
    first = queries_of(admin_client, reverse("context"))
    for _ in range(5):
        InterestedPartyFactory(organisation=org).standards.set(
            InterestedParty.standards.rel.model.objects.all()
        )
        ContextIssueFactory(organisation=org).standards.set(InterestedParty.standards.rel.model.objects.all())
    assert queries_of(admin_client, reverse("context")) == first
    assert queries_of(admin_client, reverse("context"), **HTMX) <= first


# ---------------------------------------------------------------- context: an unknown standard filter


def test_an_unknown_standard_filter_says_so_and_shows_everything(
    admin_client: Client, party: InterestedParty
) -> None:
    for extra in ({}, HTMX):
        response = admin_client.get(reverse("context"), {"standard": "iso9001:2015"}, **extra)
        html = response.content.decode()
        assert response.status_code == 200
        assert "No standard &#x27;iso9001:2015&#x27;; showing all." in html
        assert "iso27001:2022, iso42001:2023" in html
        assert "Customers" in html
    assert "No standard" not in admin_client.get(reverse("context")).content.decode()
    ok = admin_client.get(reverse("context"), {"standard": "iso27001:2022"}).content.decode()
    assert "No standard" not in ok


# ---------------------------------------------------------------- scope: what an approval changes


def test_before_approving_the_page_compares_the_draft_with_the_approved_version(
    admin_client: Client, admin: User, aims: ManagementSystem
) -> None:
    # Given an approved AIMS scope and a draft that changes the boundaries and a lifecycle stage
    actor = Actor.for_user(admin, "web")
    v1 = organisation.draft_scope(
        actor,
        aims.pk,
        "iso42001:2023",
        summary="The AI platform",
        boundaries="Head office",
        lifecycle_stages=["design"],
    )
    organisation.approve_scope(actor, v1.pk)
    organisation.draft_scope(
        actor,
        aims.pk,
        "iso42001:2023",
        boundaries="Head office and the Lyon lab",
        lifecycle_stages=["design", "operation"],
        change_note="Lyon joins.",
    )

    # When the approver opens the scope page
    html = admin_client.get(reverse("scope-detail", args=["aims", "iso42001:2023"])).content.decode()

    # Then they see exactly the fields that differ, old against new, and why
    assert "What approving version 2 changes" in html
    assert "changes 2 fields" in html
    assert 'id="diff-boundaries"' in html and 'id="diff-lifecycle_stages"' in html
    assert 'id="diff-summary"' not in html
    assert "Head office and the Lyon lab" in html
    assert "Design, Operation and monitoring" in html
    assert "Lyon joins." in html
    assert "Approve version 2" in html


def test_a_first_draft_and_an_unchanged_draft_say_so(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    actor = Actor.for_user(admin, "web")
    url = reverse("scope-detail", args=["isms", "iso27001:2022"])
    v1 = organisation.draft_scope(actor, isms.pk, "iso27001:2022", summary="All of it")
    assert "There is no approved version yet" in admin_client.get(url).content.decode()
    organisation.approve_scope(actor, v1.pk)
    organisation.draft_scope(actor, isms.pk, "iso27001:2022", change_note="Yearly review.")
    html = admin_client.get(url).content.decode()
    assert "says the same as the approved version 1" in html and "Yearly review." in html


def test_scope_differences_ignore_line_endings_and_list_order() -> None:
    from keel.organisation.views.organisation import scope_differences

    old = ScopeStatement(summary="A\r\nB  ", lifecycle_stages=["design", "operation"], ai_roles=[])
    new = ScopeStatement(summary="A\nB", lifecycle_stages=["operation", "design"], ai_roles=["provider"])
    diffs = scope_differences(old, new, ai=True)
    assert [(d.name, d.old, d.new) for d in diffs] == [("ai_roles", "", "AI provider")]


def test_context_pages_each_table_on_its_own(
    admin_client: Client, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given three parties and one issue, two rows a page
    monkeypatch.setattr(context_views, "PAGE_SIZE", 2)
    parties = [InterestedPartyFactory(organisation=org, name=f"Paged party {i}") for i in range(3)]
    ContextIssueFactory(organisation=org, title="Lone issue")
    # When the first page and the parties' second page are shown
    first = admin_client.get(reverse("context")).content.decode()
    second = admin_client.get(reverse("context") + "?parties_page=2").content.decode()
    # Then the parties are split over two pages with a link onwards; the issues are not paged
    assert sum(p.name in first for p in parties) == 2 and "parties_page=2" in first
    assert "Page 1 of 2 · 3 interested parties" in first and "issues_page" not in first
    shown = [p.name for p in parties if p.name in second]
    assert len(shown) == 1 and shown[0] not in [p.name for p in parties if p.name in first]
    assert "Lone issue" in first and "Lone issue" in second
