"""Errors that service functions raise for problems a user can cause.

Pages, the API and the CLI turn them into a message; nothing has been changed when one is
raised, because every service runs in one transaction.
"""

from __future__ import annotations


class KeelError(Exception):
    """Base class: ``code`` is stable (used in the API error format), ``message`` is for people."""

    code = "error"
    status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(KeelError):
    code = "validation_error"
    status = 422


class NotFound(KeelError):
    code = "not_found"
    status = 404


class PermissionDenied(KeelError):
    code = "permission_denied"
    status = 403


class Conflict(KeelError):
    code = "conflict"
    status = 409
