"""What the race tests of risks and AI systems share: the record's values replayed from its
trail (to check that the trail and the table agree), and the standards library put back after
the transactional tests' flush (pytest-django empties every table after a
``transaction=True`` test, and the session loaded the library only once)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import models

from keel.platform.actor import Actor
from keel.platform.models import TrailEntry
from keel.standards.models import Standard


def replayed(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """The last value of each of ``fields`` that ``obj``'s trail records, in trail order."""
    values: dict[str, Any] = {}
    for payload in (
        TrailEntry.objects.filter(object_id=str(obj.pk)).order_by("seq").values_list("payload", flat=True)
    ):
        changes = json.loads(payload).get("changes") or {}
        for name in fields:
            if name in changes:
                values[name] = changes[name][1]
    return values


@pytest.fixture(scope="module", autouse=True)
def library_back_after_flush(django_db_blocker: Any) -> Iterator[None]:
    yield
    from keel.controls.services import load_templates
    from keel.mapping.services import load_crosswalks
    from keel.standards.services import load_library

    with django_db_blocker.unblock():
        if not Standard.objects.exists():
            load_library(Actor.system("test-setup"))
            load_templates(Actor.system("test-setup"))
            load_crosswalks(Actor.system("test-setup"))
