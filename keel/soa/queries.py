"""Read-side queries of the Statement of Applicability, shared by the API, the CLI and exports.

Every function runs a fixed number of queries whatever the number of rows or controls.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Prefetch, QuerySet

from keel.aisystems.models import AISystem
from keel.controls.choices import Coverage
from keel.controls.models import ControlLink
from keel.evidence import queries as evidence_queries
from keel.platform import filters
from keel.platform.concurrency import version_of
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.schemas import MS_REF
from keel.risks.queries import risks_by_control
from keel.support.models import LegalRequirement

from .choices import RowKind, SoAStatus
from .models import SoARow, SoAVersion, StatementOfApplicability
from .rules import LinkedControl, derive_status, effective_status, evidence_aware

# The fields of a row as exported, snapshotted into versions and compared.
ROW_FIELDS = (
    "ref_id",
    "title",
    "kind",
    "applicable",
    "risks",
    "obligations",
    "business_need",
    "justification",
    "accountable",
    "review_date",
    "status",
    "derived_status",
    "status_override",
    "override_reason",
    "combined_coverage",
    "target_date",
    "controls",
    "evidence",
    "owner",
    "ai_systems",
    "legal_requirements",
)


@dataclass
class SoAFilters:
    """The filters of the SoA list (issue 10): the API's parameters."""

    management_system: str = filters.reference(help=MS_REF)
    standard: str = filters.reference(help="A standard key.")


def soas() -> QuerySet[StatementOfApplicability]:
    """SoAs with what a list shows (2 queries with the version aggregate)."""
    return StatementOfApplicability.objects.select_related("management_system", "standard", "owner").annotate(
        row_count=Count("rows", distinct=True), latest_version=Max("versions__number")
    )


def get_soa(ref: uuid.UUID | str) -> StatementOfApplicability:
    try:
        return soas().get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, StatementOfApplicability.DoesNotExist):
        raise NotFound(f"No Statement of Applicability with id {ref}.") from None


def find_soa(management_system_id: uuid.UUID, standard_key: str) -> StatementOfApplicability:
    soa = soas().filter(management_system_id=management_system_id, standard__key=standard_key).first()
    if soa is None:
        raise NotFound(
            f"There is no Statement of Applicability for {standard_key} in this management system yet: "
            "create it first (POST /api/v1/soa, or 'keel demo' for the demo data)."
        )
    return soa


def _email(user: User | None) -> str:
    return user.email if user is not None else ""


