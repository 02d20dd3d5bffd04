"""The dashboard: readiness at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keel.evidence import queries as evidence_queries
from keel.impact import queries as impact_queries
from keel.organisation import queries as organisation_queries
from keel.organisation.views.trail import describe
from keel.platform.pages import page
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import current_user
from keel.site import readiness
from keel.standards import queries as standards_queries


@page(Perm.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    can_trail = system_ids_with(user, Perm.VIEW_TRAIL) != set()  # its own systems' entries at least
    # the first-run checklist is for the people who set the instance up (its links are theirs)
    steps = readiness.checklist(user) if system_ids_with(user, Perm.MANAGE_SYSTEMS) != set() else []
    return render(
        request,
        "site/dashboard.html",
        {
            "systems": organisation_queries.scope_overview(user),
            "readiness": readiness.systems_readiness(user),
            "due_for_me": readiness.due_for_me(user),
            "checklist": steps if steps and not all(step.done for step in steps) else None,
            "checklist_done": sum(step.done for step in steps),
            "context_counts": organisation_queries.context_counts_by_standard(),
            "context": organisation_queries.context_summary(),
            "standards": standards_queries.standards_with_counts(),
            "evidence_expiry": evidence_queries.expiry_summary(user),
            "impact_due": impact_queries.due_summary(user),
            "recent": describe(organisation_queries.recent_trail(user), user, with_changes=False)
            if can_trail
            else None,
        },
    )
