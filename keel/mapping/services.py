"""Write-side services of crosswalks: loading the shipped data files, and the relations people
add, edit and withdraw in the app."""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters
from keel.standards.models import Requirement, Standard

from .choices import Origin, Relation
from .loader import (
    CROSSWALKS_DIR,
    CrosswalkData,
    CrosswalkDataError,
    EntryInfo,
    equal_forbidden,
    read_crosswalks,
    relation_problems,
)
from .models import Crosswalk, CrosswalkRelation


@dataclass
class CrosswalkLoadReport:
    key: str
    revision: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by a person: left as they are
    unchanged: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    targets: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn or self.restored)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "revision": self.revision,
            "created": len(self.created),
            "updated": len(self.updated),
            "withdrawn": len(self.withdrawn),
            "restored": len(self.restored),
            "kept": len(self.kept),
            "unchanged": self.unchanged,
            "relations": self.counts,
            "targets": self.targets,
        }


def _label(source_key: str | None, target_key: str) -> str:
    return f"{source_key or '—'} → {target_key}"


def load_crosswalks(actor: Actor, folder: Path = CROSSWALKS_DIR) -> list[CrosswalkLoadReport]:
    """Load every shipped crosswalk file: idempotent and all-or-nothing.

    Relations are matched by (source, target) and updated in place; relations a newer revision
    drops are withdrawn (never deleted) and restored when they come back. A shipped relation a
    person edited (``edited``) is kept exactly as they left it. Needs the standards loaded
    first. A malformed file raises :class:`CrosswalkDataError` before anything is written.
    """
    check(actor, Perm.LOAD_STANDARDS)
    data = read_crosswalks(folder)
    with transaction.atomic():
        return [_load_one(actor, cw) for cw in data]


def _load_one(actor: Actor, data: CrosswalkData) -> CrosswalkLoadReport:
    now = timezone.now()
    report = CrosswalkLoadReport(key=data.key, revision=data.revision, counts=data.counts())
    report.targets = len({r.target_key for r in data.relations})
    standards = {s.key: s for s in Standard.objects.filter(key__in=[data.source, data.target])}
    if len(standards) != 2:  # pragma: no cover - read_crosswalks checked the entries exist
        raise CrosswalkDataError([f"{data.data_source}: its standards are not loaded"])
    meta = {
        "name": data.name,
        "description": data.description,
        "source": standards[data.source],
        "target": standards[data.target],
        "origin": Origin.SHIPPED.value,
        "revision": data.revision,
        "data_source": data.data_source,
    }
    cw = Crosswalk.objects.select_for_update().filter(key=data.key).first()
    meta_changes: dict[str, list[Any]] = {}
    if cw is None:
        cw = Crosswalk.objects.create(key=data.key, **meta)
        meta_changes = {k: [None, trail.json_value(v)] for k, v in meta.items()}
    else:
        before = {k: getattr(cw, k) for k in meta}
        meta_changes = {
            k: [trail.json_value(a), trail.json_value(b)] for k, (a, b) in trail.diff(before, meta).items()
        }
        if meta_changes:
            for k, v in meta.items():
                setattr(cw, k, v)
            cw.save()

    keys = {r.target_key for r in data.relations} | {r.source_key for r in data.relations if r.source_key}
    req_ids = dict(Requirement.objects.filter(key__in=keys).values_list("key", "id"))
    existing: dict[tuple[str | None, str], CrosswalkRelation] = {
        (r.source.key if r.source is not None else None, r.target.key): r
        for r in CrosswalkRelation.objects.filter(crosswalk=cw).select_related("source", "target")
    }
    wanted = {(r.source_key, r.target_key) for r in data.relations}
    to_create: list[CrosswalkRelation] = []
    to_update: list[tuple[Any, dict[str, Any]]] = []
    for rel in data.relations:
        pair = (rel.source_key, rel.target_key)
        label = _label(*pair)
        values = {"relation": rel.relation, "rationale": rel.rationale, "extension": rel.extension}
        row = existing.get(pair)
        if row is None:
            to_create.append(
                CrosswalkRelation(
                    crosswalk=cw,
                    source_id=req_ids[rel.source_key] if rel.source_key else None,
                    target_id=req_ids[rel.target_key],
                    origin=Origin.SHIPPED,
                    **values,
                )
            )
            report.created.append(label)
            continue
        if row.edited or row.origin != Origin.SHIPPED:
            # A person's version (edited, withdrawn by them, or their own relation) wins.
            report.kept.append(label)
            continue
        changed: dict[str, Any] = {k: v for k, v in values.items() if getattr(row, k) != v}
        if row.withdrawn_at is not None:
            changed["withdrawn_at"] = None
            report.restored.append(label)
        elif changed:
            report.updated.append(label)
        else:
            report.unchanged += 1
        if changed:
            to_update.append((row.pk, changed))
    for pair, row in existing.items():
        if (
            pair not in wanted
            and row.origin == Origin.SHIPPED
            and not row.edited
            and row.withdrawn_at is None
        ):
            to_update.append((row.pk, {"withdrawn_at": now}))
            report.withdrawn.append(_label(*pair))
    CrosswalkRelation.objects.bulk_create(to_create, batch_size=500)
    for pk, fields in to_update:
        CrosswalkRelation.objects.filter(pk=pk).update(updated_at=now, **fields)
    if report.changed or meta_changes:
        trail.record(
            actor,
            TrailAction.LOAD,
            cw,
            changes={
                "revision": data.revision,
                "crosswalk": meta_changes,
                "created": report.created,
                "updated": report.updated,
                "withdrawn": report.withdrawn,
                "restored": report.restored,
                "kept": report.kept,
            },
        )
    return report


