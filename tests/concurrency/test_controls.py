"""Concurrent writers on controls and the last-administrator rule, on PostgreSQL (issue 9,
defects 1 and 3; docs/adr/0014-concurrent-writers.md).

Every test widens the race (:func:`widen_race`), so without the row lock each pair would
certainly lose one of its two writes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.controls import services
from keel.controls.models import Control
from keel.organisation import people as people
from keel.organisation.models import RoleAssignment
from keel.organisation.tests.factories import OrganisationFactory, UserFactory
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.concurrency import EditConflict
from keel.platform.errors import Conflict
from keel.platform.models import TrailEntry, User
from tests.concurrency.harness import postgres_only, run_at_once, widen_race
from tests.formdata import initial_post_data

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _admin(email: str) -> User:
    user: User = UserFactory.create(email=email)
    people.grant_role(Actor.system("race"), user, Role.ADMIN)  # through the service: the trail has a head
    return user


KIND = {"type": "technical", "frequency": "continuous"}


def _control() -> Control:
    return services.create_control(Actor.system("race"), title="Start", description="start", **KIND)


def _trail_values(obj_id: Any, field: str) -> list[Any]:
    """The new values the trail recorded for ``field`` of one object, oldest first."""
    entries = TrailEntry.objects.filter(object_type="controls.control", object_id=str(obj_id)).order_by("seq")
    changes = [json.loads(e.payload).get("changes") or {} for e in entries]
    return [c[field][1] for c in changes if field in c]


def _raise_unexpected(results: list[Any]) -> None:
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, EditConflict):
            raise r


def test_100_pairs_of_service_updates_of_different_fields_lose_nothing_and_the_trail_agrees() -> None:
    # Given one control and two people who each change one field of it at the same moment
    OrganisationFactory.create()
    actor = Actor.system("race")
    control = _control()

    # When 100 pairs of updates run at once, each pair slowed down between read and write
    with widen_race(0.01):
        for i in range(100):
            results = run_at_once(
                lambda i=i: services.update_control(actor, control.pk, title=f"title {i}"),
                lambda i=i: services.update_control(actor, control.pk, description=f"description {i}"),
            )
            _raise_unexpected(results)
            # Then both writes of the pair are in the table
            stored = Control.objects.get(pk=control.pk)
            assert (stored.title, stored.description) == (f"title {i}", f"description {i}"), f"pair {i}"

    # And the trail holds each change once, ending in what the table holds
    titles = _trail_values(control.pk, "title")
    descriptions = _trail_values(control.pk, "description")
    assert titles == ["Start", *(f"title {i}" for i in range(100))]
    assert descriptions == ["start", *(f"description {i}" for i in range(100))]


def test_pairs_of_api_patches_of_different_fields_lose_nothing() -> None:
    # Given an administrator with two browser sessions on one control
    OrganisationFactory.create()
    admin = _admin("race-api@example.com")
    control = _control()
    url = f"/api/v1/controls/{control.ref_id}"
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(admin)

    # When ten pairs of PATCHes of different fields run at once (no If-Match: scripts)
    with widen_race(0.01):
        for i in range(10):
            responses = run_at_once(
                lambda i=i: clients[0].patch(url, {"title": f"title {i}"}, content_type="application/json"),
                lambda i=i: clients[1].patch(
                    url,
                    {"status": "implemented" if i % 2 else "in_progress"},
                    content_type="application/json",
                ),
            )
            # Then both succeed and both changes are stored
            assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
            stored = Control.objects.get(pk=control.pk)
            assert (stored.title, stored.status) == (f"title {i}", "implemented" if i % 2 else "in_progress")
    assert _trail_values(control.pk, "title")[-1] == "title 9"


def test_two_people_saving_the_same_edit_page_at_once_one_wins_the_other_is_told() -> None:
    # Given an administrator with two sessions that each opened the control's edit page
    OrganisationFactory.create()
    admin = _admin("race-page@example.com")
    control = _control()
    url = reverse("control-edit", args=[control.ref_id])
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(admin)

    with widen_race(0.01):
        for i in range(5):
            forms = [initial_post_data(c.get(url).context["form"]) for c in clients]
            forms[0]["title"] = f"title {i}"
            forms[1]["description"] = f"description {i}"

            # When both save at the same moment
            responses = run_at_once(
                lambda f=forms[0]: clients[0].post(url, f), lambda f=forms[1]: clients[1].post(url, f)
            )

            # Then exactly one save is applied and the other is refused with what changed
            saved = [r for r in responses if r.status_code == 302]
            refused = [r for r in responses if r.status_code != 302]
            assert len(saved) == 1 and len(refused) == 1, [r.status_code for r in responses]
            assert "Someone else saved this record" in refused[0].content.decode()
            stored = Control.objects.get(pk=control.pk)
            winner = 0 if responses[0].status_code == 302 else 1
            if winner == 0:
                assert stored.title == f"title {i}" and stored.description == forms[0]["description"]
            else:
                assert stored.description == f"description {i}" and stored.title == forms[1]["title"]
            # And the trail's last values are the table's
            assert _trail_values(control.pk, "title")[-1] == stored.title
            assert _trail_values(control.pk, "description")[-1] == stored.description


def test_four_simultaneous_creates_get_four_distinct_references() -> None:
    # Given
    OrganisationFactory.create()
    actor = Actor.system("race")

    # When four controls are created at the same moment, ten times
    refs: list[str] = []
    with widen_race(0.01):
        for i in range(10):
            results = run_at_once(
                *(
                    lambda i=i, k=k: services.create_control(actor, title=f"Control {i}.{k}", **KIND)
                    for k in range(4)
                )
            )
            _raise_unexpected(results)
            refs += [c.ref_id for c in results]

    # Then every one got its own KC-nnn, numbered without gaps
    assert len(set(refs)) == 40
    assert all(re.fullmatch(r"KC-\d{3}", r) for r in refs)
    assert sorted(refs) == [f"KC-{n:03d}" for n in range(1, 41)]


def test_two_admins_revoking_each_other_at_once_always_leave_one_admin() -> None:
    # Given two administrators, the only ones
    OrganisationFactory.create()
    a, b = _admin("admin-a@example.com"), _admin("admin-b@example.com")

    with widen_race(0.02):
        for i in range(10):
            ra_a = RoleAssignment.objects.get(user=a, role=Role.ADMIN)
            ra_b = RoleAssignment.objects.get(user=b, role=Role.ADMIN)

            # When each revokes the other's administrator role at the same moment
            results = run_at_once(
                lambda ra=ra_b: people.revoke_role(
                    Actor.for_user(User.objects.get(pk=a.pk), Channel.WEB), ra.pk
                ),
                lambda ra=ra_a: people.revoke_role(
                    Actor.for_user(User.objects.get(pk=b.pk), Channel.WEB), ra.pk
                ),
            )

            # Then one revocation is applied, the other refused with a clear message
            refused = [r for r in results if isinstance(r, Conflict)]
            assert len(refused) == 1, f"round {i}: {results}"
            assert "is the last administrator" in refused[0].message
            admins = RoleAssignment.objects.filter(role=Role.ADMIN, management_system__isnull=True)
            assert admins.count() == 1, f"round {i}"
            # (give the role back for the next round)
            survivor = admins.get().user
            other = b if survivor.pk == a.pk else a
            RoleAssignment.objects.create(user=other, role=Role.ADMIN)
