"""Write-side services of the standards library."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.permissions import Perm, check

from .loader import DATA_DIR, EntryData, StandardData, VocabularyData, read_all
from .models import Requirement, Standard, Vocabulary, VocabularyTerm


@dataclass
class LoadReport:
    key: str
    revision: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0

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
            "unchanged": self.unchanged,
        }


def _search_text(e: EntryData) -> str:
    return " ".join([e.ref_id, e.title, e.intent, e.auditor_focus, *e.typical_evidence]).lower()


def load_library(actor: Actor, data_dir: Path = DATA_DIR) -> list[LoadReport]:
    """Load every standard and vocabulary from the data files: idempotent and all-or-nothing.

    Entries are matched by key and updated in place; entries that a newer revision drops are
    withdrawn (never deleted). A malformed file raises ``StandardsDataError`` before anything
    is written.
    """
    check(actor, Perm.LOAD_STANDARDS)
    standards, vocabularies = read_all(data_dir)
    reports: list[LoadReport] = []
    with transaction.atomic():
        for data in standards:
            reports.append(_load_standard(actor, data))
        for vocab in vocabularies:
            reports.append(_load_vocabulary(actor, vocab))
    return reports


def _load_standard(actor: Actor, data: StandardData) -> LoadReport:
    now = timezone.now()
    report = LoadReport(key=data.key, revision=data.revision)
    meta = {
        "name": data.name,
        "edition": data.edition,
        "title": data.title,
        "publisher": data.publisher,
        "description": data.description,
        "revision": data.revision,
        "amendments": data.amendments,
        "source": data.source,
    }
    std = Standard.objects.select_for_update().filter(key=data.key).first()
    meta_changes: dict[str, list[Any]] = {}
    if std is None:
        std = Standard.objects.create(key=data.key, loaded_at=now, **meta)
        meta_changes = {k: [None, v] for k, v in meta.items()}
    else:
        before = {k: getattr(std, k) for k in meta}
        meta_changes = trail.diff(before, meta)
        if meta_changes:
            for k, v in meta.items():
                setattr(std, k, v)
            std.loaded_at = now
            std.save()

    existing = {r.key: r for r in Requirement.objects.filter(standard=std)}
    wanted = {e.key: e for e in data.entries}
    to_create: list[Requirement] = []
    # Per row, only the columns that changed: one small UPDATE each is much cheaper than a
    # bulk CASE/WHEN over every column when a revision rewrites many texts.
    to_update: list[tuple[int, dict[str, Any]]] = []
    for e in data.entries:
        values = {
            "ref_id": e.ref_id,
            "title": e.title,
            "kind": e.kind,
            "depth": e.depth,
            "sort_order": e.sort_order,
            "intent": e.intent,
            "auditor_focus": e.auditor_focus,
            "typical_evidence": e.typical_evidence,
            "documented_information": e.documented_information,
            "documented_information_note": e.documented_information_note,
            "customarily_documented_note": e.customarily_documented_note,
            "hs_key": e.hs_key,
            "hs_relation": e.hs_relation,
            "amendments": e.amendments,
            "search_text": _search_text(e),
        }
        row = existing.get(e.key)
        if row is None:
            to_create.append(
                Requirement(key=e.key, standard=std, introduced_in_revision=data.revision, **values)
            )
            report.created.append(e.key)
            continue
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if row.withdrawn_at is not None:
            changed.update(withdrawn_at=None, withdrawn_in_revision=None)
            report.restored.append(e.key)
        elif changed:
            report.updated.append(e.key)
        if changed:
            to_update.append((row.pk, changed))
        else:
            report.unchanged += 1
    for key, row in existing.items():
        if key not in wanted and row.withdrawn_at is None:
            to_update.append((row.pk, {"withdrawn_at": now, "withdrawn_in_revision": data.revision}))
            report.withdrawn.append(key)
    Requirement.objects.bulk_create(to_create, batch_size=500)
    for pk, fields in to_update:
        Requirement.objects.filter(pk=pk).update(**fields)
    # Parents are set after every row exists.
    rows = {r.key: r for r in Requirement.objects.filter(standard=std)}
    parent_updates = []
    for e in data.entries:
        row = rows[e.key]
        parent_id = rows[f"{data.key}:{e.parent_ref}"].pk if e.parent_ref else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            parent_updates.append(row)
            if e.key not in report.created and e.key not in report.updated and e.key not in report.restored:
                report.updated.append(e.key)
                report.unchanged -= 1
    if parent_updates:
        Requirement.objects.bulk_update(parent_updates, ["parent"], batch_size=500)
    if report.changed or meta_changes:
        trail.record(
            actor,
            TrailAction.LOAD,
            std,
            changes={
                "revision": data.revision,
                "standard": meta_changes,
                "created": report.created,
                "updated": report.updated,
                "withdrawn": report.withdrawn,
                "restored": report.restored,
            },
        )
    return report


def _load_vocabulary(actor: Actor, data: VocabularyData) -> LoadReport:
    now = timezone.now()
    report = LoadReport(key=data.key, revision=data.revision)
    vocab = Vocabulary.objects.filter(key=data.key).first()
    if vocab is None:
        vocab = Vocabulary.objects.create(
            key=data.key, name=data.name, description=data.description, revision=data.revision, loaded_at=now
        )
    elif (vocab.name, vocab.description, vocab.revision) != (data.name, data.description, data.revision):
        vocab.name, vocab.description, vocab.revision, vocab.loaded_at = (
            data.name,
            data.description,
            data.revision,
            now,
        )
        vocab.save()
        report.updated.append(data.key)
    existing = {(t.attribute_key, t.value): t for t in vocab.terms.all()}
    wanted = {(t.attribute_key, t.value) for t in data.terms}
    for t in data.terms:
        values = {
            "attribute_name": t.attribute_name,
            "attribute_description": t.attribute_description,
            "description": t.description,
            "sort_order": t.sort_order,
        }
        row = existing.get((t.attribute_key, t.value))
        label = f"{t.attribute_key}:{t.value}"
        if row is None:
            VocabularyTerm.objects.create(
                vocabulary=vocab, attribute_key=t.attribute_key, value=t.value, **values
            )
            report.created.append(label)
        elif row.withdrawn_at is not None or any(getattr(row, k) != v for k, v in values.items()):
            (report.restored if row.withdrawn_at else report.updated).append(label)
            for k, v in values.items():
                setattr(row, k, v)
            row.withdrawn_at = None
            row.save()
        else:
            report.unchanged += 1
    for term_key, row in existing.items():
        if term_key not in wanted and row.withdrawn_at is None:
            row.withdrawn_at = now
            row.save(update_fields=["withdrawn_at"])
            report.withdrawn.append(f"{term_key[0]}:{term_key[1]}")
    if report.changed:
        trail.record(
            actor,
            TrailAction.LOAD,
            vocab,
            changes={
                "revision": data.revision,
                "created": report.created,
                "updated": report.updated,
                "withdrawn": report.withdrawn,
                "restored": report.restored,
            },
        )
    return report
