"""The directory of people (issue 11 item 1): people with and without a login, how owner cells
are read, inviting, what a person lacks for an act that needs authority, and the page, API and
CLI of the directory."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

from keel.assets.importing import import_assets
from keel.controls import services as control_services
from keel.controls.forms import owner_choices
from keel.controls.models import Control
from keel.organisation import authority, directory, resolvers
from keel.organisation.directory import OwnerBook, looks_like_role
from keel.organisation.models import ManagementSystem
from keel.organisation.views import people as people_views
from keel.platform import accounts
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.models import NO_EMAIL_DOMAIN, TrailEntry, User
from keel.platform.permissions import Perm, has_perm
from keel.site.cli import main

OPERATOR = Actor.cli()
KINDS = {"type": "process", "frequency": "annually"}
MakeUser = Callable[..., User]


@pytest.fixture
def dana(db: Any) -> User:
    return directory.create_person(
        OPERATOR, "Dana Whitfield", job_title="Head of IT", department="Information technology"
    )


# ---------------------------------------------------------------- no login, no way in


def test_a_person_without_a_login_can_never_log_in(
    dana: User, isms: ManagementSystem, client: Client
) -> None:
    # Given a person of the directory who even holds a role and somehow has a password
    directory.update_person(OPERATOR, dana.pk, email="dana@example.com")
    dana.refresh_from_db()
    dana.set_password("a-long-enough-passphrase")
    dana.save()
    from keel.organisation.people import grant_role

    grant_role(OPERATOR, dana, Role.ADMIN)

    # Then the login form, the backend, a session and an API token all refuse them
    assert authenticate(username="dana@example.com", password="a-long-enough-passphrase") is None
    response = client.post(
        reverse("login"), {"email": "dana@example.com", "password": "a-long-enough-passphrase"}
    )
    assert response.status_code == 401
    client.force_login(dana)  # a session made behind Keel's back
    assert client.get(reverse("dashboard")).status_code == 302  # back to the login page
    with pytest.raises(ValidationFailed, match="has no login"):
        accounts.create_token(OPERATOR, dana, "script")
    assert not has_perm(dana, Perm.VIEW)  # a role grants nothing without a login
    code = main(["system", "list", "--as", "dana@example.com"])
    assert code == 1


def test_a_new_person_has_no_usable_password_and_a_placeholder_email(dana: User) -> None:
    assert not dana.has_login and not dana.has_usable_password()
    assert dana.email == f"dana-whitfield@{NO_EMAIL_DOMAIN}" and not dana.has_email and dana.shown_email == ""
    entry = TrailEntry.objects.get(object_id=str(dana.pk), action="create")
    changes = json.loads(entry.payload)["changes"]
    assert changes["full_name"] == [None, "Dana Whitfield"] and changes["has_login"] == [None, False]


def test_bad_input_is_refused_and_changes_nothing(dana: User) -> None:
    with pytest.raises(ValidationFailed, match="name"):
        directory.create_person(OPERATOR, "  ")
    with pytest.raises(ValidationFailed, match="not a valid email"):
        directory.create_person(OPERATOR, "Lena Fischer", email="lena@")
    with pytest.raises(ValidationFailed, match="kept for people whose email"):
        directory.create_person(OPERATOR, "Lena Fischer", email=f"x@{NO_EMAIL_DOMAIN}")
    directory.create_person(OPERATOR, "Lena Fischer", email="lena@example.com")
    with pytest.raises(Conflict, match="already in the directory"):
        directory.create_person(OPERATOR, "Lena F.", email="LENA@example.com")
    assert User.objects.count() == 2


# ---------------------------------------------------------------- inviting keeps the history


def test_inviting_gives_a_login_and_keeps_what_they_own(dana: User, isms: ManagementSystem) -> None:
    # Given Dana owns a control
    control = control_services.create_control(
        OPERATOR, title="Access reviews", owner=dana, management_systems=[isms.pk], **KINDS
    )
    # When she is invited without an email Keel does not know, it is refused
    with pytest.raises(ValidationFailed, match="no email address for Dana Whitfield"):
        directory.invite(OPERATOR, dana.pk)
    dana.refresh_from_db()
    assert not dana.has_login

    # When she is invited with her address and a role
    invitation = directory.invite(
        OPERATOR, dana.pk, email="dana@example.com", role=Role.CONTRIBUTOR, management_system=isms
    )

    # Then she logs in with the password shown once, still owns her control, and holds the role
    assert authenticate(username="dana@example.com", password=invitation.password) == dana
    control.refresh_from_db()
    assert control.owner_id == dana.pk
    assert has_perm(invitation.person, Perm.EDIT_OWN_CONTROLS, isms)
    entry = TrailEntry.objects.filter(object_id=str(dana.pk), action="update").get()
    assert invitation.password not in entry.payload
    assert json.loads(entry.payload)["changes"]["has_login"] == [False, True]
    # And a second invitation is a conflict
    with pytest.raises(Conflict, match="can already log in"):
        directory.invite(OPERATOR, dana.pk)


# ---------------------------------------------------------------- owner cells


def test_owner_cells_are_read_as_email_name_or_job_title(dana: User) -> None:
    known = directory.create_person(OPERATOR, "Marco Ruiz", email="marco@example.com")
    book = OwnerBook.load()
    assert book.read("marco@example.com", 2).person_id == known.pk
    assert book.read("  dana   WHITFIELD ", 3).person_id == dana.pk
    assert book.read("Head of IT", 4).person_id == dana.pk  # her job title
    # Unknown: a new person, once however many rows name them
    assert book.read("Helen Osei", 5).new_key == book.read("helen osei", 6).new_key
    assert book.read("Lena Fischer <lena@example.com>", 7).new_key
    assert book.read("CISO", 8).new_key
    people = {p.full_name or p.email: p for p in book.to_add()}
    assert people["Helen Osei"].rows == [5, 6] and people["Helen Osei"].read_as == "name"
    assert people["Lena Fischer"].email == "lena@example.com" and people["Lena Fischer"].read_as == "email"
    assert people["CISO"].read_as == "role" and people["CISO"].job_title == "CISO"
    assert "not a valid email" in book.read("someone@", 9).warning


def test_two_people_with_one_name_make_the_cell_ambiguous(dana: User) -> None:
    directory.create_person(OPERATOR, "Dana Whitfield", email="dana2@example.com")
    reading = OwnerBook.load().read("Dana Whitfield", 2)
    assert reading.person_id is None and not reading.new_key and "2 people have that name" in reading.warning


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Head of IT", True),
        ("CISO", True),
        ("Service desk", True),
        ("Security team", True),
        ("Dana Whitfield", False),
        ("Marco Ruiz", False),
        ("Itzel Ortega", False),
    ],
)
def test_a_role_is_told_from_a_name(text: str, role: bool) -> None:
    assert looks_like_role(text) is role


def test_the_asset_import_adds_its_unknown_owners(isms: ManagementSystem) -> None:
    data = (
        b"Ref;Asset;Type;Owner;Management system\n"
        b"AS-101;Payroll data;information;Head of HR;isms\nAS-102;Laptops;device;Head of HR;isms\n"
    )
    plan = import_assets(OPERATOR, data, "assets.csv", dry_run=True)
    assert [p.full_name for p in plan.people] == ["Head of HR"] and plan.people[0].rows == [2, 3]
    assert not User.objects.exists()
    applied = import_assets(OPERATOR, data, "assets.csv")
    assert applied.applied and User.objects.get().job_title == "Head of HR"
    again = import_assets(OPERATOR, data, "assets.csv", dry_run=True)
    assert again.people == [] and again.summary()["unchanged"] == 2


# ---------------------------------------------------------------- owners and authority


def test_a_person_without_a_login_is_selectable_as_owner(dana: User, isms: ManagementSystem) -> None:
    assert dana.email in dict(owner_choices())
    assert (
        "Dana Whitfield" in dict(owner_choices())[dana.email]
        and NO_EMAIL_DOMAIN not in dict(owner_choices())[dana.email]
    )
    control = control_services.create_control(
        OPERATOR, title="Backups", owner=dana, management_systems=[isms.pk], **KINDS
    )
    assert Control.objects.get(pk=control.pk).owner == dana


def test_authority_messages_name_what_the_person_lacks(
    dana: User, isms: ManagementSystem, make_user: MakeUser
) -> None:
    message = authority.lacks(dana, Perm.ACCEPT_RISKS, isms)
    assert message == (
        "Dana Whitfield has no login and no role on isms that lets them accept risks: invite them to log "
        "in and give them the Compliance manager or Contributor (control owner) role there, or choose "
        "someone who has it."
    )
    viewer = make_user(Role.VIEWER, management_system=isms, full_name="Vic Viewer")
    assert authority.lacks(viewer, Perm.ACCEPT_RISKS, isms) == (
        "Vic Viewer has no role on isms that lets them accept risks: give them the Compliance manager or "
        "Contributor (control owner) role there, or choose someone who has it."
    )
    owner = make_user(Role.CONTRIBUTOR, management_system=isms)
    assert authority.lacks(owner, Perm.ACCEPT_RISKS, isms) is None


def test_a_risk_owner_without_a_login_gets_the_authority_message(dana: User, isms: ManagementSystem) -> None:
    from keel.risks import services as risk_services

    with pytest.raises(ValidationFailed) as caught:
        risk_services.create_risk(
            OPERATOR,
            management_system=isms.pk,
            register="is",
            title="Ransomware",
            owner=dana.email,
            likelihood=3,
            impact=4,
        )
    assert "Dana Whitfield has no login and no role on isms" in caught.value.message


# ---------------------------------------------------------------- pages


def test_the_directory_page_searches_filters_and_pages(
    admin_client: Client, dana: User, make_user: MakeUser, settings: Any
) -> None:
    directory.create_person(OPERATOR, "Tom Becker", department="Finance")
    html = admin_client.get(reverse("people"), {"department": "Finance"}).content.decode()
    assert "Tom Becker" in html and "Dana Whitfield" not in html
    html = admin_client.get(reverse("people"), {"login": "no", "q": "head of"}).content.decode()
    assert "Dana Whitfield" in html and "Tom Becker" not in html and "admin@example.com" not in html
    html = admin_client.get(reverse("people"), {"login": "yes"}).content.decode()
    assert "admin@example.com" in html and "Dana Whitfield" not in html
    assert "Nobody matches" in admin_client.get(reverse("people"), {"q": "zzz"}).content.decode()


def test_a_viewer_reads_the_directory_but_cannot_add_or_invite(
    make_user: MakeUser, login_client: Callable[[User], Client], dana: User, isms: ManagementSystem
) -> None:
    client = login_client(make_user(Role.VIEWER, management_system=isms))
    html = client.get(reverse("people")).content.decode()
    assert "Dana Whitfield" in html and "Add a person" not in html and "Create an account" not in html
    assert client.get(reverse("person", args=[dana.pk])).status_code == 200
    assert client.post(reverse("person-add"), {"full_name": "X"}).status_code == 403
    assert (
        client.post(reverse("person-invite", args=[dana.pk]), {"email": "d@example.com"}).status_code == 403
    )
    assert not User.objects.filter(full_name="X").exists()


def test_the_person_page_lists_what_they_own_within_the_viewers_perimeter(
    dana: User,
    isms: ManagementSystem,
    aims: ManagementSystem,
    make_user: MakeUser,
    login_client: Callable[[User], Client],
) -> None:
    control_services.create_control(
        OPERATOR, ref_id="KC-701", title="Access reviews", owner=dana, management_systems=[isms.pk], **KINDS
    )
    control_services.create_control(
        OPERATOR, ref_id="KC-702", title="Model cards", owner=dana, management_systems=[aims.pk], **KINDS
    )
    client = login_client(make_user(Role.VIEWER, management_system=isms))
    html = client.get(reverse("person", args=[dana.pk])).content.decode()
    assert "Access reviews" in html and "Model cards" not in html
    assert f'href="{reverse("control-detail", args=["KC-701"])}"' in html


def test_a_compliance_manager_adds_and_edits_a_person(
    make_user: MakeUser, login_client: Callable[[User], Client], org: Any
) -> None:
    client = login_client(make_user(Role.COMPLIANCE_MANAGER))
    bad = client.post(reverse("person-add"), {"full_name": "", "email": "x"})
    assert bad.status_code == 422 and not User.objects.filter(email="x").exists()
    response = client.post(
        reverse("person-add"),
        {"full_name": "Priya Natarajan", "job_title": "SOC lead", "department": "Security"},
    )
    priya = User.objects.get(full_name="Priya Natarajan")
    assert response.status_code == 302 and response["Location"] == reverse("person", args=[priya.pk])
    edit = client.get(reverse("person-edit", args=[priya.pk])).content.decode()
    assert "Set a password" not in edit  # the account side is the administrator's
    from keel.platform.concurrency import version_of

    stale = version_of(priya)
    ok = client.post(
        reverse("person-edit", args=[priya.pk]),
        {
            "full_name": "Priya Natarajan",
            "email": "priya@example.com",
            "department": "Security",
            "version": stale,
        },
    )
    assert ok.status_code == 302
    conflict = client.post(
        reverse("person-edit", args=[priya.pk]),
        {"full_name": "Priya N.", "email": "priya@example.com", "version": stale},
    )
    assert conflict.status_code == 422 and b"Someone else saved this record" in conflict.content
    priya.refresh_from_db()
    assert (priya.full_name, priya.email, priya.has_login) == ("Priya Natarajan", "priya@example.com", False)


def test_an_administrator_invites_from_the_person_page_and_sees_the_password_once(
    admin_client: Client, dana: User, isms: ManagementSystem
) -> None:
    page = admin_client.get(reverse("person", args=[dana.pk])).content.decode()
    assert "Invite to log in" in page
    missing = admin_client.post(reverse("person-invite", args=[dana.pk]), {}, follow=True)
    assert "no email address for Dana Whitfield" in missing.content.decode()
    response = admin_client.post(
        reverse("person-invite", args=[dana.pk]),
        {"email": "dana@example.com", "role": "contributor", "management_system": "isms"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    password = html.split('id="initial-password">')[1].split("<")[0]
    assert authenticate(username="dana@example.com", password=password) is not None
    assert password not in admin_client.get(reverse("person", args=[dana.pk])).content.decode()


def test_the_invite_page_resolves_the_perimeter_as_the_api_does(
    admin_client: Client, admin: User, dana: User, isms: ManagementSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the perimeter is resolved among the systems the person acting may see (the API's resolver)
    asked: list[tuple[str, Any]] = []
    resolve = resolvers.management_system

    def spy(ref: Any, who: Any, **kw: Any) -> ManagementSystem:
        asked.append((ref, who))
        return resolve(ref, who, **kw)

    assert people_views.organisation_resolvers is resolvers
    monkeypatch.setattr(resolvers, "management_system", spy)
    response = admin_client.post(
        reverse("person-invite", args=[dana.pk]),
        {"email": "dana@example.com", "role": "viewer", "management_system": "isms"},
    )
    assert response.status_code == 200
    assert asked == [("isms", admin)]
    dana.refresh_from_db()
    assert dana.role_assignments.get().management_system == isms


# ---------------------------------------------------------------- API


def test_the_people_api(admin_client: Client, dana: User, isms: ManagementSystem) -> None:
    listed = admin_client.get("/api/v1/people", {"has_login": "false"}).json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "Dana Whitfield"
    assert listed["items"][0]["email"] is None and listed["items"][0]["has_login"] is False
    created = admin_client.post(
        "/api/v1/people",
        {"name": "Tom Becker", "email": "tom@example.com", "department": "Finance"},
        content_type="application/json",
    )
    assert created.status_code == 201
    tom = created.json()
    got = admin_client.get(f"/api/v1/people/{tom['id']}")
    assert got.json()["department"] == "Finance" and got["ETag"]
    patched = admin_client.patch(
        f"/api/v1/people/{tom['id']}",
        {"job_title": "Controller", "version": tom["version"]},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["job_title"] == "Controller"
    stale = admin_client.patch(
        f"/api/v1/people/{tom['id']}",
        {"job_title": "CFO", "version": tom["version"]},
        content_type="application/json",
    )
    assert stale.status_code == 409
    bad = admin_client.post("/api/v1/people", {"name": "X", "email": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and not User.objects.filter(full_name="X").exists()
    invited = admin_client.post(
        f"/api/v1/people/{dana.pk}/invite",
        {"email": "dana@example.com", "role": "contributor", "management_system": "isms"},
        content_type="application/json",
    )
    assert invited.status_code == 200
    body = invited.json()
    assert body["person"]["has_login"] is True and body["person"]["roles"][0]["role"] == "contributor"
    assert authenticate(username="dana@example.com", password=body["initial_password"]) is not None


# ---------------------------------------------------------------- CLI


def test_the_people_commands(capsys: pytest.CaptureFixture[str], dana: User, isms: ManagementSystem) -> None:
    assert main(["people", "add", "Tom Becker", "--email", "tom@example.com", "--department", "Finance"]) == 0
    capsys.readouterr()
    assert main(["people", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["Dana Whitfield", "Tom Becker"]
    assert rows[0] == {
        "id": str(dana.pk),
        "name": "Dana Whitfield",
        "email": None,
        "job_title": "Head of IT",
        "department": "Information technology",
        "has_login": False,
        "is_active": True,
        "roles": [],
    }
    assert (
        main(["people", "invite", "tom@example.com", "--role", "viewer", "--management-system", "isms"]) == 0
    )
    password = capsys.readouterr().out.strip()
    assert authenticate(username="tom@example.com", password=password) is not None
    assert main(["people", "list", "--login", "yes"]) == 0
    assert "viewer@isms" in capsys.readouterr().out
    # Dana has no email yet: invited by id with the address she will use
    assert main(["people", "invite", str(dana.pk)]) == 1
    assert "no email address" in capsys.readouterr().err
    assert main(["people", "invite", str(dana.pk), "--email", "dana@example.com"]) == 0
    assert main(["people", "add", "Nobody", "--email", "bad"]) == 1
    assert not User.objects.filter(full_name="Nobody").exists()


def test_keel_import_controls_of_the_register_on_a_fresh_install_adds_its_owners_once(
    capsys: pytest.CaptureFixture[str], isms: ManagementSystem, tmp_path: Any
) -> None:
    """Issue 11 done-when: on an install with no users, the 40-row register imports whole, its
    owners become people, and a second run changes nothing."""
    from keel.controls.tests import isms_sheet

    assert not User.objects.exists()
    path = tmp_path / "register.xlsx"
    path.write_bytes(isms_sheet.workbook())
    # The dry run lists the people to add, once each
    assert main(["import", "controls", str(path), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "7 people to add to the directory (no login):" in text
    assert "  Marco Ruiz (by name; rows 7, 9, 12," in text
    assert not User.objects.exists()
    # The import creates every row and every owner
    assert main(["import", "controls", str(path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["created"] == 40 and report["summary"]["people_to_add"] == 7
    assert sorted(User.objects.values_list("full_name", flat=True)) == isms_sheet.OWNERS
    assert not User.objects.filter(has_login=True).exists()
    # A second run changes nothing
    entries = TrailEntry.objects.count()
    assert main(["import", "controls", str(path), "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["summary"]["unchanged"] == 40 and again["people_to_add"] == []
    assert TrailEntry.objects.count() == entries and User.objects.count() == 7


def test_an_email_longer_than_its_column_is_refused_before_the_database(db: Any) -> None:
    # Django's validator accepts up to 320 characters; the column holds 254
    long = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example"
    assert 254 < len(long) <= 320
    with pytest.raises(ValidationFailed, match="at most 254"):
        directory.create_person(Actor.system("test"), "Long Address", email=long)
    assert not User.objects.filter(full_name="Long Address").exists()


def test_two_writers_of_one_email_meet_a_409_not_a_database_error(db: Any) -> None:
    # Given someone added dana@example.org after this writer checked the address was free
    directory.create_person(Actor.system("test"), "Dana Whitfield", email="dana@example.org")
    late = User(full_name="Dana W.", email="dana@example.org", has_login=False)

    # When it saves, then a Conflict, and the first person stays the only one
    with pytest.raises(Conflict, match="at the same time"):
        directory._save_unique(late, lambda: late.save())
    assert User.objects.filter(email="dana@example.org").count() == 1
