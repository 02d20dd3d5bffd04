"""Accounts: users, passwords, API tokens and login throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import ApiToken, LoginAttempt, User
from keel.platform.permissions import Perm, check

MAX_TOKEN_DAYS = 3650

LOGIN_ATTEMPT_RETENTION_DAYS = 30

TOKEN_PREFIX = "keel_"  # noqa: S105 - a public marker, not a secret


def get_user(email: str) -> User:
    try:
        return User.objects.get(email__iexact=email.strip())
    except User.DoesNotExist:
        raise NotFound(f"No user with email {email!r}.") from None


def set_password(actor: Actor, user: User, password: str) -> None:
    """Set a password: an admin for anyone, a user for themselves.

    Someone else's reset (an administrator, or the CLI) is what one does when an account may be
    in the wrong hands, so it also revokes that person's live API tokens (the trail counts them).
    A user changing their own password keeps their tokens: scripts go on working, and a token
    they suspect is revoked on *My account*. See docs/permissions.md."""
    by_someone_else = actor.user is None or actor.user.pk != user.pk
    if by_someone_else:
        check(actor, Perm.MANAGE_USERS)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            "The password is too weak: " + " ".join(exc.messages), {"password": list(exc.messages)}
        ) from None
    with transaction.atomic():
        # lock the row; the caller's object gets the new hash (it may refresh its own session)
        User.objects.select_for_update().filter(pk=user.pk).exists()
        user.set_password(password)
        user.save(update_fields=["password"])
        changes: dict[str, Any] = {"password": ["(hidden)", "(changed)"]}
        if by_someone_else:
            revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if revoked:
                changes["api_tokens_revoked"] = [None, revoked]
        trail.record(actor, TrailAction.UPDATE, user, changes=changes)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    actor: Actor, user: User, name: str = "", expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and shown only once."""
    if actor.user is None or actor.user.pk != user.pk:
        check(actor, Perm.MANAGE_USERS)
    else:
        check(actor, Perm.OWN_TOKENS)
    if not user.is_active:
        raise ValidationFailed(f"{user.email} is deactivated; tokens can only be made for active users.")
    if not user.has_login:
        raise ValidationFailed(
            f"{user.display_name} has no login; invite them to log in before making them a token."
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise ValidationFailed(
            f"A token expires after 1 to {MAX_TOKEN_DAYS} days.",
            {"expires_in_days": [f"Between 1 and {MAX_TOKEN_DAYS}."]},
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=(name or "API token").strip()[:100],
            prefix=secret[:12],
            token_hash=hash_token(secret),
            expires_at=timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None,
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            token,
            changes={
                "user": [None, user.email],
                "name": [None, token.name],
                "prefix": [None, token.prefix],
                "expires_at": [None, trail.json_value(token.expires_at)],
            },
        )
    return token, secret


def revoke_token(actor: Actor, token_id: uuid.UUID | str) -> ApiToken:
    with transaction.atomic():
        try:
            token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
        except (ApiToken.DoesNotExist, ValueError, ValidationError):
            raise NotFound(f"No API token with id {token_id}.") from None
        if actor.user is None or actor.user.pk != token.user_id:
            check(actor, Perm.MANAGE_USERS)
        else:
            check(actor, Perm.OWN_TOKENS)  # as for creating one; the API and pages check it too
        if token.revoked_at is not None:
            raise Conflict("This token is already revoked.")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        trail.record(
            actor,
            TrailAction.REVOKE,
            token,
            changes={"revoked_at": [None, trail.json_value(token.revoked_at)]},
        )
    return token


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, or ``None``. Touches ``last_used_at`` at most
    once a minute so reads do not turn into writes on every call."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.can_log_in:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


BACKOFF_MEMORY = dt.timedelta(days=1)  # lock-outs older than this (or before a success) are forgotten

BACKOFF_ROWS = 2000  # at most this many recent failures are read for one account or address


def login_locked(email: str, ip: str) -> bool:
    """True while a login for ``email`` from ``ip`` is refused (:func:`login_wait`)."""
    return login_wait(email, ip) is not None


def login_wait(email: str, ip: str) -> dt.timedelta | None:
    """How long a login for ``email`` from ``ip`` is still refused, or None when it may try.

    ``KEEL_LOGIN_MAX_FAILURES`` failures of one account within ``KEEL_LOGIN_WINDOW_SECONDS``
    (counting only failures after its last successful login) lock it out for
    ``KEEL_LOGIN_LOCKOUT_SECONDS``; every further lock-out of that account doubles the time, up to
    ``KEEL_LOGIN_LOCKOUT_MAX_SECONDS``, until a successful login or a day without lock-outs. An
    address is locked out the same way after four times as many failures, but only for attempts
    that name no account, or an account that has itself failed from there: a colleague's
    correct password from the same office still gets in."""
    now = timezone.now()
    limit = settings.KEEL_LOGIN_MAX_FAILURES
    email = email.strip().lower()
    last_ok = (
        LoginAttempt.objects.filter(email=email, succeeded=True, at__gte=now - BACKOFF_MEMORY)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    since = last_ok or now - BACKOFF_MEMORY
    by_email = _locked_until(LoginAttempt.objects.filter(email=email, succeeded=False, at__gte=since), limit)
    if by_email is not None and by_email > now:
        return by_email - now
    if ip:
        by_ip = _locked_until(
            LoginAttempt.objects.filter(ip=ip, succeeded=False, at__gte=now - BACKOFF_MEMORY), limit * 4
        )
        if by_ip is not None and by_ip > now:
            known = User.objects.filter(email__iexact=email).exists()
            failed_here = LoginAttempt.objects.filter(
                ip=ip, email=email, succeeded=False, at__gte=since
            ).exists()
            if not known or failed_here:
                return by_ip - now
    return None


def _locked_until(failures: models.QuerySet[LoginAttempt], limit: int) -> dt.datetime | None:
    """When the last lock-out of these failures ends: each ``limit`` failures within the window
    (failures while a lock-out lasts are not counted) start a lock-out twice as long as the one
    before, capped."""
    window = dt.timedelta(seconds=settings.KEEL_LOGIN_WINDOW_SECONDS)
    base = settings.KEEL_LOGIN_LOCKOUT_SECONDS
    cap = settings.KEEL_LOGIN_LOCKOUT_MAX_SECONDS
    times = sorted(failures.order_by("-at").values_list("at", flat=True)[:BACKOFF_ROWS])
    run: list[dt.datetime] = []
    lockouts = 0
    until: dt.datetime | None = None
    for at in times:
        if until is not None and at < until:
            continue
        run = [t for t in run if t > at - window]
        run.append(at)
        if len(run) >= limit:
            lockouts += 1
            until = at + dt.timedelta(seconds=min(base * 2 ** min(lockouts - 1, 30), cap))
            run = []
    return until


def wait_message(wait: dt.timedelta) -> str:
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


ATTEMPTED_EMAIL_MAX = 120


def attempted_email(typed: str) -> str:
    """What someone typed as an email on a failed login, as the trail keeps it: unverified input,
    so control characters removed, whitespace collapsed and cut to ``ATTEMPTED_EMAIL_MAX``."""
    text = "".join(c for c in typed if c.isprintable())
    text = " ".join(text.split()).lower()
    return text if len(text) <= ATTEMPTED_EMAIL_MAX else text[: ATTEMPTED_EMAIL_MAX - 1] + "…"


def record_login(actor: Actor, email: str, succeeded: bool, user: User | None = None) -> None:
    email = email.strip().lower()[:254]
    now = timezone.now()
    with transaction.atomic():
        # Attempts are only needed for throttling; the trail keeps the lasting record.
        LoginAttempt.objects.filter(at__lt=now - dt.timedelta(days=LOGIN_ATTEMPT_RETENTION_DAYS)).delete()
        LoginAttempt.objects.create(email=email, ip=actor.ip or None, succeeded=succeeded, at=now)
        if succeeded and user is not None:
            trail.record(actor, TrailAction.LOGIN, user, changes={})
        elif not succeeded:
            typed = attempted_email(email)
            trail.record(
                actor,
                TrailAction.LOGIN_FAILED,
                object_type="platform.user",
                object_id=typed,
                object_repr=f"{typed} (unverified input)",
                changes={"attempted_email": [None, typed], "unverified_input": [None, True]},
            )


def require_human(actor: Actor) -> User:
    if actor.user is None:
        raise PermissionDenied("This needs a named user: use --as EMAIL.")
    return actor.user
