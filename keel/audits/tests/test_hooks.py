"""What the audits app registers: the reminder source, the report-overdue rule, the person page
and the re-tagging on a split or merge of management systems."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from keel.audits import hooks, services
from keel.audits.choices import AuditStatus
from keel.organisation.models import Organisation
from keel.platform import checks
from keel.work import reminders

from . import factories as f

pytestmark = pytest.mark.django_db


def test_reminders_name_the_audit_to_start_and_the_overdue_report(isms: Any, make_user: Any) -> None:
    lead = make_user()
    today = timezone.localdate()
    prog = f.programme([isms], first_year=today.year - 1, last_year=today.year + 1)
    soon = f.audit(
        prog,
        planned_start=today + dt.timedelta(days=5),
        planned_end=today + dt.timedelta(days=6),
        lead_auditor=lead.email,
    )
    late = f.audit(
        prog,
        title="Late",
        planned_start=today - dt.timedelta(days=40),
        planned_end=today - dt.timedelta(days=38),
        lead_auditor=lead.email,
        management_systems=[isms.short_name],
    )
    services.move_audit(f.SYSTEM, late.ref_id, AuditStatus.IN_PROGRESS)
    due = {
        d.key: d for d in reminders.due_items(Organisation.objects.get(), today) if d.key.startswith("audit_")
    }
    start_key = f"audit_start:{soon.ref_id}:{soon.planned_start.isoformat()}"
    assert due[start_key].person_id == lead.pk and not due[start_key].overdue(today)
    report = next(d for k, d in due.items() if k.startswith(f"audit_report:{late.ref_id}"))
    assert report.overdue(today) and report.due == late.planned_end + dt.timedelta(days=14)
    found = [x for x in hooks.reports_overdue(None) if x.rule == "audit_report_overdue"]
    assert [x.record_label for x in found] == [f"{late.ref_id} Late"]
    assert "audit_report_overdue" in {r.key for r in checks.rules()}
    assert hooks.reports_overdue({isms.pk}) and not hooks.reports_overdue(set())
    owned = hooks.owned(lead, None)
    assert {o.ref for o in owned} == {soon.ref_id, late.ref_id}


def test_a_merge_moves_programmes_and_audits_to_the_target(isms: Any, aims: Any) -> None:
    prog = f.programme([isms])
    a = f.audit(prog, management_systems=[isms.short_name])
    with transaction.atomic():
        pending = hooks.restructured(f.SYSTEM, "merge", isms, aims, None)
    assert len(pending) == 2
    assert list(a.management_systems.all()) == [aims] and list(prog.management_systems.all()) == [aims]
