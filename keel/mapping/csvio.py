"""CSV export and import of a crosswalk.

Columns: ``source, target, relation, rationale, extension`` (one relation a row; ``source``
empty for ``not_related``). Entries are named by ref id (``A.5.19``) or by key
(``iso27001:2022:A.5.19``). An import is all-or-nothing: a file with a rejected row changes
nothing; ``dry_run`` reports the plan without changing anything. The import runs on the platform
pipeline (:mod:`keel.platform.importing`). See docs/crosswalks.md.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from keel.platform.actor import Actor
from keel.platform.cells import SafeCsvWriter
from keel.platform.errors import KeelError, ValidationFailed
from keel.platform.importing.columns import Column, ColumnMap
from keel.platform.importing.pipeline import Cells, SpreadsheetImporter
from keel.platform.importing.report import CREATE, REJECT, UNCHANGED, UPDATE, ImportReport, RowPlan
from keel.platform.permissions import Perm, check
from keel.platform.spreadsheets import ImportFileError, Table, read_table
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


class CrosswalkImport(SpreadsheetImporter):
    """The crosswalk CSV import's rules on the platform pipeline: columns named exactly, one
    relation a row, a new crosswalk created between two standards when ``key`` has none."""

    kind = "crosswalk"
    fields = {c: (c,) for c in COLUMNS}
    key_field = None

    def __init__(
        self,
        actor: Actor,
        filename: str,
        *,
        key: str,
        source: str | None,
        target: str | None,
        name: str | None,
    ) -> None:
        super().__init__(actor, filename)
        self.key, self.name = key, name
        cw = Crosswalk.objects.select_related("source", "target").filter(key=key).first()
        if cw is None:
            if not source or not target:
                raise ValidationFailed(
                    f"There is no crosswalk {key!r} yet: give --source and --target standards to create it.",
                    {
                        "source": ["Required for a new crosswalk."],
                        "target": ["Required for a new crosswalk."],
                    },
                )
            # the same checks as creating it, so a dry run refuses what the real run would refuse
            self.key, _name, stds = services.check_new_crosswalk(
                key, name or f"{source} to {target}", source, target
            )
            probe = Crosswalk(key=self.key, name=name or "", source=stds[source], target=stds[target])
        else:
            for role, given in (("source", source), ("target", target)):
                if given and given != getattr(cw, role).key:
                    raise ValidationFailed(
                        f"Crosswalk {key!r} has {role} {getattr(cw, role).key}, not {given}.",
                        {role: ["Does not match."]},
                    )
            probe = cw
        self.cw, self.probe = cw, probe

    def read(self, data: bytes) -> tuple[Table, ColumnMap]:
        return read_crosswalk_table(data, self.filename)

    def prepare(self, report: ImportReport, table: Table, columns: ColumnMap) -> None:
        probe = self.probe
        report.context.update(
            crosswalk=self.key,
            new_crosswalk=self.cw is None,
            source=probe.source.key,
            target=probe.target.key,
        )
        self.entries = {
            r.key: r
            for r in Requirement.objects.filter(
                standard__in=[probe.source, probe.target], withdrawn_at__isnull=True
            ).select_related("standard")
        }
        self.existing: dict[tuple[str | None, str], CrosswalkRelation] = {}
        if self.cw is not None:
            for rel in CrosswalkRelation.objects.filter(crosswalk=self.cw).select_related("source", "target"):
                self.existing[(rel.source.key if rel.source is not None else None, rel.target.key)] = rel
        self.seen: dict[tuple[str | None, str], int] = {}
        self.accepted: list[tuple[RowPlan, str | None, str, dict[str, str]]] = []

    def plan_row(self, line_no: int, row: Cells, report: ImportReport) -> RowPlan | None:
        raw = {col.field: "" if cell is None else str(cell).strip() for col, cell in row.each()}
        if not any(raw.values()):
            return None
        prow = _row(line_no, raw.get("source", ""), raw.get("target", ""), raw.get("relation", ""))
        probe, entries = self.probe, self.entries
        src_key = _key(raw.get("source", ""), probe.source.key, entries)
        tgt_key = _key(raw.get("target", ""), probe.target.key, entries)
        if raw.get("source") and src_key is None:
            prow.reason, prow.column = (
                f"source {raw['source']!r} is not an entry of {probe.source.key}",
                "source",
            )
            return prow
        if tgt_key is None:
            prow.column = "target"
            prow.reason = (
                f"target {raw.get('target')!r} is not an entry of {probe.target.key}"
                if raw.get("target")
                else "target is empty"
            )
            return prow
        values = {
            "relation": _relation(raw.get("relation", "")),
            "rationale": " ".join(raw.get("rationale", "").split()),
            "extension": " ".join(raw.get("extension", "").split()),
        }
        try:
            services.check_relation(probe, entries[src_key] if src_key else None, entries[tgt_key], **values)
        except ValidationFailed as exc:
            prow.reason = "; ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message
            prow.column = next(iter(exc.fields), "") if len(exc.fields) == 1 else ""
            return prow
        pair = (src_key, tgt_key)
        if pair in self.seen:
            prow.reason = f"the same source and target as row {self.seen[pair]}"
            return prow
        self.seen[pair] = line_no
        prow.extra["relation"] = values["relation"]
        self.accepted.append((prow, src_key, tgt_key, values))
        return prow

    def finish(self, report: ImportReport) -> None:
        """A not_related row is refused when the target is related to a source (in the file or
        in the crosswalk); then each accepted row is created, updated or unchanged."""
        related_in_file = {
            t for _, s, t, v in self.accepted if s is not None and v["relation"] != Relation.NOT_RELATED
        }
        live_related = {
            t
            for (s, t), rel in self.existing.items()
            if s is not None and rel.withdrawn_at is None and rel.relation != Relation.NOT_RELATED
        }
        for prow, src_key, tgt_key, values in self.accepted:
            if src_key is None and (tgt_key in related_in_file or tgt_key in live_related):
                prow.reason = (
                    f"{self.entries[tgt_key].ref_id} is marked not_related but is related to a source entry "
                    + ("in this file" if tgt_key in related_in_file else "in the crosswalk")
                )
                prow.column = "relation"
                continue
            found = self.existing.get((src_key, tgt_key))
            if found is None:
                prow.action = CREATE
            else:
                changes = [k for k, v in values.items() if getattr(found, k) != v]
                if found.withdrawn_at is not None:
                    changes.append("restored")
                prow.extra["changes"] = changes
                prow.action = UPDATE if changes else UNCHANGED

    def write(self, report: ImportReport) -> None:
        todo = [(p, s, t, v) for p, s, t, v in self.accepted if p.action in (CREATE, UPDATE)]
        target_cw = self.cw
        if target_cw is None:
            target_cw = services.create_crosswalk(
                self.actor,
                self.key,
                self.name or f"{self.probe.source} to {self.probe.target}",
                self.probe.source.key,
                self.probe.target.key,
                description=f"Imported from {self.filename}.",
                origin=Origin.IMPORTED,
            )
        for _prow, src_key, tgt_key, values in todo:
            prior = self.existing.get((src_key, tgt_key))
            services.save_relation(
                self.actor,
                target_cw,
                src_key,
                tgt_key,
                origin=prior.origin if prior is not None else Origin.IMPORTED,
                **values,
            )


def read_crosswalk_table(data: bytes, filename: str) -> tuple[Table, ColumnMap]:
    """The rows under the header, read by the platform's reader (UTF-8 or Windows-1252, `,`
    `;` or tab, title rows above the header, or an XLSX sheet); the columns are named exactly."""
    wanted = set(COLUMNS)

    def score(cells: Sequence[Any]) -> int:
        return len({str(c).strip().lower() for c in cells if c is not None} & wanted)

    try:
        table = read_table(data, filename, score)
    except ImportFileError as exc:
        if exc.message.startswith("No header row"):
            raise CrosswalkCsvError(
                f"Missing column(s): {', '.join(sorted(REQUIRED))} (no header row names them in "
                f"{filename}). Expected the columns {', '.join(COLUMNS)}."
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
    columns = ColumnMap(columns=[Column(index=i, name=n, field=n) for i, n in enumerate(names) if n])
    return table, columns


def _row(line_no: int, source: str, target: str, relation: str) -> RowPlan:
    """A row as the report shows it; rejected until the rules accept it."""
    return RowPlan(
        row=line_no,
        action=REJECT,
        ref=f"{source or '—'} → {target}",
        extra={"source": source, "target": target, "relation": relation, "changes": []},
    )


def report_json(report: ImportReport) -> dict[str, Any]:
    """The JSON report of ``keel crosswalk import`` (its contract: docs/crosswalks.md)."""
    s = report.summary()
    return {
        "file": report.file,
        "crosswalk": report.context["crosswalk"],
        "new_crosswalk": report.context["new_crosswalk"],
        "source": report.context["source"],
        "target": report.context["target"],
        "dry_run": report.dry_run,
        "applied": report.applied,
        "summary": {k: s[k] for k in ("rows", "created", "updated", "unchanged", "rejected")},
        "rows": [
            {
                "row": r.row,
                "action": r.action,
                "source": r.extra["source"] or None,
                "target": r.extra["target"],
                "relation": r.extra["relation"],
                "reason": r.reason or None,
                "changes": r.extra["changes"],
            }
            for r in report.rows
        ],
    }


def import_csv(
    actor: Actor,
    data: bytes,
    filename: str,
    key: str,
    source: str | None = None,
    target: str | None = None,
    name: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import relations into crosswalk ``key`` (created between ``source`` and ``target`` when
    it does not exist yet). All-or-nothing; imported relations have origin ``imported``."""
    check(actor, Perm.EDIT_MAPPINGS)
    importer = CrosswalkImport(actor, filename, key=key, source=source, target=target, name=name)
    try:
        return importer.run(data, dry_run=dry_run)
    except ImportFileError as exc:  # the row limit, or a file broken further down
        raise CrosswalkCsvError(exc.message) from None


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


__all__ = [
    "COLUMNS",
    "CrosswalkCsvError",
    "CrosswalkImport",
    "Relation",
    "export_csv",
    "import_csv",
    "report_json",
]
