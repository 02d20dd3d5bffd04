"""Services of the evidence register: versions never overwrite, SHA-256 and size are right,
bad input changes nothing, a failed transaction leaves no file behind."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from keel.controls import services as controls
from keel.evidence import queries, services
from keel.evidence.choices import Validity
from keel.evidence.models import Evidence, EvidenceVersion
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User

from .factories import SYSTEM, file_evidence, link_evidence, new_file_version, upload

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.KEEL_EVIDENCE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_file_is_stored_with_its_sha256_and_size(isms: ManagementSystem) -> None:
    # Given a file
    content = b"user,last_login\n" + b"x" * 100_000

    # When it is added as evidence
    ev = file_evidence([isms], content=content, name="review.csv")

    # Then the version records the file's SHA-256 and size, and the stored bytes are the same
    v = ev.versions.get()
    assert v.number == 1 and ev.current_version == v
    assert v.sha256 == hashlib.sha256(content).hexdigest()
    assert v.size == len(content)
    assert v.filename == "review.csv" and v.content_type == "text/csv"
    with v.file.open("rb") as fh:
        assert fh.read() == content
    assert ev.ref_id == "EV-001"
    assert Path(settings.KEEL_EVIDENCE_ROOT) in Path(v.file.path).parents


def test_digest_reads_in_chunks_and_matches_hashlib() -> None:
    data = bytes(range(256)) * 1000
    d = services.digest(ContentFile(data))
    assert (d.sha256, d.size) == (hashlib.sha256(data).hexdigest(), len(data))


def test_adding_a_version_keeps_every_earlier_version_and_file(isms: ManagementSystem) -> None:
    # Given evidence with a first file
    ev = file_evidence([isms], content=b"first review")
    first = ev.versions.get()

    # When a second version is uploaded, with the same file name
    second = new_file_version(ev, b"second review", name="access-review.csv")

    # Then both versions exist with their own files, and the first is unchanged
    first.refresh_from_db()
    assert [v.number for v in ev.versions.order_by("number")] == [1, 2]
    assert first.file.name != second.file.name
    with first.file.open("rb") as fh:
        assert fh.read() == b"first review"
    with second.file.open("rb") as fh:
        assert fh.read() == b"second review"
    ev.refresh_from_db()
    assert ev.current_version_id == second.pk
    assert len(stored_files()) == 2


def test_the_storage_never_overwrites_an_existing_file(isms: ManagementSystem) -> None:
    # Given a stray file lying exactly where the next version would go
    ev = file_evidence([isms], content=b"one")
    digest = hashlib.sha256(b"two").hexdigest()
    stray = f"{ev.pk}/v0002-{digest[:16]}.csv"
    services.storage().save(stray, ContentFile(b"someone else's bytes"))

    # When the version is added
    v = new_file_version(ev, b"two", name="x.csv")

    # Then it gets another name, and the stray file keeps its content
    assert v.file.name != stray
    with services.storage().open(stray, "rb") as fh:
        assert fh.read() == b"someone else's bytes"


def test_an_empty_file_is_refused(isms: ManagementSystem) -> None:
    with pytest.raises(ValidationFailed, match="is empty"):
        file_evidence([isms], content=b"")
    assert not Evidence.objects.exists() and not stored_files()


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(
    isms: ManagementSystem, settings: Any
) -> None:
    settings.KEEL_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed, match=r"the limit is 1 KB \(KEEL_EVIDENCE_MAX_BYTES\)"):
        file_evidence([isms], content=b"x" * 1025)
    assert not Evidence.objects.exists() and not stored_files()
    assert file_evidence([isms], content=b"x" * 1024).current_version.size == 1024  # type: ignore[union-attr]


def test_a_stream_longer_than_it_declared_is_stopped_at_the_limit(settings: Any) -> None:
    settings.KEEL_EVIDENCE_MAX_BYTES = 10
    f = upload(b"x" * 50)
    f.size = 5  # a lying client
    with pytest.raises(ValidationFailed, match="limit"):
        services._prepare("file", services.NewVersion(file=f))


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "data:text/html,hi",
        "https://ex ample.com",
        "https://example.com/\x01",
        "not a url",
    ],
)
def test_links_other_than_http_and_https_are_refused(url: str, isms: ManagementSystem) -> None:
    with pytest.raises(ValidationFailed):
        link_evidence([isms], url=url)
    assert not Evidence.objects.exists()


def test_control_characters_in_text_are_refused(isms: ManagementSystem) -> None:
    with pytest.raises(ValidationFailed, match="control characters"):
        file_evidence([isms], title="Review\x00")
    assert not stored_files()


def test_a_file_name_loses_its_folders_and_dangerous_characters() -> None:
    assert services.safe_filename("../../etc/passwd") == "passwd"
    assert services.safe_filename("C:\\Users\\x\\report.pdf") == "report.pdf"
    assert services.safe_filename('a"b\r\n.pdf') == "ab.pdf"
    assert services.safe_filename("") == "evidence"


def test_dates_must_make_sense(isms: ManagementSystem) -> None:
    today = queries.today()
    with pytest.raises(ValidationFailed, match="in the future"):
        file_evidence([isms], collected_on=today + dt.timedelta(days=2))
    with pytest.raises(ValidationFailed, match="before the day it was collected"):
        file_evidence([isms], collected_on=today, valid_until=today - dt.timedelta(days=1))


def test_a_failed_transaction_leaves_no_file_behind(isms: ManagementSystem) -> None:
    # Given the trail write fails after the file was stored
    with (
        mock.patch("keel.evidence.services.register.trail.record", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        file_evidence([isms], content=b"will be rolled back")

    # Then neither the row nor the file remains
    assert not Evidence.objects.exists() and not EvidenceVersion.objects.exists()
    assert not stored_files()


def test_a_failed_new_version_leaves_the_earlier_one_and_no_new_file(isms: ManagementSystem) -> None:
    ev = file_evidence([isms], content=b"v1")
    with (
        mock.patch("keel.evidence.services.files.trail.record", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        new_file_version(ev, b"v2")
    assert ev.versions.count() == 1 and len(stored_files()) == 1


def test_withdrawing_keeps_versions_files_and_links(isms: ManagementSystem) -> None:
    # Given evidence linked to a control, with two versions
    control = controls.create_control(SYSTEM, title="Access review", type="process", frequency="quarterly")
    ev = file_evidence([isms], content=b"v1", controls=[control.ref_id])
    new_file_version(ev, b"v2")

    # When it is withdrawn ("deleted")
    services.withdraw_evidence(SYSTEM, ev.pk, "Replaced by the IAM export")

    # Then it is withdrawn, everything stays, and it cannot be changed any more
    ev.refresh_from_db()
    assert ev.status == "withdrawn" and ev.withdrawn_at is not None
    assert ev.versions.count() == 2 and len(stored_files()) == 2
    assert ev.control_links.count() == 1
    with pytest.raises(Conflict, match="withdrawn"):
        new_file_version(ev, b"v3")
    assert TrailEntry.objects.filter(object_id=str(ev.pk), action="delete").exists()


def test_each_change_writes_the_trail(isms: ManagementSystem) -> None:
    control = controls.create_control(SYSTEM, title="Pentest", type="technical", frequency="annually")
    ev = link_evidence([isms])
    services.link_control(SYSTEM, ev.pk, control.ref_id)
    services.link_requirement(SYSTEM, ev.pk, "iso27001:2022:A.8.8")
    services.update_evidence(SYSTEM, ev.pk, title="Public status page")
    services.add_version(SYSTEM, ev.pk, services.NewVersion(url="https://status.example.com/history"))
    services.unlink_control(SYSTEM, ev.pk, control.ref_id)
    services.unlink_requirement(SYSTEM, ev.pk, "iso27001:2022:A.8.8")
    kinds = [(e.object_type, e.action) for e in queries.history(ev)]
    assert ("evidence.evidence", "create") in kinds and ("evidence.evidence", "update") in kinds
    assert kinds.count(("evidence.evidenceversion", "create")) == 2
    assert ("evidence.evidencecontrol", "create") in kinds and ("evidence.evidencecontrol", "delete") in kinds
    assert ("evidence.evidencerequirement", "delete") in kinds


def test_a_link_twice_is_a_conflict(isms: ManagementSystem) -> None:
    ev = link_evidence([isms], requirements=["iso27001:2022:A.5.15"])
    with pytest.raises(Conflict):
        services.link_requirement(SYSTEM, ev.pk, "iso27001:2022:A.5.15")


def test_kinds_do_not_mix(isms: ManagementSystem) -> None:
    ev = link_evidence([isms])
    with pytest.raises(ValidationFailed, match="is a link"):
        services.add_version(SYSTEM, ev.pk, services.NewVersion(file=upload()))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMPLIANCE_MANAGER, Role.CONTRIBUTOR])
def test_contributors_and_managers_add_evidence_in_their_system(
    role: str, make_user: Callable[..., User], isms: ManagementSystem
) -> None:
    user = make_user(role, isms)
    ev = file_evidence([isms], actor=Actor.for_user(user, "web"))
    assert ev.current_version.collected_by == user  # type: ignore[union-attr]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.VIEWER])
def test_auditors_and_viewers_cannot_add_evidence(
    role: str, make_user: Callable[..., User], isms: ManagementSystem
) -> None:
    user = make_user(role, isms)
    with pytest.raises(PermissionDenied):
        file_evidence([isms], actor=Actor.for_user(user, "web"))
    assert not stored_files()


def test_a_contributor_of_another_system_cannot_add_a_version(
    make_user: Callable[..., User], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    ev = file_evidence([isms])
    user = make_user(Role.CONTRIBUTOR, aims)
    with pytest.raises(PermissionDenied):
        services.add_version(Actor.for_user(user, "web"), ev.pk, services.NewVersion(file=upload(b"x")))


def test_validity_rule() -> None:
    on = dt.date(2026, 6, 1)
    assert queries.validity(None, on) == Validity.NO_EXPIRY
    assert queries.validity(dt.date(2026, 5, 31), on) == Validity.EXPIRED
    assert queries.validity(on, on) == Validity.EXPIRING  # valid through its last day
    assert queries.validity(on + dt.timedelta(days=30), on) == Validity.EXPIRING
    assert queries.validity(on + dt.timedelta(days=31), on) == Validity.VALID


def test_verify_reports_missing_and_altered_files(isms: ManagementSystem) -> None:
    # Given three files, one then altered and one removed
    a = file_evidence([isms], content=b"a")
    b = file_evidence([isms], content=b"b", title="B")
    file_evidence([isms], content=b"c", title="C")
    assert services.verify_evidence_files().ok
    path_a = Path(a.current_version.file.path)  # type: ignore[union-attr]
    path_a.write_bytes(b"tampered")
    Path(b.current_version.file.path).unlink()  # type: ignore[union-attr]

    # When the files are verified
    report = services.verify_evidence_files()

    # Then both problems are reported
    assert not report.ok and report.checked == 3
    found = report.as_dict()
    assert [p["evidence"] for p in found["altered"]] == [a.ref_id]
    assert [p["evidence"] for p in found["missing"]] == [b.ref_id]
