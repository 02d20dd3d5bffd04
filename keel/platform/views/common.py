"""Helpers shared by the page views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keel.platform.models import User

INVALID = 422


def current_user(request: HttpRequest) -> User:
    """The logged-in user (the ``@page`` decorator has checked there is one)."""
    return request.user  # type: ignore[return-value]


def is_partial(request: HttpRequest) -> bool:
    """True for an htmx request that wants a fragment (not a boosted page or a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request, "platform/error.html", {"status": 404, "title": "Not found", "message": message}, status=404
    )
