"""What is due: the registry every app feeds and "my work", the reminders and ``keel jobs run``
read (issue 15, docs/work.md).

``keel.work`` sits just above the organisation layer, so every app that has something due
(document reviews, acknowledgements, evidence expiry, risk reviews, audit and corrective
actions, supplier reviews…) registers a *source* here in its ``AppConfig.ready``::

    from keel.work import reminders
    reminders.register("document_review", document_reviews_due)

A source is ``fn(organisation, today, horizon) -> Iterable[Due]``: every item of that
organisation whose due date is on or before ``today + horizon`` that is still open (overdue
items included; done items never). It must be cheap (a few queries, not one per row).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Due:
    """One thing a person has to do by a date."""

    key: str  # stable across runs while the item stays the same: "document_review:DOC-003:2027-01-31"
    kind: str  # the heading it is listed under: "Document review", "Corrective action"…
    title: str  # "Information security policy (DOC-003)"
    url: str  # the page where it is done
    due: datetime.date
    person_id: uuid.UUID | None  # the person (User, login or not) who has to act; None: nobody named yet
    management_system_id: uuid.UUID | None = None
    detail: str = ""  # "owner", "approver", "2 of 14 acknowledged"…

    def overdue(self, today: datetime.date) -> bool:
        return self.due < today


Source = Callable[[Any, datetime.date, datetime.timedelta], Iterable[Due]]

_sources: dict[str, Source] = {}


def register(name: str, fn: Source) -> None:
    """Register a source under a unique name (the ``kind`` slug notifications record)."""
    if name in _sources and _sources[name] is not fn:
        raise LookupError(f"A reminder source named {name!r} is already registered.")
    _sources[name] = fn


def sources() -> dict[str, Source]:
    return dict(_sources)


def due_items(
    organisation: Any, today: datetime.date, horizon: datetime.timedelta = datetime.timedelta(days=14)
) -> list[Due]:
    """Everything due for the organisation by ``today + horizon``, overdue first, then by date."""
    items: list[Due] = []
    for fn in _sources.values():
        items.extend(fn(organisation, today, horizon))
    return sorted(items, key=lambda d: (d.due, d.kind, d.title))


def due_by_source(
    organisation: Any, today: datetime.date, horizon: datetime.timedelta = datetime.timedelta(days=14)
) -> list[tuple[str, Due]]:
    """As :func:`due_items`, each item with the name of the source it came from."""
    items = [(name, d) for name, fn in _sources.items() for d in fn(organisation, today, horizon)]
    return sorted(items, key=lambda p: (p[1].due, p[1].kind, p[1].title))
