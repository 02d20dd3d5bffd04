"""Certification records and the work pages for the permission matrix, made on demand directly
(without the services, to stay fast) and rolled back with each case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.certification.models import AuditorRequest, CertificationAudit, CertificationCycle
from keel.platform.models import User

from .permission_world import World

DAY = dt.date(2026, 1, 5)


def cycle(w: World) -> CertificationCycle:
    c, _ = CertificationCycle.objects.get_or_create(
        ref_id="CERT-900",
        defaults={"organisation": w.a.organisation, "title": "ISO/IEC 27001", "certification_body": "CB"},
    )
    return c


def audit(w: World) -> CertificationAudit:
    return CertificationAudit.objects.get_or_create(
        ref_id="CBA-900", defaults={"cycle": cycle(w), "kind": "stage_1", "planned_start": DAY}
    )[0]


def request(w: World) -> AuditorRequest:
    return AuditorRequest.objects.get_or_create(
        ref_id="AR-900", defaults={"cycle": cycle(w), "text": "Show the policy", "requested_on": DAY}
    )[0]


def cycle_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": cycle(w).ref_id}


def audit_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": audit(w).ref_id}


def request_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": request(w).ref_id}


def new_audit_body(w: World, u: User | None) -> dict[str, Any]:
    return {"cycle": cycle(w).ref_id, "kind": "stage_2", "planned_start": "2026-03-01"}


def new_request_body(w: World, u: User | None) -> dict[str, Any]:
    return {"cycle": cycle(w).ref_id, "text": "Show the access reviews"}
