"""Acknowledgements across versions: one publication per version and round, pending
acknowledgements follow a minor version, superseding is in the trail, links are emailed after
commit and a mail failure is recorded instead of failing the approval."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from keel.documents import acknowledgements, services
from keel.documents.choices import AckStatus
from keel.documents.models import Acknowledgement, Document, Publication
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.errors import Conflict
from keel.platform.models import TrailEntry, User

from .factories import approved_policy, as_actor

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise OSError("SMTP server unreachable")


@pytest.fixture
def author(make_user: Callable[..., User], isms: ManagementSystem) -> User:
    return make_user(Role.COMPLIANCE_MANAGER, email="author@example.com", full_name="Ada Author")


@pytest.fixture
def approver(make_user: Callable[..., User], isms: ManagementSystem) -> User:
    return make_user(Role.COMPLIANCE_MANAGER, email="approver@example.com", full_name="Bo Approver")


@pytest.fixture
def reader() -> User:
    return User.objects.create(email="r@example.com", full_name="Rae Reader", has_login=False)


def changes_of(entry: TrailEntry) -> dict[str, Any]:
    return dict(json.loads(entry.payload).get("changes") or {})


def approve_new(author: User, approver: User, doc: Document, change: str) -> None:
    services.add_version(as_actor(author), doc.pk, services.NewVersion(body=f"{change} text", change=change))
    services.submit_for_review(as_actor(author), doc.pk)
    services.approve(as_actor(approver), doc.pk)


def test_each_major_version_is_published_once_to_the_group(
    author: User, approver: User, isms: ManagementSystem, reader: User
) -> None:
    doc = approved_policy(author, approver, [isms])
    acknowledgements.publish(as_actor(author), doc.pk, audience="people", people=[reader.email], email=False)
    for _ in range(3):
        approve_new(author, approver, doc, "major")
    labels = sorted(p.version.label for p in Publication.objects.filter(version__document=doc))
    assert labels == ["1.0", "2.0", "3.0", "4.0"]
    pending = doc.acknowledgements.filter(status=AckStatus.PENDING)
    assert [a.version.label for a in pending] == ["4.0"]
    # each superseded acknowledgement has its own trail entry
    superseded = doc.acknowledgements.filter(status=AckStatus.SUPERSEDED)
    assert superseded.count() == 3
    for ack in superseded:
        assert any(
            changes_of(e).get("status") == [AckStatus.PENDING, AckStatus.SUPERSEDED]
            for e in TrailEntry.objects.filter(object_id=str(ack.pk))
        )


def test_a_minor_version_carries_pending_acknowledgements_forward(
    author: User, approver: User, isms: ManagementSystem, reader: User
) -> None:
    doc = approved_policy(author, approver, [isms])
    acknowledgements.publish(as_actor(author), doc.pk, audience="people", people=[reader.email], email=False)
    ack = doc.acknowledgements.get()
    due = ack.due_on
    approve_new(author, approver, doc, "minor")
    ack.refresh_from_db()
    assert (ack.version.label, ack.status, ack.due_on) == ("1.1", AckStatus.PENDING, due)
    assert any(
        changes_of(e).get("version") == ["1.0", "1.1"]
        for e in TrailEntry.objects.filter(object_id=str(ack.pk))
    )
    done = acknowledgements.acknowledge_by_link(acknowledgements.token_for(ack))
    assert done.status == AckStatus.ACKNOWLEDGED and done.version.label == "1.1"


def test_links_are_emailed_after_commit_and_a_mail_failure_is_recorded(
    author: User,
    approver: User,
    isms: ManagementSystem,
    reader: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    doc = approved_policy(author, approver, [isms])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        acknowledgements.publish(as_actor(author), doc.pk, audience="people", people=[reader.email])
        assert mail.outbox == []  # nothing sent inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[reader.email]]
    assert doc.acknowledgements.get().emailed_at is not None

    # When the mail server fails during a major approval, the approval stands and the failure is recorded
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        approve_new(author, approver, doc, "major")
    latest = Acknowledgement.objects.get(document=doc, version__major=2)
    assert latest.status == AckStatus.PENDING and latest.emailed_at is None
    entry = TrailEntry.objects.filter(object_id=str(latest.pk)).order_by("-seq").first()
    assert entry is not None and "link not sent" in entry.object_repr
    # and resending while it still fails is a clear error, not a 500
    with pytest.raises(Conflict, match="could not be sent"):
        acknowledgements.resend(as_actor(author), latest.pk)


def test_downloading_a_version_written_in_keel_is_a_clear_404(
    author: User, approver: User, isms: ManagementSystem, login_client: Callable[[User], Client]
) -> None:
    doc = approved_policy(author, approver, [isms])
    client = login_client(author)
    page = client.get(reverse("document-download", args=[doc.ref_id, 1]))
    assert page.status_code == 404
    assert "written in Keel" in page.content.decode()
    api = client.get(f"/api/v1/documents/{doc.ref_id}/versions/1/download")
    assert api.status_code == 404 and "download its PDF" in api.content.decode()


def test_a_new_link_is_resent_from_the_list_and_the_api(
    author: User,
    approver: User,
    isms: ManagementSystem,
    reader: User,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    doc = approved_policy(author, approver, [isms])
    acknowledgements.publish(as_actor(author), doc.pk, audience="people", people=[reader.email], email=False)
    ack = doc.acknowledgements.get()
    client = login_client(author)
    listing = client.get(reverse("acknowledgement-list")).content.decode()
    assert reverse("acknowledgement-resend", args=[ack.pk]) in listing and "link not sent" in listing

    r = client.post(reverse("acknowledgement-resend", args=[ack.pk]), follow=True)
    assert "A new link to acknowledge DOC-001 version 1.0 was emailed to Rae Reader" in r.content.decode()
    assert [m.to for m in mail.outbox] == [[reader.email]]

    api = client.post(f"/api/v1/acknowledgements/{ack.pk}/resend")
    assert api.status_code == 200 and api.json()["emailed_at"] is not None
    assert len(mail.outbox) == 2

    # a viewer may not resend, and sees no button
    viewer = login_client(make_user(Role.VIEWER, isms, email="viewer@example.com"))
    assert (
        reverse("acknowledgement-resend", args=[ack.pk])
        not in viewer.get(reverse("acknowledgement-list")).content.decode()
    )
    assert viewer.post(f"/api/v1/acknowledgements/{ack.pk}/resend").status_code == 403
    assert len(mail.outbox) == 2
