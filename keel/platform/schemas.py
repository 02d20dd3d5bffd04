"""Base schemas of every API: page parameters, bodies that reject unknown fields, filters."""

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


def version_in() -> Any:
    """The optional ``version`` field of a PATCH body (docs/adr/0014-concurrent-writers.md)."""
    return Field(
        None,
        max_length=80,
        description=(
            "The version you read (GET's `version` or `ETag`); if the record changed since, the PATCH "
            "is a 409 `edit_conflict` and changes nothing. The `If-Match` header does the same."
        ),
    )


class Filters(Schema):
    limit: int = LIMIT
    offset: int = OFFSET
