"""The demo's documented information: the coverage of each standard lists every required piece
with its document or a gap; one policy answers 5.2 of both standards; the AI policy is another
document; the published policies have outstanding acknowledgements, some asked again after a
new major version; the check finds the lapsed review."""

from __future__ import annotations

from keel.documents.choices import AckStatus, CoverageState
from keel.documents.coverage import coverage
from keel.documents.hooks import review_overdue
from keel.documents.models import Acknowledgement, Document
from keel.platform.models import User
from keel.platform.tests.shared_db import LoadedDemo
from keel.site.demo import DEMO_ADMIN_EMAIL
from keel.standards.models import Requirement


def test_demo_coverage_policy_set_and_acknowledgements(demo: LoadedDemo) -> None:
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    blocks = coverage(admin)
    for b in blocks:
        required = Requirement.objects.filter(
            standard=b.standard, documented_information=True, withdrawn_at__isnull=True
        ).count()
        assert len(b.rows) == required > 0
        assert b.answered >= 1 and b.gaps >= 1  # the demo answers some and leaves gaps to show
        assert all((r.state == CoverageState.GAP) == (r.documents == []) for r in b.rows)

    integrated = {b.standard.key: b for b in blocks if b.management_system.short_name == "integrated"}
    answers = {
        key: {d.title for r in integrated[key].rows if r.requirement.ref_id == "5.2" for d in r.documents}
        for key in ("iso27001:2022", "iso42001:2023")
    }
    assert "Management system policy" in answers["iso27001:2022"] & answers["iso42001:2023"]
    ai_policy = Document.objects.get(title="AI policy")
    security_policy = Document.objects.get(title="Information security policy")
    assert ai_policy.pk != security_policy.pk
    assert ai_policy.issued_version is not None and ai_policy.issued_version.label == "2.0"
    assert security_policy.issued_version is not None and security_policy.issued_version.label == "1.1"

    pending = Acknowledgement.objects.filter(status=AckStatus.PENDING)
    assert pending.count() > 10
    again = pending.get(document=ai_policy, person__email__startswith="jamal.wright")
    assert again.version.label == "2.0"  # acknowledged 1.0, asked again for the major version
    assert [f.record_label for f in review_overdue(None)] == [
        f"{d.ref_id} {d.title}" for d in Document.objects.filter(title="Incident response plan")
    ]
