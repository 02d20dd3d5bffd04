"""CSV export and import of a crosswalk.

Columns: ``source, target, relation, rationale, extension`` (one relation a row; ``source``
empty for ``not_related``). Entries are named by ref id (``A.5.19``) or by key
(``iso27001:2022:A.5.19``). An import is all-or-nothing: a file with a rejected row changes
nothing; ``dry_run`` reports the plan without changing anything. See docs/crosswalks.md.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from keel.platform.actor import Actor
from keel.platform.cells import SafeCsvWriter
from keel.platform.dbstats import refresh_statistics_after_commit
from keel.platform.errors import KeelError, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.spreadsheets import ImportFileError, read_table
from keel.standards.models import Requirement

from . import services
from .choices import Origin, Relation
from .models import Crosswalk, CrosswalkRelation

COLUMNS = ["source", "target", "relation", "rationale", "extension"]
REQUIRED = {"target", "relation", "rationale"}


class CrosswalkCsvError(KeelError):
    """The file cannot be read as a crosswalk CSV at all (exit status 2 on the CLI)."""

    code = "invalid_file"
    status = 400


def export_csv(cw: Crosswalk) -> str:
    """The crosswalk's live relations as CSV text, in target order, entries by ref id."""
    buf = io.StringIO()
    writer = SafeCsvWriter(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = (
        CrosswalkRelation.objects.filter(crosswalk=cw, withdrawn_at__isnull=True)
        .select_related("source", "target")
        .order_by("target__sort_order", "source__sort_order")
    )
    for r in rows:
        writer.writerow(
            [
                r.source.ref_id if r.source is not None else "",
                r.target.ref_id,
                r.relation,
                r.rationale,
                r.extension,
            ]
        )
    return buf.getvalue()


@dataclass
class PlanRow:
    row: int
    action: str  # create | update | unchanged | reject
    source: str
    target: str
    relation: str
    reason: str = ""
    changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "action": self.action,
            "source": self.source or None,
            "target": self.target,
            "relation": self.relation,
            "reason": self.reason or None,
            "changes": self.changes,
        }


@dataclass
class ImportPlan:
    file: str
    crosswalk: str
    new_crosswalk: bool
    source: str
    target: str
    dry_run: bool
    rows: list[PlanRow] = field(default_factory=list)
    applied: bool = False

    @property
    def rejected(self) -> list[PlanRow]:
        return [r for r in self.rows if r.action == "reject"]

    def summary(self) -> dict[str, int]:
        out = {"rows": len(self.rows), "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        for r in self.rows:
            out[
                {"create": "created", "update": "updated", "unchanged": "unchanged", "reject": "rejected"}[
                    r.action
                ]
            ] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "crosswalk": self.crosswalk,
            "new_crosswalk": self.new_crosswalk,
            "source": self.source,
            "target": self.target,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "summary": self.summary(),
            "rows": [r.as_dict() for r in self.rows],
        }