# ---------------------------------------------------------------- crosswalks and relations in the app

RELATION_FIELDS = ("relation", "rationale", "extension")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,118}[a-z0-9]$")


def get_crosswalk(ref: Crosswalk | str) -> Crosswalk:
    if isinstance(ref, Crosswalk):
        return ref
    cw = Crosswalk.objects.select_related("source", "target").filter(key=str(ref).strip()).first()
    if cw is None:
        known = ", ".join(Crosswalk.objects.values_list("key", flat=True)) or "none"
        raise NotFound(f"No crosswalk {ref!r}. Known crosswalks: {known}.")
    return cw


def get_relation(relation_id: uuid.UUID | str) -> CrosswalkRelation:
    try:
        pk = uuid.UUID(str(relation_id))
    except ValueError:
        raise NotFound(f"No crosswalk relation with id {relation_id!r}.") from None
    row = (
        CrosswalkRelation.objects.select_related("crosswalk__source", "crosswalk__target", "source", "target")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise NotFound(f"No crosswalk relation with id {relation_id}.")
    return row


def check_new_crosswalk(
    key: str, name: str, source: str, target: str, description: str = ""
) -> tuple[str, str, dict[str, Standard]]:
    """Check what a new crosswalk needs (a key of the right shape, a name, two different loaded
    standards) without writing anything, so a dry run refuses what the real run would refuse.
    Returns the cleaned key and name and the two standards by key."""
    reject_control_characters({"key": key, "name": name, "description": description})
    key, name = (key or "").strip(), " ".join((name or "").split())
    fields: dict[str, list[str]] = {}
    if not KEY_RE.match(key):
        fields["key"] = ["3-120 lower-case letters, digits and hyphens, e.g. iso27001-2022--nist-csf-2"]
    if not name:
        fields["name"] = ["Required."]
    if fields:
        raise ValidationFailed(
            "The crosswalk is not valid — " + "; ".join(f"{k}: {v[0]}" for k, v in fields.items()), fields
        )
    found = {s.key: s for s in Standard.objects.filter(key__in=[source, target])}
    for role, std in (("source", source), ("target", target)):
        if std not in found:
            known = ", ".join(Standard.objects.values_list("key", flat=True))
            raise ValidationFailed(
                f"Unknown {role} standard {std!r}. Loaded: {known}.", {role: ["Unknown standard."]}
            )
    if source == target:
        raise ValidationFailed(
            "A crosswalk relates two different standards.", {"target": ["Same as the source."]}
        )
    if Crosswalk.objects.filter(key=key).exists():
        raise Conflict(f"A crosswalk {key!r} already exists; add relations to it or choose another key.")
    return key, name, found


def create_crosswalk(
    actor: Actor,
    key: str,
    name: str,
    source: str,
    target: str,
    description: str = "",
    origin: str = Origin.USER,
) -> Crosswalk:
    """A new, empty crosswalk between two loaded standards (its relations are added next)."""
    check(actor, Perm.EDIT_MAPPINGS)
    key, name, found = check_new_crosswalk(key, name, source, target, description)
    with transaction.atomic():
        if Crosswalk.objects.filter(key=key).exists():
            raise Conflict(f"A crosswalk {key!r} already exists; add relations to it or choose another key.")
        cw = Crosswalk.objects.create(
            key=key,
            name=name,
            description=" ".join((description or "").split()),
            source=found[source],
            target=found[target],
            origin=origin,
        )
        trail.record(actor, TrailAction.CREATE, cw, changes={**_cw_snapshot(cw)})
    return cw


def _cw_snapshot(cw: Crosswalk) -> dict[str, Any]:
    return {
        "key": cw.key,
        "name": cw.name,
        "source": cw.source.key,
        "target": cw.target.key,
        "origin": cw.origin,
    }


def _rel_snapshot(row: CrosswalkRelation) -> dict[str, Any]:
    return {
        "crosswalk": row.crosswalk.key,
        "source": row.source.key if row.source is not None else None,
        "target": row.target.key,
        "relation": row.relation,
        "rationale": row.rationale,
        "extension": row.extension,
        "origin": row.origin,
        "edited": row.edited,
    }


@functools.lru_cache(maxsize=16)
def _file_never_equal(path: str, mtime: float) -> frozenset[str]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return frozenset()
    if not isinstance(data, dict):
        return frozenset()
    target = str(data.get("target") or "")
    return frozenset(
        str(n) if str(n).startswith(f"{target}:") else f"{target}:{n}" for n in data.get("never_equal") or []
    )


def never_equal(cw: Crosswalk) -> frozenset[str]:
    """Target keys a shipped crosswalk's data file says may never be ``equal``."""
    if not cw.data_source.startswith("crosswalks/"):
        return frozenset()
    path = CROSSWALKS_DIR / cw.data_source.removeprefix("crosswalks/")
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return frozenset()
    return _file_never_equal(str(path), mtime)


def _entry(std: Standard, name: str | None, field_name: str) -> Requirement | None:
    """An entry of ``std`` by ref id or key (None for an empty name)."""
    text = (name or "").strip()
    if not text:
        return None
    key = text if text.startswith(f"{std.key}:") else f"{std.key}:{text}"
    req = Requirement.objects.select_related("standard").filter(key=key, withdrawn_at__isnull=True).first()
    if req is None:
        raise ValidationFailed(
            f"{text!r} is not an entry of {std.key} (give its ref id, e.g. A.5.19, or its key).",
            {field_name: [f"Not an entry of {std.key}."]},
        )
    return req


def check_relation(
    cw: Crosswalk,
    source: Requirement | None,
    target: Requirement,
    relation: str,
    rationale: str,
    extension: str,
) -> None:
    """The rules of every relation (docs/crosswalks.md); raise ValidationFailed naming the field."""
    reject_control_characters({"rationale": rationale, "extension": extension})
    problems = relation_problems(relation, source is not None, extension)
    fields: dict[str, list[str]] = {}
    for p in problems:
        name = "relation" if "is not one of" in p else "extension" if "extension" in p else "source"
        fields.setdefault(name, []).append(p)
    if not rationale:
        fields.setdefault("rationale", []).append("Say why the entries relate, or why nothing does.")
    info = EntryInfo(target.key, cw.target.key, target.ref_id, target.kind, target.hs_relation)
    if relation == Relation.EQUAL and equal_forbidden(info, never_equal(cw)):
        fields.setdefault("relation", []).append(
            f"{target.ref_id} adds content the source does not have: use subset or intersects with an extension note."
        )
    if fields:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        raise ValidationFailed(f"The relation is not valid — {summary}", fields)


def _clean_text(value: str | None) -> str:
    return " ".join((value or "").split())


def save_relation(
    actor: Actor,
    crosswalk: Crosswalk | str,
    source: str | None,
    target: str,
    relation: str,
    rationale: str,
    extension: str = "",
    origin: str = Origin.USER,
) -> CrosswalkRelation:
    """Add a relation to a crosswalk, or change the one already there for the same
    (source, target) pair (restoring it if it was withdrawn). A related entry replaces the
    target's ``not_related`` marker, which is withdrawn; a ``not_related`` marker is refused
    while the target has related entries. A ``not_related`` relation that names a source (a
    pair that shares only a theme) keeps its rationale on record and changes nothing else. A shipped relation changed here is marked
    ``edited`` so that reloading the data keeps the person's version."""
    check(actor, Perm.EDIT_MAPPINGS)
    cw = get_crosswalk(crosswalk)
    src = _entry(cw.source, source, "source")
    tgt = _entry(cw.target, target, "target")
    if tgt is None:
        raise ValidationFailed("A relation needs a target entry.", {"target": ["Required."]})
    rationale, extension, relation = _clean_text(rationale), _clean_text(extension), (relation or "").strip()
    check_relation(cw, src, tgt, relation, rationale, extension)
    with transaction.atomic():
        now = timezone.now()
        row = (
            CrosswalkRelation.objects.select_for_update(of=("self",))
            .select_related("crosswalk", "source", "target")
            .filter(crosswalk=cw, source=src, target=tgt)
            .first()
        )
        live = CrosswalkRelation.objects.filter(crosswalk=cw, target=tgt, withdrawn_at__isnull=True)
        related = live.filter(source__isnull=False).exclude(relation=Relation.NOT_RELATED)
        if src is None and related.exists():
            refs = ", ".join(related.values_list("source__ref_id", flat=True))
            raise Conflict(
                f"{tgt.ref_id} is related to {refs}; withdraw those relations before marking it not related."
            )
        values = {"relation": relation, "rationale": rationale, "extension": extension}
        if row is None:
            row = CrosswalkRelation.objects.create(
                crosswalk=cw, source=src, target=tgt, origin=origin, **values
            )
            trail.record(actor, TrailAction.CREATE, row, changes=_rel_snapshot(row))
        elif row.withdrawn_at is not None or any(getattr(row, k) != v for k, v in values.items()):
            before = _rel_snapshot(row) | {"withdrawn_at": trail.json_value(row.withdrawn_at)}
            for k, v in values.items():
                setattr(row, k, v)
            row.withdrawn_at = None
            if row.origin == Origin.SHIPPED:
                row.edited = True
            row.save()
            changes = trail.diff(before, _rel_snapshot(row) | {"withdrawn_at": None})
            if changes:
                trail.record(actor, TrailAction.UPDATE, row, changes=changes)
        if src is not None and relation != Relation.NOT_RELATED:
            for marker in live.filter(source__isnull=True).select_related("crosswalk", "target"):
                _withdraw(actor, marker, now, reason=f"replaced by a relation from {src.ref_id}")
    return row


def _locked_relation(relation_id: uuid.UUID | str) -> CrosswalkRelation:
    """The relation, its row locked until the transaction ends (ADR 0014)."""
    found = get_relation(relation_id)
    return (
        CrosswalkRelation.objects.select_for_update(of=("self",))
        .select_related("crosswalk", "source", "target")
        .get(pk=found.pk)
    )


def update_relation(
    actor: Actor, relation_id: uuid.UUID | str, *, expected_version: str | None = None, **fields: Any
) -> CrosswalkRelation:
    """Change a relation's type, rationale or extension (its source and target are its identity).
    The fields not sent are taken from the row read under its lock, so a concurrent change of
    another field is kept; ``expected_version`` makes a stale edit a conflict."""
    check(actor, Perm.EDIT_MAPPINGS)
    unknown = set(fields) - set(RELATION_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}. A relation's source and target cannot "
            "change: withdraw it and add another.",
            {n: ["Cannot be changed."] for n in unknown},
        )
    with transaction.atomic():
        row = _locked_relation(relation_id)
        if row.withdrawn_at is not None:
            raise Conflict("This relation is withdrawn; add it again to bring it back.")
        check_version(row, expected_version, f"The relation to {row.target.ref_id}")
        merged = {k: fields[k] if fields.get(k) is not None else getattr(row, k) for k in RELATION_FIELDS}
        return save_relation(
            actor,
            row.crosswalk,
            row.source.key if row.source is not None else None,
            row.target.key,
            merged["relation"],
            merged["rationale"],
            merged["extension"],
            origin=row.origin,
        )


def withdraw_relation(actor: Actor, relation_id: uuid.UUID | str) -> CrosswalkRelation:
    """Withdraw a relation (kept, with ``withdrawn_at``); a shipped one stays withdrawn when the
    data is reloaded."""
    check(actor, Perm.EDIT_MAPPINGS)
    with transaction.atomic():
        row = _locked_relation(relation_id)
        if row.withdrawn_at is not None:
            return row
        _withdraw(actor, row, timezone.now())
    return row


def _withdraw(actor: Actor, row: CrosswalkRelation, now: Any, reason: str = "") -> None:
    row.withdrawn_at = now
    if row.origin == Origin.SHIPPED:
        row.edited = True
    row.save(update_fields=["withdrawn_at", "edited", "updated_at"])
    changes: dict[str, Any] = {"withdrawn_at": [None, trail.json_value(now)]}
    if reason:
        changes["reason"] = reason
    trail.record(actor, TrailAction.UPDATE, row, changes=changes)
