"""Page tests of people and access: the people page and roles, my account, and one person's
page (details, password, access).
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from keel.organisation.forms import GrantRoleForm
from keel.organisation.models import ManagementSystem, Organisation, RoleAssignment
from keel.organisation.tests.factories import TEST_PASSWORD
from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import ApiToken, TrailEntry, User
from keel.platform.tests.query_counts import queries_of

from .support import LoginClient, MakeUser

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