def rows(soa: StatementOfApplicability, ai_system: str | None = None) -> list[dict[str, Any]]:
    """Every row of ``soa`` with its derived and shown status, its implementing controls and
    the evidence and the risks behind them (6 queries whatever the size). ``ai_system`` (a name
    or short name) keeps only the rows of that AI system; rows give their AI systems by name.

    A row's evidence is the current evidence of its implementing controls plus the evidence
    linked directly to its requirement, limited to evidence of the SoA's management system
    (or organisation-level evidence). Its risks are the open risks of this system treated by
    the row's controls (the "risks treated" column)."""

    row_qs = soa.rows.select_related(
        "requirement", "control", "control__owner", "accountable", "owner"
    ).prefetch_related(
        Prefetch("ai_systems", AISystem.objects.order_by("name")),
        Prefetch("legal_requirements", LegalRequirement.objects.order_by("ref_id")),
    )
    row_list = list(row_qs.order_by("sort_order", "pk"))
    req_ids = [r.requirement_id for r in row_list if r.requirement_id is not None]
    links: dict[int, list[ControlLink]] = defaultdict(list)
    for link in (
        ControlLink.objects.filter(
            requirement_id__in=req_ids, control__management_systems=soa.management_system_id
        )
        .select_related("control")
        .order_by("control__ref_id")
    ):
        links[link.requirement_id].append(link)
    control_ids = {lk.control_id for group in links.values() for lk in group}
    control_ids |= {r.control_id for r in row_list if r.control_id is not None}
    ms_id = soa.management_system_id
    by_control = evidence_queries.by_control(control_ids, ms_id)
    by_requirement = evidence_queries.by_requirement(req_ids, ms_id)
    on = evidence_queries.today()
    treated = risks_by_control(list(control_ids), ms_id)
    out: list[dict[str, Any]] = []
    for row in row_list:
        systems = list(row.ai_systems.all())
        if ai_system and not any(ai_system.lower() in (s.name.lower(), s.short_name) for s in systems):
            continue
        if row.requirement_id is not None:
            req = row.requirement
            assert req is not None
            ref_id, title, kind = req.ref_id, req.title, RowKind.ANNEX
            row_control_ids = [lk.control_id for lk in links.get(row.requirement_id, [])]
            direct = by_requirement.get(row.requirement_id, [])
            controls = [
                {
                    "ref_id": lk.control.ref_id,
                    "title": lk.control.title,
                    "status": lk.control.status,
                    "coverage": lk.coverage,
                }
                for lk in links.get(row.requirement_id, [])
            ]
        else:
            control = row.control
            assert control is not None
            ref_id, title, kind = control.ref_id, control.title, RowKind.ADDITIONAL
            row_control_ids = [control.pk]
            direct = []
            controls = [
                {
                    "ref_id": control.ref_id,
                    "title": control.title,
                    "status": control.status,
                    "coverage": Coverage.FULL,
                }
            ]
        risks = list({r["ref_id"]: r for cid in row_control_ids for r in treated.get(cid, [])}.values())
        evidence = _evidence(direct, [by_control.get(c, []) for c in row_control_ids], on)
        current = any(e["validity"] != "expired" for e in evidence)
        derived = evidence_aware(
            derive_status(
                row.applicable,
                [LinkedControl(c["status"], c["coverage"]) for c in controls],
                combined_coverage=bool(row.combined_coverage.strip()),
            ),
            current,
        )
        out.append(
            {
                "id": str(row.pk),
                "ref_id": ref_id,
                "title": title,
                "kind": str(kind),
                "applicable": row.applicable,
                "risks": sorted(risks, key=lambda r: r["ref_id"]),
                "obligations": row.obligations,
                "business_need": row.business_need,
                "justification": row.justification,
                "accountable": _email(row.accountable),
                "review_date": row.review_date.isoformat() if row.review_date else None,
                "status": str(evidence_aware(effective_status(derived, row.status_override), current)),
                "derived_status": str(derived),
                "status_override": row.status_override,
                "override_reason": row.override_reason,
                "combined_coverage": row.combined_coverage,
                "target_date": row.target_date.isoformat() if row.target_date else None,
                "controls": controls,
                "evidence": evidence,
                "owner": _email(row.owner),
                "ai_systems": [s.name for s in systems],
                "legal_requirements": [
                    {"ref_id": lr.ref_id, "title": lr.title, "source": lr.source}
                    for lr in row.legal_requirements.all()
                ],
                "machine_written": row.machine_written,
                "version": version_of(row),
            }
        )
    return out


def _evidence(direct: list[Any], per_control: list[list[Any]], on: Any) -> list[dict[str, Any]]:

    seen: dict[str, Any] = {e.ref_id: e for e in direct}
    for group in per_control:
        for e in group:
            seen.setdefault(e.ref_id, e)
    return [evidence_queries.summary(seen[ref], on) for ref in sorted(seen)]


