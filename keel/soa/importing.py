"""Import an existing Statement of Applicability on the platform pipeline
(:mod:`keel.platform.importing`): control ref (the standard's Annex A ID, or one
of the organisation's own control refs for an additional row), applicable, justification, status.

Applying creates the SoA when it does not exist yet (:func:`keel.soa.services.create_soa`) and
changes its rows with :func:`keel.soa.services.update_row` / ``add_control_row``, all in one
transaction. How the columns land on the SoA row is documented in docs/import.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keel.aisystems.models import AISystem
from keel.controls.importing.columns import SOA_FIELDS
from keel.controls.importing.references import BARE_STYLES, Context, ReferenceResolver
from keel.controls.models import Control, ControlLink
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.importing.columns import ColumnMap, normalise
from keel.platform.importing.pipeline import Cells, SpreadsheetImporter
from keel.platform.importing.report import (
    CREATE,
    REJECT,
    UNCHANGED,
    UPDATE,
    ImportPlan,
    ImportReport,
    RowPlan,
    text,
)
from keel.platform.permissions import Perm, check
from keel.platform.spreadsheets import ImportFileError, Table
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

from . import services as soa_services
from .models import SoARow
from .rules import LinkedControl, derive_status

APPLICABLE_WORDS: dict[str, bool] = {
    **dict.fromkeys(
        [
            "yes",
            "y",
            "true",
            "1",
            "x",
            "included",
            "include",
            "applicable",
            "selected",
            "in scope",
            "in",
            "required",
            "relevant",
            "applies",
        ],
        True,
    ),
    **dict.fromkeys(
        [
            "no",
            "n",
            "false",
            "0",
            "excluded",
            "exclude",
            "not applicable",
            "n a",
            "na",
            "not selected",
            "out of scope",
            "out",
            "not relevant",
            "not required",
        ],
        False,
    ),
}
SOA_STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "implemented",
            "done",
            "complete",
            "completed",
            "in place",
            "yes",
            "fully implemented",
            "operational",
        ],
        "implemented",
    ),
    **dict.fromkeys(
        [
            "partly implemented",
            "partially implemented",
            "partial",
            "partly",
            "partially",
            "in progress",
            "ongoing",
            "wip",
            "started",
        ],
        "partly_implemented",
    ),
    **dict.fromkeys(["planned", "plan", "scheduled", "to do", "todo"], "planned"),
    **dict.fromkeys(
        ["not started", "not implemented", "no", "missing", "gap", "open", "none"], "not_started"
    ),
    **dict.fromkeys(["not applicable", "n a", "na", "excluded"], "not_applicable"),
}


def _management_system(value: str | None, standard_key: str) -> ManagementSystem:
    qs = ManagementSystem.objects.all()
    if value:
        ms = qs.filter(short_name=value).first()
        if ms is None:
            ms = next((m for m in qs if str(m.pk) == value), None)
        if ms is None:
            known = ", ".join(qs.values_list("short_name", flat=True)) or "none"
            raise ImportFileError(
                f"--management-system {value!r}: no such management system (known: {known})."
            )
        return ms
    covering = list(qs.filter(standards__key=standard_key).distinct())
    if len(covering) != 1:
        names = ", ".join(m.short_name for m in covering) or "none"
        raise ImportFileError(
            f"{len(covering)} management systems cover {standard_key} ({names}): "
            "name the SoA's one with --management-system."
        )
    return covering[0]


def _derived(ms: ManagementSystem, std_key: str) -> dict[str, str]:
    """Requirement key → the status the SoA rule derives from the linked controls."""

    links: dict[str, list[LinkedControl]] = {}
    for lk in ControlLink.objects.filter(
        requirement__standard__key=std_key, control__management_systems=ms
    ).select_related("control", "requirement"):
        links.setdefault(lk.requirement.key, []).append(LinkedControl(lk.control.status, lk.coverage))
    return {key: str(derive_status(True, ls)) for key, ls in links.items()}


class SoAImport(SpreadsheetImporter):
    """The SoA import's rules on the platform pipeline."""

    kind = "soa"
    fields = SOA_FIELDS
    footer_note = "not an SoA row"

    def __init__(
        self,
        actor: Actor,
        filename: str,
        *,
        standard: str,
        management_system: str | None,
        bare_refs: str | None,
        mappings: Sequence[str] = (),
    ) -> None:
        super().__init__(actor, filename, mappings=mappings)
        if bare_refs is not None and bare_refs not in BARE_STYLES:
            raise ImportFileError(f"--bare-refs {bare_refs!r}: choose clause or annex.")
        self.bare_refs = bare_refs
        self.resolver = ReferenceResolver.from_database()
        hint = self.resolver.parse_standard_option(standard)
        if hint is None or hint.edition == "2013":
            raise ImportFileError("--standard: give the SoA's standard as loaded, e.g. iso27001:2022.")
        self.hint = hint
        self.std_key = (
            self.resolver.standards[hint.prefix][-1] if not hint.edition else f"{hint.prefix}:{hint.edition}"
        )
        self.ms = _management_system(management_system, self.std_key)

    def check_columns(self, columns: ColumnMap) -> None:
        if "ref" not in columns.fields():
            raise ImportFileError(
                f"{self.filename} has no column for the control (e.g. 'Control' or 'Annex A control')."
            )

    def source_of(self, table: Table, columns: ColumnMap) -> dict[str, Any]:
        return {
            **super().source_of(table, columns),
            "standard": self.std_key,
            "management_system": self.ms.short_name,
        }

    def prepare(self, report: ImportReport, table: Table, columns: ColumnMap) -> None:
        for name in columns.ignored:
            report.warnings.append((None, f"column {name!r} is not imported"))
        self.annex = dict(
            Requirement.objects.filter(
                standard__key=self.std_key, kind=EntryKind.ANNEX_CONTROL, withdrawn_at__isnull=True
            ).values_list("key", "ref_id")
        )
        self.existing: dict[str, SoARow] = {}
        for r in (
            SoARow.objects.filter(soa__management_system=self.ms, soa__standard__key=self.std_key)
            .select_related("requirement", "control")
            .prefetch_related("ai_systems")
        ):
            self.existing[r.requirement.key if r.requirement else f"control:{r.control.ref_id}"] = r  # type: ignore[union-attr]
        self.own = {
            c.ref_id.lower(): c.ref_id
            for c in Control.objects.filter(management_systems=self.ms).only("ref_id")
        }
        self.derived = _derived(self.ms, self.std_key)
        self.ai_systems = _ai_system_names(self.ms)

    def plan_row(self, number: int, row: Cells, report: ImportReport) -> RowPlan:
        values = {col.field: cell for col, cell in row.each()}
        return _plan_row(number, values, self, report)

    def duplicate_reason(self, ref: str, first_row: int) -> str | None:
        return f"{ref} already appears on row {first_row}"

    def authorise(self, report: ImportReport) -> None:
        check(self.actor, Perm.EDIT_SOA, self.ms)

    def write(self, report: ImportReport) -> None:
        actor, ms = self.actor, self.ms
        soa = soa_services.create_soa(actor, ms.pk, self.std_key)
        row_ids = {
            (r.requirement.key if r.requirement else f"control:{r.control.ref_id}"): r.pk  # type: ignore[union-attr]
            for r in SoARow.objects.filter(soa=soa).select_related("requirement", "control")
        }
        for row in report.rows:
            if row.action == UPDATE:
                soa_services.update_row(actor, row_ids[row.control_id], **row.values)
            elif row.action == CREATE:
                soa_services.add_control_row(actor, soa.pk, row.ref, **row.values)
        changed = [r.ref for r in report.rows if r.action in (CREATE, UPDATE)]
        if changed:
            trail.record(
                actor,
                TrailAction.LOAD,
                object_type="soa.import",
                object_id=report.file[:64],
                object_repr=f"SoA import from {report.file}"[:255],
                management_system_id=ms.pk,
                changes={"standard": self.std_key, "rows": changed},
            )


