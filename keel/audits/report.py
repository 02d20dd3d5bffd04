"""The audit report (PDF through :mod:`keel.platform.pdf`): scope, team, dates, the checklist
with results and samples, the findings and the conclusion."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils import timezone

from .choices import AuditFindingGrade, AuditItemResult
from .models import Audit


def report_context(a: Audit) -> dict[str, Any]:
    items = list(
        a.items.select_related("requirement__standard", "control")
        .prefetch_related("evidence", "samples__evidence")
        .order_by("position")
    )
    findings = list(a.findings.prefetch_related("requirements__standard", "controls").order_by("number"))
    results = Counter(i.result for i in items)
    grades = Counter(f.grade for f in findings)
    return {
        "audit": a,
        "programme": a.programme,
        "requirements": list(
            a.requirements.select_related("standard").order_by("standard__key", "sort_order")
        ),
        "controls": list(a.controls.order_by("ref_id")),
        "ai_systems": list(a.ai_systems.order_by("name")),
        "management_systems": list(a.management_systems.order_by("name")),
        "processes": [p for p in a.processes.splitlines() if p.strip()],
        "team": list(a.team.order_by("full_name", "email")),
        "items": items,
        "findings": findings,
        "result_counts": [(label, results.get(value, 0)) for value, label in AuditItemResult.choices],
        "grade_counts": [(label, grades.get(value, 0)) for value, label in AuditFindingGrade.choices],
        "generated_at": timezone.now(),
    }
