"""The consistency check's one report, shared by the dashboard panel, ``keel check`` and
``GET /api/v1/checks`` (docs/consistency-check.md): the findings of every registered rule
within the viewer's perimeter, with the management systems named."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform import checks


def report(systems: checks.Systems, *, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """``{"checked_at", "count", "rules": [{"rule", "title", "count"}], "findings": [{"rule",
    "title", "detail", "record_label", "url", "management_system_id", "management_system"}]}``."""
    findings = checks.run(systems, only=only)
    names = dict(
        ManagementSystem.objects.filter(pk__in={f.management_system_id for f in findings}).values_list(
            "pk", "short_name"
        )
    )
    return {
        "checked_at": timezone.now().isoformat(timespec="seconds"),
        "count": len(findings),
        "rules": checks.summary(findings),
        "findings": [
            {**f.as_dict(), "management_system": names.get(f.management_system_id)} for f in findings
        ],
    }
