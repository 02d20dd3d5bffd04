"""Schemas of the keel.work API (names prefixed with the domain: OpenAPI components are global)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Schema

from keel.platform import filters
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import Filters

from . import queries


@filters.schema_of(queries.NotificationFilters)
class NotificationFilters(Filters):
    """Declared in :class:`keel.work.queries.NotificationFilters`."""


class NotificationOut(Schema):
    id: uuid.UUID
    person: str
    person_name: str
    key: str
    source: str
    kind: str
    title: str
    url: str
    due_on: dt.date
    channel: str
    address: str
    sent_at: IsoDateTime
    run: uuid.UUID

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.person.email)

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.person.display_name)


class WorkItemOut(Schema):
    key: str
    source: str
    kind: str
    title: str
    url: str
    due: dt.date
    overdue: bool
    detail: str
    management_system: uuid.UUID | None


class MyWorkOut(Schema):
    person: str
    today: dt.date
    horizon_days: int
    overdue: int
    due_soon: int
    items: list[WorkItemOut]
