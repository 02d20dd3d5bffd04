"""Thin page views of the core domain: parse input, check permission, call a service, render.

Every view carries ``@page(perm, perimeter=...)``; htmx partials are the same views answering
with a fragment when ``request.htmx`` is set. Writes go through the service functions with
``Actor.from_request(request)``; a :class:`KeelError` is shown on the form and nothing changes.

One module per area; the names below are re-exported so ``keel.urls`` (``handler403``,
``handler404``) and other apps (``is_partial``, ``not_found``) import them from here.
"""

from __future__ import annotations

from .account import account, password_change, token_create, token_revoke
from .auth import login_view, logout_view
from .common import INVALID, current_user, is_partial, not_found
from .context import (
    context_page,
    issue_create,
    issue_delete,
    issue_edit,
    issue_row,
    party_create,
    party_delete,
    party_edit,
    party_row,
)
from .dashboard import dashboard
from .errors import page_not_found, permission_denied
from .organisation import (
    organisation_edit,
    organisation_page,
    scope_approve,
    scope_detail,
    scope_draft,
    scope_list,
    system_create,
    system_edit,
)
from .people import (
    people,
    person_activate,
    person_create,
    person_deactivate,
    person_edit,
    person_password,
    role_grant,
    role_revoke,
)
from .trail import trail_page

__all__ = [
    "INVALID",
    "account",
    "context_page",
    "current_user",
    "dashboard",
    "is_partial",
    "issue_create",
    "issue_delete",
    "issue_edit",
    "issue_row",
    "login_view",
    "logout_view",
    "not_found",
    "organisation_edit",
    "organisation_page",
    "page_not_found",
    "party_create",
    "party_delete",
    "party_edit",
    "party_row",
    "password_change",
    "people",
    "permission_denied",
    "person_activate",
    "person_create",
    "person_deactivate",
    "person_edit",
    "person_password",
    "role_grant",
    "role_revoke",
    "scope_approve",
    "scope_detail",
    "scope_draft",
    "scope_list",
    "system_create",
    "system_edit",
    "token_create",
    "token_revoke",
    "trail_page",
]
