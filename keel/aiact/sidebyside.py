"""ISO/IEC 42001 readiness beside EU AI Act readiness (issue 17 item 3), for one AI system and
for the organisation. The 42001 side comes from the existing read side — the gap analysis of the
system's management system against ISO/IEC 42001 (:func:`keel.gap.queries.report`) and its
Statement of Applicability (:func:`keel.soa.queries.readiness_counts`); the Act side from
:mod:`keel.aiact.queries`. Per obligation it shows which 42001 requirements carry it, how they
stand, and what the Act asks beyond the management system."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from keel.gap import queries as gap_queries
from keel.gap.choices import CoverageStatus
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.soa import queries as soa_queries
from keel.soa.choices import SoAStatus
from keel.soa.models import StatementOfApplicability
from keel.standards.models import Requirement, Standard

from . import queries
from .catalogue import catalogue

ISO42001 = "iso42001:2023"

CARRIED = "carried"
PARTLY = "partly"
NOT_CARRIED = "not_carried"
CARRY_LABELS = {
    CARRIED: "Carried by the AIMS",
    PARTLY: "Partly carried by the AIMS",
    NOT_CARRIED: "Not carried by the AIMS",
}


@dataclass
class Support:
    key: str
    ref_id: str
    title: str
    status: str  # a CoverageStatus value, or "" when the management system has no 42001 gap analysis

    @property
    def status_label(self) -> str:
        return str(CoverageStatus(self.status).label) if self.status else "Not assessed"


@dataclass
class AIMSReadiness:
    """The 42001 figures of one management system."""

    management_system: ManagementSystem
    covers_42001: bool
    coverage: int | None = None  # covered ÷ applicable requirements (gap analysis), percent
    soa_readiness: int | None = None  # implemented with evidence ÷ applicable SoA rows, percent
    status_of: dict[str, str] = field(default_factory=dict)  # requirement key → coverage status


@dataclass
class ObligationSide:
    row: queries.ObligationRow
    supports: list[Support]
    carry: str

    @property
    def carry_label(self) -> str:
        return CARRY_LABELS[self.carry]


@dataclass
class SystemSideBySide:
    obligations: queries.SystemObligations
    aims: AIMSReadiness
    sides: list[ObligationSide]

    @property
    def act_readiness(self) -> int | None:
        return self.obligations.readiness

    def carry_counts(self) -> dict[str, int]:
        out = {CARRIED: 0, PARTLY: 0, NOT_CARRIED: 0}
        for s in self.sides:
            out[s.carry] += 1
        return out

    @property
    def beyond(self) -> list[ObligationSide]:
        """Obligations where the Act asks for more than the AIMS gives."""
        return [s for s in self.sides if s.row.obligation.beyond]


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def aims_readiness(systems: list[ManagementSystem]) -> dict[uuid.UUID, AIMSReadiness]:
    """The 42001 figures of each management system (a gap report per system that covers 42001,
    one SoA read for all)."""
    std = Standard.objects.filter(key=ISO42001).first()
    out: dict[uuid.UUID, AIMSReadiness] = {}
    if std is None:
        return {ms.pk: AIMSReadiness(ms, False) for ms in systems}
    covering = set(
        ManagementSystem.objects.filter(pk__in=[ms.pk for ms in systems], standards=std).values_list(
            "pk", flat=True
        )
    )
    soas = list(StatementOfApplicability.objects.filter(management_system_id__in=covering, standard=std))
    soa_counts = soa_queries.readiness_counts(soas)
    soa_of = {s.management_system_id: soa_counts.get(s.pk) for s in soas}
    for ms in systems:
        if ms.pk not in covering:
            out[ms.pk] = AIMSReadiness(ms, False)
            continue
        rep = gap_queries.report(std, ms)
        c = rep.counts()
        applicable = sum(c.values()) - c[CoverageStatus.NOT_APPLICABLE]
        soa = soa_of.get(ms.pk)
        soa_applicable = sum(soa.values()) - soa[SoAStatus.NOT_APPLICABLE] if soa else 0
        out[ms.pk] = AIMSReadiness(
            ms,
            True,
            coverage=_percent(c[CoverageStatus.COVERED], applicable),
            soa_readiness=_percent(soa[SoAStatus.IMPLEMENTED], soa_applicable) if soa else None,
            status_of={r.node.key: r.status for r in rep.results},
        )
    return out


def carry(supports: list[Support]) -> str:
    """Carried when every supporting requirement is covered; partly when some are covered or
    partly covered; otherwise (or when nothing in 42001 supports it) not carried."""
    if supports and all(s.status == CoverageStatus.COVERED for s in supports):
        return CARRIED
    if any(s.status in (CoverageStatus.COVERED, CoverageStatus.PARTIAL) for s in supports):
        return PARTLY
    return NOT_CARRIED


def _titles() -> dict[str, tuple[str, str]]:
    keys = {k for o in catalogue().obligations for k in o.supports}
    return {
        k: (ref, title)
        for k, ref, title in Requirement.objects.filter(key__in=keys).values_list("key", "ref_id", "title")
    }


def side_by_side(user: User | None, ai_system: str = "") -> list[SystemSideBySide]:
    """Every AI system ``user`` may read (or the one named), its Act obligations beside the 42001
    readiness of its management system."""
    views = queries.systems_obligations(user, ai_system)
    systems = {v.system.management_system_id: v.system.management_system for v in views}
    aims = aims_readiness(list(systems.values()))
    titles = _titles()
    out = []
    for v in views:
        a = aims[v.system.management_system_id]
        sides = []
        for row in v.rows:
            supports = [
                Support(k, *titles.get(k, (k.rsplit(":", 1)[-1], "")), a.status_of.get(k, ""))
                for k in row.obligation.supports
            ]
            sides.append(ObligationSide(row, supports, carry(supports)))
        out.append(SystemSideBySide(v, a, sides))
    return out


def system_side_by_side(user: User | None, ref: str) -> SystemSideBySide:
    found = side_by_side(user, ref)
    if not found:
        queries.system_obligations(user, ref)  # raises the same NotFound as the other pages
    return found[0]


@dataclass
class OrganisationSideBySide:
    systems: list[SystemSideBySide]
    aims: list[AIMSReadiness]

    def tier_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.systems:
            c = s.obligations.classification
            key = c.tier if c else ""
            out[key] = out.get(key, 0) + 1
        return out

    @property
    def act_readiness(self) -> int | None:
        rows = [r for s in self.systems for r in s.obligations.rows]
        applicable = [r for r in rows if r.status != "not_applicable"]
        return _percent(sum(1 for r in applicable if r.status == "met"), len(applicable))

    def carry_counts(self) -> dict[str, int]:
        out = {CARRIED: 0, PARTLY: 0, NOT_CARRIED: 0}
        for s in self.systems:
            for k, n in s.carry_counts().items():
                out[k] += n
        return out


def organisation(user: User | None) -> OrganisationSideBySide:
    systems = side_by_side(user)
    seen: dict[Any, AIMSReadiness] = {}
    for s in systems:
        seen.setdefault(s.aims.management_system.pk, s.aims)
    return OrganisationSideBySide(systems, sorted(seen.values(), key=lambda a: a.management_system.name))
