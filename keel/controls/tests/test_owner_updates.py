"""Control owners update the controls they own (``edit_own_controls``, held by contributors):
how the control is implemented — description, frequency, status, effectiveness — and nothing
else; not a control they do not own, not a control of a system where they hold no role. The
same rule in the service, the pages, the API and bulk edit; the trail records the change."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.controls import policies, services
from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import PermissionDenied
from keel.platform.models import TrailEntry, User

MakeUser = Callable[..., User]
LoginClient = Callable[[User], Client]
pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("owner-tests")


def as_user(user: User) -> Actor:
    return Actor.for_user(user, "web")


def control(systems: list[ManagementSystem], owner: User | None, ref: str = "KC-100") -> Control:
    made = services.create_control(
        SYSTEM,
        ref_id=ref,
        title="Access reviews",
        type="process",
        frequency="quarterly",
        owner=owner,
        management_systems=[ms.pk for ms in systems],
    )
    services.link_requirement(SYSTEM, made.pk, "iso27001:2022:A.5.18", "full", "")
    return made


@pytest.fixture
def owner(make_user: MakeUser, isms: ManagementSystem) -> User:
    return make_user(Role.CONTRIBUTOR, isms, email="owner@example.com")


def _state(c: Control) -> dict[str, Any]:
    c = Control.objects.get(pk=c.pk)
    return {
        "ref_id": c.ref_id,
        "title": c.title,
        "type": c.type,
        "owner": c.owner_id,
        "status": c.status,
        "effectiveness": c.effectiveness,
        "frequency": c.frequency,
        "description": c.description,
        "systems": sorted(ms.short_name for ms in c.management_systems.all()),
        "tags": sorted(t.name for t in c.tags.all()),
        "links": sorted(c.links.values_list("requirement__key", flat=True)),
    }


# ---------------------------------------------------------------- the service


def test_the_owner_updates_how_the_control_is_implemented_and_the_trail_records_it(
    owner: User, isms: ManagementSystem
) -> None:
    # Given a control of the ISMS owned by a contributor of the ISMS
    c = control([isms], owner)

    # When the owner updates its implementation fields
    services.update_control(
        as_user(owner),
        c.pk,
        status="implemented",
        effectiveness="effective",
        frequency="monthly",
        description="Monthly access review of every production system.",
    )

    # Then they changed, and the trail names the owner and the changes
    state = _state(c)
    assert (state["status"], state["effectiveness"], state["frequency"]) == (
        "implemented",
        "effective",
        "monthly",
    )
    assert state["description"] == "Monthly access review of every production system."
    entry = TrailEntry.objects.filter(object_id=str(c.pk), action="update").latest("seq")
    assert entry.actor_id == owner.pk
    changes = json.loads(entry.payload)["changes"]
    assert changes["status"] == ["planned", "implemented"]
    assert set(changes) == {"status", "effectiveness", "frequency", "description"}


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"title": "Something else"}, "title"),
        ({"type": "technical"}, "type"),
        ({"ref_id": "KC-999"}, "ref_id"),
        ({"owner": None}, "owner"),
        ({"management_systems": []}, "management_systems"),
        ({"tags": ["cloud"]}, "tags"),
        ({"status": "implemented", "title": "Renamed too"}, "title"),
    ],
)
def test_the_owner_cannot_change_what_the_control_is_who_owns_it_or_where_it_belongs(
    change: dict[str, Any], refused: str, owner: User, isms: ManagementSystem
) -> None:
    # Given
    c = control([isms], owner)
    before = _state(c)
    entries = TrailEntry.objects.count()

    # When / Then: refused with the field named, and nothing changed (not even the allowed part)
    with pytest.raises(PermissionDenied, match=f"not its {refused}"):
        services.update_control(as_user(owner), c.pk, **change)
    assert _state(c) == before
    assert TrailEntry.objects.count() == entries


def test_an_unchanged_value_of_a_field_beyond_the_owners_is_not_a_change(
    owner: User, isms: ManagementSystem
) -> None:
    # Given a form or client that sends the whole record back
    c = control([isms], owner)

    # When the owner sends the title and systems unchanged with a new status
    services.update_control(
        as_user(owner), c.pk, title=c.title, management_systems=[isms.short_name], status="in_progress"
    )

    # Then the status changed
    assert _state(c)["status"] == "in_progress"


def test_the_owner_cannot_delete_nor_relink_the_control(owner: User, isms: ManagementSystem) -> None:
    c = control([isms], owner)
    before = _state(c)
    with pytest.raises(PermissionDenied):
        services.delete_control(as_user(owner), c.pk)
    with pytest.raises(PermissionDenied):
        services.link_requirement(as_user(owner), c.pk, "iso27001:2022:A.5.15", "full", "")
    with pytest.raises(PermissionDenied):
        services.unlink_requirement(as_user(owner), c.links.get().pk)
    assert _state(c) == before


def test_a_contributor_who_does_not_own_the_control_is_refused(
    owner: User, make_user: MakeUser, isms: ManagementSystem
) -> None:
    # Given a control owned by someone else, and a contributor of the same system
    c = control([isms], owner)
    colleague = make_user(Role.CONTRIBUTOR, isms, email="colleague@example.com")

    # When / Then
    with pytest.raises(PermissionDenied, match=r"only the controls they own.*owned by owner@example\.com"):
        services.update_control(as_user(colleague), c.pk, status="implemented")
    assert _state(c)["status"] == "planned"


def test_owning_a_control_grants_nothing_without_a_role_over_every_one_of_its_systems(
    owner: User, isms: ManagementSystem, aims: ManagementSystem, make_user: MakeUser
) -> None:
    # Given a control shared by the ISMS and the AIMS, owned by a contributor of the ISMS only,
    # and a control of the AIMS alone owned by the same person
    shared = control([isms, aims], owner, ref="KC-101")
    elsewhere = control([aims], owner, ref="KC-102")
    viewer = make_user(Role.VIEWER, isms, email="viewer@example.com")
    watched = control([isms], viewer, ref="KC-103")

    # Then each update is refused and changes nothing
    for c, who in ((shared, owner), (elsewhere, owner), (watched, viewer)):
        with pytest.raises(PermissionDenied):
            services.update_control(as_user(who), c.pk, status="implemented")
        assert _state(c)["status"] == "planned"
    # And with a contributor role over the AIMS too, the shared control is theirs to update
    from keel.organisation import people as people

    people.grant_role(Actor.cli(), owner, Role.CONTRIBUTOR, aims)
    services.update_control(as_user(owner), shared.pk, status="implemented")
    assert _state(shared)["status"] == "implemented"


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.ADMIN, policies.ALL),
        (Role.COMPLIANCE_MANAGER, policies.ALL),
        (Role.CONTRIBUTOR, policies.OWN),
        (Role.AUDITOR, None),
        (Role.VIEWER, None),
    ],
)
def test_edit_reach_of_an_owner_by_role(
    role: str, scope: str | None, make_user: MakeUser, isms: ManagementSystem
) -> None:
    user = make_user(role, isms)
    c = control([isms], user)
    assert policies.edit_reach(user, c) == scope
    assert policies.edit_reach(user, control([isms], None, ref="KC-200")) == (
        policies.ALL if scope == policies.ALL else None
    )


# ---------------------------------------------------------------- bulk edit


def test_the_owner_bulk_sets_status_and_effectiveness_of_their_own_controls_only(
    owner: User, isms: ManagementSystem, make_user: MakeUser
) -> None:
    # Given two controls the owner owns and one of a colleague
    mine = [control([isms], owner, ref="KC-110"), control([isms], owner, ref="KC-111")]
    theirs = control([isms], make_user(Role.CONTRIBUTOR, isms, email="c2@example.com"), ref="KC-112")

    # When the owner sets the status of their two
    changed = services.bulk_update_controls(as_user(owner), [c.pk for c in mine], status="implemented")

    # Then both changed
    assert sorted(c.ref_id for c in changed) == ["KC-110", "KC-111"]
    # And a selection with the colleague's control, or an owner or tag change, changes nothing
    with pytest.raises(PermissionDenied):
        services.bulk_update_controls(as_user(owner), [mine[0].pk, theirs.pk], effectiveness="effective")
    with pytest.raises(PermissionDenied, match="not its owner or tags"):
        services.bulk_update_controls(as_user(owner), [mine[0].pk], add_tag="cloud")
    with pytest.raises(PermissionDenied, match="not its owner or tags"):
        services.bulk_update_controls(as_user(owner), [mine[0].pk], status="planned", owner=None)
    assert [_state(c)["effectiveness"] for c in (*mine, theirs)] == ["not_assessed"] * 3
    assert _state(mine[0])["status"] == "implemented" and _state(mine[0])["tags"] == []


# ---------------------------------------------------------------- pages and API


def test_the_edit_page_shows_the_owner_only_their_fields_and_saves_them(
    owner: User, isms: ManagementSystem, login_client: LoginClient
) -> None:
    # Given
    c = control([isms], owner)
    client = login_client(owner)

    # When the owner opens the control and its edit page
    detail = client.get(reverse("control-detail", args=[c.ref_id])).content.decode()
    page = client.get(reverse("control-edit", args=[c.ref_id]))

    # Then an Update button (no Delete) leads to a form of the four fields only
    assert reverse("control-edit", args=[c.ref_id]) in detail and ">Update</a>" in detail
    assert reverse("control-delete", args=[c.ref_id]) not in detail
    assert page.status_code == 200
    names = set(page.context["form"].fields) - set(page.context["form"].VERSION_FIELDS)
    assert names == set(policies.OWNER_FIELDS)
    assert 'name="title"' not in page.content.decode() and 'name="owner"' not in page.content.decode()

    # When they post a change, with a title smuggled in
    response = client.post(
        reverse("control-edit", args=[c.ref_id]),
        {
            "description": "Quarterly.",
            "frequency": "quarterly",
            "status": "implemented",
            "effectiveness": "effective",
            "title": "Smuggled",
        },
    )

    # Then the implementation fields are saved; the title is not a field of theirs
    assert response.status_code == 302
    state = _state(c)
    assert (state["status"], state["effectiveness"], state["title"]) == (
        "implemented",
        "effective",
        "Access reviews",
    )


def test_the_edit_page_refuses_a_contributor_who_is_not_the_owner(
    owner: User, isms: ManagementSystem, make_user: MakeUser, login_client: LoginClient
) -> None:
    c = control([isms], owner)
    colleague = make_user(Role.CONTRIBUTOR, isms, email="colleague@example.com")
    client = login_client(colleague)
    assert client.get(reverse("control-edit", args=[c.ref_id])).status_code == 403
    response = client.post(
        reverse("control-edit", args=[c.ref_id]),
        {"description": "", "frequency": "quarterly", "status": "implemented", "effectiveness": "effective"},
    )
    assert response.status_code == 403
    assert _state(c)["status"] == "planned"
    detail = client.get(reverse("control-detail", args=[c.ref_id])).content.decode()
    assert reverse("control-edit", args=[c.ref_id]) not in detail


def test_the_list_lets_the_owner_select_only_their_controls_for_status_and_effectiveness(
    owner: User, isms: ManagementSystem, make_user: MakeUser, login_client: LoginClient
) -> None:
    mine = control([isms], owner, ref="KC-120")
    theirs = control([isms], make_user(Role.CONTRIBUTOR, isms, email="c2@example.com"), ref="KC-121")
    html = login_client(owner).get(reverse("control-list")).content.decode()
    assert f'value="{mine.pk}" form="bulk-form"' in html
    assert f'value="{theirs.pk}" form="bulk-form"' not in html
    assert 'id="bulk-status"' in html and 'id="bulk-owner"' not in html and 'id="bulk-tag"' not in html


def test_api_patch_by_the_owner_updates_allowed_fields_and_refuses_the_rest(
    owner: User, isms: ManagementSystem, make_user: MakeUser, login_client: LoginClient
) -> None:
    c = control([isms], owner)
    client = login_client(owner)
    url = f"/api/v1/controls/{c.ref_id}"

    ok = client.patch(url, json.dumps({"status": "implemented"}), content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "implemented"

    refused = client.patch(
        url, json.dumps({"effectiveness": "effective", "owner": None}), content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert "not its owner" in refused.json()["error"]["message"]
    assert _state(c)["effectiveness"] == "not_assessed" and _state(c)["owner"] == owner.pk

    colleague = login_client(make_user(Role.CONTRIBUTOR, isms, email="colleague@example.com"))
    other = colleague.patch(url, json.dumps({"status": "planned"}), content_type="application/json")
    assert other.status_code == 403
    assert client.delete(url).status_code == 403
    assert _state(c)["status"] == "implemented"
