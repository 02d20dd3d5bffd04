"""The consistency check's one report, shared by the dashboard panel, ``keel check`` and
``GET /api/v1/checks`` (docs/consistency-check.md): the findings of every registered rule
within the viewer's perimeter, with the management systems named."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from keel.organisation.models import ManagementSystem
from keel.platform import checks
from keel.platform.api import actor, permission, responses
from keel.platform.errors import ValidationFailed
from keel.platform.permissions import Perm, check


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
            {
                **f.as_dict(),
                "management_system": names.get(f.management_system_id) if f.management_system_id else None,
            }
            for f in findings
        ],
    }


def only_rules(value: str) -> tuple[str, ...]:
    """``rule=a,b``: the rule keys asked for; an unknown key is a validation error naming it."""
    wanted = tuple(k.strip() for k in value.split(",") if k.strip())
    known = {r.key for r in checks.rules()}
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ValidationFailed(
            f"Unknown rule {', '.join(unknown)}: one of {', '.join(sorted(known))}.",
            {"rule": ["Unknown rule."]},
        )
    return wanted


# ---------------------------------------------------------------- GET /api/v1/checks

router = Router(tags=["consistency check"])


class RuleCountOut(Schema):
    rule: str = Field(description="The rule's stable key.")
    title: str
    count: int = Field(description="Findings of this rule within your perimeter (0 included).")


class FindingOut(Schema):
    rule: str
    title: str
    detail: str = Field(description="What is wrong and how to fix it.")
    record_label: str = Field(description="The record the finding is about, as people name it.")
    url: str = Field(description="The path of the page that fixes it (relative to the site).")
    management_system_id: uuid.UUID | None = Field(description="None: an organisation-level record.")
    management_system: str | None = Field(description="The management system's short name.")


class CheckReportOut(Schema):
    checked_at: dt.datetime
    count: int = Field(description="How many findings; 0 when nothing is flagged.")
    rules: list[RuleCountOut]
    findings: list[FindingOut]


class CheckFilters(Schema):
    rule: str = Field("", description="Only these rules: keys separated by commas.")


@router.get(
    "/checks",
    response=responses(CheckReportOut),
    summary="The consistency check: what an auditor would flag",
    description="Every finding of every consistency rule over the records you may view (not paged: "
    "one report). See docs/consistency-check.md for the rules.",
    openapi_extra=permission(Perm.VIEW),
)
def get_checks(request: HttpRequest, filters: Query[CheckFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    return report(checks.perimeter(who.user), only=only_rules(filters.rule))
