"""The append-only, hash-chained audit trail.

Every service function calls :func:`record` inside its own transaction. The chain head row is
locked (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every transaction starts IMMEDIATE,
which takes the database write lock at BEGIN) so concurrent writers queue and never fork the
chain. ``hash = sha256(prev_hash + payload)`` where ``payload`` is the exact stored text.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import KeelError
from keel.platform.models import TrailEntry, TrailEntrySystem, TrailHead, User
from keel.platform.permissions import Perm, system_ids_with

GENESIS = "0" * 64
PAYLOAD_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "channel",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "management_system_id",
    "management_system_ids",
    "changes",
)
REPAIR_COMMAND = "keel trail repair-head"


class TrailHeadMissing(KeelError):
    """The chain head row is gone while entries exist: appending would fork or restart the
    chain, so every write is refused until the head is rebuilt from the verified chain."""

    code = "trail_head_missing"
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "The audit-trail head is missing while the trail has entries, so nothing can be "
            f"recorded. Run '{REPAIR_COMMAND}' (it verifies the chain and rebuilds the head)."
        )


# ---------------------------------------------------------------- which systems an entry concerns


def visible(queryset: models.QuerySet[TrailEntry], user: User | None) -> models.QuerySet[TrailEntry]:
    """The entries of ``queryset`` that ``user`` may read: a role over some systems sees the
    entries that concern one of them (the entry's own system or any system it records)."""
    ids = system_ids_with(user, Perm.VIEW_TRAIL)
    if ids is None:
        return queryset
    concerned = TrailEntrySystem.objects.filter(management_system_id__in=ids).values("entry_id")
    return queryset.filter(models.Q(management_system_id__in=ids) | models.Q(seq__in=concerned))


def readable(entries: list[TrailEntry], user: User | None) -> list[TrailEntry]:
    """Of the entries a record's history page gathered, those ``user`` may read: an entry
    that concerns management systems is shown only when one of them is in the user's
    perimeter; one that names none (organisation records, entries older than the system
    list) is shown to whoever may see the record's history. One query."""
    ids = system_ids_with(user, Perm.VIEW_TRAIL)
    if ids is None or not entries:
        return entries
    systems = _systems_by_entry([e.seq for e in entries])
    allowed = {str(ms) for ms in ids}
    out = []
    for e in entries:
        concerned = set(systems.get(e.seq, []))
        if e.management_system_id:
            concerned.add(str(e.management_system_id))
        if not concerned or concerned & allowed:
            out.append(e)
    return out


SystemsOf = Callable[[Any], Iterable[uuid.UUID | str | None]]
_SYSTEMS: dict[str, SystemsOf] = {}


def register_systems(label: str, fn: SystemsOf) -> None:
    """Say which management systems a record of model ``label`` (``"controls.control"``)
    concerns. Apps call this from ``AppConfig.ready``, so the trail never imports them."""
    _SYSTEMS[label.lower()] = fn


def systems_of(obj: models.Model) -> set[str]:
    """The management systems ``obj`` concerns: its own ``management_system_id`` and what the
    registry says for its model."""
    found: set[str] = set()
    own = getattr(obj, "management_system_id", None)
    if own is None and obj._meta.label_lower == "organisation.managementsystem":
        own = obj.pk
    if own:
        found.add(str(own))
    fn = _SYSTEMS.get(obj._meta.label_lower)
    if fn is not None:
        found |= {str(ms) for ms in fn(obj) if ms}
    return found


def json_value(value: Any) -> Any:
    """A JSON-safe rendering of a model field value, stable across databases."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_value(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Field values of ``obj`` for a trail diff (foreign keys by id, many-to-many by sorted ids)."""
    opts = obj._meta
    names = (
        list(fields)
        if fields is not None
        else [f.name for f in opts.concrete_fields if f.name not in {"id", "created_at", "updated_at"}]
    )
    out: dict[str, Any] = {}
    for name in names:
        f = opts.get_field(name)
        if f.many_to_many:
            if obj.pk is None:
                out[name] = []
            else:
                out[name] = sorted(str(getattr(v, "key", v.pk)) for v in getattr(obj, name).all())
        elif f.is_relation:
            out[name] = json_value(getattr(obj, f.attname))  # type: ignore[union-attr]
        else:
            out[name] = json_value(getattr(obj, name))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


@dataclass
class Pending:
    """One entry for :func:`record_many`: the arguments :func:`record` takes after ``actor``."""

    action: str
    obj: models.Model | None = None
    changes: Mapping[str, Any] | None = None
    object_type: str | None = None
    object_id: str | None = None
    object_repr: str | None = None
    management_system_id: uuid.UUID | str | None = None
    management_system_ids: Iterable[uuid.UUID | str] | None = None


def record(
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: Mapping[str, Any] | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    management_system_id: uuid.UUID | str | None = None,
    management_system_ids: Iterable[uuid.UUID | str] | None = None,
) -> TrailEntry:
    """Append one entry. Must run inside the caller's transaction (``transaction.atomic``).

    The entry concerns ``management_system_ids`` when given, else the systems of ``obj``
    (:func:`systems_of`), plus ``management_system_id``."""
    pending = Pending(
        action,
        obj,
        changes=changes,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        management_system_id=management_system_id,
        management_system_ids=management_system_ids,
    )
    return record_many(actor, [pending])[0]


def _fields_of(pending: Pending) -> tuple[dict[str, Any], uuid.UUID | str | None]:
    """The payload fields of one entry other than ``seq`` and ``at``, and its own system."""
    obj = pending.obj
    object_type, object_id, object_repr = pending.object_type, pending.object_id, pending.object_repr
    management_system_id = pending.management_system_id
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
        if management_system_id is None:
            ms = getattr(obj, "management_system_id", None)
            if ms is None and obj._meta.label_lower == "organisation.managementsystem":
                ms = obj.pk
            management_system_id = ms
    if not object_type or object_id is None:
        raise ValueError("a trail entry needs an object or an object_type and object_id")
    if pending.management_system_ids is not None:
        systems = {str(ms) for ms in pending.management_system_ids if ms}
    else:
        systems = systems_of(obj) if obj is not None else set()
    if management_system_id:
        systems.add(str(management_system_id))
    fields = {
        "action": str(pending.action),
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": (object_repr or "")[:255],
        "management_system_id": str(management_system_id) if management_system_id else None,
        "management_system_ids": sorted(systems),
        "changes": json_value(dict(pending.changes or {})),
    }
    return fields, management_system_id or None


def record_many(actor: Actor, entries: Iterable[Pending]) -> list[TrailEntry]:
    """Append several entries in order, locking the chain head once: the same entries, in the
    same payload format, as calling :func:`record` for each — with one insert for all of them
    (an import writing thousands of records holds the write lock briefly). Must run inside the
    caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("trail.record() must be called inside the service's transaction")
    prepared = [_fields_of(p) for p in entries]  # a bad entry is refused before the head is locked
    if not prepared:
        return []
    head = TrailHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Only a trail with no entry at all may start at genesis; otherwise the head was
        # removed and starting again would hide everything before.
        if TrailEntry.rows.exists():
            raise TrailHeadMissing()
        head = TrailHead.objects.create(pk=1, seq=0, hash=GENESIS)
    at = timezone.now()
    seq, prev = head.seq, head.hash
    actor_fields = {
        "actor_id": str(actor.user.pk) if actor.user is not None else None,
        "actor_label": actor.label[:254],
        "channel": str(actor.channel),
        "ip": actor.ip or "",
    }
    rows: list[TrailEntry] = []
    systems: list[TrailEntrySystem] = []
    for fields, management_system_id in prepared:
        seq += 1
        data = {"seq": seq, "at": json_value(at), **actor_fields, **fields}
        payload = canonical(data)
        digest = chain_hash(prev, payload)
        rows.append(
            TrailEntry(
                seq=seq,
                at=at,
                actor=actor.user,
                actor_label=data["actor_label"],
                channel=data["channel"],
                ip=data["ip"],
                action=data["action"],
                object_type=data["object_type"],
                object_id=data["object_id"],
                object_repr=data["object_repr"],
                management_system_id=management_system_id,
                payload=payload,
                prev_hash=prev,
                hash=digest,
            )
        )
        systems.extend(
            TrailEntrySystem(entry_id=seq, management_system_id=uuid.UUID(ms))
            for ms in data["management_system_ids"]
        )
        prev = digest
    TrailEntry.objects.bulk_create(rows, batch_size=500)
    TrailEntrySystem.objects.bulk_create(systems, batch_size=500)
    TrailHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return rows


@dataclass
class VerifyResult:
    ok: bool
    count: int
    last_seq: int
    last_hash: str
    problems: list[str] = field(default_factory=list)
    first_broken_seq: int | None = None
    head_missing: bool = False

    def checkpoint(self) -> dict[str, Any]:
        return {"count": self.count, "last_seq": self.last_seq, "last_hash": self.last_hash}


def _column_mismatch(entry: TrailEntry, data: Mapping[str, Any]) -> str | None:
    columns = {
        "seq": entry.seq,
        "at": json_value(entry.at),
        "actor_id": str(entry.actor_id) if entry.actor_id else None,
        "actor_label": entry.actor_label,
        "channel": entry.channel,
        "ip": entry.ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "management_system_id": str(entry.management_system_id) if entry.management_system_id else None,
    }
    for key, value in columns.items():
        if data.get(key) != value:
            return f"column {key!r} does not match the hashed payload"
    return None


def _systems_by_entry(seqs: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = TrailEntrySystem.objects.filter(entry_id__in=seqs).values_list("entry_id", "management_system_id")
    for seq, ms in rows:
        found.setdefault(seq, []).append(str(ms))
    return {seq: sorted(ids) for seq, ids in found.items()}


def verify(checkpoint: Mapping[str, Any] | None = None, batch: int = 2000) -> VerifyResult:
    """Walk the whole chain. Reports the first broken entry; with a checkpoint, also detects
    entries cut from the end since the checkpoint was taken. Rows numbered below 1 (outside
    the chain) and a missing or disagreeing chain head are problems too."""
    prev = GENESIS
    expected = 1
    count = 0
    result = VerifyResult(ok=True, count=0, last_seq=0, last_hash=GENESIS)

    def fail(seq: int, why: str) -> None:
        if result.first_broken_seq is None:
            result.first_broken_seq = seq
        result.ok = False
        result.problems.append(f"entry #{seq}: {why}")

    for seq in TrailEntry.rows.filter(seq__lt=1).order_by("seq").values_list("seq", flat=True):
        fail(seq, "numbered outside the chain, which starts at #1 (the row was inserted by hand)")
    checkpoint_hash_seen: str | None = None
    last_seq = 0
    while True:
        rows = list(TrailEntry.rows.filter(seq__gte=expected).order_by("seq")[:batch])
        if not rows:
            break
        systems = _systems_by_entry([entry.seq for entry in rows])
        for entry in rows:
            if entry.seq != expected:
                fail(expected, f"missing (the chain jumps from #{expected - 1} to #{entry.seq})")
                expected = entry.seq
            try:
                data = json.loads(entry.payload)
            except ValueError:
                fail(entry.seq, "payload is not valid JSON")
                data = {}
            if entry.prev_hash != prev:
                fail(entry.seq, "prev_hash does not match the previous entry's hash")
            if chain_hash(entry.prev_hash, entry.payload) != entry.hash:
                fail(entry.seq, "hash does not match its payload (the entry was altered)")
            elif data:
                mismatch = _column_mismatch(entry, data)
                if mismatch is None and systems.get(entry.seq, []) != data.get("management_system_ids", []):
                    mismatch = "its management systems do not match the hashed payload"
                if mismatch:
                    fail(entry.seq, mismatch)
            if checkpoint and entry.seq == int(checkpoint.get("last_seq", -1)):
                checkpoint_hash_seen = entry.hash
            prev = entry.hash
            count += 1
            last_seq = entry.seq
            expected = entry.seq + 1
        if len(rows) < batch:
            break
    result.count = count
    result.last_seq = last_seq
    result.last_hash = prev
    head = TrailHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            result.head_missing = True
            fail(
                last_seq + 1,
                f"the chain head row is missing (every write is refused; run '{REPAIR_COMMAND}')",
            )
    elif head.seq != last_seq or head.hash != prev:
        fail(
            last_seq + 1,
            f"the chain head says #{head.seq} but the last entry is #{last_seq} "
            + (
                "(entries were removed from the end)"
                if head.seq > last_seq
                else "(entries were added past the head, or the head was rewritten)"
            ),
        )
    if checkpoint:
        cp_seq = int(checkpoint.get("last_seq", 0))
        if last_seq < cp_seq:
            fail(last_seq + 1, f"entries #{last_seq + 1} to #{cp_seq} recorded in the checkpoint are gone")
        elif cp_seq and checkpoint_hash_seen != checkpoint.get("last_hash"):
            fail(cp_seq, "hash differs from the checkpoint")
    return result


class RepairRefused(KeelError):
    """The head cannot be rebuilt: it exists, or the chain itself is broken."""

    code = "trail_repair_refused"
    status = 409


def repair_head(actor: Actor) -> VerifyResult:
    """Rebuild a missing chain head from the verified chain, and record that it was done.

    Refused when the head exists (a disagreeing head means entries were cut or added: that is
    for a person to investigate, not to paper over) or when anything else in the chain fails
    verification."""
    with transaction.atomic():
        result = verify()
        if not result.head_missing:
            if result.ok:
                raise RepairRefused(
                    "The audit-trail head is present and matches the chain: nothing to repair."
                )
            raise RepairRefused(
                "The audit-trail head is present; the chain has other problems, which a rebuilt "
                "head would hide: " + "; ".join(result.problems)
            )
        if len(result.problems) > 1:
            others = [p for p in result.problems if "chain head" not in p]
            raise RepairRefused(
                "The chain does not verify, so the head cannot be rebuilt from it: " + "; ".join(others)
            )
        TrailHead.objects.create(pk=1, seq=result.last_seq, hash=result.last_hash)
        record(
            actor,
            TrailAction.REPAIR,
            object_type="platform.trailhead",
            object_id="1",
            object_repr="Audit-trail head",
            changes={"seq": [None, result.last_seq], "hash": [None, result.last_hash]},
        )
    return verify()
