"""The dashboard (readiness at a glance) and the consistency-check page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keel.evidence import queries as evidence_queries
from keel.impact import queries as impact_queries
from keel.incidents import queries as incident_queries
from keel.organisation import queries as organisation_queries
from keel.organisation.views.trail import describe
from keel.platform import checks
from keel.platform.errors import KeelError
from keel.platform.pages import page
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import current_user
from keel.site import readiness
from keel.site.checks import only_rules, report
from keel.standards import queries as standards_queries


def _panel(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard panel: each rule with findings, its count and its first finding."""
    first: dict[str, dict[str, Any]] = {}
    for f in doc["findings"]:
        first.setdefault(f["rule"], f)
    return [{**r, "first": first[r["rule"]]} for r in doc["rules"] if r["count"]]


@page(Perm.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    can_trail = system_ids_with(user, Perm.VIEW_TRAIL) != set()  # its own systems' entries at least
    check = report(checks.perimeter(user))
    # the first-run checklist is for the people who set the instance up (its links are theirs)
    steps = readiness.checklist(user) if system_ids_with(user, Perm.MANAGE_SYSTEMS) != set() else []
    scopes = organisation_queries.scope_overview(user)
    return render(
        request,
        "site/dashboard.html",
        {
            "systems": scopes,
            "readiness": readiness.systems_readiness(user, [s.system for s in scopes]),
            "due_for_me": readiness.due_for_me(user),
            "checklist": steps if steps and not all(step.done for step in steps) else None,
            "checklist_done": sum(step.done for step in steps),
            "context_counts": organisation_queries.context_counts_by_standard(),
            "context": organisation_queries.context_summary(),
            "standards": standards_queries.standards_with_counts(),
            "evidence_expiry": evidence_queries.expiry_summary(user),
            "impact_due": impact_queries.due_summary(user),
            "incident_clocks": incident_queries.open_clocks(user),
            "check": check,
            "check_rules": _panel(check),
            "recent": describe(organisation_queries.recent_trail(user), user, with_changes=False)
            if can_trail
            else None,
        },
    )


@page(Perm.VIEW)
def check_list(request: HttpRequest) -> HttpResponse:
    """Every finding of the consistency check within the user's perimeter, by rule
    (``?rule=KEY`` narrows to one rule)."""
    user = current_user(request)
    rule = request.GET.get("rule", "").strip()
    problem = ""
    try:
        only = only_rules(rule)
    except KeelError as exc:
        only, problem = (), exc.message
    doc = report(checks.perimeter(user), only=only)
    return render(
        request,
        "site/checks.html",
        {
            "check": doc,
            "rule": rule,
            "problem": problem,
            "rules": checks.rules(),
            # a finding an auditor would flag can become a nonconformity (keel.improvement)
            "can_raise": system_ids_with(user, Perm.RAISE_NONCONFORMITIES) != set(),
        },
        status=422 if problem else 200,
    )