def plan_soa_file(
    data: bytes,
    filename: str,
    *,
    standard: str,
    management_system: str | None = None,
    bare_refs: str | None = None,
) -> tuple[ImportPlan, ManagementSystem, str]:
    """Read an SoA spreadsheet and say what importing it would do. Reads only. A bare number
    (5.2) is the Annex A control unless ``bare_refs`` is "clause"; total rows are skipped."""
    importer = SoAImport(
        Actor.system("SoA import plan"),
        filename,
        standard=standard,
        management_system=management_system,
        bare_refs=bare_refs,
    )
    return importer.plan(data), importer.ms, importer.std_key


def _plan_row(number: int, values: dict[str, Any], rules: SoAImport, plan: ImportReport) -> RowPlan:
    """One SoA row: the control it names and what changes on its SoA row."""
    resolver, hint, bare_refs, annex, own = (
        rules.resolver,
        rules.hint,
        rules.bare_refs,
        rules.annex,
        rules.own,
    )
    existing, derived, filename, ai_systems = rules.existing, rules.derived, rules.filename, rules.ai_systems
    ref_text = text(values.get("ref"))
    if not ref_text:
        return RowPlan(row=number, action=REJECT, reason="no control reference (the control column is empty)")
    key = ""
    if ref_text.lower() in own:
        key = f"control:{own[ref_text.lower()]}"
        ref = own[ref_text.lower()]
    else:
        resolved = resolver.resolve(
            ref_text.split(";")[0], Context(hint=hint, prefers_annex=True, bare=bare_refs)
        )
        found = [k for k in resolved.keys if k in annex]
        if len(found) != 1:
            reason = "; ".join(resolved.errors) or f"{ref_text!r} is not an Annex A control of the standard"
            return RowPlan(row=number, action=REJECT, ref=ref_text, reason=reason)
        for w in resolved.warnings:
            plan.warnings.append((number, w))
        key = found[0]
        ref = annex[key]
    errors: list[str] = []
    applicable: bool | None = None
    if text(values.get("applicable")):
        word = normalise(text(values.get("applicable")))
        if word not in APPLICABLE_WORDS:
            errors.append(f"applicable {text(values.get('applicable'))!r} is not understood; write yes or no")
        else:
            applicable = APPLICABLE_WORDS[word]
    status: str | None = None
    if text(values.get("status")):
        word = normalise(text(values.get("status")))
        if word not in SOA_STATUS_WORDS:
            errors.append(
                f"status {text(values.get('status'))!r} is not understood; use implemented, partly "
                "implemented, planned, not started or not applicable"
            )
        else:
            status = SOA_STATUS_WORDS[word]
    if status == "not_applicable":
        if applicable is True:
            errors.append("status says not applicable but applicable says yes")
        applicable = False
    row = existing.get(key)
    before = {
        "applicable": row.applicable if row else True,
        "justification": row.justification if row else "",
        "business_need": row.business_need if row else "",
        "status_override": row.status_override if row else "",
        "override_reason": row.override_reason if row else "",
        "ai_systems": sorted(s.name for s in row.ai_systems.all()) if row else [],
    }
    after: dict[str, Any] = dict(before)
    if text(values.get("ai_systems")):
        names, unknown = _named_systems(text(values.get("ai_systems")), ai_systems or {})
        if unknown:
            known = ", ".join(sorted(set((ai_systems or {}).values()))) or "none yet"
            errors.append(
                f"{', '.join(repr(u) for u in unknown)} {'is not an AI system' if len(unknown) == 1 else 'are not AI systems'} "
                f"of this management system (its AI systems: {known})"
            )
        else:
            after["ai_systems"] = names
    if applicable is not None:
        after["applicable"] = applicable
    reason_text = text(values.get("justification"))
    if reason_text:
        after["justification" if not after["applicable"] else "business_need"] = reason_text
    if not after["applicable"]:
        after["status_override"], after["override_reason"] = "", ""
        if not str(after["justification"]).strip():
            errors.append("an excluded control needs a justification")
    elif status is not None:
        rule = derived.get(key, "not_started") if not key.startswith("control:") else None
        if status == rule or (rule is None and status == before["status_override"]):
            after["status_override"], after["override_reason"] = (
                ("", "") if rule else (status, after["override_reason"])
            )
        elif status != before["status_override"]:
            after["status_override"] = status
            after["override_reason"] = f"Status imported from {filename}"
    if errors:
        return RowPlan(row=number, action=REJECT, ref=ref, reason="; ".join(errors))
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    action = UPDATE if changes else UNCHANGED
    if row is None and key.startswith("control:"):
        action = CREATE
    return RowPlan(
        row=number,
        action=action,
        ref=ref,
        title=ref,
        values={k: v for k, v in after.items() if k in changes},
        changes=changes,
        control_id=key,
        extra={},
    )


