"""The demo's audit programme: a three-year programme over both standards, one closed audit with
a sample, a minor nonconformity raised in the improvement queue, an observation and an OFI, and
one planned audit; the coverage matrix shows what is audited, planned and never audited."""

from __future__ import annotations

from keel.audits.choices import AuditStatus
from keel.audits.coverage import coverage
from keel.audits.models import Audit, AuditProgramme, AuditSample
from keel.platform.tests.shared_db import LoadedDemo


def test_demo_programme_audits_findings_and_coverage(demo: LoadedDemo) -> None:
    prog = AuditProgramme.objects.get()
    assert prog.last_year - prog.first_year == 2 and prog.standards.count() == 2
    done, planned = Audit.objects.order_by("planned_start")
    assert done.status == AuditStatus.CLOSED and planned.status == AuditStatus.PLANNED
    grades = sorted(done.findings.values_list("grade", flat=True))
    assert grades == ["minor_nc", "observation", "ofi"]
    nc = done.findings.get(grade="minor_nc").nonconformity
    assert nc is not None and nc.source == "internal_audit" and nc.source_ref == f"{done.ref_id} F-1"
    samples = AuditSample.objects.filter(item__audit=done)
    assert samples.count() >= 2 and samples.filter(result="not_available").count() == 1
    assert planned.items.count() >= 4 and planned.ai_systems.filter(short_name="credit-scoring").exists()
    cov = coverage(prog)
    assert cov.audited >= 5 and cov.gaps and any(r.planned for r in cov.rows)
