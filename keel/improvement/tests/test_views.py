"""The pages: the queue with its filters, the detail with its steps, the forms of each step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from keel.improvement.models import Nonconformity
from keel.organisation.models import ManagementSystem
from keel.platform.concurrency import version_of
from keel.platform.models import User

from . import factories as f

pytestmark = pytest.mark.django_db


def test_the_queue_lists_and_filters(admin_client: Client, admin: User, isms: ManagementSystem) -> None:
    nc = f.analysed(isms, title="Access review skipped")
    f.action(nc, admin, due_on=dt.date(2026, 3, 10))
    f.nonconformity(isms, title="Complaint about a chatbot answer", source="complaint")
    r = admin_client.get(reverse("nonconformity-list"))
    assert r.status_code == 200
    assert b"Access review skipped" in r.content and b"CA-001 overdue" in r.content
    r = admin_client.get(reverse("nonconformity-list") + "?overdue_actions=on")
    assert b"Access review skipped" in r.content and b"chatbot" not in r.content
    r = admin_client.get(reverse("nonconformity-list") + "?source=complaint", headers={"HX-Request": "true"})
    assert r.status_code == 200 and b"<html" not in r.content and b"chatbot" in r.content
    r = admin_client.get(reverse("corrective-action-list") + "?overdue=on")
    assert r.status_code == 200 and b"CA-001" in r.content


def test_raise_and_work_through_the_steps_on_the_pages(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    r = admin_client.post(
        reverse("nonconformity-create"),
        {
            "title": "Supplier review overdue",
            "description": "The cloud provider's yearly review was not done.",
            "kind": "minor",
            "source": "internal_audit",
            "source_ref": "AUD-2026-01 F-2",
            "management_systems": ["isms"],
            "requirements": "iso27001:2022:A.5.22",
            "owner": admin.email,
            "raised_on": "2026-03-02",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    nc = Nonconformity.objects.get()
    url = reverse("nonconformity-detail", args=[nc.ref_id])
    r = admin_client.get(url)
    assert r.status_code == 200 and b"Next: correction" in r.content
    # closing now is refused with every missing step named
    r = admin_client.post(reverse("nonconformity-close", args=[nc.ref_id]), {"version": version_of(nc)})
    assert r.status_code == 422
    assert (
        b"correction not recorded; root cause not recorded; no corrective action; effectiveness not recorded"
        in r.content
    )
    r = admin_client.post(
        reverse("nonconformity-correction", args=[nc.ref_id]),
        {"correction": "Review done at once.", "corrected_on": "2026-03-03", "version": version_of(nc)},
    )
    assert r.status_code == 302
    nc.refresh_from_db()
    r = admin_client.post(
        reverse("nonconformity-root-cause", args=[nc.ref_id]),
        {
            "method": "five_whys",
            "whys": "Not done\nNo reminder",
            "conclusion": "No reminder.",
            "version": version_of(nc),
        },
    )
    assert r.status_code == 302
    nc.refresh_from_db()
    r = admin_client.post(
        reverse("nonconformity-action-add", args=[nc.ref_id]),
        {
            "description": "Add a yearly reminder.",
            "owner": admin.email,
            "due_on": "2026-04-30",
            "version": version_of(nc),
        },
    )
    assert r.status_code == 302
    r = admin_client.post(
        reverse("corrective-action-done", args=["CA-001"]), {"done_on": "2026-04-02", "note": "Reminder set."}
    )
    assert r.status_code == 302
    nc.refresh_from_db()
    assert nc.status == "effectiveness"
    r = admin_client.post(
        reverse("nonconformity-effectiveness", args=[nc.ref_id]),
        {
            "effective": "yes",
            "checked_on": "2026-04-20",
            "evidence_note": "Reminder fired.",
            "version": version_of(nc),
        },
    )
    assert r.status_code == 302
    nc.refresh_from_db()
    r = admin_client.post(
        reverse("nonconformity-close", args=[nc.ref_id]),
        {"closed_on": "2026-04-21", "version": version_of(nc)},
    )
    assert r.status_code == 302
    nc.refresh_from_db()
    assert nc.status == "closed"
    r = admin_client.get(url)
    assert r.status_code == 200 and b"closed 21 Apr 2026" in r.content


def test_a_stale_step_form_is_a_conflict(admin_client: Client, isms: ManagementSystem) -> None:
    nc = f.nonconformity(isms)
    seen = version_of(nc)
    f.services.update_nonconformity(f.SYSTEM, nc.ref_id, title="Renamed meanwhile")
    r = admin_client.post(
        reverse("nonconformity-correction", args=[nc.ref_id]), {"correction": "x", "version": seen}
    )
    assert r.status_code == 422 and b"Someone else saved this record" in r.content


def test_edit_page(admin_client: Client, isms: ManagementSystem, aims: ManagementSystem) -> None:
    nc = f.nonconformity(isms)
    r = admin_client.get(reverse("nonconformity-edit", args=[nc.ref_id]))
    assert r.status_code == 200
    r = admin_client.post(
        reverse("nonconformity-edit", args=[nc.ref_id]),
        {
            "title": "Renamed",
            "description": nc.description,
            "kind": "major",
            "source": nc.source,
            "management_systems": ["isms", "aims"],
            "raised_on": "2026-03-02",
            "version": version_of(nc),
        },
    )
    assert r.status_code == 302
    nc.refresh_from_db()
    assert nc.title == "Renamed" and nc.management_systems.count() == 2


def test_the_owner_sees_their_forms_and_others_do_not(
    make_user: Callable[..., User], login_client: Callable[[User], Client], isms: ManagementSystem
) -> None:
    owner = make_user("contributor", isms, email="owner@example.com")
    other = make_user("contributor", isms, email="other@example.com")
    nc = f.nonconformity(isms, owner=owner.email)
    url = reverse("nonconformity-detail", args=[nc.ref_id])
    assert b'id="correction-form"' in login_client(owner).get(url).content
    page = login_client(other).get(url).content
    assert b'id="correction-form"' not in page and b'id="close-form"' not in page
    r = login_client(other).post(reverse("nonconformity-correction", args=[nc.ref_id]), {"correction": "x"})
    assert r.status_code == 403
