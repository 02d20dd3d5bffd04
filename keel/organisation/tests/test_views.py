"""Page tests of the core domain with Django's test client: pages render, permissions are
enforced, htmx partials return fragments, forms show what was wrong and change nothing, and
list pages run a fixed number of queries whatever the row count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.organisation import people as people
from keel.organisation import services as organisation
from keel.organisation.choices import ClimateRelevance, ScopeStatus
from keel.organisation.forms import GrantRoleForm
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
    ScopeStatement,
)
from keel.organisation.tests.factories import TEST_PASSWORD, ContextIssueFactory, InterestedPartyFactory
from keel.organisation.views import context as context_views
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import ApiToken, TrailEntry, User
from keel.platform.tests.query_counts import queries_of

HTMX = {"HTTP_HX_REQUEST": "true"}
MakeUser = Callable[..., User]
LoginClient = Callable[[User], Client]


@pytest.fixture
def party(org: Organisation) -> InterestedParty:
    p = InterestedPartyFactory(organisation=org, name="Customers")
    return p  # type: ignore[no-any-return]


@pytest.fixture
def issue(org: Organisation) -> ContextIssue:
    return ContextIssueFactory(organisation=org, title="AI Act")  # type: ignore[no-any-return]


# ---------------------------------------------------------------- every page renders


def page_urls(isms: ManagementSystem, party: InterestedParty, issue: ContextIssue) -> list[str]:
    return [
        reverse("dashboard"),
        reverse("organisation"),
        reverse("system-create"),
        reverse("system-edit", args=[isms.short_name]),
        reverse("scope-list"),
        reverse("scope-detail", args=[isms.short_name, "iso27001:2022"]),
        reverse("context"),
        reverse("party-create"),
        reverse("party-edit", args=[party.pk]),
        reverse("party-row", args=[party.pk]),
        reverse("party-delete", args=[party.pk]),
        reverse("issue-create"),
        reverse("issue-edit", args=[issue.pk]),
        reverse("issue-row", args=[issue.pk]),
        reverse("issue-delete", args=[issue.pk]),
        reverse("people"),
        reverse("person-edit", args=[User.objects.get(email="admin@example.com").pk]),
        reverse("trail"),
        reverse("account"),
    ]


def test_every_page_renders_for_an_admin(
    admin_client: Client,
    isms: ManagementSystem,
    aims: ManagementSystem,
    party: InterestedParty,
    issue: ContextIssue,
) -> None:
    for url in page_urls(isms, party, issue):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"].startswith("default-src 'self'")
        assert b' style="' not in response.content, f"inline style on {url}"
        assert b"<script>" not in response.content and b"hx-on" not in response.content, url


def test_anonymous_is_sent_to_the_login_page(db: Any) -> None:
    response = Client().get(reverse("context"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name,role",
    [
        ("person-add", Role.CONTRIBUTOR),
        ("trail", Role.VIEWER),
        ("trail", Role.CONTRIBUTOR),
        ("party-create", Role.AUDITOR),
        ("issue-create", Role.VIEWER),
        ("system-create", Role.CONTRIBUTOR),
    ],
)
def test_a_role_without_the_permission_gets_403(
    name: str, role: str, make_user: MakeUser, login_client: LoginClient, org: Organisation
) -> None:
    client = login_client(make_user(role))
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert b"Ask an administrator" in response.content


def test_a_viewer_cannot_edit_a_party_inline_nor_post_to_it(
    make_user: MakeUser, login_client: LoginClient, party: InterestedParty
) -> None:
    client = login_client(make_user(Role.VIEWER))
    page = client.get(reverse("context"))
    assert page.status_code == 200
    assert reverse("party-edit", args=[party.pk]).encode() not in page.content
    response = client.post(reverse("party-edit", args=[party.pk]), {"name": "Hacked"}, **HTMX)
    assert response.status_code == 403
    party.refresh_from_db()
    assert party.name == "Customers"


def test_an_account_without_any_role_sees_403_on_the_dashboard(
    make_user: MakeUser, login_client: LoginClient, org: Organisation
) -> None:
    response = login_client(make_user(None)).get(reverse("dashboard"))
    assert response.status_code == 403


def test_scope_of_another_management_system_is_403_for_a_system_scoped_role(
    make_user: MakeUser, login_client: LoginClient, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    client = login_client(make_user(Role.COMPLIANCE_MANAGER, management_system=isms))
    assert client.get(reverse("scope-detail", args=["isms", "iso27001:2022"])).status_code == 200
    assert client.get(reverse("scope-detail", args=["aims", "iso42001:2023"])).status_code == 403
    response = client.post(reverse("scope-draft", args=["aims", "iso42001:2023"]), {"summary": "x"})
    assert response.status_code == 403
    assert not ScopeStatement.objects.filter(management_system=aims).exists()


def test_unknown_records_are_404_with_a_message(admin_client: Client, isms: ManagementSystem) -> None:
    response = admin_client.get(reverse("scope-detail", args=["nope", "iso27001:2022"]))
    assert response.status_code == 404
    assert b"No management system" in response.content
    response = admin_client.get(reverse("scope-detail", args=["isms", "iso42001:2023"]))
    assert response.status_code == 404
    assert b"does not cover" in response.content


# ---------------------------------------------------------------- dashboard


def test_dashboard_shows_scope_status_context_counts_climate_and_recent_activity(
    admin_client: Client, admin: User, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    # Given an approved ISMS scope, a draft AIMS scope and a party tagged to 27001
    actor = Actor.for_user(admin, "web")
    s = organisation.draft_scope(actor, isms.pk, "iso27001:2022", summary="All of it")
    organisation.approve_scope(actor, s.pk)
    organisation.draft_scope(actor, aims.pk, "iso42001:2023", summary="Our AI")
    organisation.save_interested_party(
        actor, name="Lenders", category="customer", needs_expectations="Uptime", standards=["iso27001:2022"]
    )
    # When the admin opens the dashboard
    html = admin_client.get(reverse("dashboard")).content.decode()
    # Then each part of the readiness picture is there
    assert "Approved v1" in html and "Draft v1" in html
    assert "Not yet determined" in html
    assert "Lenders" in html  # recent activity
    assert "ISO/IEC 27001:2022" in html and "138" in html


def test_dashboard_hides_the_trail_from_a_viewer(
    make_user: MakeUser, login_client: LoginClient, org: Organisation
) -> None:
    html = login_client(make_user(Role.VIEWER)).get(reverse("dashboard")).content.decode()
    assert "Recent activity" not in html


def test_dashboard_query_count_does_not_grow_with_records(
    admin_client: Client, isms: ManagementSystem, org: Organisation
) -> None:
    InterestedPartyFactory(organisation=org)
    first = queries_of(admin_client, reverse("dashboard"))
    for n in range(3):
        ms = ManagementSystem.objects.create(
            organisation=org, name=f"MS {n}", short_name=f"ms-x{n}", operating_model="unified"
        )
        ms.standards.set(ms.standards.model.objects.all())
        InterestedPartyFactory(organisation=org)
        ContextIssueFactory(organisation=org)
    assert queries_of(admin_client, reverse("dashboard")) == first


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


# ---------------------------------------------------------------- people and roles


def test_create_user_with_role_and_see_validation_errors(
    admin_client: Client, isms: ManagementSystem
) -> None:
    response = admin_client.post(reverse("person-create"), {"email": "not-an-email", "role": "viewer"})
    assert response.status_code == 422 and b"Enter a valid email address." in response.content
    response = admin_client.post(
        reverse("person-create"),
        {
            "email": "New@Example.com",
            "full_name": "New Person",
            "role": "contributor",
            "management_system": "isms",
        },
    )
    assert response.status_code == 302
    ra = RoleAssignment.objects.get(user__email="new@example.com")
    assert ra.role == Role.CONTRIBUTOR and ra.management_system == isms
    response = admin_client.post(reverse("person-create"), {"email": "new@example.com"})
    assert response.status_code == 422 and b"already exists" in response.content


def test_grant_and_revoke_a_role(admin_client: Client, make_user: MakeUser, isms: ManagementSystem) -> None:
    person = make_user(None)
    response = admin_client.post(
        reverse("role-grant", args=[person.pk]), {"role": "auditor", "management_system": ""}
    )
    assert response.status_code == 302
    ra = RoleAssignment.objects.get(user=person)
    assert ra.role == Role.AUDITOR and ra.management_system is None
    again = admin_client.post(reverse("role-grant", args=[person.pk]), {"role": "auditor"}, follow=True)
    assert b"already has the role" in again.content
    response = admin_client.post(reverse("role-revoke", args=[ra.pk]))
    assert response.status_code == 302 and not RoleAssignment.objects.filter(user=person).exists()


def test_grant_form_preselects_the_least_privileged_role(admin_client: Client, make_user: MakeUser) -> None:
    person = make_user(None)
    html = admin_client.get(reverse("people")).content.decode()
    select = html.split(f'id="role-{person.pk}"', 1)[1].split("</select>", 1)[0]
    selected = [part.split('"', 1)[0] for part in select.split('<option value="')[1:] if " selected>" in part]
    assert selected == [Role.VIEWER.value]
    assert GrantRoleForm().fields["role"].initial == Role.VIEWER


def test_revoking_the_last_admin_shows_why_and_keeps_it(admin_client: Client, admin: User) -> None:
    ra = RoleAssignment.objects.get(user=admin)
    response = admin_client.post(reverse("role-revoke", args=[ra.pk]), follow=True)
    assert b"last administrator" in response.content
    assert RoleAssignment.objects.filter(pk=ra.pk).exists()


def test_people_page_query_count_is_fixed(
    admin_client: Client, make_user: MakeUser, isms: ManagementSystem
) -> None:
    make_user(Role.VIEWER)
    first = queries_of(admin_client, reverse("people"))
    for _ in range(4):
        make_user(Role.CONTRIBUTOR, management_system=isms)
    assert queries_of(admin_client, reverse("people")) == first


# ---------------------------------------------------------------- audit trail


def test_trail_filters_paginates_and_serves_an_htmx_partial(
    admin_client: Client, admin: User, org: Organisation
) -> None:
    actor = Actor.for_user(admin, "web")
    for n in range(55):
        organisation.save_context_issue(
            actor, title=f"Issue {n}", description="d", kind="internal", category="social"
        )
    organisation.save_interested_party(actor, name="Only party", category="customer", needs_expectations="x")
    html = admin_client.get(reverse("trail")).content.decode()
    assert "Page 1 of 2" in html and "Only party" in html
    partial = admin_client.get(
        reverse("trail"), {"object_type": "organisation.interestedparty"}, **HTMX
    ).content.decode()
    assert "<html" not in partial and "Only party" in partial and "Issue 3" not in partial
    assert "Needs expectations" in partial  # the field changes are shown, by their readable name
    page2 = admin_client.get(reverse("trail"), {"page": 2, "action": "create"}).content.decode()
    assert "Page 2 of 2" in page2
    none = admin_client.get(reverse("trail"), {"channel": "api"}).content.decode()
    assert "No entries match these filters." in none


def test_trail_date_range_and_bad_range_message(admin_client: Client, admin: User, org: Organisation) -> None:
    organisation.save_interested_party(
        Actor.for_user(admin, "web"), name="P", category="customer", needs_expectations="x"
    )
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    html = admin_client.get(reverse("trail"), {"since": tomorrow}).content.decode()
    assert "No entries match these filters." in html
    html = admin_client.get(reverse("trail"), {"since": tomorrow, "until": "2020-01-01"}).content.decode()
    assert "The end date is before the start date." in html


def test_trail_query_count_is_fixed(admin_client: Client, admin: User, org: Organisation) -> None:
    actor = Actor.for_user(admin, "web")
    organisation.save_interested_party(actor, name="P0", category="customer", needs_expectations="x")
    first = queries_of(admin_client, reverse("trail"))
    for n in range(1, 8):
        organisation.save_interested_party(actor, name=f"P{n}", category="customer", needs_expectations="x")
    assert queries_of(admin_client, reverse("trail")) == first


# ---------------------------------------------------------------- my account


def test_token_secret_is_shown_once_and_can_be_revoked(admin_client: Client, admin: User) -> None:
    response = admin_client.post(reverse("token-create"), {"name": "CI", "expires_in_days": "30"})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=admin)
    html = response.content.decode()
    assert (
        'id="new-secret"' in html and f'value="{token.prefix}' in html and 'data-copy="#new-secret"' in html
    )
    assert 'id="new-secret"' not in admin_client.get(reverse("account")).content.decode()
    response = admin_client.post(reverse("token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_form_errors_and_other_peoples_tokens(admin_client: Client, make_user: MakeUser) -> None:
    response = admin_client.post(reverse("token-create"), {"name": "", "expires_in_days": "0"})
    assert response.status_code == 422 and b"This field is required." in response.content
    other = make_user(Role.AUDITOR)
    token, _secret = accounts.create_token(Actor.for_user(other, "web"), other, "theirs")
    assert admin_client.post(reverse("token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_viewer_has_an_account_page_but_no_tokens(
    make_user: MakeUser, login_client: LoginClient, org: Organisation
) -> None:
    client = login_client(make_user(Role.VIEWER))
    html = client.get(reverse("account")).content.decode()
    assert "Your roles do not include API tokens." in html
    assert client.post(reverse("token-create"), {"name": "x"}).status_code == 403


def test_change_password(make_user: MakeUser, login_client: LoginClient, org: Organisation) -> None:
    user = make_user(Role.VIEWER)
    client = login_client(user)
    wrong = client.post(
        reverse("password-change"),
        {
            "current_password": "nope",
            "new_password": "a-much-longer-secret",
            "confirm_password": "a-much-longer-secret",
        },
    )
    assert wrong.status_code == 422 and b"This is not your current password." in wrong.content
    weak = client.post(
        reverse("password-change"),
        {"current_password": TEST_PASSWORD, "new_password": "password", "confirm_password": "password"},
    )
    assert weak.status_code == 422 and b"too short" in weak.content
    ok = client.post(
        reverse("password-change"),
        {
            "current_password": TEST_PASSWORD,
            "new_password": "a-much-longer-secret",
            "confirm_password": "a-much-longer-secret",
        },
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-much-longer-secret")
    assert client.get(reverse("account")).status_code == 200  # still logged in


def test_given_a_browser_asking_for_favicon_ico_then_it_is_sent_to_ours(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("keel/favicon.svg")


# ---------------------------------------------------------------- one person: details, password, access


def test_people_page_links_each_person_to_their_page(admin_client: Client, make_user: MakeUser) -> None:
    person = make_user(Role.VIEWER, full_name="Vera Viewer")
    html = admin_client.get(reverse("people")).content.decode()
    assert f'href="{reverse("person", args=[person.pk])}"' in html


def test_an_admin_edits_a_persons_name_and_job_title(
    admin_client: Client, make_user: MakeUser, admin: User
) -> None:
    # Given a person
    person = make_user(Role.VIEWER, full_name="Vera Viewer")
    url = reverse("person-edit", args=[person.pk])
    assert "Vera Viewer" in admin_client.get(url).content.decode()

    # When the admin saves new details
    response = admin_client.post(
        url, {"full_name": "Vera Vance", "job_title": "Risk officer", "email": person.email}
    )

    # Then they are saved and trailed, and the admin is back on the person's page
    assert response.status_code == 302 and response["Location"] == reverse("person", args=[person.pk])
    person.refresh_from_db()
    assert (person.full_name, person.job_title) == ("Vera Vance", "Risk officer")
    entry = TrailEntry.objects.filter(object_id=str(person.pk), action="update").get()
    assert entry.actor == admin and "Vera Vance" in entry.payload


def test_editing_a_person_with_bad_input_shows_the_error_and_changes_nothing(
    admin_client: Client, make_user: MakeUser
) -> None:
    person = make_user(Role.VIEWER, full_name="Vera Viewer")
    response = admin_client.post(reverse("person-edit", args=[person.pk]), {"full_name": "x" * 151})
    assert response.status_code == 422
    assert b"Ensure this value has at most 150 characters" in response.content
    person.refresh_from_db()
    assert person.full_name == "Vera Viewer"


def test_an_admin_sets_a_password_and_the_persons_sessions_end(
    admin_client: Client, make_user: MakeUser, login_client: LoginClient
) -> None:
    # Given a person who is logged in
    person = make_user(Role.VIEWER)
    theirs = login_client(person)
    assert theirs.get(reverse("dashboard")).status_code == 200
    url = reverse("person-password", args=[person.pk])

    # When the admin types a weak password, then two different ones
    weak = admin_client.post(url, {"new_password": "password", "confirm_password": "password"})
    differ = admin_client.post(
        url, {"new_password": "a-long-new-passphrase", "confirm_password": "another-long-passphrase"}
    )

    # Then each says what was wrong and the password is unchanged
    assert weak.status_code == 422 and b"too short" in weak.content
    assert differ.status_code == 422 and b"The two new passwords differ" in differ.content
    assert b"a-long-new-passphrase" not in differ.content  # never echoed back
    person.refresh_from_db()
    assert person.check_password(TEST_PASSWORD)

    # When the admin sets a good one
    ok = admin_client.post(
        url, {"new_password": "a-long-new-passphrase", "confirm_password": "a-long-new-passphrase"}
    )

    # Then it works, the trail hides it, and the person's open session has ended
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-long-new-passphrase")
    entry = TrailEntry.objects.filter(object_id=str(person.pk)).latest("seq")
    assert "a-long-new-passphrase" not in entry.payload and "(changed)" in entry.payload
    assert theirs.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_an_admin_setting_their_own_password_there_stays_logged_in(admin_client: Client, admin: User) -> None:
    response = admin_client.post(
        reverse("person-password", args=[admin.pk]),
        {"new_password": "a-long-new-passphrase", "confirm_password": "a-long-new-passphrase"},
    )
    assert response.status_code == 302
    assert admin_client.get(reverse("people")).status_code == 200


def test_deactivating_blocks_the_person_and_reactivating_lets_them_back(
    admin_client: Client, make_user: MakeUser, login_client: LoginClient
) -> None:
    # Given a logged-in person with an API token
    person = make_user(Role.CONTRIBUTOR)
    theirs = login_client(person)
    _token, secret = accounts.create_token(Actor.system(), person, "ci")

    # When the admin deactivates them
    response = admin_client.post(reverse("person-deactivate", args=[person.pk]), follow=True)

    # Then they are out at once: session and token alike; the page says so
    assert response.status_code == 200 and b"is deactivated" in response.content
    person.refresh_from_db()
    assert not person.is_active
    assert theirs.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert accounts.user_for_token(secret) is None
    assert b"Deactivated" in admin_client.get(reverse("people")).content

    # When deactivated again, nothing changes; when reactivated, they are back
    again = admin_client.post(reverse("person-deactivate", args=[person.pk]), follow=True)
    assert b"already deactivated" in again.content
    admin_client.post(reverse("person-activate", args=[person.pk]))
    person.refresh_from_db()
    assert person.is_active and accounts.user_for_token(secret) == person
    actions = list(
        TrailEntry.objects.filter(object_id=str(person.pk), action="update").values_list("payload", flat=True)
    )
    assert len(actions) == 2 and all('"is_active"' in p for p in actions)


def test_an_admin_cannot_deactivate_themselves(admin_client: Client, admin: User) -> None:
    html = admin_client.get(reverse("person-edit", args=[admin.pk])).content.decode()
    assert "You cannot deactivate your own account" in html
    assert reverse("person-deactivate", args=[admin.pk]) not in html
    response = admin_client.post(reverse("person-deactivate", args=[admin.pk]), follow=True)
    assert b"You cannot deactivate your own account." in response.content
    admin.refresh_from_db()
    assert admin.is_active


def test_an_unknown_person_is_404(admin_client: Client) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    for name in ("person-edit", "person-password", "person-deactivate", "person-activate"):
        response = admin_client.post(reverse(name, args=[missing]), {})
        assert response.status_code == 404 and b"with id" in response.content, name


def test_a_compliance_manager_cannot_administer_people(
    make_user: MakeUser, login_client: LoginClient, org: Organisation
) -> None:
    person = make_user(Role.VIEWER)
    client = login_client(make_user(Role.COMPLIANCE_MANAGER))
    assert client.post(reverse("person-deactivate", args=[person.pk])).status_code == 403
    assert client.post(reverse("person-password", args=[person.pk]), {}).status_code == 403
    assert client.post(reverse("person-invite", args=[person.pk]), {}).status_code == 403
    # (a compliance manager edits the directory: a name, a job title — not the account)
    contributor = login_client(make_user(Role.CONTRIBUTOR))
    assert contributor.post(reverse("person-edit", args=[person.pk]), {"full_name": "X"}).status_code == 403
    person.refresh_from_db()
    assert person.is_active and person.full_name != "X"


# ---------------------------------------------------------------- audit trail: reading it


def test_trail_reads_as_types_field_names_people_and_links(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    # Given a party, an approved scope (its approver is a user id) and a person's new job title
    actor = Actor.for_user(admin, "web")
    party = organisation.save_interested_party(
        actor, name="Regulator", category="regulator", needs_expectations="Breach reports"
    )
    scope = organisation.draft_scope(actor, isms.pk, "iso27001:2022", summary="All of it")
    organisation.approve_scope(actor, scope.pk)
    people.update_user(actor, admin.pk, job_title="CISO")

    # When the admin reads the trail
    html = admin_client.get(reverse("trail")).content.decode()

    # Then types and fields read as words, choices as labels, user ids as people
    assert "Interested party" in html and "core.interestedparty</code>" not in html
    assert "Scope statement" in html and "Needs expectations" in html
    assert "Regulator or authority" in html  # the category's label, not "regulator"
    assert f"{admin.full_name} ({admin.email})" in html
    assert f'[null, "{admin.pk}"]' not in html and f">{admin.pk}<" not in html
    # And each entry links to the page showing its record
    assert f'href="{reverse("context")}#party-{party.pk}"' in html
    assert f'href="{reverse("scope-detail", args=["isms", "iso27001:2022"])}"' in html
    assert f'href="{reverse("person", args=[admin.pk])}"' in html
    # And the standards loaded at set-up link to their pages
    std_html = admin_client.get(reverse("trail"), {"object_type": "standards.standard"}).content.decode()
    assert "Standard" in std_html
    assert f'href="{reverse("standard-detail", args=["iso27001:2022"])}"' in std_html


def test_trail_shows_choice_labels_and_folds_long_values(
    admin_client: Client, admin: User, org: Organisation
) -> None:
    long_text = "The regulator expects breach reports within 72 hours. " * 6
    organisation.save_interested_party(
        Actor.for_user(admin, "web"), name="Regulator", category="regulator", needs_expectations=long_text
    )
    html = admin_client.get(
        reverse("trail"), {"object_type": "organisation.interestedparty"}
    ).content.decode()
    assert "Regulator or authority" in html
    # The long value shows its start, and unfolds to all of it without JavaScript
    assert f'<details class="long-value"><summary>{long_text[:79].rstrip()}…</summary>' in html
    assert long_text.strip() in html
    assert html.count('<details class="long-value">') == 1  # short values stay as they are


def test_trail_marks_deleted_records_and_does_not_link_them(
    admin_client: Client, admin: User, org: Organisation
) -> None:
    actor = Actor.for_user(admin, "web")
    party = organisation.save_interested_party(
        actor, name="Gone Ltd", category="supplier", needs_expectations="x"
    )
    organisation.delete_interested_party(actor, party.pk)
    html = admin_client.get(
        reverse("trail"), {"object_type": "organisation.interestedparty"}
    ).content.decode()
    assert "(deleted since)" in html
    assert f"#party-{party.pk}" not in html


def test_trail_links_to_people_only_for_those_who_may_open_the_people_page(
    make_user: MakeUser, login_client: LoginClient, admin: User, org: Organisation
) -> None:
    people.update_user(Actor.for_user(admin, "web"), admin.pk, job_title="CISO")
    html = login_client(make_user(Role.AUDITOR)).get(reverse("trail")).content.decode()
    assert "CISO" in html
    assert f"#user-{admin.pk}" not in html


def test_trail_filter_lists_readable_object_types(
    admin_client: Client, admin: User, org: Organisation
) -> None:
    organisation.save_interested_party(
        Actor.for_user(admin, "web"), name="P", category="customer", needs_expectations="x"
    )
    html = admin_client.get(reverse("trail")).content.decode()
    assert '<option value="organisation.interestedparty">Interested party</option>' in html


def test_trail_query_count_is_fixed_with_every_kind_of_record(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    # Given one record of each kind the trail links to, read once
    actor = Actor.for_user(admin, "web")

    def one_of_each(n: int) -> None:
        party = organisation.save_interested_party(
            actor, name=f"P{n}", category="customer", needs_expectations="x"
        )
        organisation.save_context_issue(
            actor, title=f"I{n}", description="d", kind="internal", category="social"
        )
        organisation.delete_interested_party(actor, party.pk)
        ms = organisation.create_management_system(
            actor,
            name=f"MS {n}",
            short_name=f"ms-q{n}",
            operating_model="unified",
            standards=["iso27001:2022"],
        )
        scope = organisation.draft_scope(actor, ms.pk, "iso27001:2022", summary="x")
        organisation.approve_scope(actor, scope.pk)
        person = people.create_user(actor, f"p{n}@example.com", role=Role.VIEWER)
        people.update_user(actor, person.pk, job_title="T")

    one_of_each(0)
    first = queries_of(admin_client, reverse("trail"))
    first_dashboard = queries_of(admin_client, reverse("dashboard"))
    # When there are many more of each
    for n in range(1, 5):
        one_of_each(n)
    # Then the trail and the dashboard's recent activity run the same number of queries
    assert queries_of(admin_client, reverse("trail")) == first
    assert queries_of(admin_client, reverse("dashboard")) == first_dashboard


# ---------------------------------------------------------------- dashboard: recent activity


def test_recent_activity_leaves_out_logins_which_the_trail_still_shows(
    admin_client: Client, admin: User, org: Organisation
) -> None:
    # Given a change, then a burst of logins and failed logins
    actor = Actor.for_user(admin, "web")
    organisation.save_interested_party(actor, name="Lenders", category="customer", needs_expectations="x")
    for _ in range(12):
        accounts.record_login(actor, admin.email, succeeded=True, user=admin)
        accounts.record_login(actor, "nobody@example.com", succeeded=False)

    # When the admin opens the dashboard
    html = admin_client.get(reverse("dashboard")).content.decode()

    # Then the change is there and the logins are not
    assert "Lenders" in html
    assert "Logged in</span>" not in html and "Login failed</span>" not in html
    # And the trail page still lists them, filtered by action
    trail = admin_client.get(reverse("trail"), {"action": "login_failed"}).content.decode()
    assert "nobody@example.com" in trail and "12 entries" in trail


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
