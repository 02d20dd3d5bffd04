"""Page-side access control: the one decorator every page view carries.

``@page(perm)`` checks the permission with :func:`keel.platform.permissions.has_perm` and marks the
view with ``keel_permission`` so the permission matrix test can find views without a rule.
Views that need a management-system perimeter pass ``perimeter=`` (a function of the request
and the URL kwargs returning the management system, or ``None`` for organisation level).
Views that list management-system records filtered to the user's perimeters (``restrict()``)
pass ``anywhere=True``: they let in whoever has the permission over the organisation or over
any one management system, as the API's filtered lists do. Views whose rule is a permission over
one's own records (``OWNED`` in keel/platform/permissions.py) pass ``owner=`` (a function of the
request and the URL kwargs returning the record owner's id): the check is then
:func:`~keel.platform.permissions.has_owner_perm`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keel.platform.errors import KeelError, NotFound
from keel.platform.permissions import OWNED, Perm, has_owner_perm, has_perm, system_ids_with

PUBLIC = "public"
AUTHENTICATED = "authenticated"

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "platform/error.html",
        {"status": 403, "title": "Not allowed", "message": message},
        status=403,
    )


def error_page(request: HttpRequest, exc: KeelError) -> HttpResponse:
    title = "Not found" if exc.status == 404 else "Not allowed" if exc.status == 403 else "Cannot do that"
    return render(
        request,
        "platform/error.html",
        {"status": exc.status, "title": title, "message": exc.message},
        status=exc.status,
    )


def page(
    perm: str,
    perimeter: Callable[..., Any] | None = None,
    anywhere: bool = False,
    owner: Callable[..., Any] | None = None,
) -> Callable[[View], View]:
    if owner is not None and perm not in OWNED:
        raise ValueError(f"owner= is for permissions over one's own records ({sorted(OWNED)}), not {perm!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if perm not in (PUBLIC, AUTHENTICATED):
                try:
                    ms = perimeter(request, **kwargs) if perimeter else None
                    owner_id = owner(request, **kwargs) if owner else None
                except KeelError as exc:
                    return error_page(request, exc)
                if anywhere:
                    allowed = system_ids_with(request.user, perm) != set()  # type: ignore[arg-type]
                elif owner is not None:
                    allowed = has_owner_perm(request.user, perm, ms, owner_id)  # type: ignore[arg-type]
                else:
                    allowed = has_perm(request.user, perm, ms)  # type: ignore[arg-type]
                if not allowed:
                    label = Perm(perm).label.lower() if perm in Perm.values else perm
                    return forbidden(
                        request,
                        f"Your roles do not allow you to {label} here. Ask an administrator for access.",
                    )
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                # a record named in the URL that does not exist (or is not where the URL says)
                return error_page(request, exc)

        wrapped.keel_permission = perm  # type: ignore[attr-defined]
        wrapped.keel_owner = owner is not None  # type: ignore[attr-defined]
        return wrapped

    return decorate
