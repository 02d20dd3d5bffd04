"""Services of the documents app: the review and approval workflow (the author may not
approve), versions never overwritten, uploads hashed, row locks and trail entries."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from keel.documents import services
from keel.documents.choices import DocumentStatus, VersionStatus
from keel.documents.coverage import coverage
from keel.documents.models import Document, DocumentVersion
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.concurrency import EditConflict, version_of
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.standards.models import Requirement

from .factories import approved_policy, as_actor, policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(make_user: Callable[..., User], isms: ManagementSystem) -> User:
    return make_user(Role.COMPLIANCE_MANAGER, email="author@example.com", full_name="Ada Author")


@pytest.fixture
def approver(make_user: Callable[..., User], isms: ManagementSystem) -> User:
    return make_user(Role.COMPLIANCE_MANAGER, email="approver@example.com", full_name="Bo Approver")


def test_the_author_cannot_approve_and_another_person_can(
    author: User, approver: User, isms: ManagementSystem
) -> None:
    # Given a policy in review
    doc = policy(author, [isms], requirements=["iso27001:2022:5.2"])
    services.submit_for_review(as_actor(author), doc.pk, [approver.email])
    head = TrailEntry.objects.order_by("-seq").first()

    # When its author tries to approve it, then it is refused, naming why, and nothing changes
    with pytest.raises(PermissionDenied, match=r"wrote version 1\.0 of DOC-001 and cannot approve it"):
        services.approve(as_actor(author), doc.pk)
    assert TrailEntry.objects.order_by("-seq").first() == head
    assert DocumentVersion.objects.get().status == VersionStatus.IN_REVIEW

    # When another person approves it, then it is issued with the approver and the date
    version = services.approve(as_actor(approver), doc.pk)
    doc.refresh_from_db()
    assert (doc.status, doc.issued_version, version.approver) == (DocumentStatus.APPROVED, version, approver)
    assert version.approved_on is not None and doc.next_review_on is not None
    assert list(version.reviewers.all()) == [approver]
    assert TrailEntry.objects.filter(object_type="documents.documentversion", action="approve").count() == 1


def test_versions_are_never_overwritten_and_numbered_by_change(
    author: User, approver: User, isms: ManagementSystem
) -> None:
    doc = approved_policy(author, approver, [isms])
    first = doc.issued_version
    assert first is not None and first.label == "1.0"

    # A draft fixed before review is a new version; the old draft is withdrawn, not changed
    draft = services.add_version(
        as_actor(author), doc.pk, services.NewVersion(body="v1.1 text", change="minor")
    )
    fixed = services.add_version(
        as_actor(author), doc.pk, services.NewVersion(body="v1.1 fixed", change="minor")
    )
    draft.refresh_from_db()
    assert (draft.status, draft.body, draft.label) == (VersionStatus.WITHDRAWN, "v1.1 text", "1.1")
    assert fixed.label == "1.1" and fixed.number == 3
    assert fixed.sha256 == hashlib.sha256(b"v1.1 fixed").hexdigest()

    # The document stays approved (version 1.0 in force) while 1.1 is drafted and reviewed
    services.submit_for_review(as_actor(author), doc.pk)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.APPROVED and doc.issued_version == first
    # In review, no new version may be written over it
    with pytest.raises(Conflict, match="is in review"):
        services.add_version(as_actor(author), doc.pk, services.NewVersion(body="x"))
    services.approve(as_actor(approver), doc.pk)
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED and first.body.startswith("# Information security policy")
    major = services.add_version(as_actor(author), doc.pk, services.NewVersion(body="two", change="major"))
    assert major.label == "2.0"


def test_uploads_are_pdf_docx_or_xlsx_matching_their_content(author: User, isms: ManagementSystem) -> None:
    doc = policy(author, [isms])
    pdf = b"%PDF-1.7\n" + b"x" * 500
    v = services.add_version(
        as_actor(author),
        doc.pk,
        services.NewVersion(file=SimpleUploadedFile("policy.pdf", pdf, "application/pdf")),
    )
    assert (v.format, v.size, v.sha256) == ("file", len(pdf), hashlib.sha256(pdf).hexdigest())
    assert Path(settings.KEEL_EVIDENCE_ROOT) in Path(v.file.path).parents
    with v.file.open("rb") as fh:
        assert fh.read() == pdf

    before = DocumentVersion.objects.count()
    with pytest.raises(ValidationFailed, match="does not look like a DOCX file"):
        services.add_version(
            as_actor(author), doc.pk, services.NewVersion(file=SimpleUploadedFile("p.docx", b"%PDF-1.7 no"))
        )
    with pytest.raises(ValidationFailed, match="not a PDF, Word"):
        services.add_version(
            as_actor(author), doc.pk, services.NewVersion(file=SimpleUploadedFile("p.html", b"<p>x</p>"))
        )
    assert DocumentVersion.objects.count() == before


def test_update_checks_the_version_and_refuses_a_stale_save(author: User, isms: ManagementSystem) -> None:
    doc = policy(author, [isms])
    seen = version_of(Document.objects.get(pk=doc.pk))
    services.update_document(as_actor(author), doc.pk, title="Security policy", expected_version=seen)
    with pytest.raises(EditConflict):
        services.update_document(as_actor(author), doc.pk, title="Stale title", expected_version=seen)
    assert Document.objects.get(pk=doc.pk).title == "Security policy"


def test_a_contributor_may_not_draft_and_an_unknown_requirement_is_named(
    make_user: Callable[..., User], author: User, isms: ManagementSystem
) -> None:
    contributor = make_user(Role.CONTRIBUTOR, isms, email="c@example.com")
    with pytest.raises(PermissionDenied):
        policy(contributor, [isms])
    with pytest.raises(ValidationFailed, match=r"iso27001:2022:99\.9"):
        policy(author, [isms], requirements=["iso27001:2022:5.2", "iso27001:2022:99.9"])
    assert not Document.objects.exists()


def test_retiring_keeps_versions_and_refuses_further_changes(
    author: User, approver: User, isms: ManagementSystem
) -> None:
    doc = approved_policy(author, approver, [isms])
    services.retire_document(as_actor(author), doc.pk, "Replaced by DOC-009")
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.RETIRED and doc.versions.count() == 1
    with pytest.raises(Conflict, match="retired"):
        services.add_version(as_actor(author), doc.pk, services.NewVersion(body="x"))


def test_coverage_one_policy_answers_5_2_of_both_standards_and_gaps_show(
    author: User, approver: User, isms: ManagementSystem, aims: ManagementSystem
) -> None:

    # Given one approved policy of both systems answering 5.2 of both standards, and a draft
    approved_policy(author, approver, [isms, aims], requirements=["iso27001:2022:5.2", "iso42001:2023:5.2"])
    policy(author, [isms], title="Risk assessment process", requirements=["iso27001:2022:6.1.2"])

    # When the coverage is read
    blocks = {(b.management_system.short_name, b.standard.key): b for b in coverage(None, trusted=True)}

    # Then each system's standard lists every requirement flagged as documented information
    isms_rows = {r.requirement.ref_id: r for r in blocks["isms", "iso27001:2022"].rows}
    aims_rows = {r.requirement.ref_id: r for r in blocks["aims", "iso42001:2023"].rows}
    assert {"4.3", "5.2", "6.1.2", "A.5.1"} <= set(isms_rows)
    assert isms_rows["5.2"].state == "answered" and aims_rows["5.2"].state == "answered"
    assert isms_rows["5.2"].documents[0] == aims_rows["5.2"].documents[0]
    assert isms_rows["6.1.2"].state == "not_approved"
    assert isms_rows["4.3"].state == "gap" and isms_rows["4.3"].documents == []
    b = blocks["isms", "iso27001:2022"]
    assert (
        b.answered + b.not_approved + b.gaps
        == len(b.rows)
        == Requirement.objects.filter(
            standard__key="iso27001:2022", documented_information=True, withdrawn_at__isnull=True
        ).count()
    )


def test_check_rules_find_overdue_reviews_and_acknowledgements(
    author: User, approver: User, isms: ManagementSystem
) -> None:
    import datetime as dt

    from keel.documents import acknowledgements
    from keel.documents.hooks import acknowledgements_overdue, review_overdue

    doc = approved_policy(author, approver, [isms])
    assert review_overdue(None) == [] and acknowledgements_overdue(None) == []
    User.objects.filter(pk=author.pk).update(department="Finance")
    acknowledgements.publish(as_actor(author), doc.pk, audience="department", departments=["finance"])
    later = dt.date.today() + dt.timedelta(days=400)
    with mock.patch("keel.documents.queries.today", return_value=later):
        found = acknowledgements_overdue(None)
        assert [f.rule for f in found] == [
            "acknowledgements_overdue"
        ] and "1 acknowledgement overdue" in found[0].title
        assert [f.record_label for f in review_overdue(None)] == [f"{doc.ref_id} {doc.title}"]
        assert review_overdue({uuid.uuid4()}) == []  # another system's perimeter: not seen
    ack = doc.acknowledgements.get()
    acknowledgements.acknowledge(as_actor(author), ack.pk)
    with mock.patch("keel.documents.queries.today", return_value=later):
        assert acknowledgements_overdue(None) == []


def test_a_new_major_version_asks_for_acknowledgement_again_and_minor_does_not(
    author: User, approver: User, isms: ManagementSystem
) -> None:
    from keel.documents import acknowledgements
    from keel.documents.choices import AckStatus

    doc = approved_policy(author, approver, [isms])
    reader = User.objects.create(email="r@example.com", full_name="Rae Reader", has_login=False)
    acknowledgements.publish(as_actor(author), doc.pk, audience="people", people=[reader.email])
    first = doc.acknowledgements.get()
    acknowledgements.acknowledge_by_link(acknowledgements.token_for(first))

    def approve_new(change: str) -> None:
        services.add_version(
            as_actor(author), doc.pk, services.NewVersion(body=f"{change} text", change=change)
        )
        services.submit_for_review(as_actor(author), doc.pk)
        services.approve(as_actor(approver), doc.pk)

    approve_new("minor")
    assert doc.acknowledgements.count() == 1
    approve_new("major")
    latest = doc.acknowledgements.order_by("-created_at").first()
    assert latest is not None and latest.version.label == "2.0" and latest.status == AckStatus.PENDING
    assert doc.acknowledgements.count() == 2
    first.refresh_from_db()
    assert first.status == AckStatus.ACKNOWLEDGED  # what was done stays done
