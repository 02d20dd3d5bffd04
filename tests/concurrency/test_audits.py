"""Concurrent writers on an internal audit, on PostgreSQL: two auditors recording findings on one
audit at once get F-1 and F-2 (the audit row is locked while the next number is read), and two
people raising the same nonconformity finding at once raise one nonconformity, the other is
told it is already raised."""

from __future__ import annotations

import pytest

from keel.audits import results, services
from keel.audits.choices import AuditStatus
from keel.audits.models import Finding
from keel.audits.tests import factories as f
from keel.improvement.models import Nonconformity
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import Conflict

from .harness import postgres_only, run_at_once, widen_race
from .replay import library_back_after_flush

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]
A, B = Actor.system("auditor-a"), Actor.system("auditor-b")


def test_two_findings_at_once_get_two_numbers_and_one_finding_is_raised_once(isms: ManagementSystem) -> None:
    a = f.audit(f.programme([isms]), management_systems=[isms.short_name])
    services.move_audit(A, a.ref_id, AuditStatus.IN_PROGRESS)
    with widen_race(0.02):
        for i in range(10):
            got = run_at_once(
                lambda i=i: results.add_finding(A, a.ref_id, grade="ofi", title=f"A{i}", description="x"),
                lambda i=i: results.add_finding(B, a.ref_id, grade="ofi", title=f"B{i}", description="y"),
            )
            assert not [r for r in got if isinstance(r, BaseException)], got
    numbers = sorted(Finding.objects.filter(audit=a).values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    nc = results.add_finding(
        A, a.ref_id, grade="minor_nc", title="NC", description="z", requirements=[f.CLAUSE]
    )
    with widen_race(0.02):
        got = run_at_once(
            lambda: results.raise_finding(A, a.ref_id, nc.ref),
            lambda: results.raise_finding(B, a.ref_id, nc.ref),
        )
    assert sum(isinstance(r, Conflict) for r in got) == 1, got
    assert Nonconformity.objects.count() == 1
