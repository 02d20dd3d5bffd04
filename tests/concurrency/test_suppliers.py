"""Concurrent writers on supplier assessments (issue 16), on PostgreSQL: a supplier's answers
submitted twice at once through the same link are submitted once — one submission wins, the
other is told it was already submitted (the assessment row is locked before the check)."""

from __future__ import annotations

import pytest

from keel.organisation.models import ManagementSystem
from keel.platform.errors import Conflict
from keel.suppliers import assessments
from keel.suppliers.models import SupplierAssessment
from keel.suppliers.tests import factories as f

from .harness import postgres_only, run_at_once, widen_race
from .replay import library_back_after_flush

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
__all__ = ["library_back_after_flush"]


def test_two_submissions_at_once_submit_once(isms: ManagementSystem) -> None:
    for i in range(5):
        a = f.sent(f.supplier(isms, name=f"Vendor {i}"))
        token, answers = assessments.token_for(a), f.full_answers(a)
        with widen_race(0.02):
            results = run_at_once(
                lambda t=token, x=answers: assessments.answer_by_link(t, x, submit=True, answered_by="One"),
                lambda t=token, x=answers: assessments.answer_by_link(t, x, submit=True, answered_by="Two"),
            )
        won = [r for r in results if isinstance(r, SupplierAssessment)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(won) == 1 and len(refused) == 1, results
        a.refresh_from_db()
        assert a.status == "answered" and a.submitted_by_name == won[0].submitted_by_name
