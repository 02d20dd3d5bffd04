"""Logging in and out."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from keel.platform import accounts as accounts
from keel.platform.actor import Actor
from keel.platform.pages import AUTHENTICATED, PUBLIC, page


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    error = ""
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        password = request.POST.get("password", "")
        actor = Actor.from_request(request)
        wait = accounts.login_wait(email, actor.ip)
        if wait is not None:
            error = (
                f"Too many failed attempts. Wait {accounts.wait_message(wait)} and try again, "
                "or ask an administrator."
            )
        else:
            user = authenticate(request, username=email, password=password)
            if user is None:
                accounts.record_login(actor, email, succeeded=False)
                error = "That email and password do not match an active account."
            else:
                login(request, user)
                accounts.record_login(Actor.from_request(request), email, succeeded=True, user=user)
                target = request.POST.get("next") or request.GET.get("next") or ""
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                    target = ""
                return redirect(target or "dashboard")
    status = 200 if not error else (429 if "Too many" in error else 401)
    # Keep where the user was going across a failed attempt (the form posts without the query).
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(
        request, "platform/login.html", {"error": error, "email": email, "next": next_url}, status=status
    )


login_view.keel_permission = PUBLIC  # type: ignore[attr-defined]


@require_POST
@page(AUTHENTICATED)
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")
