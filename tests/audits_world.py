"""Audit records for the permission matrix: a programme and organisation-wide audits (no
management system: every role reads them), made on demand directly and rolled back with each
case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.audits.models import Audit, AuditItem, AuditProgramme, AuditSample, Finding
from keel.controls.models import Control
from keel.organisation.models import Organisation
from keel.platform.models import User
from keel.standards.models import Requirement

from .permission_world import World

START = dt.date(2026, 3, 2)
CLAUSE = "iso27001:2022:9.2.2"


def programme(w: World) -> AuditProgramme:
    return AuditProgramme.objects.get_or_create(
        ref_id="AP-900",
        defaults={
            "organisation": Organisation.objects.first(),
            "title": "Matrix programme",
            "first_year": 2026,
            "last_year": 2028,
        },
    )[0]


def audit(w: World, status: str = "in_progress") -> Audit:
    a, made = Audit.objects.get_or_create(
        ref_id="AUD-2026-90",
        defaults={
            "programme": programme(w),
            "title": "Matrix audit",
            "planned_start": START,
            "planned_end": START + dt.timedelta(days=2),
            "status": status,
        },
    )
    if made:
        req = Requirement.objects.get(key=CLAUSE)
        a.requirements.add(req)
        AuditItem.objects.create(audit=a, position=1, requirement=req, questions=["Show it."])
    return a


def item(w: World) -> AuditItem:
    return AuditItem.objects.get(audit=audit(w))


def control_item(w: World) -> AuditItem:
    control, _ = Control.objects.get_or_create(
        ref_id="KC-990", defaults={"title": "Matrix review", "type": "process", "frequency": "monthly"}
    )
    a = audit(w)
    it, _ = AuditItem.objects.get_or_create(audit=a, control=control, defaults={"position": 2})
    return it


def sample(w: World) -> AuditSample:
    it = control_item(w)
    return AuditSample.objects.get_or_create(
        item=it,
        period_start=dt.date(2026, 1, 1),
        defaults={"label": "2026-01", "period_end": dt.date(2026, 1, 31)},
    )[0]


def finding(w: World, grade: str = "minor_nc") -> Finding:
    a = audit(w)
    f, made = Finding.objects.get_or_create(
        audit=a,
        number=1,
        defaults={"grade": grade, "title": "Plan missing", "description": "No plan.", "raised_on": START},
    )
    if made:
        f.requirements.add(Requirement.objects.get(key=CLAUSE))
    return f


def audit_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": audit(w).ref_id}


def programme_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": programme(w).ref_id}


def item_kwargs(w: World, u: User | None) -> dict[str, Any]:
    it = item(w)
    return {"ref": it.audit.ref_id, "item_id": it.pk}


def control_item_kwargs(w: World, u: User | None) -> dict[str, Any]:
    it = control_item(w)
    return {"ref": it.audit.ref_id, "item_id": it.pk}


def sample_kwargs(w: World, u: User | None) -> dict[str, Any]:
    s = sample(w)
    return {"ref": s.item.audit.ref_id, "item_id": s.item_id, "sample_id": s.pk}


def finding_kwargs(w: World, u: User | None) -> dict[str, Any]:
    f = finding(w)
    return {"ref": f.audit.ref_id, "number": f.number}


def programme_form(w: World, u: User | None) -> dict[str, Any]:
    return {"title": "New programme", "first_year": 2026, "last_year": 2026}


def audit_form(w: World, u: User | None) -> dict[str, Any]:
    return {
        "programme": programme(w).ref_id,
        "title": "Planned audit",
        "planned_start": "2026-06-01",
        "planned_end": "2026-06-02",
        "requirements": CLAUSE,
    }
