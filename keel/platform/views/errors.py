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
