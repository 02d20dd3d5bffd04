"""Shared pieces of the JSON API: authentication, the one error format, pagination and the
permission declaration every operation carries (``x-keel-permission`` in the schema)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import BaseModel

from keel.platform.actor import Actor
from keel.platform.choices import Channel
from keel.platform.concurrency import version_of
from keel.platform.errors import ValidationFailed
from keel.platform.permissions import has_any_role

T = TypeVar("T")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
    current_version: str | None = Field(
        None, description="On a 409 edit_conflict: the record's version now (send it as If-Match to retry)."
    )


class ErrorOut(Schema):
    """Every error, validation included, has this shape."""

    error: ErrorBody


# Declared on every operation so the schema documents the error format.
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def responses(ok: Any, status: int = 200) -> dict[int, Any]:
    return {status: ok, **ERRORS}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


# ---------------------------------------------------------------- versions (ETag / If-Match)


def set_etag(response: HttpResponse, obj: models.Model) -> None:
    """Answer a single record with its version as a strong ``ETag`` (docs/api.md, ADR 0014)."""
    response["ETag"] = f'"{version_of(obj)}"'


class SessionAuth(APIKeyCookie):
    """The browser's session cookie; unsafe methods need the CSRF token (ninja checks it).

    Without a session cookie there is nothing to check: the request is simply not
    authenticated this way (a script whose bearer token failed gets 401, not a CSRF 403).
    With ``require_role`` an account that holds no role at all is refused with 403.
    """

    param_name = "sessionid"

    def __init__(self, csrf: bool = True, require_role: bool = False) -> None:
        self.require_role = require_role
        super().__init__(csrf=csrf)

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.can_log_in:
            request.keel_channel = Channel.WEB  # type: ignore[attr-defined]
            return _accept(user, self.require_role)
        return None


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for scripts. With ``require_role`` an account that
    holds no role at all is refused with 403."""

    def __init__(self, require_role: bool = False) -> None:
        self.require_role = require_role
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from keel.platform.accounts import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
            request.keel_channel = Channel.API  # type: ignore[attr-defined]
            return _accept(user, self.require_role)
        return user


def _accept(user: Any, require_role: bool) -> Any:
    if require_role and not has_any_role(user):
        from keel.platform.errors import PermissionDenied

        raise PermissionDenied(f"{user.email} has no role in Keel yet; ask an administrator to grant one.")
    return user


def any_user_auth() -> list[Any]:
    """Authentication for the few operations open to every logged-in account, role or not
    (``GET /users/me``)."""
    return [BearerAuth(), SessionAuth()]


def actor(request: HttpRequest) -> Actor:
    """The acting user of an API call (``channel`` is ``api`` for tokens, ``web`` for the browser)."""
    channel = getattr(request, "keel_channel", Channel.API)
    return Actor.from_request(request, channel)


def permission(perm: str) -> dict[str, Any]:
    """``openapi_extra`` for an operation: declares the permission it checks."""
    return {"x-keel-permission": perm}


class Page(BaseModel, Generic[T]):
    items: list[T]
    count: int
    limit: int
    offset: int


def paginate(
    qs: QuerySet[Any] | list[Any], limit: int, offset: int, convert: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """One page of a queryset: ``{"items", "count", "limit", "offset"}``; ``limit`` is capped at 500."""

    if limit < 1 or limit > 500:
        raise ValidationFailed("limit must be between 1 and 500.", {"limit": ["Between 1 and 500."]})
    if not 0 <= offset <= 2_000_000_000:
        raise ValidationFailed("offset must be between 0 and 2000000000.", {"offset": ["Out of range."]})
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    items = list(qs[offset : offset + limit])
    if convert is not None:
        items = [convert(i) for i in items]
    return {"items": items, "count": count, "limit": limit, "offset": offset}


def user_has_access(request: HttpRequest) -> bool:
    return has_any_role(getattr(request, "user", None))


# ---------------------------------------------------------------- record versions (docs/api.md)


M = TypeVar("M", bound=models.Model)


def with_etag(response: HttpResponse, obj: M) -> M:
    """:func:`set_etag`, returning the record (for ``return with_etag(response, obj)``)."""
    set_etag(response, obj)
    return obj


def expected_version(request: HttpRequest, body_version: str | None = None) -> str | None:
    """The version a PATCH was based on: the ``If-Match`` header (``*`` means any), else the
    body's ``version`` field; ``None`` when the client sent neither (the PATCH then applies as
    before). Both given and different is a 422."""
    header = (request.headers.get("If-Match") or "").strip()
    header = "" if header == "*" else header.removeprefix("W/").strip().strip('"')
    body = (body_version or "").strip().strip('"')
    if header and body and header != body:
        message = "If-Match and the body's version differ: send the version you read, once."
        raise ValidationFailed(message, {"version": [message]})
    return header or body or None


class VersionedOut(Schema):
    """A record's ``version`` in its JSON: the value a PATCH sends back (``If-Match`` or the
    body's ``version``) to be refused with 409 ``edit_conflict`` if someone changed it since."""

    version: str = Field(description="The record's current version (also its ETag).")

    @staticmethod
    def resolve_version(obj: Any) -> str:
        return version_of(obj)


VERSION_IN = "The version this change is based on (as read from GET); a stale one is a 409 edit_conflict."


def enum_value(v: Any) -> Any:
    """A request value as services take it: an enum member as its value (lists item by item)."""
    if isinstance(v, list):
        return [enum_value(i) for i in v]
    return getattr(v, "value", v)


def payload_data(payload: Any, exclude_unset: bool = False) -> dict[str, Any]:
    """A request body as keyword arguments for a service (``exclude_unset`` for a PATCH)."""
    return {k: enum_value(v) for k, v in payload.model_dump(exclude_unset=exclude_unset).items()}


def reject_nulls(data: dict[str, Any], names: tuple[str, ...]) -> None:
    """A PATCH may leave a required field out but not empty it: 422 naming the field."""
    for name in names:
        if name in data and data[name] is None:
            raise ValidationFailed(f"{name} cannot be empty.", {name: ["Required."]})
