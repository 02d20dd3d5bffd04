"""Schemas of the core API: filters (query strings), request bodies and responses.

Conventions: records are referred to by id; a management system may also be named by its
short name and a user by email; standards are always named by key (``iso27001:2022``).
Bodies reject unknown fields, so a typo is an error rather than silently ignored.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

LIMIT = Field(50, ge=1, le=500, description="Page size (1-500).")

OFFSET = Field(0, ge=0, le=2_000_000_000, description="How many items to skip.")

MS_REF = "A management system's id or short name."

USER_REF = "A user's id or email."


def _keys(obj: Any) -> list[str]:
    return [s.key for s in obj.standards.all()]


class Body(Schema):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Filters(Schema):
    limit: int = LIMIT
    offset: int = OFFSET
