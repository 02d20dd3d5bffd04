"""Security headers (including the content security policy) and the login wall."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

# No inline scripts, no eval, no hx-on handlers: every script is a file served by us.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets styles inline; its page gets this policy (scripts stay 'self' only).
CSP_API_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

PUBLIC_PREFIXES = ("/static/", "/api/", "/login/", "/healthz", "/favicon.ico", "/acknowledge/", "/supplier-answer/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = CSP_API_DOCS if request.path.startswith("/api/v1/docs") else CSP
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response.setdefault("Cache-Control", "no-store")
        return response


class LoginRequiredMiddleware:
    """Every page needs a logged-in user except the login page and static files. The API
    authenticates on its own (session or bearer token) and answers 401 in its error format."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            login = reverse(settings.LOGIN_URL)
            return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class ApiErrorFormatMiddleware:
    """Answers under /api/ that never reach an operation — an unknown path (404), a method the
    path does not have (405), an unexpected server error (500) — get the API's one error
    format instead of an HTML or plain-text page."""

    MESSAGES = {
        404: ("not_found", "There is no API operation at this address. See /api/v1/docs."),
        405: ("method_not_allowed", "This API path does not accept the {method} method."),
        500: (
            "server_error",
            "Something went wrong on the server and it has been logged. Reload before retrying a change.",
        ),
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code not in self.MESSAGES:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return self._error(request, response.status_code, response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith("/api/") or settings.DEBUG:
            return None
        logging.getLogger("keel.site.api").exception("unhandled error in %s %s", request.method, request.path)
        return self._error(request, 500, None)

    def _error(self, request: HttpRequest, status: int, original: HttpResponse | None) -> HttpResponse:
        code, message = self.MESSAGES[status]
        out = JsonResponse(
            {"error": {"code": code, "message": message.format(method=request.method), "fields": {}}},
            status=status,
        )
        if original is not None and original.has_header("Allow"):
            out["Allow"] = original["Allow"]
        return out


class RejectControlCharactersMiddleware:
    """A NUL (or another control character) in the query string or a form field is never
    meaningful here, and PostgreSQL refuses NUL in text: answer 400 with a clear message
    before any view or query sees it."""

    MESSAGE = "The request contains a control character (such as NUL); remove it and try again."

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def _bad(text: str) -> bool:
        return any(ord(c) < 32 and c not in "\t\n\r" for c in text)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        values = [v for vs in request.GET.lists() for v in [vs[0], *vs[1]]]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            values += [v for vs in request.POST.lists() for v in [vs[0], *vs[1]]]
        if any(self._bad(v) for v in values) or self._bad(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "bad_request", "message": self.MESSAGE, "fields": {}}}, status=400
                )
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = (
    "The database is busy with a long write (such as an import) and could not take this change in "
    "time. Nothing was changed: try again in a few seconds."
)


def is_database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" (or "… table is locked"): another
    writer held the lock for longer than ``busy_timeout``."""
    return isinstance(exc, OperationalError) and "is locked" in str(exc)


def database_busy_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the API's error format under /api/, a short page otherwise (it
    does not touch the database, which is busy)."""
    logging.getLogger("keel.db").warning("database busy in %s %s", request.method, request.path)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": "database_busy", "message": BUSY_MESSAGE, "fields": {}}}, status=503
        )
    else:
        response = HttpResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Busy, try again</title>'
            "</head><body><main><h1>Busy, try again in a few seconds</h1><p>"
            f'{escape(BUSY_MESSAGE)}</p><p><a href="">Reload</a></p></main></body></html>',
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """A page or API call that meets SQLite's "database is locked" answers 503 with
    ``Retry-After`` instead of a 500 (docs/adr/0016-imports-stream-and-stage.md). Last in
    ``MIDDLEWARE`` so that its ``process_exception`` runs before the API's 500 formatter."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_busy(exception):
            return database_busy_response(request)
        return None