def snapshot(row_data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as frozen into a version: the exported fields only (no database ids). Of the
    evidence, a version records which evidence stands behind the row (reference and title),
    not its current version or validity: those move with time and new uploads, and do not
    by themselves make the approved SoA a draft."""
    return [
        {
            k: ([{"ref_id": e["ref_id"], "title": e["title"]} for e in r[k]] if k == "evidence" else r[k])
            for k in ROW_FIELDS
        }
        for r in row_data
    ]


def versions(soa: StatementOfApplicability) -> QuerySet[SoAVersion]:
    return soa.versions.select_related("approved_by").order_by("-number")


def get_version(soa: StatementOfApplicability, number: int) -> SoAVersion:
    version = versions(soa).filter(number=number).first()
    if version is None:
        known = ", ".join(str(n) for n in soa.versions.order_by("number").values_list("number", flat=True))
        raise ValidationFailed(
            f"This SoA has no version {number}. Approved versions: {known or 'none yet'}.",
            {"version": ["Unknown version."]},
        )
    return version


def latest_version(soa: StatementOfApplicability) -> SoAVersion | None:
    return versions(soa).first()


def compare_rows(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Row-by-row differences between two snapshots: added and removed rows, and for changed
    rows ``{field: [old, new]}``. Rows are matched by reference."""
    before = {r["ref_id"]: r for r in old}
    after = {r["ref_id"]: r for r in new}
    out: list[dict[str, Any]] = []
    for ref in list(dict.fromkeys([*before, *after])):
        a, b = before.get(ref), after.get(ref)
        if a is None and b is not None:
            out.append({"ref_id": ref, "change": "added", "title": b["title"], "fields": {}})
        elif b is None and a is not None:
            out.append({"ref_id": ref, "change": "removed", "title": a["title"], "fields": {}})
        elif a is not None and b is not None:
            fields = {k: [a.get(k), b.get(k)] for k in ROW_FIELDS if a.get(k) != b.get(k)}
            if fields:
                out.append({"ref_id": ref, "change": "changed", "title": b["title"], "fields": fields})
    return out


def export_header(soa: StatementOfApplicability, row_data: list[dict[str, Any]]) -> dict[str, Any]:
    """What every page and sheet of an export shows: the version, its date and approver. When
    the current rows differ from the last approved version, the export is a draft of the next."""
    latest = latest_version(soa)
    current = snapshot(row_data)
    if latest is None:
        return {
            "version": "1 (draft, not approved)",
            "approved": False,
            "date": "not approved",
            "approver": "not approved",
        }
    date = latest.approved_at.date().isoformat()
    approver = latest.approved_by.full_name or latest.approved_by.email
    if latest.rows == current:
        return {"version": str(latest.number), "approved": True, "date": date, "approver": approver}
    return {
        "version": f"{latest.number + 1} (draft; changes since version {latest.number})",
        "approved": False,
        "date": f"version {latest.number} approved {date}",
        "approver": f"version {latest.number} approved by {approver}",
    }


def version_header(version: SoAVersion) -> dict[str, Any]:
    """The export header of an approved version, as issued."""
    approver = version.approved_by.full_name or version.approved_by.email
    return {
        "version": str(version.number),
        "approved": True,
        "date": version.approved_at.date().isoformat(),
        "approver": approver,
    }


def status_counts(row_data: list[dict[str, Any]]) -> dict[str, int]:
    counts = {s.value: 0 for s in SoAStatus}
    for r in row_data:
        counts[r["status"]] += 1
    return counts


def readiness_counts(soa_list: list[StatementOfApplicability]) -> dict[uuid.UUID, dict[str, int]]:
    """The status counts of several SoAs at once — what :func:`status_counts` of :func:`rows`
    gives for each, by the same rules — without the risks, evidence details or row texts
    (five queries whatever the number of SoAs, rows, controls or evidence): for the dashboard."""
    if not soa_list:
        return {}
    system_of = {soa.pk: soa.management_system_id for soa in soa_list}
    row_list = list(
        SoARow.objects.filter(soa__in=list(system_of)).values_list(
            "soa_id",
            "requirement_id",
            "control_id",
            "control__status",
            "applicable",
            "combined_coverage",
            "status_override",
        )
    )
    req_ids = {r[1] for r in row_list if r[1] is not None}
    # (requirement, management system) -> linked controls of that system
    links: dict[tuple[int, uuid.UUID], list[tuple[uuid.UUID, LinkedControl]]] = defaultdict(list)
    wanted_systems = set(system_of.values())
    for requirement_id, control_id, coverage, status, ms_id in ControlLink.objects.filter(
        requirement_id__in=list(req_ids), control__management_systems__in=list(wanted_systems)
    ).values_list(
        "requirement_id", "control_id", "coverage", "control__status", "control__management_systems"
    ):
        links[(requirement_id, ms_id)].append((control_id, LinkedControl(status, coverage)))
    control_ids = {cid for group in links.values() for cid, _ in group}
    control_ids |= {r[2] for r in row_list if r[2] is not None}
    by_control, by_requirement = evidence_queries.standing_by(control_ids, req_ids)
    out = {soa.pk: {s.value: 0 for s in SoAStatus} for soa in soa_list}
    for soa_id, requirement_id, control_id, control_status, applicable, combined, override in row_list:
        ms_id = system_of[soa_id]
        if requirement_id is not None:
            linked = links.get((requirement_id, ms_id), [])
            standing = list(by_requirement.get(requirement_id, []))
        else:
            linked = [(control_id, LinkedControl(control_status, Coverage.FULL))]
            standing = []
        for cid, _ in linked:
            standing.extend(by_control.get(cid, []))
        current = any(e.counts_for(ms_id) for e in standing)
        derived = evidence_aware(
            derive_status(applicable, [lc for _, lc in linked], combined_coverage=bool(combined.strip())),
            current,
        )
        out[soa_id][str(evidence_aware(effective_status(derived, override), current))] += 1
    return out
