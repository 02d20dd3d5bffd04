"""The dashboard: readiness at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keel.evidence import queries as evidence_queries
from keel.impact import queries as impact_queries
from keel.standards import queries as standards_queries

from .. import queries
from ..pages import page
from ..permissions import Perm, system_ids_with
from .common import current_user
from .trail import describe


@page(Perm.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    can_trail = system_ids_with(user, Perm.VIEW_TRAIL) != set()  # its own systems' entries at least
    return render(
        request,
        "core/dashboard.html",
        {
            "systems": queries.scope_overview(user),
            "context_counts": queries.context_counts_by_standard(),
            "context": queries.context_summary(),
            "standards": standards_queries.standards_with_counts(),
            "evidence_expiry": evidence_queries.expiry_summary(user),
            "impact_due": impact_queries.due_summary(user),
            "recent": describe(queries.recent_trail(user), user, with_changes=False) if can_trail else None,
        },
    )
