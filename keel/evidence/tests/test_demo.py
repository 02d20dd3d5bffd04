"""The demo's evidence: stored through the services, some expired and some expiring soon."""

from __future__ import annotations

from keel.evidence import queries, services
from keel.evidence.choices import Validity
from keel.evidence.models import Evidence, EvidenceVersion
from keel.platform.models import User
from keel.platform.tests.shared_db import LoadedDemo
from keel.site.demo import DEMO_ADMIN_EMAIL


def test_demo_evidence_shows_expired_and_expiring_items_and_every_file_verifies(demo: LoadedDemo) -> None:
    assert Evidence.objects.count() >= 8
    validity = {queries.validity_of(e) for e in Evidence.objects.select_related("current_version")}
    assert {Validity.EXPIRED, Validity.EXPIRING, Validity.VALID, Validity.NO_EXPIRY} <= validity
    assert EvidenceVersion.objects.filter(evidence__title__startswith="Quarterly access review").count() == 2
    assert Evidence.objects.filter(controls__isnull=False).distinct().count() >= 8
    report = services.verify_evidence_files()
    assert report.ok and report.checked == EvidenceVersion.objects.exclude(file="").count()
    summary = queries.expiry_summary(User.objects.get(email=DEMO_ADMIN_EMAIL))
    assert summary.expired >= 1 and summary.expiring >= 1
