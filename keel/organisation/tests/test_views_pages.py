"""Page tests of the organisation app that span it: every page renders, the dashboard, and the
audit trail page (filters, reading an entry, recent activity).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.organisation import people as people
from keel.organisation import services as organisation
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    ScopeStatement,
)
from keel.organisation.tests.factories import ContextIssueFactory, InterestedPartyFactory
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import User
from keel.platform.tests.query_counts import queries_of

from .support import HTMX, LoginClient, MakeUser

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