def _read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The rows under the header, read by the import reader (UTF-8 or Windows-1252, `,` `;` or
    tab, title rows above the header, or an XLSX sheet), each with its row number."""
    wanted = set(COLUMNS)

    def score(cells: Sequence[Any]) -> int:
        return len({str(c).strip().lower() for c in cells if c is not None} & wanted)

    try:
        table = read_table(data, filename, score)
    except ImportFileError as exc:
        if exc.message.startswith("No header row"):
            raise CrosswalkCsvError(
                f"Missing column(s): {', '.join(sorted(REQUIRED))} (no header row names them in {filename}). "
                f"Expected the columns {', '.join(COLUMNS)}."
            ) from None
        raise CrosswalkCsvError(exc.message) from None
    names = [str(h).strip().lower() if h is not None else "" for h in table.header]
    missing = sorted(REQUIRED - set(names))
    if missing:
        raise CrosswalkCsvError(
            f"Missing column(s): {', '.join(missing)}. Expected the columns {', '.join(COLUMNS)} "
            f"(found: {', '.join(n for n in names if n) or 'none'})."
        )
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise CrosswalkCsvError(f"Column(s) given more than once: {', '.join(twice)}; keep one of each.")
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        raise CrosswalkCsvError(f"Unknown column(s): {', '.join(unknown)}. Expected {', '.join(COLUMNS)}.")
    rows = []
    try:
        for row_no, values in table.rows:
            cells = ["" if v is None else str(v).strip() for v in values]
            if not any(cells):
                continue
            rows.append((row_no, {n: (cells[i] if i < len(cells) else "") for i, n in enumerate(names) if n}))
    except ImportFileError as exc:  # the row limit, or a file broken further down
        raise CrosswalkCsvError(exc.message) from None
    return rows


def import_csv(
    actor: Actor,
    data: bytes,
    filename: str,
    key: str,
    source: str | None = None,
    target: str | None = None,
    name: str | None = None,
    dry_run: bool = False,
) -> ImportPlan:
    """Import relations into crosswalk ``key`` (created between ``source`` and ``target`` when
    it does not exist yet). All-or-nothing; imported relations have origin ``imported``."""
    check(actor, Perm.EDIT_MAPPINGS)
    rows = _read_rows(data, filename)
    cw = Crosswalk.objects.select_related("source", "target").filter(key=key).first()
    if cw is None:
        if not source or not target:
            raise ValidationFailed(
                f"There is no crosswalk {key!r} yet: give --source and --target standards to create it.",
                {"source": ["Required for a new crosswalk."], "target": ["Required for a new crosswalk."]},
            )
        # the same checks as creating it, so a dry run refuses what the real run would refuse
        key, _name, stds = services.check_new_crosswalk(key, name or f"{source} to {target}", source, target)
        probe = Crosswalk(key=key, name=name or "", source=stds[source], target=stds[target])
    else:
        for role, given in (("source", source), ("target", target)):
            if given and given != getattr(cw, role).key:
                raise ValidationFailed(
                    f"Crosswalk {key!r} has {role} {getattr(cw, role).key}, not {given}.",
                    {role: ["Does not match."]},
                )
        probe = cw
    plan = ImportPlan(
        file=filename,
        crosswalk=key,
        new_crosswalk=cw is None,
        source=probe.source.key,
        target=probe.target.key,
        dry_run=dry_run,
    )
    entries = {
        r.key: r
        for r in Requirement.objects.filter(
            standard__in=[probe.source, probe.target], withdrawn_at__isnull=True
        ).select_related("standard")
    }
    existing: dict[tuple[str | None, str], CrosswalkRelation] = {}
    if cw is not None:
        for rel in CrosswalkRelation.objects.filter(crosswalk=cw).select_related("source", "target"):
            existing[(rel.source.key if rel.source is not None else None, rel.target.key)] = rel
    seen: dict[tuple[str | None, str], int] = {}
    accepted: list[tuple[PlanRow, str | None, str, dict[str, str]]] = []
    for line_no, raw in rows:
        prow = PlanRow(
            line_no, "reject", raw.get("source", ""), raw.get("target", ""), raw.get("relation", "")
        )
        plan.rows.append(prow)
        src_key = _key(raw.get("source", ""), probe.source.key, entries)
        tgt_key = _key(raw.get("target", ""), probe.target.key, entries)
        if raw.get("source") and src_key is None:
            prow.reason = f"source {raw['source']!r} is not an entry of {probe.source.key}"
            continue
        if tgt_key is None:
            prow.reason = (
                f"target {raw.get('target')!r} is not an entry of {probe.target.key}"
                if raw.get("target")
                else "target is empty"
            )
            continue
        values = {
            "relation": _relation(raw.get("relation", "")),
            "rationale": " ".join(raw.get("rationale", "").split()),
            "extension": " ".join(raw.get("extension", "").split()),
        }
        try:
            services.check_relation(probe, entries[src_key] if src_key else None, entries[tgt_key], **values)
        except ValidationFailed as exc:
            prow.reason = "; ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message
            continue
        pair = (src_key, tgt_key)
        if pair in seen:
            prow.reason = f"the same source and target as row {seen[pair]}"
            continue
        seen[pair] = line_no
        prow.relation = values["relation"]
        accepted.append((prow, src_key, tgt_key, values))
    related_in_file = {
        t for _, s, t, v in accepted if s is not None and v["relation"] != Relation.NOT_RELATED
    }
    live_related = {
        t
        for (s, t), rel in existing.items()
        if s is not None and rel.withdrawn_at is None and rel.relation != Relation.NOT_RELATED
    }
    for prow, src_key, tgt_key, values in accepted:
        if src_key is None and (tgt_key in related_in_file or tgt_key in live_related):
            prow.reason = (
                f"{entries[tgt_key].ref_id} is marked not_related but is related to a source entry "
                + ("in this file" if tgt_key in related_in_file else "in the crosswalk")
            )
            continue
        found = existing.get((src_key, tgt_key))
        if found is None:
            prow.action = "create"
        else:
            prow.changes = [k for k, v in values.items() if getattr(found, k) != v]
            if found.withdrawn_at is not None:
                prow.changes.append("restored")
            prow.action = "update" if prow.changes else "unchanged"
    if plan.rejected or dry_run:
        return plan
    todo = [(p, s, t, v) for p, s, t, v in accepted if p.action in ("create", "update")]
    with transaction.atomic():
        refresh_statistics_after_commit()  # thousands of rows at once: keep the planner informed
        target_cw = cw
        if target_cw is None:
            target_cw = services.create_crosswalk(
                actor,
                key,
                name or f"{probe.source} to {probe.target}",
                probe.source.key,
                probe.target.key,
                description=f"Imported from {filename}.",
                origin=Origin.IMPORTED,
            )
        for _prow, src_key, tgt_key, values in todo:
            prior = existing.get((src_key, tgt_key))
            services.save_relation(
                actor,
                target_cw,
                src_key,
                tgt_key,
                origin=prior.origin if prior is not None else Origin.IMPORTED,
                **values,
            )
    plan.applied = True
    return plan


def _relation(text: str) -> str:
    """A relation value from its value or its label ("Subset of", "Not related")."""
    t = " ".join(text.split()).lower()
    for value, label in Relation.choices:
        if t in (value, str(label).lower(), value.replace("_", " ")):
            return value
    return t


def _key(name: str, standard: str, entries: dict[str, Requirement]) -> str | None:
    text = (name or "").strip()
    if not text:
        return None
    key = text if text.startswith(f"{standard}:") else f"{standard}:{text}"
    return key if key in entries else None


__all__ = ["COLUMNS", "CrosswalkCsvError", "ImportPlan", "Relation", "export_csv", "import_csv"]
