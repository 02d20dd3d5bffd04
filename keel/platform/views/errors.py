"""The error pages (403, 404) Django renders through ``handler403``/``handler404``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "platform/error.html",
        {
            "status": 403,
            "title": "Not allowed",
            "message": str(exception or "") or "You are not allowed to see this page.",
        },
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = "There is no page at this address."
    if (
        isinstance(exception, Http404)
        and not isinstance(exception, Resolver404)
        and exception.args
        and isinstance(exception.args[0], str)
    ):
        message = exception.args[0]
    return render(
        request, "platform/error.html", {"status": 404, "title": "Not found", "message": message}, status=404
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: SQLite's "database is locked" raised outside a view (a middleware saving
    the session, say) is a 503 with Retry-After like inside one; anything else is Django's 500."""
    import sys

    from django.views.defaults import server_error as default_server_error

    from keel.platform.middleware import database_busy_response, is_database_busy

    exc = sys.exc_info()[1]
    if exc is not None and is_database_busy(exc):
        return database_busy_response(request)
    return default_server_error(request)
