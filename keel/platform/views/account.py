"""My account: roles, API tokens and password."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.platform import accounts as accounts
from keel.platform import queries as platform_queries
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import PasswordChangeForm, TokenForm, add_service_error
from keel.platform.pages import AUTHENTICATED, page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user, not_found


def _account_page(
    request: HttpRequest,
    *,
    token_form: TokenForm | None = None,
    password_form: PasswordChangeForm | None = None,
    new_secret: str = "",
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    can_tokens = has_perm(user, Perm.OWN_TOKENS)
    return render(
        request,
        "platform/account.html",
        {
            "tokens": platform_queries.own_tokens(user),
            "can_tokens": can_tokens,
            "token_form": token_form or (TokenForm(auto_id="token-%s") if can_tokens else None),
            "password_form": password_form or PasswordChangeForm(auto_id="pw-%s"),
            "new_secret": new_secret,
            "now": timezone.now(),
            "assignments": user.role_assignments.select_related("management_system").order_by("role"),
        },
        status=status,
    )


@page(AUTHENTICATED)
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@require_POST
@page(Perm.OWN_TOKENS)
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST, auto_id="token-%s")
    if form.is_valid():
        try:
            _token, secret = accounts.create_token(
                Actor.from_request(request),
                current_user(request),
                form.cleaned_data["name"],
                form.cleaned_data["expires_in_days"],
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            # Rendered, not redirected: the secret exists only in this response.
            return _account_page(request, new_secret=secret, status=201)
    return _account_page(request, token_form=form, status=INVALID)


@require_POST
@page(Perm.OWN_TOKENS)
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    token = platform_queries.own_tokens(current_user(request)).filter(pk=token_id).first()
    if token is None:
        return not_found(request, "You have no API token with that id.")
    try:
        accounts.revoke_token(Actor.from_request(request), token.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token {token.name} revoked; scripts using it are now refused.")
    return redirect("account")


@require_POST
@page(AUTHENTICATED)
def password_change(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = PasswordChangeForm(request.POST, auto_id="pw-%s")
    if form.is_valid():
        actor = Actor.from_request(request)
        # the current-password check is throttled like a login (docs/getting-started.md)
        wait = accounts.login_wait(user.email, actor.ip)
        if wait is not None:
            form.add_error(
                "current_password",
                f"Too many wrong passwords. Wait {accounts.wait_message(wait)} and try again, "
                "or ask an administrator.",
            )
        elif not user.check_password(form.cleaned_data["current_password"]):
            accounts.record_login(actor, user.email, succeeded=False)
            form.add_error("current_password", "This is not your current password.")
        else:
            try:
                accounts.set_password(Actor.from_request(request), user, form.cleaned_data["new_password"])
            except KeelError as exc:
                for message in exc.fields.get("password") or [exc.message]:
                    form.add_error("new_password", message)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, "Your password is changed.")
                return redirect("account")
    return _account_page(request, password_form=form, status=INVALID)
