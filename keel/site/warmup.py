"""Warm the application before the web server forks its workers.

The first request of a fresh process used to take about a second: URL patterns resolved, view
modules imported, templates compiled, the password hasher's module loaded. ``keel serve`` loads the
application once in gunicorn's master (``preload_app``) and calls :func:`warm` there, so every
worker starts warm. Nothing is written: the requests are anonymous GETs of public pages, and every
database connection opened is closed before the fork.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from django.db import connections
from django.urls import get_resolver

# Pages anyone may open: the login page draws the base layout; the others redirect to it.
WARM_PATHS = ("/login/", "/", "/controls/")


def warm(
    application: Callable[..., Iterable[bytes]],
    paths: Iterable[str] = WARM_PATHS,
    *,
    close_connections: bool = True,
) -> dict[str, int]:
    """Resolve every URL pattern, load the password hasher and answer ``paths`` once through the
    WSGI ``application``. Returns the status of each path (for the log and for tests)."""
    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018 - builds the lookup tables of every pattern
    load_library = getattr(get_hashers()[0], "_load_library", None)
    if get_hashers()[0].library and load_library is not None:
        load_library()  # argon2's C binding, loaded on the first login otherwise
    statuses: dict[str, int] = {}
    try:
        for path in paths:
            statuses[path] = _get(application, path)
    finally:
        if close_connections:
            connections.close_all()  # no connection may be shared with the forked workers
    return statuses


def _get(application: Callable[..., Iterable[bytes]], path: str) -> int:
    status: list[str] = []

    def start_response(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(code)

    host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0].lstrip(".").replace("*", "") or "127.0.0.1"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(),
        "wsgi.errors": BytesIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    body = application(environ, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return int(status[0].split()[0]) if status else 0
