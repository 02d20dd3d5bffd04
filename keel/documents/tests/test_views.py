"""Pages of the documents app: draft, review, approve (refused for the author), publish to a
department, acknowledge through the emailed link without logging in, the outstanding list,
the coverage, the word diff and the PDF as issued."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from keel.documents import services
from keel.documents.choices import AckStatus
from keel.documents.models import Acknowledgement, Document
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User

from .factories import approved_policy, as_actor

pytestmark = pytest.mark.django_db


def test_draft_review_approve_publish_and_acknowledge_by_link(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    isms: ManagementSystem,
    django_capture_on_commit_callbacks: Any,
) -> None:
    author = make_user(Role.COMPLIANCE_MANAGER, email="author@example.com", full_name="Ada Author")
    approver = make_user(Role.COMPLIANCE_MANAGER, email="approver@example.com", full_name="Bo Approver")
    staff = User.objects.create(
        email="sam@example.com", full_name="Sam Staff", department="Support", has_login=False
    )
    as_author, as_approver = login_client(author), login_client(approver)

    # Draft
    r = as_author.post(
        reverse("document-create"),
        {
            "title": "Acceptable use policy",
            "kind": "policy",
            "owner": author.email,
            "management_systems": ["isms"],
            "requirements": "iso27001:2022:A.5.10",
            "body": "Use company laptops for work.",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    doc = Document.objects.get()
    # Review, then the author's approval is refused with the reason shown
    as_author.post(reverse("document-submit", args=[doc.ref_id]), {"reviewers": [approver.email]})
    r = as_author.post(reverse("document-approve", args=[doc.ref_id]), follow=True)
    assert "wrote version 1.0 of DOC-001 and cannot approve it" in r.content.decode()
    r = as_approver.post(reverse("document-approve", args=[doc.ref_id]), follow=True)
    assert "is approved and in force" in r.content.decode()

    # Publish to the Support department: Sam has no login, so Sam is emailed a link (after commit)
    with django_capture_on_commit_callbacks(execute=True):
        r = as_author.post(
            reverse("document-publish", args=[doc.ref_id]),
            {"audience": "department", "departments": ["Support"]},
        )
    assert r.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [staff.email]
    link = re.search(r"http://\S+/acknowledge/\S+/", mail.outbox[0].body)
    assert link is not None
    outstanding = as_author.get(reverse("acknowledgement-list")).content.decode()
    assert "Sam Staff" in outstanding

    # Sam opens the link without logging in, reads and acknowledges
    path = link.group(0).split("testserver", 1)[-1].split("localhost", 1)[-1]
    anonymous = Client()
    assert "Use company laptops for work." in anonymous.get(path).content.decode()
    r = anonymous.post(path)
    assert r.status_code == 200 and "you acknowledged this version" in r.content.decode()
    ack = Acknowledgement.objects.get()
    assert (ack.status, ack.channel, ack.person) == (AckStatus.ACKNOWLEDGED, "link", staff)
    assert "Sam Staff" not in as_author.get(reverse("acknowledgement-list")).content.decode()

    # A tampered link acknowledges nothing
    assert anonymous.get(path.rstrip("/") + "x/").status_code == 404


def test_word_diff_coverage_and_pdf(
    make_user: Callable[..., User], login_client: Callable[[User], Client], isms: ManagementSystem
) -> None:
    author = make_user(Role.COMPLIANCE_MANAGER, email="author@example.com")
    approver = make_user(Role.COMPLIANCE_MANAGER, email="approver@example.com")
    doc = approved_policy(
        author, approver, [isms], body="We encrypt laptops.", requirements=["iso27001:2022:5.2"]
    )
    services.add_version(as_actor(author), doc.pk, services.NewVersion(body="We encrypt laptops and phones."))
    client = login_client(author)

    page = client.get(reverse("document-version", args=[doc.ref_id, 2])).content.decode()
    assert re.search(r"<ins>[^<]*and phones\.</ins>", page) and "<del>laptops.</del>" in page
    assert "We encrypt" in page.split('id="diff-new"')[1].split("<ins>")[0]  # the shared words are not marked

    cov = client.get(reverse("document-coverage")).content.decode()
    assert "DOC-001" in cov and "Gap" in cov

    r = client.get(reverse("document-pdf", args=[doc.ref_id, 1]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get(reverse("document-pdf", args=[doc.ref_id, 2])).status_code == 400
