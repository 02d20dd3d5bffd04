"""Concurrent writers: reference numbers, row versions for edit forms and PATCH, and the
conflict a stale save gets.

Two rules every service follows (docs/adr/0014-concurrent-writers.md):

1. **Read-change-save under a row lock.** A service that reads a record, changes it and saves
   it reads it with ``select_for_update()`` inside its transaction (PostgreSQL at READ
   COMMITTED would otherwise lose one of two concurrent updates; SQLite serialises writers
   because every transaction starts IMMEDIATE), or updates only the changed columns with
   ``QuerySet.update`` under a condition that checks what it read.
2. **A stale edit is a conflict, never a silent overwrite.** Edit pages and PATCH carry the
   version of the record the person saw (:func:`version_of`: a hash of its stored fields).
   After locking the row the service calls :func:`check_version`; a different version raises
   :class:`EditConflict` (409) and nothing is saved. Pages keep the person's input and show
   what changed since they opened the page (:func:`changes_since`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core import signing
from django.db import models, transaction

from keel.platform import trail
from keel.platform.errors import Conflict
from keel.platform.models import RefSequence

BASE_SALT = "keel.concurrency.edit-base"


# ---------------------------------------------------------------- reference numbers


def next_ref(model: type[models.Model], prefix: str, *, field: str = "ref_id", width: int = 3) -> str:
    """The next free ``<prefix>nnn`` reference for ``model`` (e.g. ``KC-`` → ``KC-013``).

    Must run inside the caller's transaction: the per-prefix :class:`RefSequence` row is locked
    until it commits, so concurrent creates queue instead of colliding on one number. The
    highest number already used (people and imports may choose references) is read after the
    lock is held, so it sees every reference committed before."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_ref() must be called inside the service's transaction")
    RefSequence.objects.bulk_create([RefSequence(prefix=prefix, last=0)], ignore_conflicts=True)
    seq = RefSequence.objects.select_for_update().get(prefix=prefix)
    number = max(seq.last, _highest_used(model, prefix, field)) + 1
    RefSequence.objects.filter(prefix=prefix).update(last=number)
    return f"{prefix}{number:0{width}d}"


def likely_next_ref(model: type[models.Model], prefix: str, *, field: str = "ref_id", width: int = 3) -> str:
    """What :func:`next_ref` would give now, without reserving it: for a form's placeholder
    only (someone else may take it first)."""
    seq = RefSequence.objects.filter(prefix=prefix).values_list("last", flat=True).first() or 0
    return f"{prefix}{max(seq, _highest_used(model, prefix, field)) + 1:0{width}d}"


def _highest_used(model: type[models.Model], prefix: str, field: str) -> int:
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    refs = model._default_manager.filter(**{f"{field}__startswith": prefix}).values_list(field, flat=True)
    return max((int(m.group(1)) for ref in refs if (m := pattern.match(ref))), default=0)


# ---------------------------------------------------------------- versions


def version_of(obj: models.Model) -> str:
    """The version of a stored record: a hash of its concrete fields (not its id or
    timestamps). Any change to a stored value gives a new version."""
    data = trail.snapshot(obj)
    return hashlib.sha256(trail.canonical(data).encode("utf-8")).hexdigest()[:20]


class EditConflict(Conflict):
    """The record changed since the person (or script) read it; nothing was saved."""

    code = "edit_conflict"

    def __init__(
        self,
        message: str,
        current_version: str,
        fields: dict[str, list[str]] | None = None,
        current: models.Model | None = None,
    ) -> None:
        super().__init__(message, fields)
        self.current_version = current_version
        self.current = current  # the record as it is now (read under the lock), for the page


def check_version(obj: models.Model, expected: str | None, what: str | None = None) -> None:
    """Refuse a save based on an older version of ``obj``. Call it after locking the row.

    ``expected`` is the version the person saw (a hidden form field, the API's ``If-Match``
    header or ``version`` field); ``None`` or empty means the caller did not say (scripts that
    do not care, the CLI), which is allowed."""
    if not expected:
        return
    current = version_of(obj)
    if str(expected).strip().strip('"').removeprefix("W/").strip('"') != current:
        label = what or str(obj)
        raise EditConflict(
            f"{label} was changed by someone else after you opened it, so nothing was saved. "
            "Look at its current values and make your change again.",
            current_version=current,
            current=obj,
        )


# ---------------------------------------------------------------- what a page shows on a conflict


def base_token(obj: models.Model) -> str:
    """The stored values a form was built from, signed, for :func:`changes_since`."""
    return signing.dumps(trail.snapshot(obj), salt=BASE_SALT, compress=True)


def changes_since(token: str | None, obj: models.Model) -> dict[str, tuple[Any, Any]]:
    """``{field: (value the person saw, value now)}`` for every field changed since ``token``
    was made; empty when the token is missing or was tampered with."""
    if not token:
        return {}
    try:
        base = signing.loads(token, salt=BASE_SALT)
    except signing.BadSignature:
        return {}
    now = trail.snapshot(obj)
    return {k: (base.get(k), now.get(k)) for k in now if base.get(k) != now.get(k)}
