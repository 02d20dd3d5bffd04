"""Import an existing Statement of Applicability: control ref (the standard's Annex A ID, or one
of the organisation's own control refs for an additional row), applicable, justification, status.

Applying creates the SoA when it does not exist yet (:func:`keel.soa.services.create_soa`) and
changes its rows with :func:`keel.soa.services.update_row` / ``add_control_row``, all in one
transaction. How the columns land on the SoA row is documented in docs/import.md.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from keel.aisystems.models import AISystem
from keel.controls.importing.columns import SOA_FIELDS, header_score, map_columns, normalise, parse_mappings
from keel.controls.importing.plan import CREATE, REJECT, UNCHANGED, UPDATE, ImportPlan, RowPlan, text
from keel.controls.importing.references import BARE_STYLES, Context, ReferenceResolver
from keel.controls.models import Control, ControlLink
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.dbstats import refresh_statistics_after_commit
from keel.platform.permissions import Perm, check
from keel.platform.spreadsheets import ImportFileError, footer_reason, read_table
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

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
    from keel.soa.rules import LinkedControl, derive_status

    links: dict[str, list[LinkedControl]] = {}
    for lk in ControlLink.objects.filter(
        requirement__standard__key=std_key, control__management_systems=ms
    ).select_related("control", "requirement"):
        links.setdefault(lk.requirement.key, []).append(LinkedControl(lk.control.status, lk.coverage))
    return {key: str(derive_status(True, ls)) for key, ls in links.items()}


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
    if bare_refs is not None and bare_refs not in BARE_STYLES:
        raise ImportFileError(f"--bare-refs {bare_refs!r}: choose clause or annex.")
    resolver = ReferenceResolver.from_database()
    hint = resolver.parse_standard_option(standard)
    if hint is None or hint.edition == "2013":
        raise ImportFileError("--standard: give the SoA's standard as loaded, e.g. iso27001:2022.")
    std_key = resolver.standards[hint.prefix][-1] if not hint.edition else f"{hint.prefix}:{hint.edition}"
    ms = _management_system(management_system, std_key)
    overrides = parse_mappings([], list(SOA_FIELDS))
    table = read_table(data, filename, header_score(SOA_FIELDS, overrides))
    columns = map_columns(table.header, SOA_FIELDS, overrides)
    if "ref" not in columns.fields():
        raise ImportFileError(
            f"{filename} has no column for the control (e.g. 'Control' or 'Annex A control')."
        )
    plan = ImportPlan(file=filename, kind="soa")
    plan.source = {
        "format": table.format,
        "encoding": table.encoding or None,
        "delimiter": table.delimiter or None,
        "sheet": table.sheet or None,
        "header_row": table.header_row,
        "columns": {c.name: c.field for c in columns.columns},
        "standard": std_key,
        "management_system": ms.short_name,
    }
    for name in columns.ignored:
        plan.warnings.append((None, f"column {name!r} is not imported"))
    annex = dict(
        Requirement.objects.filter(
            standard__key=std_key, kind=EntryKind.ANNEX_CONTROL, withdrawn_at__isnull=True
        ).values_list("key", "ref_id")
    )
    from keel.soa.models import SoARow

    existing: dict[str, SoARow] = {}
    for r in (
        SoARow.objects.filter(soa__management_system=ms, soa__standard__key=std_key)
        .select_related("requirement", "control")
        .prefetch_related("ai_systems")
    ):
        existing[r.requirement.key if r.requirement else f"control:{r.control.ref_id}"] = r  # type: ignore[union-attr]
    own = {c.ref_id.lower(): c.ref_id for c in Control.objects.filter(management_systems=ms).only("ref_id")}
    derived = _derived(ms, std_key)
    ai_systems = _ai_system_names(ms)
    seen: dict[str, int] = {}
    key_index = columns.of("ref")[0].index
    for number, cells in table.rows:
        footer = footer_reason(cells, key_index)
        if footer:
            plan.warnings.append((number, f"skipped {footer}: not an SoA row"))
            continue
        values: dict[str, Any] = {}
        for col in columns.columns:
            values[col.field] = cells[col.index] if col.index < len(cells) else None
        row = _plan_row(
            number,
            values,
            resolver,
            hint,
            bare_refs,
            annex,
            own,
            existing,
            derived,
            filename,
            plan,
            ai_systems,
        )
        if row.action != REJECT and row.ref in seen:
            row = RowPlan(
                row=number,
                action=REJECT,
                ref=row.ref,
                reason=f"{row.ref} already appears on row {seen[row.ref]}",
            )
        elif row.action != REJECT:
            seen[row.ref] = number
        plan.rows.append(row)
    return plan, ms, std_key


def _plan_row(
    number: int,
    values: dict[str, Any],
    resolver: ReferenceResolver,
    hint: Any,
    bare_refs: str | None,
    annex: dict[str, str],
    own: dict[str, str],
    existing: dict[str, Any],
    derived: dict[str, str],
    filename: str,
    plan: ImportPlan,
    ai_systems: dict[str, str] | None = None,
) -> RowPlan:
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
    """Plan an SoA import and, unless ``dry_run`` or rows were rejected, apply it in one transaction."""
    plan, ms, std_key = plan_soa_file(
        data, filename, standard=standard, management_system=management_system, bare_refs=bare_refs
    )
    check(actor, Perm.EDIT_SOA, ms)
    plan.dry_run = dry_run
    if dry_run or plan.rejected:
        plan.dry_run = dry_run
        return plan
    from keel.soa import services as soa_services
    from keel.soa.models import SoARow

    with transaction.atomic():
        refresh_statistics_after_commit()  # thousands of rows at once: keep the planner informed
        soa = soa_services.create_soa(actor, ms.pk, std_key)
        row_ids = {
            (r.requirement.key if r.requirement else f"control:{r.control.ref_id}"): r.pk  # type: ignore[union-attr]
            for r in SoARow.objects.filter(soa=soa).select_related("requirement", "control")
        }
        for row in plan.rows:
            if row.action == UPDATE:
                soa_services.update_row(actor, row_ids[row.control_id], **row.values)
            elif row.action == CREATE:
                soa_services.add_control_row(actor, soa.pk, row.ref, **row.values)
        changed = [r.ref for r in plan.rows if r.action in (CREATE, UPDATE)]
        if changed:
            trail.record(
                actor,
                TrailAction.LOAD,
                object_type="soa.import",
                object_id=plan.file[:64],
                object_repr=f"SoA import from {plan.file}"[:255],
                management_system_id=ms.pk,
                changes={"standard": std_key, "rows": changed},
            )
        plan.applied = True
    return plan
