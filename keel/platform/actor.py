"""Who is acting, and through which channel. Every service function takes an :class:`Actor`
explicitly, so that changes made from the CLI or a background job are attributed too."""

from __future__ import annotations

import getpass
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

from keel.platform.choices import Channel

if TYPE_CHECKING:
    from keel.platform.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    label: str
    channel: str
    ip: str = ""

    @classmethod
    def for_user(cls, user: User, channel: str, ip: str = "") -> Actor:
        return cls(user=user, label=user.email, channel=channel, ip=ip)

    @classmethod
    def from_request(cls, request: HttpRequest, channel: str = Channel.WEB) -> Actor:
        user = request.user if request.user.is_authenticated else None
        ip = client_ip(request)
        if user is None:
            return cls(user=None, label="anonymous", channel=channel, ip=ip)
        return cls.for_user(user, channel, ip)

    @classmethod
    def cli(cls, user: User | None = None) -> Actor:
        """The CLI actor: the user named with ``--as``, else the operating-system user."""
        if user is not None:
            return cls.for_user(user, Channel.CLI)
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
        return cls(user=None, label=f"os:{name}", channel=Channel.CLI)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user=None, label=label, channel=Channel.SYSTEM)


def client_ip(request: HttpRequest) -> str:
    """The client's address, always a valid IP or empty.

    Behind a declared proxy (``KEEL_BEHIND_PROXY``) the address is the *last* entry of
    ``X-Forwarded-For`` — the one our proxy appended; entries before it are written by the
    client and cannot be trusted for throttling or the trail.
    """
    from django.conf import settings

    candidate = str(request.META.get("REMOTE_ADDR", ""))
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if forwarded:
            candidate = forwarded[-1]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return ""
