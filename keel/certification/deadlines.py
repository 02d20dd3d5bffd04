"""The deadlines of a certification cycle, computed from its dates (docs/certification.md):

- stage 2 within 6 months of the end of stage 1 (past that, certification bodies usually ask
  for stage 1 again);
- the first surveillance audit within 12 months of the certification decision, the second
  within 24 months (a surveillance audit at least once a year);
- recertification audit finished before the certificate expires (the decision must fall before
  expiry too, so the audit is due some weeks earlier: we show the expiry date and the audit
  falls due 60 days before it).

The certification decision is the cycle's ``decision_on``, else the end of stage 2 (an estimate,
shown as such); the expiry is ``expires_on``, else three years after the decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .choices import CertificationAuditKind, CertificationAuditStatus
from .models import CertificationAudit, CertificationCycle

RECERTIFICATION_LEAD_DAYS = 60


@dataclass(frozen=True)
class Deadline:
    kind: str
    label: str
    due: dt.date | None
    basis: str
    audit: CertificationAudit | None
    met: bool | None  # None: not done yet
    overdue: bool

    @property
    def state(self) -> str:
        if self.due is None:
            return "not yet known"
        if self.met is True:
            return "met"
        if self.met is False:
            return "missed"
        return "overdue" if self.overdue else "open"


def _months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return day.replace(year=year, month=month, day=min(day.day, days[month - 1]))


def decision_of(
    cycle: CertificationCycle, audits: dict[str, CertificationAudit]
) -> tuple[dt.date | None, str]:
    if cycle.decision_on:
        return cycle.decision_on, f"certification decision on {cycle.decision_on.isoformat()}"
    s2 = audits.get(CertificationAuditKind.STAGE_2)
    if s2 and s2.actual_end:
        return s2.actual_end, f"end of stage 2 on {s2.actual_end.isoformat()} (no decision date recorded yet)"
    return None, ""


def deadlines(
    cycle: CertificationCycle, today: dt.date, audits: list[CertificationAudit] | None = None
) -> list[Deadline]:
    by_kind = {a.kind: a for a in (audits if audits is not None else cycle.audits.all())}
    out: list[Deadline] = []

    def add(kind: str, due: dt.date | None, basis: str) -> None:
        a = by_kind.get(kind)
        done = a is not None and a.status == CertificationAuditStatus.DONE and a.actual_end is not None
        met = (
            (a.actual_end <= due)
            if done and due and a and a.actual_end
            else (True if done and due is None else None)
        )
        out.append(
            Deadline(
                kind,
                CertificationAuditKind(kind).label,
                due,
                basis,
                a,
                met,
                overdue=bool(due and not done and today > due),
            )
        )

    s1 = by_kind.get(CertificationAuditKind.STAGE_1)
    s1_end = s1.actual_end if s1 else None
    add(
        CertificationAuditKind.STAGE_2,
        _months(s1_end, 6) if s1_end else None,
        f"6 months after the end of stage 1 ({s1_end.isoformat()})" if s1_end else "after stage 1",
    )
    decision, why = decision_of(cycle, by_kind)
    add(
        CertificationAuditKind.SURVEILLANCE_1,
        _months(decision, 12) if decision else None,
        f"12 months after the {why}" if decision else "after the certification decision",
    )
    add(
        CertificationAuditKind.SURVEILLANCE_2,
        _months(decision, 24) if decision else None,
        f"24 months after the {why}" if decision else "after the certification decision",
    )
    expiry = cycle.expires_on or (_months(decision, 36) - dt.timedelta(days=1) if decision else None)
    add(
        CertificationAuditKind.RECERTIFICATION,
        expiry - dt.timedelta(days=RECERTIFICATION_LEAD_DAYS) if expiry else None,
        f"{RECERTIFICATION_LEAD_DAYS} days before the certificate expires ({expiry.isoformat()}), so the decision "
        "falls before expiry"
        if expiry
        else "before the certificate expires",
    )
    return out
