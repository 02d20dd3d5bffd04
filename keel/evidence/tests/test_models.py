"""Database constraints of the evidence register: a version is a file or a link, numbers are
unique per evidence, validity follows collection, links are unique."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from keel.evidence.models import EvidenceControl, EvidenceVersion
from keel.organisation.models import ManagementSystem

from .factories import file_evidence, link_evidence

pytestmark = pytest.mark.django_db


def _refused(**fields: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceVersion.objects.create(**fields)  # type: ignore[arg-type]


def test_a_version_is_a_file_or_a_link_never_both_nor_neither(isms: ManagementSystem) -> None:
    ev = link_evidence([isms])
    today = dt.date.today()
    _refused(evidence=ev, number=2, collected_on=today)  # neither
    _refused(
        evidence=ev,
        number=2,
        collected_on=today,
        url="https://x.example",
        file="a/b",
        sha256="0" * 64,
        size=1,
    )
    _refused(evidence=ev, number=2, collected_on=today, file="a/b", size=1)  # a file without its checksum


def test_version_numbers_are_unique_and_positive(isms: ManagementSystem) -> None:
    ev = link_evidence([isms])
    today = dt.date.today()
    _refused(evidence=ev, number=1, collected_on=today, url="https://x.example")
    _refused(evidence=ev, number=0, collected_on=today, url="https://x.example")


def test_valid_until_cannot_precede_collection(isms: ManagementSystem) -> None:
    ev = link_evidence([isms])
    today = dt.date.today()
    _refused(
        evidence=ev,
        number=2,
        collected_on=today,
        valid_until=today - dt.timedelta(days=1),
        url="https://x.example",
    )


def test_evidence_cannot_be_deleted_while_it_has_versions(isms: ManagementSystem) -> None:
    from django.db.models import ProtectedError

    ev = file_evidence([isms])
    with pytest.raises(ProtectedError):
        ev.delete()


def test_a_control_link_is_unique(isms: ManagementSystem) -> None:
    from keel.controls import services as controls

    from .factories import SYSTEM

    control = controls.create_control(SYSTEM, title="C", type="process", frequency="annually")
    ev = link_evidence([isms], controls=[control.ref_id])
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceControl.objects.create(evidence=ev, control=control)
