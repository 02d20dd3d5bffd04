"""Coverage of the audit programme over its cycle (docs/audits.md#coverage): every clause of
the programme's standards and every applicable control of their Statements of Applicability ×
each year of the programme, with the audits that covered it; a row no audit covered or plans to
cover in the whole cycle is a gap.

A clause counts as covered by an audit item on it or on a clause above it (auditing 9.2 covers
9.2.1 and 9.2.2); only the leaf clauses are rows. An Annex control counts as covered by an
item on it or on one of the organisation's controls serving it; an additional control of the
SoA by an item on it. An audit item whose result is "not audited" covers nothing once the audit
is reported; before, it shows as planned."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from keel.controls.models import ControlLink
from keel.soa.models import SoARow
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

from .choices import AuditItemResult, AuditStatus
from .models import AuditItem, AuditProgramme

DONE = (AuditStatus.REPORTED, AuditStatus.CLOSED, AuditStatus.IN_PROGRESS)


@dataclass
class CoverageRow:
    key: str  # requirement key, or the control's ref for an additional control
    label: str  # "iso27001 9.2.2"
    title: str
    kind: str  # "Clause", "Annex control", "Additional control"
    url: str
    done: dict[int, list[str]] = field(default_factory=dict)  # year → audit refs that audited it
    planned: dict[int, list[str]] = field(default_factory=dict)  # year → audit refs planning to

    @property
    def gap(self) -> bool:
        return not self.done and not self.planned

    def cells(self, years: list[int]) -> list[dict[str, Any]]:
        return [{"year": y, "done": self.done.get(y, []), "planned": self.planned.get(y, [])} for y in years]


@dataclass
class Coverage:
    programme: AuditProgramme
    years: list[int]
    rows: list[CoverageRow]

    @property
    def gaps(self) -> list[CoverageRow]:
        return [r for r in self.rows if r.gap]

    @property
    def audited(self) -> int:
        return sum(1 for r in self.rows if r.done)


def _short(req: Requirement) -> str:
    return f"{req.standard.key.split(':', 1)[0]} {req.ref_id}"


def coverage(prog: AuditProgramme) -> Coverage:
    """The matrix of one programme, in a fixed number of queries."""
    years = list(range(prog.first_year, prog.last_year + 1))
    std_ids = list(prog.standards.values_list("pk", flat=True))
    systems = list(prog.management_systems.values_list("pk", flat=True))
    clauses = list(
        Requirement.objects.filter(standard_id__in=std_ids, kind=EntryKind.CLAUSE, withdrawn_at__isnull=True)
        .select_related("standard")
        .order_by("standard__key", "sort_order")
    )
    parents = {r.pk: r.parent_id for r in clauses}
    has_child = {r.parent_id for r in clauses if r.parent_id}
    rows: dict[tuple[str, Any], CoverageRow] = {}
    for r in clauses:
        if r.pk in has_child:
            continue
        rows[("req", r.pk)] = CoverageRow(
            r.key, _short(r), r.title, "Clause", reverse("requirement-detail", args=[r.key])
        )
    soa_rows = (
        SoARow.objects.filter(
            soa__standard_id__in=std_ids, soa__management_system_id__in=systems, applicable=True
        )
        .select_related("requirement__standard", "control")
        .order_by("soa__standard__key", "sort_order")
    )
    for row in soa_rows:
        if row.requirement is not None:
            req = row.requirement
            rows.setdefault(
                ("req", req.pk),
                CoverageRow(
                    req.key,
                    _short(req),
                    req.title,
                    "Annex control",
                    reverse("requirement-detail", args=[req.key]),
                ),
            )
        elif row.control is not None:
            c = row.control
            rows.setdefault(
                ("ctl", c.pk),
                CoverageRow(
                    c.ref_id,
                    c.ref_id,
                    c.title,
                    "Additional control",
                    reverse("control-detail", args=[c.ref_id]),
                ),
            )
    items = list(
        AuditItem.objects.filter(audit__programme=prog)
        .select_related("audit")
        .only(
            "requirement_id", "control_id", "result", "audit__ref_id", "audit__status", "audit__planned_start"
        )
    )
    ctl_ids = {i.control_id for i in items if i.control_id}
    serves: dict[Any, list[int]] = defaultdict(list)
    for cid, rid in ControlLink.objects.filter(control_id__in=ctl_ids).values_list(
        "control_id", "requirement_id"
    ):
        serves[cid].append(rid)
    for it in items:
        a = it.audit
        year = a.planned_start.year
        reported = a.status in (AuditStatus.REPORTED, AuditStatus.CLOSED)
        if reported and it.result == AuditItemResult.NOT_AUDITED:
            continue
        done = a.status in DONE and it.result != AuditItemResult.NOT_AUDITED
        targets: list[tuple[str, Any]] = []
        if it.requirement_id:
            # the clause itself and every leaf below it
            targets.append(("req", it.requirement_id))
            for pk in parents:
                up = parents.get(pk)
                while up is not None:
                    if up == it.requirement_id:
                        targets.append(("req", pk))
                        break
                    up = parents.get(up)
        if it.control_id:
            targets.append(("ctl", it.control_id))
            targets.extend(("req", rid) for rid in serves.get(it.control_id, []))
        for t in targets:
            row_ = rows.get(t)
            if row_ is None:
                continue
            bucket = row_.done if done else row_.planned
            refs = bucket.setdefault(year, [])
            if a.ref_id not in refs:
                refs.append(a.ref_id)
    return Coverage(prog, years, list(rows.values()))
