"""Write-side services of crosswalks: loading the shipped data files, and the relations people
add, edit and withdraw in the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.core import trail
from keel.core.actor import Actor
from keel.core.choices import TrailAction
from keel.core.permissions import Perm, check
from keel.standards.models import Requirement, Standard

from .choices import Origin
from .loader import CROSSWALKS_DIR, CrosswalkData, CrosswalkDataError, read_crosswalks
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