def _ai_system_names(ms: ManagementSystem) -> dict[str, str]:
    """Short name and name (lower case) -> name, for the AI systems of ``ms``."""
    out: dict[str, str] = {}
    for short, name in AISystem.objects.filter(management_system=ms).values_list("short_name", "name"):
        out[short.lower()] = name
        out[" ".join(name.split()).lower()] = name
    return out


def _named_systems(cell: str, known: dict[str, str]) -> tuple[list[str], list[str]]:
    """The AI systems a cell names (separated by ';', ',' or new lines): (their names, sorted;
    the words that name none)."""
    words = [" ".join(w.split()) for w in cell.replace("\n", ";").replace(",", ";").split(";")]
    names, unknown = set(), []
    for word in filter(None, words):
        if word.lower() in known:
            names.add(known[word.lower()])
        else:
            unknown.append(word)
    return sorted(names), unknown


def import_soa(
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    standard: str,
    management_system: str | None = None,
    bare_refs: str | None = None,
    dry_run: bool = False,
) -> ImportPlan:
    """Plan an SoA import and, unless ``dry_run`` or rows were rejected, apply it in one transaction
    (through :mod:`keel.soa.services`, each change with its trail entry, plus a ``soa.import``
    entry)."""
    importer = SoAImport(
        actor, filename, standard=standard, management_system=management_system, bare_refs=bare_refs
    )
    return importer.run(data, dry_run=dry_run)
